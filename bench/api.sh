#!/bin/sh
# make bench-api: the person page over HTTP with wrk on loopback, beside two
# baselines run in the same go: nginx serving a static JSON file of the same
# size (the HTTP limit of this machine), and the same lookup done directly
# in C on the same SQLite file (bench/lookup.c).
#   BENCH_API_PERSONS=200000 (default) persons, one year; DURATION=10 s.
set -eu
cd "$(dirname "$0")/.."
n=${BENCH_API_PERSONS:-200000}
dur=${DURATION:-10}
out=bench/out/api
need=""
command -v wrk >/dev/null 2>&1 || need="$need wrk"
command -v nginx >/dev/null 2>&1 || need="$need nginx-light"
command -v curl >/dev/null 2>&1 || need="$need curl"
if [ -n "$need" ]; then
	apt-get update -q >/dev/null && apt-get install -y -q $need >/dev/null
fi
rm -rf "$out"
mkdir -p "$out/www"
pw="Bench-liangfu-2026"
./liangfu seed "$out/api.db" --persons "$n" --years 2025 --seed 5 2>/dev/null
echo "$pw" | ./liangfu user add "$out/api.db" --login bench --role province \
    --region 51 >/dev/null
sqlite3 "$out/api.db" "SELECT uid FROM persons ORDER BY random() LIMIT 5000" \
    > "$out/uids"
./liangfu serve "$out/api.db" --listen 127.0.0.1:0 --port-file "$out/port" \
    >/dev/null 2>"$out/server.log" &
spid=$!
trap 'kill $spid 2>/dev/null; [ -f "$out/nginx.pid" ] && kill "$(cat "$out/nginx.pid")" 2>/dev/null; true' EXIT
for i in $(seq 100); do [ -s "$out/port" ] && break; sleep 0.1; done
port=$(cat "$out/port")
token=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' \
    -d "{\"login\":\"bench\",\"password\":\"$pw\"}" \
    "http://127.0.0.1:$port/api/v1/session" |
    sed -n 's/^Set-Cookie: lf_session=\([0-9a-f]*\);.*/\1/p')
uid=$(head -1 "$out/uids")
curl -s -b "lf_session=$token" "http://127.0.0.1:$port/api/v1/persons/$uid" \
    > "$out/www/person.json"
size=$(stat -c %s "$out/www/person.json")
cat > "$out/person.lua" <<LUA
local uids = {}
for line in io.lines("$out/uids") do uids[#uids + 1] = line end
request = function()
	return wrk.format("GET", "/api/v1/persons/" .. uids[math.random(#uids)],
	    { ["Cookie"] = "lf_session=$token" })
end
LUA
cat > "$out/nginx.conf" <<CONF
worker_processes 2;
pid $PWD/$out/nginx.pid;
error_log $PWD/$out/nginx.err;
events { worker_connections 1024; }
http {
	access_log off;
	server {
		listen 127.0.0.1:$((port + 1));
		root $PWD/$out/www;
	}
}
CONF
nginx -c "$PWD/$out/nginx.conf"
sleep 0.5
echo "liangfu bench-api: $n persons, person page $size bytes, ${dur}s per run"
for c in 64 256; do
	echo "== $c connections"
	wrk -t2 -c$c -d${dur}s --latency -s "$out/person.lua" \
	    "http://127.0.0.1:$port/" | grep -E "Requests/sec|50%|99%"
	wrk -t2 -c$c -d${dur}s --latency \
	    "http://127.0.0.1:$((port + 1))/person.json" |
	    grep -E "Requests/sec|50%|99%" | sed 's/^/nginx /'
done
echo "== direct C lookup on the same file (no HTTP, no audit)"
build/bench/lookup "$out/api.db" "$out/uids"
