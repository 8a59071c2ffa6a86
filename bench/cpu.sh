#!/bin/sh
# bench/cpu.sh LUA CONN DB CONF BIN...: the server's CPU per request (utime
# + stime from /proc over a 6 s wrk run after 3 s of warm-up), its rate,
# p99 and peak RSS, for each server binary in turn on the same database.
# LUA is person.lua or search.lua as bench/api.sh last wrote them (its
# out folder holds the uids, ids and the bench account's scripts); the
# session in them is replaced by a fresh login to each server. The CPU a
# request does not bend with the machine's load as the rates do: compare
# binaries by it, run after run (before, after, before, after).
#   sh bench/cpu.sh person.lua 64 /work/data/p1.db bench/out/api/serve.ini \
#       OLD NEW OLD NEW
set -eu
cd "$(dirname "$0")/.."
lua=$1 c=$2 db=$3 conf=$4
shift 4
out=bench/out/api
w=$(mktemp -d /tmp/liangfu-cpu-XXXXXX)
trap 'rm -rf "$w"' EXIT
. bench/serve.sh
for bin in "$@"; do
	serve_start "$bin" "$db" "$w" "$conf"
	serve_login "$w"
	sed -e "s/lf_session=[0-9a-f]*/lf_session=$token/" \
	    -e "s/\"X-CSRF-Token\"\] = \"[0-9a-f]*\"/\"X-CSRF-Token\"] = \"$csrf\"/" \
	    "$out/$lua" > "$w/$lua"
	wrk -t2 -c"$c" -d3s -s "$w/$lua" "http://127.0.0.1:$port/" >/dev/null
	t0=$(awk '{ print $14 + $15 }' "/proc/$spid/stat")
	wrk -t2 -c"$c" -d6s --latency -s "$w/$lua" \
	    "http://127.0.0.1:$port/" > "$w/wrk"
	t1=$(awk '{ print $14 + $15 }' "/proc/$spid/stat")
	n=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$w/wrk")
	tick=$(getconf CLK_TCK)
	printf '%s %s %s conn.: %s/s p99 %s, %s us CPU a request, peak RSS %s MiB\n' \
	    "$(basename "$bin")" "$lua" "$c" \
	    "$(sed -n 's/^Requests\/sec: *//p' "$w/wrk")" \
	    "$(sed -n 's/^ *99% *//p' "$w/wrk")" \
	    "$(( (t1 - t0) * 1000000 / tick / n ))" \
	    "$(awk '/^VmHWM/ { print int($2 / 1024) }' "/proc/$spid/status")"
	kill "$spid"
	wait "$spid" || true
done
