#!/bin/sh
# The server's statistics on PostgreSQL (issue 18): a throwaway
# PostgreSQL 15 (tests/pg/pg.sh, fsync off as in the tests) seeded with
# PERSONS persons (one year) and planned, then `liangfu serve` through the
# app role: the seconds from its start until GET /api/v1/stats of the
# year answers 200 for a province user (the year loaded on the
# statistics' own connection, stats/statsd.c), and, after `liangfu
# import` changed some surveys from another connection, the seconds until
# the answer shows the change (the NOTIFY of format 7, the watcher's
# 2-second period and the reload of the year); the server's log lines of
# both loads (CPU seconds) and its peak RSS (KiB).
#   bench/pg_statsd.sh [PERSONS]     (default 100000)
# LF_BENCH_NICE (default "nice -n 10") prefixes liangfu's commands.
set -eu
n=${1:-100000}
bin=$(realpath ./liangfu)
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d /tmp/liangfu-pgstatsd-XXXXXX)
chmod 711 "$tmp"
spid=
trap '[ -n "$spid" ] && kill "$spid" 2>/dev/null; sh "$here/../tests/pg/pg.sh" stop "$tmp/pg"; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP
sh "$here/../tests/pg/pg.sh" start "$tmp/pg" >/dev/null
. "$tmp/pg/env"
export LIANGFU_PROGRESS=0 LIANGFU_KEY_FILE="$tmp/pg.key"
lfnice=${LF_BENCH_NICE-nice -n 10}
y=2023
"$bin" init "$LF_PG_OWNER_URL" >/dev/null
$lfnice "$bin" seed "$LF_PG_OWNER_URL" --persons "$n" --years $y --seed 5 >/dev/null 2>&1
$lfnice "$bin" plan "$LF_PG_OWNER_URL" --year $y >/dev/null 2>&1
printf 'Bench-Stats-2026\n' | "$bin" user add "$LF_PG_OWNER_URL" --login prov --role province --region 51 >/dev/null 2>&1
printf '[server]\nthreads = 2\n' >"$tmp/s.conf"
t0=$(date +%s.%N)
$lfnice "$bin" serve "$LF_PG_WEB_URL" --config "$tmp/s.conf" \
    --listen 127.0.0.1:0 --port-file "$tmp/port" >"$tmp/out" 2>"$tmp/err" &
spid=$!
while [ ! -s "$tmp/port" ]; do sleep 0.1; done
p=$(cat "$tmp/port")
api() {
	curl -s -o "$tmp/body" -w '%{http_code}' -b "$tmp/jar" -c "$tmp/jar" \
	    -H 'Content-Type: application/json' ${2:+--data "$2"} "http://127.0.0.1:$p$1"
}
[ "$(api /api/v1/session '{"login":"prov","password":"Bench-Stats-2026"}')" = 200 ]
while [ "$(api "/api/v1/stats?year=$y")" != 200 ]; do sleep 0.2; done
t1=$(date +%s.%N)
jq -S 'del(.as_of)' "$tmp/body" >"$tmp/before"
# a change by another program: every tenth person of the export moved out
"$bin" export "$LF_PG_OWNER_URL" --year $y "$tmp/x.csv" >/dev/null 2>&1
awk -F, -v OFS=, '{ sub(/\r$/, "") }
	NR == 1 { for (i = 1; i <= NF; i++) if ($i == "人员状态") st = i; print; next }
	NR % 10 == 0 && $st != "2" { $st = "2"; print }' "$tmp/x.csv" >"$tmp/moved.csv"
$lfnice "$bin" import "$LF_PG_OWNER_URL" "$tmp/moved.csv" >/dev/null 2>&1
t2=$(date +%s.%N)
while :; do
	api "/api/v1/stats?year=$y" >/dev/null
	jq -S 'del(.as_of)' "$tmp/body" >"$tmp/after"
	cmp -s "$tmp/before" "$tmp/after" || break
	sleep 0.2
done
t3=$(date +%s.%N)
rss=$(awk '/^VmHWM/ { print $2 }' "/proc/$spid/status")
kill -TERM $spid
wait $spid || true
spid=
awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" -v n="$n" -v m="$(($(wc -l <"$tmp/moved.csv") - 1))" 'BEGIN {
	printf "pg_statsd.sh %d persons: first GET /api/v1/stats 200 after %.1f s; an import of %d changed surveys shown after %.1f s\n", n, b - a, m, d - c }'
grep -o 'statistics of [0-9]* \(loaded\|reloaded\)[^"]*' "$tmp/err" | sed 's/^/  server log: /'
echo "  server peak RSS KiB: $rss"
