#!/bin/sh
# make bench, issue 16: reconciling a department's roster against the
# registry, beside a SQLite baseline in the same run (this machine is
# shared and noisy: compare ratios).
#
#   BENCH_RECON_PERSONS=200000  persons seeded (one year), default
#   BENCH_RECON_DB=FILE         an existing database instead (e.g. the
#                               province, 3.5 M persons): copied into the
#                               output folder first (reconcile writes),
#                               with FILE.key; the copy is deleted after
#   BENCH_RECON_YEAR=2025       the survey year
#   BENCH_RECON_OUT=DIR         output folder (default bench/out/reconcile)
#   BENCH_RECON_BIN=FILE        the liangfu binary (default ./liangfu)
#   BENCH_RECON_INPLACE=1       run on BENCH_RECON_DB itself, no copy (the
#                               province database is too big to copy): the
#                               run's roster rows and new tasks are deleted
#                               again at the end
#   BENCH_RECON_LOCK=FILE       hold `flock FILE` around each command that
#                               opens the database (one province-scale job
#                               at a time on a shared machine)
#
# 1. a 低保 roster of every registered person (身份证号, 姓名, 保障起始日期)
#    made from the year's export: as many rows as persons;
# 2. `liangfu reconcile` (parse and check every row, hash every ID number
#    on two threads, classify every person from the year's survey and
#    items, write the roster's hashes and one task per finding, one
#    transaction);
# 3. baseline: the sqlite3 shell joining the same roster (its hashes, as
#    the run stored them) to persons on the hash column and to the year's
#    surveys.
# Each timed command runs under `nice -n -19 ionice -c2 -n0` where allowed;
# peak RSS and CPU seconds from /usr/bin/time.
set -eu
cd "$(dirname "$0")/.."
n=${BENCH_RECON_PERSONS:-200000}
y=${BENCH_RECON_YEAR:-2025}
out=${BENCH_RECON_OUT:-bench/out/reconcile}
bin=${BENCH_RECON_BIN:-$(pwd)/liangfu}
rm -rf "$out"
mkdir -p "$out"
prio="nice -n -19 ionice -c2 -n0"
$prio true 2>/dev/null || prio=""
[ -n "${BENCH_RECON_LOCK:-}" ] && prio="flock $BENCH_RECON_LOCK $prio"

run() {
	name=$1
	shift
	$prio /usr/bin/time -f "%e %U %S %M" -o "$out/$name.t" "$@" \
	    >"$out/$name.out" 2>"$out/$name.err"
	read -r secs user sys kb < "$out/$name.t"
	echo "$name $secs $user $sys $((kb / 1024))" >> "$out/results"
	awk -v n="$name" -v s="$secs" -v c="$user $sys" -v m=$((kb / 1024)) \
	    'BEGIN { split(c, a, " "); printf "%-10s %8.2f s  (cpu %.2f s)  " \
	    "%6d MiB RSS\n", n, s, a[1] + a[2], m }'
}

db=$out/r.db
if [ -n "${BENCH_RECON_DB:-}" ] && [ "${BENCH_RECON_INPLACE:-}" = 1 ]; then
	db=$BENCH_RECON_DB
	echo "liangfu reconcile bench: $db in place ($(nproc) cores, $(date -u +%F))"
elif [ -n "${BENCH_RECON_DB:-}" ]; then
	cp --sparse=always "$BENCH_RECON_DB" "$db"
	cp "$BENCH_RECON_DB.key" "$db.key"
	trap 'rm -f "$db" "$db.key" "$db-wal" "$db-shm"' EXIT
	echo "liangfu reconcile bench: $BENCH_RECON_DB ($(nproc) cores, $(date -u +%F))"
else
	echo "liangfu reconcile bench: $n persons ($(nproc) cores, $(date -u +%F))"
	run seed "$bin" seed "$db" --persons "$n" --years "$y" --seed 16
fi
run export "$bin" export "$db" --year "$y" "$out/all.csv"
col=$(head -1 "$out/all.csv" | tr ',' '\n' | grep -n '^公民身份号码$' | cut -d: -f1)
ncol=$(head -1 "$out/all.csv" | tr ',' '\n' | grep -n '^姓名$' | cut -d: -f1)
{
	echo "身份证号,姓名,保障起始日期"
	tail -n +2 "$out/all.csv" | awk -F, -v c="$col" -v m="$ncol" \
	    '{ print $c "," $m ",2020-01-01" }'
} >"$out/roster.csv"
rm -f "$out/all.csv"
echo "roster: $(($(wc -l < "$out/roster.csv") - 1)) rows"
run reconcile "$bin" reconcile "$db" --roster "$out/roster.csv" \
    --kind dibao --year "$y"
rm -f "$out/roster.csv"
run baseline sqlite3 "$db" "SELECT count(*), sum(s.rec IS NOT NULL) FROM
    roster_rows r JOIN persons p ON p.id_hash = r.id_hash LEFT JOIN surveys
    s ON s.person_id = p.id AND s.year = $y WHERE r.roster_id =
    (SELECT max(id) FROM rosters)"
tail -1 "$out/reconcile.err"
echo "baseline join (rows, with a survey): $(cat "$out/baseline.out")"
awk '{ t[$1] = $2; c[$1] = $3 + $4 } END { b = c["baseline"];
    if (b <= 0) b = 0.01; r = t["reconcile"] / t["baseline"];
    printf("reconcile: %.2f x the baseline time (cpu %.2f x)\n", r,
    c["reconcile"] / b) }' "$out/results"
if [ "${BENCH_RECON_INPLACE:-}" = 1 ]; then
	# the run's own roster and tasks out again (before: another run's)
	$prio sqlite3 "$db" "BEGIN; CREATE TEMP TABLE mine AS SELECT max(id) AS
	    id FROM rosters; DELETE FROM recon_tasks WHERE roster_id IN (SELECT
	    id FROM mine); DELETE FROM roster_rows WHERE roster_id IN (SELECT id
	    FROM mine); DELETE FROM rosters WHERE id IN (SELECT id FROM mine);
	    COMMIT;"
fi
