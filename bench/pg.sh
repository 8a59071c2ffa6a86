#!/bin/sh
# PostgreSQL against SQLite (issue 18), side by side on the same seed:
# bulk load (liangfu seed: SQLite through store_write, PostgreSQL through
# binary COPY) and statistics start-up (liangfu stats: the year loaded
# into the engine, then the report). A throwaway PostgreSQL 15
# (tests/pg/pg.sh) on loopback, fsync off like the tests; the SQLite file
# keeps synchronous=FULL. Wall seconds, peak RSS of liangfu (KiB), and
# the PostgreSQL/SQLite ratio.
#   bench/pg.sh [PERSONS]     (default 100000)
set -eu
n=${1:-100000}
bin=$(realpath ./liangfu)
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d /tmp/liangfu-pgbench-XXXXXX)
chmod 711 "$tmp"
trap 'sh "$here/../tests/pg/pg.sh" stop "$tmp/pg"; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP
sh "$here/../tests/pg/pg.sh" start "$tmp/pg"
. "$tmp/pg/env"
export LIANGFU_PROGRESS=0 LIANGFU_KEY_FILE="$tmp/pg.key"
url=$LF_PG_OWNER_URL
"$bin" init "$url" >/dev/null

# run NAME COMMAND...: prints "seconds rss"
run() {
	/usr/bin/time -f '%e %M' -o "$tmp/time" "$@" >/dev/null 2>"$tmp/err" ||
	    { cat "$tmp/err" "$tmp/time" >&2; exit 1; }
	tail -1 "$tmp/time"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

y=2023
sl=$(run nice -n 10 "$bin" seed "$tmp/a.db" --persons "$n" --years $y --seed 5)
pl=$(run nice -n 10 "$bin" seed "$url" --persons "$n" --years $y --seed 5)
ss=$(run nice -n 10 "$bin" stats "$tmp/a.db" --year $y --json "$tmp/s.json")
ps=$(run nice -n 10 "$bin" stats "$url" --year $y --json "$tmp/p.json")
grep -v '"as_of"' "$tmp/s.json" >"$tmp/s.cut"
grep -v '"as_of"' "$tmp/p.json" >"$tmp/p.cut"
cmp -s "$tmp/s.cut" "$tmp/p.cut" || { echo "bench/pg.sh: statistics differ" >&2; exit 1; }
printf '%-22s %10s %10s %10s %10s %7s\n' "pg.sh $n persons" "sqlite s" "sqlite KiB" "pg s" "pg KiB" "pg/sq"
printf '%-22s %10s %10s %10s %10s %7s\n' "load (seed)" ${sl% *} ${sl#* } ${pl% *} ${pl#* } "$(ratio ${pl% *} ${sl% *})"
printf '%-22s %10s %10s %10s %10s %7s\n' "stats start-up" ${ss% *} ${ss#* } ${ps% *} ${ps#* } "$(ratio ${ps% *} ${ss% *})"
