#!/bin/sh
# bench/loadab.sh OLD NEW: two liangfu binaries' `seed` (issue 17's load:
# BENCH_PERSONS=500000 persons, one year, --seed 1), alternated OLD, NEW,
# OLD, NEW... (PAIRS=2), each followed by the floor on the file it made
# (build/bench/loadfloor: SQLite alone writing the same rows). Prints wall
# s, peak KiB, user s, sys s (/usr/bin/time) of both, and the ratio. The
# machine's speed drifts: judge by pairs, and by CPU (user + sys).
#
# Example: git worktree add /tmp/old main && make -C /tmp/old liangfu &&
#   make build/bench/loadfloor && sh bench/loadab.sh /tmp/old/liangfu ./liangfu
set -eu
[ $# -eq 2 ] || { echo "usage: bench/loadab.sh OLD NEW" >&2; exit 2; }
old=$(realpath "$1")
new=$(realpath "$2")
cd "$(dirname "$0")/.."
n=${BENCH_PERSONS:-500000}
pairs=${PAIRS:-2}
out=${BENCH_OUT:-bench/out/loadab}
floor=$(realpath build/bench/loadfloor)
rm -rf "$out"
mkdir -p "$out"
cd "$out"
i=1
while [ "$i" -le "$pairs" ]; do
	for b in old new; do
		eval bin=\$$b
		rm -f s.db s.db.key f.db f.db-journal
		/usr/bin/time -f "%e %M %U %S" -o seed.t "$bin" seed s.db \
		    --persons "$n" --years 2025 --seed 1 >/dev/null 2>&1
		/usr/bin/time -f "%e %M %U %S" -o floor.t "$floor" s.db f.db \
		    >/dev/null 2>&1
		read -r s sk su ss < seed.t
		read -r f fk _ _ < floor.t
		ratio=$(awk -v s="$s" -v f="$f" 'BEGIN { printf "%.2f", s / f }')
		cpu=$(awk -v u="$su" -v y="$ss" -v n="$n" \
		    'BEGIN { printf "%.1f", (u + y) * 1e6 / n }')
		echo "$i $b: seed $s s ($su user, $ss sys, $((sk / 1024)) MiB)" \
		    "floor $f s ($((fk / 1024)) MiB): ${ratio}x the floor," \
		    "$cpu us of CPU a person"
	done
	i=$((i + 1))
done
rm -f s.db s.db.key f.db f.db-journal
