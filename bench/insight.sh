#!/bin/sh
# make bench, issue 16: reconciling a roster against the registry and a
# province what-if with its full breakdown, each beside a SQLite baseline
# in the same run (this machine is shared and noisy: compare ratios).
#
#   BENCH_INSIGHT_PERSONS=200000 (default; 3500000 for the province)
#   BENCH_INSIGHT_DB=FILE  the what-if only (step 4, without the scan), on
#                          an existing database of year 2025, e.g. the
#                          province: BENCH_INSIGHT_DB=/work/data/p1.db
#
# 1. seed N persons (one year of surveys) across the province;
# 2. a 低保 roster of every registered person (身份证号, 姓名, 保障起始日期)
#    from the export, N rows;
# 3. `liangfu reconcile` (parse + check every row, hash every ID number,
#    compare with every person's survey and items, write the roster's
#    hashes and one task per finding, one transaction);
#    baseline: the sqlite3 shell joining the same roster (its hashes, as
#    the run stored them) to persons on the hash column and to the year's
#    surveys;
# 4. build/bench/insight: the engine loaded, then the what-if "severe" with
#    shares, projection, by city and category over it (what /budget and
#    /rules/simulate run), beside the SQLite GROUP BY of the same counts
#    and the scan of every survey it replaced (the fallback).
# Peak RSS from /usr/bin/time.
set -eu
cd "$(dirname "$0")/.."
n=${BENCH_INSIGHT_PERSONS:-200000}
out=bench/out/insight
y=2025
rm -rf "$out"
mkdir -p "$out"
if [ -n "${BENCH_INSIGHT_DB:-}" ]; then
	/usr/bin/time -f "%e %M" -o "$out/whatif.t" build/bench/insight \
	    "$BENCH_INSIGHT_DB" "$y" | tee "$out/whatif.out"
	read -r secs kb < "$out/whatif.t"
	echo "what-if process: $secs s, $((kb / 1024)) MiB RSS"
	exit 0
fi

run() {
	name=$1
	shift
	/usr/bin/time -f "%e %M" -o "$out/$name.t" "$@" >"$out/$name.out" \
	    2>"$out/$name.err"
	read -r secs kb < "$out/$name.t"
	echo "$name $secs $((kb / 1024))" >> "$out/results"
	printf '%-10s %8.2f s  %6d MiB RSS\n' "$name" "$secs" $((kb / 1024))
}

echo "liangfu insight bench: $n persons ($(nproc) cores, $(date -u +%F))"
run seed ./liangfu seed "$out/i.db" --persons "$n" --years "$y" --seed 16
run export ./liangfu export "$out/i.db" --year "$y" "$out/all.csv"
col=$(head -1 "$out/all.csv" | tr ',' '\n' | grep -n '^公民身份号码$' | cut -d: -f1)
ncol=$(head -1 "$out/all.csv" | tr ',' '\n' | grep -n '^姓名$' | cut -d: -f1)
{
	echo "身份证号,姓名,保障起始日期"
	tail -n +2 "$out/all.csv" | awk -F, -v c="$col" -v m="$ncol" \
	    '{ print $c "," $m ",2020-01-01" }'
} >"$out/roster.csv"
rm -f "$out/all.csv"
run reconcile ./liangfu reconcile "$out/i.db" --roster "$out/roster.csv" \
    --kind dibao --year "$y"
run baseline sqlite3 "$out/i.db" "SELECT count(*), sum(s.urban_income_status
    = 1) FROM roster_rows r JOIN persons p ON p.id_hash = r.id_hash LEFT JOIN
    surveys s ON s.person_id = p.id AND s.year = $y WHERE r.roster_id =
    (SELECT max(id) FROM rosters)"
tail -1 "$out/reconcile.err"
echo "baseline join: $(cat "$out/baseline.out")"
awk '{ t[$1] = $2 } END { printf "reconcile: %.2f x baseline time\n",
    t["reconcile"] / t["baseline"] }' "$out/results"
/usr/bin/time -f "%e %M" -o "$out/whatif.t" build/bench/insight \
    "$out/i.db" "$y" scan | tee "$out/whatif.out"
read -r secs kb < "$out/whatif.t"
echo "what-if process: $secs s, $((kb / 1024)) MiB RSS"
