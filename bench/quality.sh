#!/bin/sh
# make bench: every data-quality rule over a population with its plans
# (`liangfu quality`), as a ratio to one SQLite full scan of the same
# tables in the same run (this machine is noisy; compare ratios).
#
#   BENCH=200000 (persons; 3500000 for the province)
#   BENCH_NEED_SCALE=3.5 (seed --need-scale: about 9.5 items a person)
#   BENCH_QUALITY_DB=FILE (reuse a seeded and planned database, e.g.
#     bench/out/plan/p.db; it is copied first, since the run writes;
#     BENCH_QUALITY_INPLACE=1 runs on FILE itself, for the province's
#     3.5 M persons where a copy does not fit on the disk: its findings
#     are written in place, and `liangfu quality` runs once, since the
#     file's findings are there already from its plan build)
#
# 1. seed N persons with one year of surveys, 2. `liangfu plan`, 3. the
# baseline: the sqlite3 shell scanning, in one go, every column the rules
# read: persons joined with the year's surveys (every item that is not
# secret, count(column) each), the year's items (policy, decision, reason,
# status, funds), their deliveries and the plans; 4. `liangfu quality`
# (first run: finds and writes), 5. again (idempotent: finds, writes
# nothing). Peak RSS and CPU seconds (user + system) from /usr/bin/time:
# on the shared machine the wall clock depends on the others' load, so
# the CPU ratio is printed too (`liangfu quality` splits the persons into
# 2 shards, each read by a thread of its own and evaluated by another:
# wall < CPU when a second core is free; LF_QUALITY_SHARDS=1 for one).
set -eu
cd "$(dirname "$0")/.."
n=${BENCH:-200000}
k=${BENCH_NEED_SCALE:-3.5}
out=bench/out/quality
rm -rf "$out"
mkdir -p "$out"
db=$out/q.db

run() {
	name=$1
	shift
	/usr/bin/time -f "%e %M %U %S" -o "$out/$name.t" "$@" \
	    >"$out/$name.out" 2>"$out/$name.err"
	read -r secs kb usr sys < "$out/$name.t"
	cpu=$(echo "$usr $sys" | awk '{ printf "%.2f", $1 + $2 }')
	echo "$name $secs $((kb / 1024)) $cpu" >> "$out/results"
	printf '%-10s %8.1f s  %6d MiB RSS  %8.1f s CPU\n' "$name" "$secs" \
	    $((kb / 1024)) "$cpu"
}

if [ -n "${BENCH_QUALITY_DB:-}" ] && [ "${BENCH_QUALITY_INPLACE:-0}" = 1 ]; then
	db=$BENCH_QUALITY_DB	# a copy of one's own: written in place
	n=$(sqlite3 "$db" "SELECT count(*) FROM surveys WHERE year = 2025")
elif [ -n "${BENCH_QUALITY_DB:-}" ]; then
	cp --sparse=always "$BENCH_QUALITY_DB" "$db"
	cp "$BENCH_QUALITY_DB.key" "$db.key"
	n=$(sqlite3 "$db" "SELECT count(*) FROM surveys WHERE year = 2025")
else
	run seed ./liangfu seed "$db" --persons "$n" --years 2025 --seed 1 \
	    --need-scale "$k"
	run plan ./liangfu plan "$db" --year 2025
fi
echo "liangfu quality bench: $n persons, one year, need scale $k ($(nproc) cores, $(date -u +%F))"
cols=$(sqlite3 "$db" "SELECT group_concat('count(s.' || name || ')', ', ') \
    FROM pragma_table_info('surveys') WHERE name NOT LIKE '%\_enc' ESCAPE '\' \
    AND name NOT LIKE '%\_hash' ESCAPE '\' AND name NOT IN ('id', \
    'person_id', 'year', 'version', 'created_at', 'created_by', \
    'updated_at', 'updated_by')")
cat > "$out/scan.sql" <<SQL
SELECT count(*), count(p.region), sum(p.status), count(p.name),
    sum(p.gender), count(p.birth_date), $cols
    FROM surveys s JOIN persons p ON p.id = s.person_id WHERE s.year = 2025;
SELECT count(*), count(policy), sum(decision), count(decision_reason),
    sum(status), sum(funds_planned) FROM items WHERE year = 2025;
SELECT count(*), count(d.date) FROM items i JOIN deliveries d
    ON d.item_id = i.id WHERE i.year = 2025;
SELECT count(*) FROM plans WHERE year = 2025;
SQL
run scan sqlite3 "$db" ".read $out/scan.sql"
run quality ./liangfu quality "$db" --year 2025 --json "$out/q.json"
if [ "${BENCH_QUALITY_INPLACE:-0}" != 1 ]; then
	run requality ./liangfu quality "$db" --year 2025
fi
items=$(sqlite3 "$db" "SELECT count(*) FROM items WHERE year = 2025")
tail -1 "$out/quality.err"
[ -f "$out/requality.err" ] && tail -1 "$out/requality.err"
awk -v n="$n" -v items="$items" '
	{ t[$1] = $2; m[$1] = $3; c[$1] = $4 }
	END {
		printf "persons %d, items %d (%.2f a person)\n", n, items, items / n
		printf "quality:   %.1f s, %.0f persons/s, %.2f x the scan (%.1f s), %d MiB\n", t["quality"], n / t["quality"], t["quality"] / t["scan"], t["scan"], m["quality"]
		printf "quality CPU: %.1f s, %.2f x the scan CPU (%.1f s)\n", c["quality"], c["quality"] / c["scan"], c["scan"]
		if ("requality" in t)
			printf "requality: %.1f s, %.2f x the scan\n", t["requality"], t["requality"] / t["scan"]
		printf "province (3.5 M persons) projected: quality %.0f s\n", t["quality"] * 3.5e6 / n
	}' "$out/results"
