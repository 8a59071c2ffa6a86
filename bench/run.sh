#!/bin/sh
# make bench: registry throughput at scale, each figure beside a baseline
# run in the same go (this machine is noisy; compare ratios).
#
#   BENCH_PERSONS=1000000 (default) persons, one year of surveys.
#
# 1. seed N persons with one year of surveys (synth + full validation +
#    sealing + SQLite), 2. export them to CSV, 3. import that CSV into a new
#    database (parse + validation + sealing + SQLite), against the baseline:
#    the sqlite3 shell's own .import of the same CSV into a plain table (no
#    validation, no encryption, no indexes). Peak RSS from /usr/bin/time.
set -eu
cd "$(dirname "$0")/.."
n=${BENCH_PERSONS:-1000000}
out=bench/out/registry
need=""
command -v /usr/bin/time >/dev/null 2>&1 || need="$need time"
command -v sqlite3 >/dev/null 2>&1 || need="$need sqlite3"
if [ -n "$need" ]; then
	apt-get update -q >/dev/null && apt-get install -y -q $need >/dev/null
fi
rm -rf "$out"
mkdir -p "$out"

# run NAME CMD... : wall seconds and peak RSS (MiB) into $out/NAME.t
run() {
	name=$1
	shift
	/usr/bin/time -f "%e %M" -o "$out/$name.t" "$@" >/dev/null 2>"$out/$name.err"
	read -r secs kb < "$out/$name.t"
	echo "$name $secs $((kb / 1024))" >> "$out/results"
	printf '%-10s %8.1f s  %6d MiB RSS\n' "$name" "$secs" $((kb / 1024))
}

echo "liangfu bench: $n persons, one year ($(nproc) cores, $(date -u +%F))"
run seed ./liangfu seed "$out/seed.db" --persons "$n" --years 2025 --seed 1
run export ./liangfu export "$out/seed.db" --year 2025 "$out/surveys.csv"
./liangfu init "$out/import.db" >/dev/null
run import ./liangfu import "$out/import.db" "$out/surveys.csv"
run baseline sqlite3 "$out/base.db" ".mode csv" ".import $out/surveys.csv t"
# floor.sql: the seeded tables' schema without their secondary indexes,
# the copy (a WHERE clause, so that SQLite decodes and re-encodes every
# row instead of copying pages), then the indexes
{
	echo "PRAGMA journal_mode=off; PRAGMA synchronous=off;"
	echo "PRAGMA cache_size=-1048576;"
	sqlite3 "$out/seed.db" "SELECT sql || ';' FROM sqlite_master
	    WHERE type = 'table' AND name IN ('persons', 'surveys')"
	echo "ATTACH '$out/seed.db' AS src; BEGIN;"
	echo "INSERT INTO persons SELECT * FROM src.persons WHERE id > 0;"
	echo "INSERT INTO surveys SELECT * FROM src.surveys WHERE id > 0;"
	sqlite3 "$out/seed.db" "SELECT sql || ';' FROM sqlite_master
	    WHERE type = 'index' AND tbl_name IN ('persons', 'surveys')
	    AND sql IS NOT NULL"
	echo "COMMIT;"
} > "$out/floor.sql"
run floor sqlite3 "$out/floor.db" ".read $out/floor.sql"
rm -f "$out/floor.db"
run export2 ./liangfu export "$out/import.db" --year 2025 "$out/again.csv"
if cmp -s "$out/surveys.csv" "$out/again.csv"; then
	echo "round trip: byte-identical"
else
	echo "round trip: DIFFERENT" >&2
	exit 1
fi
dbmb=$(( $(stat -c %s "$out/import.db") / 1048576 ))
csvmb=$(( $(stat -c %s "$out/surveys.csv") / 1048576 ))
awk -v n="$n" -v db="$dbmb" -v csv="$csvmb" '
	{ t[$1] = $2 }
	END {
		printf "database %d MiB, CSV %d MiB\n", db, csv
		printf "seed:   %.0f persons/s, %.2f x baseline time\n", n / t["seed"], t["seed"] / t["baseline"]
		printf "import: %.0f rows/s, %.2f x baseline time\n", n / t["import"], t["import"] / t["baseline"]
		printf "export: %.0f rows/s\n", n / t["export"]
		printf "floor (SQLite writing the seeded rows again): %.2f x baseline time; seed %.2f x, import %.2f x the floor\n", t["floor"] / t["baseline"], t["seed"] / t["floor"], t["import"] / t["floor"]
		printf "province (3.5 M) projected: seed %.0f s, import %.0f s, floor %.0f s\n", t["seed"] * 3.5e6 / n, t["import"] * 3.5e6 / n, t["floor"] * 3.5e6 / n
	}' "$out/results"
