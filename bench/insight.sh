#!/bin/sh
# make bench, issue 16: a province what-if with its full breakdown, beside
# a SQLite baseline in the same run (this machine is shared and noisy:
# compare ratios). Reconciling a roster is bench/reconcile.sh.
#
#   BENCH_INSIGHT_PERSONS=200000 (default; 3500000 for the province)
#   BENCH_INSIGHT_DB=FILE  the what-if only (step 2, without the scan), on
#                          an existing database of year 2025, e.g. the
#                          province: BENCH_INSIGHT_DB=/work/data/p1.db
#
# 1. seed N persons (one year of surveys) across the province;
# 2. build/bench/insight: the engine loaded, then the what-if "severe" with
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
/usr/bin/time -f "%e %M" -o "$out/whatif.t" build/bench/insight \
    "$out/i.db" "$y" scan | tee "$out/whatif.out"
read -r secs kb < "$out/whatif.t"
echo "what-if process: $secs s, $((kb / 1024)) MiB RSS"
