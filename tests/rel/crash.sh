#!/bin/sh
# crash.sh LIANGFU TRIALS - kill -9 at random moments, then check that
# nothing acknowledged is lost and every batch is all or nothing.
#
# Each trial takes a fresh copy of a small seeded database (150 persons,
# county 510104, 2026) and kills one of three kinds of work with SIGKILL
# at a random moment within its normal duration:
#   import  `liangfu import` of a 100-row CSV (one transaction): after the
#           kill the database holds all 100 new persons or none;
#   plan    `liangfu plan` of the year (chunked transactions, each person's
#           plan written whole): every plan present has exactly the items
#           an uninterrupted build gives that person, and running the
#           build again (every third trial) makes the whole year equal to
#           the uninterrupted one;
#   api     `liangfu serve` while 4 clients build persons' plans over HTTP
#           and record each build answered 2xx: every acknowledged plan is
#           there, whole, and (every fifth trial) serve --check passes.
# After every kill: PRAGMA integrity_check is "ok".
#
# make test runs 100 trials, make soak 1,000. Prints one line a kind and
# "crash: N trials passed"; exits 1 at the first failed trial, leaving its
# directory for a look.
set -eu
LF=${1:?usage: crash.sh LIANGFU TRIALS}
TRIALS=${2:-100}
case $LF in /*) ;; *) LF=$PWD/$LF ;; esac
T=$(mktemp -d /tmp/liangfu-crash-XXXXXX)
PASSWORD=Crash-Sichuan-2026
YEAR=2026
. "$(dirname "$0")/lib.sh"

fail() {
	echo "crash: trial $trial ($kind, kill after ${delay}ms): $*" >&2
	echo "crash: left in $T" >&2
	exit 1
}

ms() { date +%s%3N; }

# Runs "$@" in the background and kills it with SIGKILL after $delay ms
# (the command may have finished already).
kill_after() {
	"$@" >"$T/out.log" 2>&1 &
	pid=$!
	sleep "$(awk "BEGIN { print $delay / 1000 }")"
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

# ---- setup --------------------------------------------------------------
"$LF" seed "$T/base.db" --persons 150 --region 510104 --years 2026-2026 \
    --seed 1 >/dev/null 2>&1
printf '%s\n' "$PASSWORD" | "$LF" user add "$T/base.db" --login crashc \
    --role county --region 510104 >/dev/null
"$LF" seed "$T/src.db" --persons 100 --region 510105 --years 2026-2026 \
    --seed 2 >/dev/null 2>&1
"$LF" export "$T/src.db" --year $YEAR "$T/in.csv" >/dev/null 2>&1
q "$T/base.db" "SELECT uid FROM persons ORDER BY id" >"$T/uids"
base_persons=$(q "$T/base.db" "SELECT count(*) FROM persons")

# uninterrupted runs: the reference plans and each kind's duration
fresh
t0=$(ms); "$LF" plan "$T/t.db" --year $YEAR >/dev/null 2>&1; t1=$(ms)
plan_ms=$((t1 - t0 + 50))
plan_sig "$T/t.db" >"$T/ref.sig"
[ -s "$T/ref.sig" ] || { echo "crash: reference build made no plans" >&2; exit 1; }
fresh
t0=$(ms); "$LF" import "$T/t.db" "$T/in.csv" >/dev/null 2>&1; t1=$(ms)
import_ms=$((t1 - t0 + 50))
[ "$(q "$T/t.db" "SELECT count(*) FROM persons")" -eq $((base_persons + 100)) ]
api_ms=1000

# ---- the kinds -------------------------------------------------------------
trial_import() {
	fresh
	kill_after "$LF" import "$T/t.db" "$T/in.csv"
	integrity
	n=$(q "$T/t.db" "SELECT count(*) FROM persons")
	[ "$n" -eq "$base_persons" ] || [ "$n" -eq $((base_persons + 100)) ] ||
	    fail "import half-written: $n persons (before $base_persons)"
	s=$(q "$T/t.db" "SELECT count(*) FROM surveys")
	[ "$s" -eq "$n" ] || fail "$n persons but $s surveys"
}

trial_plan() {
	fresh
	kill_after "$LF" plan "$T/t.db" --year $YEAR
	integrity
	plan_sig "$T/t.db" >"$T/got.sig"
	# every plan present is the reference plan of that person
	comm -23 "$T/got.sig" "$T/ref.sig" >"$T/diff"
	[ ! -s "$T/diff" ] || fail "partial plans: $(head -3 "$T/diff")"
	[ $((n_plan % 3)) -eq 0 ] || return 0
	"$LF" plan "$T/t.db" --year $YEAR >/dev/null 2>&1 || fail "rebuild failed"
	plan_sig "$T/t.db" >"$T/got.sig"
	cmp -s "$T/got.sig" "$T/ref.sig" || fail "rebuild differs"
}

# One client: builds the plans of persons from its share of the uid list
# and appends each acknowledged uid to acked.$1.
client() {
	awk -v k="$1" 'NR % 4 == k' "$T/uids" | while read -r uid; do
		code=$(lf_build "$uid" /dev/null) || break
		case $code in 2*) echo "$uid" >>"$T/acked.$1" ;; esac
	done
}

# Starts a server on t.db; sets spid and base.
start_server() { lf_serve "$T/t.db" || true; }

# A session made in base.db (logins cost a password hash each: one for
# all trials, renewed before its 30 minutes of idle expiry).
login_base() {
	fresh
	start_server
	ok=1; lf_login crashc "$PASSWORD" || ok=0
	kill "$spid"; wait "$spid" || true
	[ $ok -eq 1 ] || { echo "crash: login failed" >&2; exit 1; }
	cp "$T/t.db" "$T/base.db"
	login_at=$(date +%s)
}

trial_api() {
	fresh
	rm -f "$T"/acked.*
	start_server
	for k in 0 1 2 3; do client $k & done
	sleep "$(awk "BEGIN { print $delay / 1000 }")"
	kill -9 "$spid" 2>/dev/null || true
	wait 2>/dev/null || true
	integrity
	cat "$T"/acked.* 2>/dev/null | LC_ALL=C sort >"$T/acked" || true
	q "$T/t.db" "SELECT uid FROM persons p JOIN plans l ON l.person_id =
	    p.id WHERE l.year = $YEAR" | LC_ALL=C sort >"$T/have"
	comm -23 "$T/acked" "$T/have" >"$T/lost"
	[ ! -s "$T/lost" ] || fail "acknowledged plans lost: $(wc -l <"$T/lost")"
	plan_sig "$T/t.db" >"$T/got.sig"
	comm -23 "$T/got.sig" "$T/ref.sig" >"$T/diff"
	[ ! -s "$T/diff" ] || fail "partial plans: $(head -3 "$T/diff")"
	[ $((n_api % 5)) -ne 0 ] ||
	    "$LF" serve "$T/t.db" --check >/dev/null 2>&1 || fail "serve --check"
	api_acked=$((api_acked + $(wc -l <"$T/acked")))
}

# ---- trials ------------------------------------------------------------------
login_base
n_import=0 n_plan=0 n_api=0 api_acked=0
trial=1
kind=none delay=0
while [ $trial -le "$TRIALS" ]; do
	[ $(($(date +%s) - login_at)) -lt 1200 ] || login_base
	r=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
	case $((trial % 3)) in
	0) kind=import; delay=$((r % import_ms)) ;;
	1) kind=plan; delay=$((r % plan_ms)) ;;
	2) kind=api; delay=$((r % api_ms)) ;;
	esac
	trial_$kind
	eval "n_$kind=\$((n_$kind + 1))"
	trial=$((trial + 1))
done
echo "crash: import $n_import trials (run ${import_ms}ms), plan $n_plan" \
    "(run ${plan_ms}ms), api $n_api ($api_acked acknowledged plan builds)"
echo "crash: $TRIALS trials passed"
rm -rf "$T"
