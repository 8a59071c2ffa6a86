#!/bin/sh
# bench/packed.sh - issue 17: the packed survey record, measured.
#
#   BENCH_PERSONS=1000000 (default) persons loaded, one year of surveys;
#   BENCH_LAYOUT_PERSONS=200000 (default) persons x 5 years for the layouts.
#
# 1. Load: `liangfu seed` of N persons + one year (synthesis, validation,
#    sealing, hashing, packing, SQLite) against the floor measured right
#    after: SQLite alone writing the same rows (packed, byte for byte) with
#    the same indexes (bench/loadfloor.c). Wall time and peak RSS from
#    /usr/bin/time; the database size.
# 2. Layouts: the person page's survey read (every year into a record) in
#    the wide 154-column row, the packed row per person-year and one row
#    per person with every year (bench/layout.c), and each file's size.
set -eu
cd "$(dirname "$0")/.."
n=${BENCH_PERSONS:-1000000}
ln=${BENCH_LAYOUT_PERSONS:-200000}
out=${BENCH_OUT:-bench/out/packed}
rm -rf "$out"
mkdir -p "$out"

timed() {
	name=$1
	shift
	/usr/bin/time -f "%e %M %U %S" -o "$out/$name.t" "$@" \
	    >"$out/$name.out" 2>"$out/$name.err"
	read -r secs kb usr sys < "$out/$name.t"
	printf '%-10s %8.1f s  %6d MiB RSS  (CPU %.1f s user, %.1f s sys)\n' \
	    "$name" "$secs" $((kb / 1024)) "$usr" "$sys"
}

echo "== load: $n persons, one year ($(nproc) cores, $(date -u +%F))"
timed seed ./liangfu seed "$out/seed.db" --persons "$n" --years 2025 --seed 1
timed floor build/bench/loadfloor "$out/seed.db" "$out/floor.db"
seed=$(cut -d' ' -f1 "$out/seed.t")
floor=$(cut -d' ' -f1 "$out/floor.t")
mb=$(( $(stat -c %s "$out/seed.db") / 1048576 ))
awk -v n="$n" -v s="$seed" -v f="$floor" -v mb="$mb" 'BEGIN {
	printf "seed %.0f persons/s; %.2f x the floor; database %d MiB " \
	    "(%.2f GB a year at 3.5 M)\n", n / s, s / f, mb, mb * 3.5e6 / n / 1024
	printf "province (3.5 M) projected: seed %.0f s, floor %.0f s\n", \
	    s * 3.5e6 / n, f * 3.5e6 / n }'
rm -f "$out/floor.db"
rm -f "$out/seed.db" "$out/seed.db.key" "$out/seed.db-wal" "$out/seed.db-shm"

echo "== layouts: $ln persons x 5 years"
./liangfu seed "$out/layout.db" --persons "$ln" --years 2021-2025 --seed 2 \
    >/dev/null 2>&1
build/bench/layout "$out/layout.db" "$out" 5
rm -f "$out"/*.db "$out"/*.db.key "$out"/*.db-wal "$out"/*.db-shm
