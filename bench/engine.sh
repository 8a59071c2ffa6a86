#!/bin/sh
# make bench, issues 17.4 and 16: the statistics engine's start-up and
# filtered reports, each beside a baseline of the same run (this machine
# is shared and noisy: compare ratios).
#
#   BENCH_ENGINE_PERSONS=200000 (default; 3500000 for the province)
#   BENCH_ENGINE_DB=FILE        an existing database of YEAR to use instead
#                               (kept; e.g. a province file)
#   BENCH_ENGINE_YEAR=2025
#   BENCH_ENGINE_SERVE_ONLY=1   skip step 2 (only the server's start-up)
#
# 1. seed N persons across the province with their plans (kept in
#    bench/out/engine/ and reused by the next run of the same size);
# 2. build/bench/engine: the year read by scanning the database (today's
#    start-up) against written to a snapshot and read back; a report
#    filtered on disability grade 1-2 from the slices against the scan of
#    the same persons and against SQLite GROUP BY; peak RSS;
# 3. the server: `liangfu serve` started without a snapshot (it scans),
#    stopped (it writes the snapshot), started again; each time the
#    seconds from start until GET /api/v1/stats of the year answers 200,
#    and the server's peak RSS.
set -eu
cd "$(dirname "$0")/.."
. bench/serve.sh
n=${BENCH_ENGINE_PERSONS:-200000}
y=${BENCH_ENGINE_YEAR:-2025}
out=bench/out/engine
mkdir -p "$out"
db=${BENCH_ENGINE_DB:-$out/e-$n.db}

echo "liangfu engine bench: $db ($(nproc) cores, $(date -u +%F))"
if [ ! -s "$db" ]; then
	./liangfu seed "$db" --persons "$n" --years "$y" --seed 1 \
	    --need-scale 3.5 >/dev/null 2>&1
	./liangfu plan "$db" --year "$y" >/dev/null 2>&1
fi
if [ -z "${BENCH_ENGINE_SERVE_ONLY:-}" ]; then
	/usr/bin/time -f "%e %M" -o "$out/engine.t" build/bench/engine "$db" "$y" \
	    510182 "$out/bench.snap" | tee "$out/engine.out"
	read -r secs kb < "$out/engine.t"
	echo "engine bench process: $secs s, peak RSS $((kb / 1024)) MiB"
	rm -f "$out/bench.snap"
fi

# the server's start-up, without and with its snapshot
echo "$bench_pw" | ./liangfu user add "$db" --login bench --role province \
    --region 51 >/dev/null 2>&1 || true
rm -f "$db.stats-$y"
# until_stats DIR: starts the server; DIR/secs gets the seconds from
# start until the year's statistics answer; sets spid
until_stats() {
	t0=$(date +%s.%N)
	rm -f "$1/port"
	./liangfu serve "$db" --listen 127.0.0.1:0 --port-file "$1/port" \
	    >/dev/null 2>"$1/server.log" &
	spid=$!
	for i in $(seq 100); do [ -s "$1/port" ] && break; sleep 0.1; done
	port=$(cat "$1/port")
	tl=$(date +%s.%N)
	serve_login "$1"
	tl=$(echo "$tl $(date +%s.%N)" | awk '{ printf "%.1f", $2 - $1 }')
	code=0
	while [ "$code" != 200 ]; do
		code=$(curl -s -o "$1/stats.json" -w '%{http_code}' \
		    -b "lf_session=$token" \
		    "http://127.0.0.1:$port/api/v1/stats?year=$y") || true
		[ "$code" = 200 ] || sleep 0.2
	done
	t1=$(date +%s.%N)
	echo "$t0 $t1" | awk '{ printf "%.1f", $2 - $1 }' >"$1/secs"
	echo "$tl" >"$1/login"
	# the server's peak resident memory so far
	awk '/^VmHWM/ { print $2 }' "/proc/$spid/status" >"$1/serve.t"
}
stop_server() {
	kill -TERM "$spid" 2>/dev/null || true
	wait "$spid" 2>/dev/null || true
}
until_stats "$out"
stop_server
scan_s=$(cat "$out/secs")
scan_l=$(cat "$out/login")
scan_rss=$(tail -1 "$out/serve.t")
grep "statistics of" "$out/server.log" | sed 's/^/  /'
until_stats "$out"
stop_server
snap_s=$(cat "$out/secs")
snap_l=$(cat "$out/login")
snap_rss=$(tail -1 "$out/serve.t")
grep "statistics of" "$out/server.log" | sed 's/^/  /'
echo "serve: statistics of $y answer ${scan_s} s after start by scanning" \
    "(of which logging in ${scan_l} s; peak RSS $((scan_rss / 1024)) MiB)," \
    "${snap_s} s from the snapshot (logging in ${snap_l} s; peak RSS" \
    "$((snap_rss / 1024)) MiB)" | tee -a "$out/engine.out"
awk -v a="$scan_s" -v b="$snap_s" 'BEGIN { if (b > 0) printf \
    "serve start-up: %.1fx faster with the snapshot\n", a / b }'
rm -f "$db.stats-$y"
