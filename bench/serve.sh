# bench/serve.sh: shell functions for the HTTP benches (sourced by api.sh
# and ab.sh, not run by itself).
#
# serve_start BIN DB DIR [CONF]: starts BIN serve on DB on a free loopback
#   port, its log in DIR/server.log; sets spid and port. Returns once the
#   server has loaded this year's statistics, which it does in the
#   background at start-up (about a minute at province scale, on one core),
#   and written their snapshot when there was none, so that what is
#   measured is the steady state (at most 10 minutes).
# serve_login DIR: logs in as the bench account (bench_pw) on port; sets
#   token and csrf.
bench_pw="Bench-liangfu-2026"

serve_start() {
	rm -f "$3/port" "$3/server.log"
	"$1" serve "$2" --listen 127.0.0.1:0 --port-file "$3/port" \
	    ${4:+--config "$4"} >/dev/null 2>"$3/server.log" &
	spid=$!
	for i in $(seq 100); do [ -s "$3/port" ] && break; sleep 0.1; done
	port=$(cat "$3/port")
	# loaded, and when there was no snapshot, the snapshot written too
	# (a load of 3.5 M persons takes minutes; writing its snapshot
	# doubles the memory for a while)
	for i in $(seq 6000); do
		grep -q -E "statistics of [0-9]+ loaded from" "$3/server.log" &&
		    { ! grep -q "no snapshot, reading" "$3/server.log" ||
		    grep -q -E "snapshot written|no snapshot written" \
		    "$3/server.log"; } && break
		grep -q "statistics of [0-9]*: .*failed\|refused" \
		    "$3/server.log" && break
		sleep 0.1
	done
}

serve_login() {
	curl -s -D "$1/login.h" -o "$1/login.json" \
	    -H 'Content-Type: application/json' \
	    -d "{\"login\":\"bench\",\"password\":\"$bench_pw\"}" \
	    "http://127.0.0.1:$port/api/v1/session"
	token=$(sed -n 's/^Set-Cookie: lf_session=\([0-9a-f]*\);.*/\1/p' \
	    "$1/login.h")
	csrf=$(sed -n 's/.*"csrf":"\([0-9a-f]*\)".*/\1/p' "$1/login.json")
}
