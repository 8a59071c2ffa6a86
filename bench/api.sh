#!/bin/sh
# make bench-api: the person page and the search by ID number over HTTP with
# wrk on loopback, beside two baselines run in the same go: nginx serving a
# static JSON file of the same size as each answer (the HTTP limit of this
# machine), and the same lookups done directly in C on the same SQLite file
# (bench/lookup.c), plus the floor: only the SQL of each request, on every
# core, with no sealed value opened and no JSON, audit or HTTP
# (bench/floor.c; run after the HTTP runs, so with a warm cache).
#   BENCH_API_PERSONS=200000 (default) persons;
#   BENCH_API_YEARS=1 (default) years of surveys, ending 2025 (5: 2021-2025);
#   DURATION=10 s per wrk run; THREADS (default: the server's own default);
#   AUDIT_SYNC_MS: the server's audit_sync_ms (default: its own, 100).
#   BENCH_API_BINS="BIN ..." runs the same measures with each server binary
#   in turn (before and after a change in one run; default ./liangfu).
# The seeded database has every year's 一人一策 plans (`liangfu plan`, as
# the province's has), so the page measured is the real one: person,
# surveys and plans with their items and deliveries. It is kept in
# bench/out/api/db-PERSONS-YEARS-plans and reused by the next run with the
# same sizes (the province takes ~20 min to seed).
#   BENCH_API_DB=FILE runs on an existing database in place instead (say
#   the province's, under its lock: flock /work/data/p1.lock ...): nothing
#   is seeded; the bench account is added to it when missing, and the
#   reads leave their audit entries in it.
set -eu
cd "$(dirname "$0")/.."
n=${BENCH_API_PERSONS:-200000}
ny=${BENCH_API_YEARS:-1}
dur=${DURATION:-10}
out=bench/out/api
# wrk, curl, and for the bench only nginx and GNU time
sh scripts/deps.sh bench
case $ny in
[1-9]) ;;
*) echo "BENCH_API_YEARS: 1 to 9" >&2; exit 2 ;;
esac
mkdir -p "$out"
find "$out" -mindepth 1 -maxdepth 1 ! -name "db-*" -exec rm -rf {} +
mkdir -p "$out/www"
. bench/serve.sh
if [ -n "${BENCH_API_DB:-}" ]; then
	dbf=$BENCH_API_DB
	[ -f "$dbf" ] || { echo "BENCH_API_DB: no file $dbf" >&2; exit 2; }
	n=$(sqlite3 -cmd ".timeout 30000" "$dbf" "SELECT count(*) FROM persons")
	ny=$(sqlite3 -cmd ".timeout 30000" "$dbf" \
	    "SELECT count(DISTINCT year) FROM surveys")
	[ -n "$(sqlite3 -cmd ".timeout 30000" "$dbf" \
	    "SELECT 1 FROM users WHERE login = 'bench'")" ] ||
	    echo "$bench_pw" | ./liangfu user add "$dbf" --login bench \
	    --role province --region 51 >/dev/null
else
	db="$out/db-$n-$ny-plans"
	dbf=$db/api.db
	if [ ! -f "$db/seeded" ]; then
		rm -rf "$db"
		mkdir -p "$db"
		./liangfu seed "$dbf" --persons "$n" \
		    --years "$((2026 - ny))-2025" --seed 5 2>/dev/null
		# the plans, year after year (a year carries the last one's)
		y=$((2026 - ny))
		while [ "$y" -le 2025 ]; do
			./liangfu plan "$dbf" --year "$y" >/dev/null 2>&1
			y=$((y + 1))
		done
		echo "$bench_pw" | ./liangfu user add "$dbf" --login bench \
		    --role province --region 51 >/dev/null
		touch "$db/seeded"
	fi
fi
# 5,000 persons at random: a random rowid each (a sort of every person
# would read the whole table, minutes at province scale)
sqlite3 -cmd ".timeout 30000" "$dbf" "WITH RECURSIVE r(i, k) AS (SELECT 1,
    abs(random()) % (SELECT max(id) FROM persons) + 1 UNION ALL SELECT i + 1,
    abs(random()) % (SELECT max(id) FROM persons) + 1 FROM r WHERE i < 6000)
    SELECT DISTINCT p.uid FROM r JOIN persons p ON p.id = (SELECT id FROM
    persons WHERE id >= r.k ORDER BY id LIMIT 1) LIMIT 5000" > "$out/uids"
# the ID numbers of the same persons, and the direct lookups (one thread)
build/bench/lookup "$dbf" "$out/uids" "$out/ids" > "$out/direct"
conf="$out/serve.ini"
: > "$conf"
printf '[server]\n' > "$conf"
if [ -n "${THREADS:-}" ]; then
	printf 'threads = %s\n' "$THREADS" >> "$conf"
fi
if [ -n "${AUDIT_SYNC_MS:-}" ]; then
	printf 'audit_sync_ms = %s\n' "$AUDIT_SYNC_MS" >> "$conf"
fi
# on exit the server is stopped and waited for (its last checkpoint
# holds the database), so that a next run finds it free
spid=
trap '[ -n "$spid" ] && kill $spid 2>/dev/null; [ -n "$spid" ] && wait $spid 2>/dev/null; [ -f "$out/nginx.pid" ] && kill "$(cat "$out/nginx.pid")" 2>/dev/null; true' EXIT
# lua_files: the wrk scripts of the page and the search, with the
# session of the server now running (token, csrf)
lua_files() {
	cat > "$out/person.lua" <<LUA
local uids = {}
for line in io.lines("$out/uids") do uids[#uids + 1] = line end
request = function()
	return wrk.format("GET", "/api/v1/persons/" .. uids[math.random(#uids)],
	    { ["Cookie"] = "lf_session=$token" })
end
LUA
	cat > "$out/search.lua" <<LUA
local ids = {}
for line in io.lines("$out/ids") do ids[#ids + 1] = line end
request = function()
	return wrk.format("POST", "/api/v1/persons/search",
	    { ["Cookie"] = "lf_session=$token", ["X-CSRF-Token"] = "$csrf",
	      ["Content-Type"] = "application/json" },
	    '{"id_number":"' .. ids[math.random(#ids)] .. '"}')
end
LUA
}

# static_files: the first person's page and search answer, for nginx to
# serve (sizes psize and ssize), then nginx on port nport
static_files() {
	uid=$(head -1 "$out/uids")
	curl -s -b "lf_session=$token" \
	    "http://127.0.0.1:$port/api/v1/persons/$uid" > "$out/www/person.json"
	curl -s -b "lf_session=$token" -H "X-CSRF-Token: $csrf" \
	    -H 'Content-Type: application/json' \
	    -d "{\"id_number\":\"$(head -1 "$out/ids")\"}" \
	    "http://127.0.0.1:$port/api/v1/persons/search" \
	    > "$out/www/search.json"
	grep -q '"persons":\[{' "$out/www/search.json" || {
		echo "bench-api: the search found nobody" >&2; exit 1; }
	psize=$(stat -c %s "$out/www/person.json")
	ssize=$(stat -c %s "$out/www/search.json")
	nport=$((port + 1))
	cat > "$out/nginx.conf" <<CONF
worker_processes 2;
pid $PWD/$out/nginx.pid;
error_log $PWD/$out/nginx.err;
events { worker_connections 1024; }
http {
	access_log off;
	server {
		listen 127.0.0.1:$nport;
		root $PWD/$out/www;
	}
}
CONF
	nginx -c "$PWD/$out/nginx.conf"
	sleep 0.5
}

# wrk_run LABEL ARGS...: requests/s, p50 and p99 on one line, and the
# cores wrk itself kept busy (what the server under test could not use)
wrk_run() {
	label=$1
	shift
	/usr/bin/time -f "%U %S %e" -o "$out/wrk.t" \
	    wrk -t2 -d"${dur}s" --latency "$@" > "$out/wrk.txt"
	wcpu=$(awk '{ printf "%.2f", ($1 + $2) / $3 }' "$out/wrk.t")
	rps=$(sed -n 's/^Requests\/sec: *//p' "$out/wrk.txt")
	p50=$(sed -n 's/^ *50% *//p' "$out/wrk.txt")
	p99=$(sed -n 's/^ *99% *//p' "$out/wrk.txt")
	non2xx=$(sed -n 's/^ *Non-2xx or 3xx responses: *//p' "$out/wrk.txt")
	printf '%-28s %10s req/s  p50 %9s  p99 %9s  wrk %s cores%s\n' \
	    "$label" "$rps" "$p50" "$p99" "$wcpu" "${non2xx:+  NON-2xx: $non2xx}"
	last_rps=$rps
	# p99 in ms (wrk prints us, ms or s)
	last_p99=$(echo "$p99" | awk '$1 ~ /us$/ { print $1 / 1000; next }
	    $1 ~ /ms$/ { print $1 + 0; next } $1 ~ /s$/ { print $1 * 1000 }')
}

# verdict LABEL: the last liangfu run (rate lf_rps, p99 lf_p99) against
# the nginx run just made: the goal of issue 17 is half nginx's rate and
# a p99 under 10 ms
verdict() {
	awk -v l="$1" -v a="$lf_rps" -v b="$last_rps" -v p="$lf_p99" 'BEGIN {
		r = a / b
		printf "%-28s %.3f x nginx (goal >= 0.5: %s), p99 %.1f ms " \
		    "(goal < 10 ms: %s)\n", l, r, (r >= 0.5 ? "met" : "NOT met"), \
		    p, (p < 10 ? "met" : "NOT met") }'
}

# against LABEL LUA FILE C: liangfu's answers from the wrk script LUA at C
# connections, then nginx serving FILE (of the same size), and the verdict
against() {
	wrk_run "liangfu $1" -c$4 -s "$out/$2" "http://127.0.0.1:$port/"
	lf_rps=$last_rps lf_p99=$last_p99
	wrk_run "nginx $(stat -c %s "$out/www/$3") bytes" -c$4 \
	    "http://127.0.0.1:$nport/$3"
	verdict "  $1, $4 conn."
}

# measure: the page and the search at 64 and 256 connections, each
# against nginx serving a file of the same size just after it
measure() {
	for c in 64 256; do
		echo "== $c connections"
		against "person page" person.lua person.json $c
		against "search by ID" search.lua search.json $c
	done
	echo "server peak RSS: $(awk '/^VmHWM/ { print int($2 / 1024) }' \
	    "/proc/$spid/status") MiB (VmHWM, after every run above)"
}

# Every server binary in turn: BENCH_API_BINS (default ./liangfu; say
# "/tmp/liangfu.main ./liangfu" for before and after in one run), each
# against nginx again; the static files are the first binary's answers.
nport=
for bin in ${BENCH_API_BINS:-./liangfu}; do
	serve_start "$bin" "$dbf" "$out" "$conf"
	serve_login "$out"
	if [ -z "$nport" ]; then
		static_files
		echo "liangfu bench-api: $n persons x $ny years; person page" \
		    "$psize bytes, search answer $ssize bytes; ${dur}s per run;" \
		    "audit_sync_ms ${AUDIT_SYNC_MS:-default};" \
		    "$(date -u '+%F %H:%M') UTC"
	fi
	lua_files
	echo "=== server: $bin"
	measure
	kill "$spid"
	wait "$spid" 2>/dev/null || true
	spid=
done
echo "== direct C lookups on the same file (no HTTP, no audit)"
cat "$out/direct"
echo "== SQLite floor on the same file (only the SQL; every core, then one)"
build/bench/floor "$dbf" "$out/uids" 5
build/bench/floor "$dbf" "$out/uids" 5 1
