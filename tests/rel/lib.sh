# lib.sh - what the reliability scripts (tests/rel/*.sh) share: a fresh
# copy of the seeded database, the integrity check, a signature of the
# year's plans, starting a server and logging in, and a plan build over
# HTTP.
#
# Sourced by each script (`. "$(dirname "$0")/lib.sh"`) after it sets
# LF (the liangfu binary, absolute), T (its temporary folder), YEAR and
# fail() (prints why and exits 1). The functions set or use these shell
# variables:
#   spid, base   lf_serve: the server's process id and http://host:port
#   tok, csrf    lf_login: the session cookie and its CSRF token
# Nothing here exits on its own but through fail().

# q DB SQL: the rows of a query.
q() { sqlite3 -batch "$1" "$2"; }

# Items of each person's plan of $YEAR, one line a person (what a build
# decides), sorted.
plan_sig() {
	q "$1" "SELECT p.person_id || ':' || group_concat(i.policy || '/' ||
	    i.decision || '/' || i.funds_planned, ',')
	    FROM plans p LEFT JOIN (SELECT * FROM items ORDER BY seq) i
	    ON i.plan_id = p.id WHERE p.year = $YEAR
	    GROUP BY p.person_id" | LC_ALL=C sort
}

# $T/t.db (and its key) as a fresh copy of $T/base.db.
fresh() {
	rm -f "$T"/t.db*
	cp "$T/base.db" "$T/t.db"
	cp "$T/base.db.key" "$T/t.db.key"
}

# fail()s unless PRAGMA integrity_check of $T/t.db is "ok".
integrity() {
	r=$(q "$T/t.db" "PRAGMA integrity_check") || fail "cannot open"
	[ "$r" = ok ] || fail "integrity_check: $r"
}

# lf_serve DB [VAR=VALUE...]: starts `liangfu serve DB` in the background
# on a free port (with the given environment), its log in $T/serve.log;
# sets spid and base. Returns 1 if no port was written within 10 s.
lf_serve() {
	db=$1; shift
	rm -f "$T/port"
	env "$@" "$LF" serve "$db" --listen 127.0.0.1:0 \
	    --port-file "$T/port" --web web >"$T/serve.log" 2>&1 &
	spid=$!
	i=0
	while [ ! -s "$T/port" ] && [ $i -lt 500 ]; do sleep 0.02; i=$((i + 1)); done
	base=http://127.0.0.1:$(cat "$T/port" 2>/dev/null)
	[ -s "$T/port" ]
}

# lf_login LOGIN PASSWORD: a session at $base; sets tok and csrf.
# Returns 1 if no session cookie came back.
lf_login() {
	ans=$(curl -s -i -X POST -H 'Content-Type: application/json' \
	    -d "{\"login\":\"$1\",\"password\":\"$2\"}" \
	    "$base/api/v1/session" | tr -d '\r')
	tok=$(printf '%s\n' "$ans" | sed -n 's/^Set-Cookie: lf_session=\([^;]*\).*/\1/p')
	csrf=$(printf '%s\n' "$ans" | sed -n 's/.*"csrf":"\([^"]*\)".*/\1/p')
	[ -n "$tok" ]
}

# lf_call METHOD PATH [BODYFILE]: a request with the session and an empty
# JSON body; prints the HTTP status, the answer in BODYFILE ($T/body).
# Returns curl's status (non-zero when the connection failed).
lf_call() {
	curl -s -o "${3:-$T/body}" -w '%{http_code}' -X "$1" \
	    -H "Cookie: lf_session=$tok" -H "X-CSRF-Token: $csrf" \
	    -H 'Content-Type: application/json' -d '{}' "$base$2"
}

# lf_build UID [BODYFILE]: builds the person's plan of $YEAR (lf_call).
lf_build() {
	lf_call POST "/api/v1/persons/$1/plans/$YEAR/build" "${2:-$T/body}"
}
