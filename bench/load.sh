#!/bin/sh
# bench/load.sh LIANGFU [--small] [DB]: concurrent mixed reads and writes
# (bench/load.lua: person pages, lists, plan builds) with wrk, and the
# server's RSS over the run. DB may be an existing database (it is
# written: use a copy); the plan builds are of LOAD_YEAR, by default the
# year of DB's newest survey.
#
#   default  500 connections for 60 s on DB (default bench/out/load.db,
#            made by `liangfu seed ... --persons 3500000 --region 51` when
#            missing: several minutes) - `make soak`
#   --small  200 connections for 10 s on 2,000 persons - `make test`
#
# Passes when no request failed (no socket error, every answer 2xx) and
# RSS stayed flat after warm-up: the RSS at the end is at most 25% (and
# 16 MB) above the RSS after the first quarter of the run. Prints the
# p50/p99 latency and RSS at start, after warm-up and at the end.
set -eu
LF=${1:?usage: load.sh LIANGFU [--small] [DB]}
case $LF in /*) ;; *) LF=$PWD/$LF ;; esac
shift
CONNS=500 SECS=60 PERSONS=3500000 REGION=51 DB=
if [ "${1:-}" = --small ]; then
	CONNS=200 SECS=10 PERSONS=2000 REGION=510104
	shift
fi
. "$(dirname "$0")/serve.sh"
W=$(mktemp -d /tmp/liangfu-load-XXXXXX)
DB=${1:-}
if [ -z "$DB" ]; then
	if [ $PERSONS -gt 100000 ]; then
		mkdir -p bench/out
		DB=$PWD/bench/out/load.db
	else
		DB=$W/load.db
	fi
fi
if [ ! -s "$DB" ]; then
	"$LF" seed "$DB" --persons $PERSONS --region $REGION \
	    --years 2026-2026 >/dev/null 2>&1
fi
sqlite3 -batch "$DB" "SELECT login FROM users WHERE login = 'bench'" |
    grep -q bench || printf '%s\n' "$bench_pw" | "$LF" user add "$DB" \
    --login bench --role province --region 51 >/dev/null
# 5,000 persons drawn by random row id (no scan of a province's persons)
sqlite3 -batch "$DB" "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL
    SELECT n + 1 FROM r WHERE n < 5000) SELECT uid FROM persons WHERE id IN
    (SELECT abs(random()) % (SELECT max(id) FROM persons) + 1 FROM r)" \
    >"$W/uids"
# the plan builds' year: LOAD_YEAR, or the newest survey's
YEAR=${LOAD_YEAR:-$(sqlite3 -batch "$DB" \
    "SELECT year FROM surveys ORDER BY id DESC LIMIT 1")}
ulimit -n 65536 2>/dev/null || true
serve_start "$LF" "$DB" "$W"
trap 'kill $spid 2>/dev/null; wait $spid 2>/dev/null; rm -rf "$W"' EXIT
serve_login "$W"
[ -n "$token" ] || { echo "load: login failed" >&2; exit 1; }
rss() { awk '/^VmRSS/ { print int($2 / 1024) }' /proc/$spid/status; }
rss0=$(rss)
LOAD_UIDS=$W/uids LOAD_TOKEN=$token LOAD_CSRF=$csrf LOAD_YEAR=$YEAR \
    wrk -t2 -c$CONNS -d${SECS}s --timeout 30s -s bench/load.lua \
    "http://127.0.0.1:$port" >"$W/wrk.out" 2>&1 &
wpid=$!
sleep $((SECS / 4))
rss1=$(rss)
wait $wpid || { cat "$W/wrk.out"; exit 1; }
rss2=$(rss)
line=$(grep '^load:' "$W/wrk.out")
PERSONS=$(sqlite3 -batch "$DB" "SELECT count(*) FROM persons")
echo "$line; $CONNS connections, ${SECS}s, $PERSONS persons; RSS" \
    "${rss0} MB at start, ${rss1} MB after warm-up, ${rss2} MB at the end"
case $line in
*" 0 errors (socket: connect 0 read 0 write 0 timeout 0), non-2xx 0,"*) ;;
*) echo "load: FAILED: requests failed (server log: bench/out/load-server.log)" >&2
   cat "$W/wrk.out" >&2; mkdir -p bench/out; cp "$W/server.log" bench/out/load-server.log
   exit 1 ;;
esac
if [ "$rss2" -gt $((rss1 + rss1 / 4)) ] && [ "$rss2" -gt $((rss1 + 16)) ]; then
	echo "load: FAILED: RSS grew from $rss1 MB to $rss2 MB after warm-up" >&2
	exit 1
fi
