#!/bin/sh
# bench/ab.sh OLD NEW [person|search] [PAIRS]: two liangfu binaries, one
# request kind, alternating wrk runs on the database bench/api.sh seeded
# (BENCH_API_PERSONS, default 200000; BENCH_API_YEARS, default 1; run
# bench/api.sh with the same sizes first). This machine's speed drifts by
# tens of percent within minutes, so a change is judged by pairs run back
# to back, and by server CPU per request (from /proc/PID/stat), which
# drifts less than the rate.
#
#   DURATION=6 s per run, PAIRS=3 (or the fourth argument).
#
# Example: git worktree add /tmp/old HEAD~1 && make -C /tmp/old liangfu &&
#   sh bench/ab.sh /tmp/old/liangfu ./liangfu person
set -eu
cd "$(dirname "$0")/.."
. bench/serve.sh
[ $# -ge 2 ] || { echo "usage: bench/ab.sh OLD NEW [person|search] [PAIRS]" >&2; exit 2; }
old=$1
new=$2
kind=${3:-person}
pairs=${4:-${PAIRS:-3}}
dur=${DURATION:-6}
n=${BENCH_API_PERSONS:-200000}
ny=${BENCH_API_YEARS:-1}
db=bench/out/api/db-$n-$ny/api.db
out=bench/out/ab
[ -f "$db" ] || { echo "bench/ab.sh: no $db: run bench/api.sh first" >&2; exit 2; }
case $kind in person|search) ;; *) echo "kind: person or search" >&2; exit 2 ;; esac
rm -rf "$out"
mkdir -p "$out"
sqlite3 -cmd ".timeout 30000" "$db" \
    "SELECT uid FROM persons ORDER BY random() LIMIT 5000" > "$out/uids"

# one NAME BIN: starts BIN on the database, logs in, runs wrk, prints a line
one() {
	serve_start "$2" "$db" "$out"
	serve_login "$out"
	if [ "$kind" = search ] && [ ! -s "$out/ids" ]; then
		# ID numbers through the API's reveal (audited, as it should be)
		head -500 "$out/uids" | while read -r u; do
			curl -s -X POST -b "lf_session=$token" \
			    -H "X-CSRF-Token: $csrf" \
			    "http://127.0.0.1:$port/api/v1/persons/$u/reveal"
			echo
		done | sed -n 's/.*"id_number":"\([0-9X]*\)".*/\1/p' > "$out/ids"
	fi
	cat > "$out/req.lua" <<LUA
local keys = {}
for line in io.lines("$out/$([ "$kind" = search ] && echo ids || echo uids)") do
	keys[#keys + 1] = line
end
request = function()
	local k = keys[math.random(#keys)]
	if "$kind" == "search" then
		return wrk.format("POST", "/api/v1/persons/search",
		    { ["Cookie"] = "lf_session=$token", ["X-CSRF-Token"] = "$csrf",
		      ["Content-Type"] = "application/json" },
		    '{"id_number":"' .. k .. '"}')
	end
	return wrk.format("GET", "/api/v1/persons/" .. k,
	    { ["Cookie"] = "lf_session=$token" })
end
LUA
	c0=$(awk '{print $14 + $15}' "/proc/$spid/stat")
	wrk -t2 -c64 -d"${dur}s" --latency -s "$out/req.lua" \
	    "http://127.0.0.1:$port" > "$out/wrk.txt"
	c1=$(awk '{print $14 + $15}' "/proc/$spid/stat")
	kill "$spid"
	wait "$spid" || true
	awk -v name="$1" -v cpu=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" '
		/requests in/ { reqs = $1 }
		/Requests\/sec/ { rate = $2 }
		$1 == "99%" { p99 = $2 }
		$1 ~ /^Non-2xx/ { bad = $NF }
		END {
			if (bad > 0) { print name ": " bad " answers not 2xx" > "/dev/stderr"; exit 1 }
			printf "%-4s %9.0f req/s  p99 %8s  server CPU %4.0f us/request\n",
			    name, rate, p99, cpu * 1e6 / hz / reqs
		}' "$out/wrk.txt"
}

echo "bench/ab.sh: $kind, $n persons x $ny years, ${dur}s runs, $pairs pairs, $(date -u '+%F %H:%M') UTC"
for i in $(seq "$pairs"); do
	one old "$old"
	one new "$new"
done
