# liangfu migrate PostgreSQL -> SQLite (issue 18), sourced by migrate.sh
# after the copy into PostgreSQL: uses run.sh's helpers and migrate.sh's
# $mdb (the original SQLite registry, with history rows of every kind),
# $mkey, $murl (its copy on PostgreSQL), sqlm. Checks:
# - refusals, each naming why and writing nothing: FROM and TO both
#   PostgreSQL, an unset LIANGFU_KEY_FILE, a TO.db.key with other keys, an
#   existing TO.db with other keys, a TO.db that holds persons, a key file
#   the registry's values do not open with (no TO.db, no .part left);
# - the round trip SQLite -> PostgreSQL -> SQLite into a new file: the
#   command's own comparison passes (five tables); the key file is a copy
#   of the source's, mode 0600; `liangfu export` byte for byte the same for
#   every year; persons (ids, uids, hashes, columns), survey ids, plans,
#   items and history rows the same as the original's; `stats --json` the
#   same (but as_of) for every year; persons and surveys loaded later are
#   numbered after the largest ids;
# - --verify finds an item and a history row changed after the copy,
#   naming the table, never a value;
# - a killed run leaves no TO.db (only TO.db.part, which the next run
#   refuses, naming it).

bdb="$tmp/back.db"
years=$(sqlite3 "$mdb" "SELECT DISTINCT year FROM surveys ORDER BY 1")

# ---- refusals ----------------------------------------------------------------
expect 1 "migrate back: PostgreSQL to PostgreSQL refused" -- env LIANGFU_KEY_FILE="$mkey" "$bin" migrate "$murl" "$murl"
contains err "FROM and TO are both PostgreSQL" "the PostgreSQL-to-PostgreSQL refusal names why"
expect 1 "migrate back: no LIANGFU_KEY_FILE" -- env -u LIANGFU_KEY_FILE "$bin" migrate "$murl" "$tmp/nokey.db"
contains err "LIANGFU_KEY_FILE" "the missing key file is named"
cp "$tmp/migrated.key" "$tmp/k.db.key"
expect 1 "migrate back: a TO.db.key with other keys refused" -- env LIANGFU_KEY_FILE="$mkey" "$bin" migrate "$murl" "$tmp/k.db"
contains err "TO's key file exists and is not a copy of LIANGFU_KEY_FILE" "the other key file refusal names why"
expect 0 "migrate back: init an empty SQLite target" -- "$bin" init "$tmp/e.db"
expect 1 "migrate back: an existing TO.db with other keys refused" -- env LIANGFU_KEY_FILE="$mkey" "$bin" migrate "$murl" "$tmp/e.db"
contains err "not TO's key file" "the key refusal names why"
np=$(sqlite3 "$mdb" "SELECT count(*) FROM persons")
expect 1 "migrate back: a TO.db holding persons refused" -- env LIANGFU_KEY_FILE="$mkey" "$bin" migrate "$murl" "$mdb"
contains err "already holds persons" "the non-empty refusal names why"
equal "$(sqlite3 "$mdb" "SELECT count(*) FROM persons"):$(sqlite3 "$tmp/e.db" "SELECT count(*) FROM persons")" \
    "$np:0" "migrate back: the refusals wrote nothing"
expect 1 "migrate back: a key the values do not open with" -- env LIANGFU_KEY_FILE="$tmp/migrated.key" "$bin" migrate "$murl" "$tmp/w.db"
contains err "w.db not created" "the failed copy says the file was not made"
ls "$tmp"/nokey.db* "$tmp"/k.db "$tmp"/k.db.part* "$tmp"/w.db* >"$tmp/left" 2>/dev/null
equal "$(cat "$tmp/left")" "" "migrate back: a refused or failed copy leaves no file"

# ---- the round trip ------------------------------------------------------------
expect 0 "migrate back: PostgreSQL to a new SQLite file" -- env LIANGFU_KEY_FILE="$mkey" "$bin" migrate "$murl" "$bdb"
cp out back.out
equal "$(awk '$3 == $7 && $5 == $9' back.out | wc -l)" "5" "migrate back prints five tables, equal on both sides"
contains err "created $bdb and key file" "migrate back says what it made"
cmp -s "$mkey" "$bdb.key" && ok || bad "migrate back: the key file is not the source's"
equal "$(stat -c %a "$bdb.key")" "600" "migrate back: the key file is private"
[ ! -e "$bdb.part" ] && [ ! -e "$bdb.part.key" ] && ok || bad "migrate back: .part files left"
[ "$(sqlite3 "$mdb" "SELECT count(DISTINCT entity) FROM history")" -eq 4 ] && ok ||
    bad "migrate back: the original lacks person, survey, item or reason history"
for y in $years; do
	expect 0 "migrate back: export the original $y" -- "$bin" export "$mdb" --year "$y" "o$y.csv"
	expect 0 "migrate back: export the round trip $y" -- "$bin" export "$bdb" --year "$y" "r$y.csv"
	if [ -s "o$y.csv" ] && cmp -s "o$y.csv" "r$y.csv"; then ok; else bad "migrate back: the $y exports differ"; fi
done
rows() { sqlite3 "$1" "$2" | md5sum; }
# items by every column, the interned texts as their texts (the ids in
# texts are numbered in each file's own order)
icols=$(sqlite3 "$mdb" "SELECT group_concat(CASE WHEN name IN ('measures', 'effect_note') THEN '(SELECT body FROM texts WHERE texts.id = items.' || name || ')' ELSE name END, ', ') FROM (SELECT name FROM pragma_table_info('items') ORDER BY cid)")
for q in "SELECT id, uid, hex(id_hash), name, gender, birth_date, region, status FROM persons ORDER BY id" \
    "SELECT id, person_id, year FROM surveys ORDER BY id" \
    "SELECT * FROM plans ORDER BY id" "SELECT $icols FROM items ORDER BY id" "SELECT * FROM history ORDER BY id"; do
	equal "$(rows "$bdb" "$q")" "$(rows "$mdb" "$q")" "migrate back: the same rows: $q"
done
# the write counter (store/stats_gen.h) moved once a row written, as its
# triggers would have moved it (the bulk copy holds them off and counts)
equal "$(sqlite3 "$bdb" "SELECT gen - (SELECT count(*) FROM persons) - (SELECT count(*) FROM surveys) - (SELECT count(*) FROM plans) - (SELECT count(*) FROM items) FROM stats_gen")" \
    0 "migrate back: the write counter counts every row copied"
for y in $years; do
	expect 0 "migrate back: stats original $y" -- "$bin" stats "$mdb" --year "$y" --json so.json
	expect 0 "migrate back: stats round trip $y" -- "$bin" stats "$bdb" --year "$y" --json sr.json
	same so.json sr.json "migrate back: statistics $y"
done
# persons and surveys loaded later are numbered after the largest ids
mp=$(sqlite3 "$bdb" "SELECT max(id) FROM persons"); ms=$(sqlite3 "$bdb" "SELECT max(id) FROM surveys")
expect 0 "migrate back: seed other persons" -- "$bin" seed later.db --persons 5 --years 2025 --seed 77
expect 0 "migrate back: export them" -- "$bin" export later.db --year 2025 later.csv
expect 0 "migrate back: load them into the copy" -- "$bin" import "$bdb" later.csv
equal "$(sqlite3 "$bdb" "SELECT min(id) || ':' || count(*) FROM persons WHERE id > $mp"):$(sqlite3 "$bdb" "SELECT min(id) FROM surveys WHERE id > $ms")" \
    "$((mp + 1)):5:$((ms + 1))" "migrate back: new persons and surveys numbered after the largest"

# ---- --verify ----------------------------------------------------------------
vdb="$tmp/v.db"
expect 0 "migrate back: a second new file" -- env LIANGFU_KEY_FILE="$mkey" "$bin" migrate "$murl" "$vdb"
expect 0 "migrate back --verify on an intact copy" -- env LIANGFU_KEY_FILE="$mkey" "$bin" migrate "$murl" "$vdb" --verify
sqlite3 "$vdb" "UPDATE items SET effect_note = coalesce(effect_note, '') || 'x' WHERE id = (SELECT min(id) FROM items)"
expect 1 "migrate back --verify after an item changed" -- env LIANGFU_KEY_FILE="$mkey" "$bin" migrate "$murl" "$vdb" --verify
contains err "table items differs: checksums" "the changed item is reported, naming the table"
sqlite3 "$vdb" "DELETE FROM history WHERE id = (SELECT max(id) FROM history)"
expect 1 "migrate back --verify after a history row was deleted" -- env LIANGFU_KEY_FILE="$mkey" "$bin" migrate "$murl" "$vdb" --verify
contains err "table history differs: row counts" "the deleted history row is reported, naming the table"
if grep -q '[0-9]\{17\}[0-9X]' err out back.out; then bad "migrate back: an ID number in the output"; else ok; fi

# ---- a killed run ----------------------------------------------------------------
# the plans are locked, so the copy waits there with persons, surveys
# and history written into TO.db.part; it is then killed
kdb="$tmp/killed.db"
$LF_PG_PSQL -U liangfu_owner -d migrated -c "BEGIN; LOCK TABLE plans IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(60); COMMIT" >/dev/null 2>&1 &
lockpid=$!
sleep 1
env LIANGFU_KEY_FILE="$mkey" "$bin" migrate "$murl" "$kdb" >/dev/null 2>&1 &
mpid=$!
n=0
while [ "$n" -lt 100 ] && [ "$(sqlm "SELECT count(*) FROM pg_locks WHERE NOT granted")" = 0 ]; do
	sleep 0.2; n=$((n + 1))
done
kill -9 "$mpid"; wait "$mpid" 2>/dev/null
sqlm "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(60)%' AND pid <> pg_backend_pid()" >/dev/null
wait "$lockpid" 2>/dev/null
[ "$n" -lt 100 ] && ok || bad "migrate back: the copy never waited on the locked plans"
[ ! -e "$kdb" ] && [ -e "$kdb.part" ] && ok || bad "migrate back: a killed run left $(ls "$tmp" | grep killed | tr '\n' ' ')"
expect 1 "migrate back: stats on the killed run's TO.db" -- "$bin" stats "$kdb" --year 2025
expect 1 "migrate back: a run after a killed one refused" -- env LIANGFU_KEY_FILE="$mkey" "$bin" migrate "$murl" "$kdb"
contains err "an unfinished copy is there" "the leftover is named"
[ ! -e "$kdb" ] && ok || bad "migrate back: the refused run made $kdb"
