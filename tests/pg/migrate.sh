# liangfu migrate (issue 18), sourced by run.sh: uses its helpers
# (expect, contains, equal, same, sqlo), $bin, $owner, $tmp.
#
# A SQLite registry of 300 persons surveyed in 2024 and 2025 and planned
# for both years, then changed by an import (person, survey and reason
# history rows) and planned again (item history rows), is copied into a
# fresh PostgreSQL database made by liangfu init, and back into a new
# SQLite file (migrate_back.sh). Checks:
# - refusals: a SQLite target, the target's own key file (not the
#   source's), each naming why and writing nothing;
# - all or nothing: a copy that fails at its last table (a trigger
#   refuses items) leaves no person, survey or plan behind; a copy the
#   server alters (a trigger rewrites items) differs at the comparison
#   before the commit and is rolled back;
# - the copy: the command's own comparison passes (five tables); the row
#   counts of persons, surveys (each year), history, plans and items equal
#   SQLite's (counted here by SQL); a survey history row names its person
#   (as PostgreSQL's loads write it); the person ids, uids and ID-number hashes equal
#   SQLite's, and the hashes of the ID and certificate numbers equal
#   those `seed` writes on PostgreSQL for the same persons with the same
#   key file; ID numbers sealed; the id sequences follow the ids;
#   statistics JSON equal (but as_of and findings) for both years, the
#   province and a city; a plan rebuild on PostgreSQL keeps every item;
# - a second copy into the now non-empty target is refused, nothing
#   changes;
# - damage after the copy is found by --verify, naming the table: an
#   item deleted, a survey value changed, two sealed survey values
#   swapped, a person's sealed ID number replaced by another's; no ID
#   number in any output; a copy of the damaged registry into SQLite
#   fails and makes no file.

mdb="$tmp/m.db"
mkey="$mdb.key"
murl="${owner%/liangfu}/migrated"
surl="${owner%/liangfu}/seeded"
for d in migrated seeded; do
	$LF_PG_PSQL -U postgres -d postgres -c "CREATE DATABASE $d OWNER liangfu_owner"
done
sqlm() { $LF_PG_PSQL -U liangfu_owner -d migrated -At -c "$1"; }
expect 0 "migrate: seed SQLite 2024-2025" -- "$bin" seed "$mdb" --persons 300 --years 2024-2025 --seed 21
expect 0 "migrate: plan SQLite 2024" -- "$bin" plan "$mdb" --year 2024
expect 0 "migrate: plan SQLite 2025" -- "$bin" plan "$mdb" --year 2025
# history of every kind: persons, surveys and a reason changed by an
# import, items by the plan rebuild after it
expect 0 "migrate: export SQLite 2025" -- "$bin" export "$mdb" --year 2025 m2025.csv
csv_changes m2025.csv >mchg.csv && ok ||
    bad "migrate: the export's columns were not found"
expect 0 "migrate: import changes SQLite" -- "$bin" import "$mdb" mchg.csv
expect 0 "migrate: plan SQLite 2025 again" -- "$bin" plan "$mdb" --year 2025
expect 0 "migrate: init the target" -- env LIANGFU_KEY_FILE="$tmp/migrated.key" "$bin" init "$murl"

# ---- refusals -------------------------------------------------------------
expect 1 "migrate: a SQLite target refused" -- env LIANGFU_KEY_FILE="$mkey" "$bin" migrate "$mdb" "$tmp/other.db"
contains err "TO must be a postgresql:// URL" "the SQLite target refusal names why"
expect 1 "migrate: another key file refused" -- env LIANGFU_KEY_FILE="$tmp/migrated.key" "$bin" migrate "$mdb" "$murl"
contains err "not the source's" "the key refusal names why"
equal "$(sqlm 'SELECT count(*) FROM persons')" "0" "migrate: a refusal writes nothing"

# ---- all or nothing ------------------------------------------------------
sqlm "CREATE FUNCTION lf_no_items() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN RAISE EXCEPTION 'items refused by the test'; END \$\$; CREATE TRIGGER lf_no_items BEFORE INSERT ON items FOR EACH ROW EXECUTE FUNCTION lf_no_items()"
expect 1 "migrate: a copy that fails at items" -- env LIANGFU_KEY_FILE="$mkey" "$bin" migrate "$mdb" "$murl"
contains err "items refused by the test" "the failure names the server's message"
contains err "nothing was written" "the failure says it rolled back"
equal "$(sqlm 'SELECT (SELECT count(*) FROM persons) + (SELECT count(*) FROM surveys) + (SELECT count(*) FROM plans)')" \
    "0" "migrate: a failed copy leaves nothing half-written"
sqlm "DROP TRIGGER lf_no_items ON items; DROP FUNCTION lf_no_items()"
# a copy the server alters (a trigger changes every item's note) is
# found by the comparison before the commit, and rolled back
sqlm "CREATE FUNCTION lf_bend() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN NEW.effect_note := 'bent'; RETURN NEW; END \$\$; CREATE TRIGGER lf_bend BEFORE INSERT ON items FOR EACH ROW EXECUTE FUNCTION lf_bend()"
expect 1 "migrate: a copy the server alters" -- env LIANGFU_KEY_FILE="$mkey" "$bin" migrate "$mdb" "$murl"
contains err "table items differs: checksums" "the altered copy is found, naming the table"
contains err "nothing was written" "the altered copy is rolled back"
equal "$(sqlm 'SELECT (SELECT count(*) FROM persons) + (SELECT count(*) FROM items)')" \
    "0" "migrate: a copy that differs is not committed"
sqlm "DROP TRIGGER lf_bend ON items; DROP FUNCTION lf_bend()"

# ---- the copy ---------------------------------------------------------------
expect 0 "migrate SQLite to PostgreSQL" -- env LIANGFU_KEY_FILE="$mkey" "$bin" migrate "$mdb" "$murl"
cp out migrate.out
equal "$(awk '$3 == $7 && $5 == $9' migrate.out | wc -l)" "5" "migrate prints five tables, equal on both sides"
for t in persons history plans items; do
	equal "$(sqlm "SELECT count(*) FROM $t")" "$(sqlite3 "$mdb" "SELECT count(*) FROM $t")" "migrate: $t counted"
done
for y in 2024 2025; do
	equal "$(sqlm "SELECT count(*) FROM surveys WHERE year = $y")" \
	    "$(sqlite3 "$mdb" "SELECT count(*) FROM surveys WHERE year = $y")" "migrate: surveys of $y counted"
done
[ "$(sqlm 'SELECT count(*) FROM items')" -gt 300 ] && ok || bad "migrate: too few items to test"
equal "$(sqlm "SELECT count(*) FROM history WHERE entity = 'survey' AND entity_id <> person_id")" "0" \
    "migrate: a survey history row names its person on PostgreSQL"
equal "$(sqlm "SELECT id || ':' || uid || ':' || encode(id_hash, 'hex') FROM persons ORDER BY id" | md5sum)" \
    "$(sqlite3 "$mdb" "SELECT id || ':' || uid || ':' || lower(hex(id_hash)) FROM persons ORDER BY id" | md5sum)" \
    "migrate: person ids, uids and ID-number hashes carried"
equal "$(sqlm "SELECT count(*) FROM persons WHERE encode(id_enc, 'escape') ~ '[0-9]{17}[0-9X]'")" \
    "0" "migrate: ID numbers sealed"
# what seed writes on PostgreSQL for the same persons, with the same key
hcols=$(sqlm "SELECT string_agg('encode(' || column_name || ', ''hex'')', ' || '':'' || ' ORDER BY column_name) FROM information_schema.columns WHERE table_name = 'surveys' AND column_name LIKE '%\_hash'")
[ -n "$hcols" ] && ok || bad "migrate: no hash columns found"
expect 0 "migrate: init the seeded database" -- env LIANGFU_KEY_FILE="$tmp/seeded.key" "$bin" init "$surl"
expect 0 "migrate: seed PostgreSQL with the source's key" -- env LIANGFU_KEY_FILE="$mkey" "$bin" seed "$surl" --persons 300 --years 2024 --seed 21
hq="SELECT encode(p.id_hash, 'hex') || ':' || $hcols FROM persons p JOIN surveys v ON v.person_id = p.id AND v.county = p.county WHERE v.year = 2024 ORDER BY 1"
hs=$($LF_PG_PSQL -U liangfu_owner -d seeded -At -c "$hq" | md5sum)
equal "$(sqlm "$hq" | md5sum)" "$hs" "migrate: ID and certificate hashes as seed writes them"
equal "$(sqlm "SELECT bool_and(last_value = (SELECT max(id) FROM persons)) FROM persons_id_seq")$(sqlm "SELECT last_value = (SELECT max(id) FROM plans) FROM plans_id_seq")$(sqlm "SELECT last_value = (SELECT max(id) FROM items) FROM items_id_seq")" \
    "ttt" "migrate: the id sequences follow the copied ids"
city=$(sqlm "SELECT city FROM persons GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
for y in 2024 2025; do
	for r in "" "$city"; do
		expect 0 "migrate: stats PostgreSQL $y $r" -- env LIANGFU_KEY_FILE="$mkey" "$bin" stats "$murl" --year $y ${r:+--region "$r"} --json mpg.json
		expect 0 "migrate: stats SQLite $y $r" -- "$bin" stats "$mdb" --year $y ${r:+--region "$r"} --json msq.json
		jq -S 'del(.as_of, .findings)' mpg.json >mpg.cut
		jq -S 'del(.as_of, .findings)' msq.json >msq.cut
		same mpg.cut msq.cut "migrate: statistics $y ${r:-province}"
	done
done
nit=$(sqlm "SELECT count(*) FROM items WHERE year = 2025")
expect 0 "migrate: plan rebuild on the copy" -- env LIANGFU_KEY_FILE="$mkey" "$bin" plan "$murl" --year 2025
contains err " 0 plans created; items 0 inserted, 0 updated, 0 deleted, $nit kept" "migrate: a rebuild of the copy keeps every item"

# ---- a non-empty target ------------------------------------------------------
np=$(sqlm 'SELECT count(*) FROM persons')
expect 1 "migrate: a second copy refused" -- env LIANGFU_KEY_FILE="$mkey" "$bin" migrate "$mdb" "$murl"
contains err "already holds persons" "the non-empty refusal names why"
equal "$(sqlm 'SELECT count(*) FROM persons')" "$np" "migrate: a refused copy changes nothing"

# ---- back into a new SQLite file ------------------------------------------------
. "$here/migrate_back.sh"

# ---- damage found by --verify -----------------------------------------------
expect 0 "migrate --verify on an intact copy" -- env LIANGFU_KEY_FILE="$mkey" "$bin" migrate "$mdb" "$murl" --verify
sqlm "DELETE FROM items WHERE id = (SELECT max(id) FROM items)"
expect 1 "migrate --verify after an item was deleted" -- env LIANGFU_KEY_FILE="$mkey" "$bin" migrate "$mdb" "$murl" --verify
contains err "table items differs: row counts" "the deleted item is reported, naming the table"
sqlm "UPDATE surveys SET name = name || 'x' WHERE person_id = (SELECT min(person_id) FROM surveys) AND year = 2024"
expect 1 "migrate --verify after a survey changed" -- env LIANGFU_KEY_FILE="$mkey" "$bin" migrate "$mdb" "$murl" --verify
contains err "table surveys differs: checksums" "the changed survey is reported, naming the table"
sqlm "UPDATE surveys SET id_number_enc = CASE WHEN year = 2024 THEN (SELECT id_number_enc FROM surveys WHERE person_id = 2 AND year = 2025) ELSE id_number_enc END WHERE person_id = 2"
expect 1 "migrate --verify after sealed values were swapped" -- env LIANGFU_KEY_FILE="$mkey" "$bin" migrate "$mdb" "$murl" --verify
contains err "corrupt\|person 2" "the swapped sealed value fails to open, naming the person"
sqlm "UPDATE persons SET id_enc = (SELECT id_enc FROM persons WHERE id = 4) WHERE id = 3"
expect 1 "migrate --verify after a person's sealed ID number was replaced" -- env LIANGFU_KEY_FILE="$mkey" "$bin" migrate "$mdb" "$murl" --verify
contains err "persons: person 3: .*authentication failed" "the person's sealed ID number fails to open, naming the table and the person"
if grep -q '[0-9]\{17\}[0-9X]' err out migrate.out; then bad "migrate: an ID number in the output"; else ok; fi
expect 1 "migrate: a damaged registry into SQLite" -- env LIANGFU_KEY_FILE="$mkey" "$bin" migrate "$murl" "$tmp/d.db"
contains err "d.db not created" "the damaged copy says no file was made"
ls "$tmp"/d.db* >"$tmp/left" 2>/dev/null
equal "$(cat "$tmp/left")" "" "migrate: a damaged copy leaves no file"
