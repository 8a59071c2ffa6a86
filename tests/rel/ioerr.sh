#!/bin/sh
# ioerr.sh LIANGFU [OPS] - disk I/O errors under imports, plan builds and
# API writes (issue 15.2), through the fault VFS of the test build
# (src/store/faultvfs.h: LF_FAULT_IO; LIANGFU must be build/test/liangfu).
# OPS picks the operations that fail (LF_FAULT_IO's ops=): by default
# reads, writes, syncs and truncates ("rwst"; the API runs fail writes
# and syncs, "ws"); `ioerr.sh LF lmo` sweeps the file locks, the WAL
# index (shared memory map and locks) and file opens instead, where
# every API run may also fail reads (as the rwst runs with times=4 do).
#
# A clean run of each kind counts its I/O operations (K); then the kind
# runs again and again on a fresh copy of a small seeded database (150
# persons, county 510104, 2026) with the operations after the Nth failing
# (SQLITE_IOERR), N swept over 0..K, plus single transient failures
# (times=1) and random failures (prob, seed). After each run, with the
# fault lifted:
#   every run   exits 0, or 1 with a "liangfu: ..." message; no sanitizer
#               report; PRAGMA integrity_check is ok;
#   import      (a 100-row CSV, one transaction) all 100 new persons or
#               none, each with its survey: all after exit 0, none after
#               exit 1 ("nothing was imported");
#   plan        every plan present is the plan an uninterrupted build
#               gives that person; exit 0 means every person has one;
#               (every third run) a build without faults then gives
#               exactly the reference;
#   api         a server whose writes and syncs fail after the Nth (armed
#               after login, by removing a hold file) takes plan builds:
#               each is answered 2xx or 503 with a JSON error, never a
#               dropped connection; while writes fail the server answers
#               reads (GET /catalog 200; a person 200, or 503 "audit" when
#               the read's audit entry cannot be written, "io" when its
#               own read failed); a few runs fail reads too, four times
#               then no more (times=4), where any read may be a 503 with
#               a JSON error; once lifted the refused builds succeed and
#               reads answer 200; after a clean stop every acknowledged
#               plan is there, whole.
# Prints one line a kind; exits 1 at the first failed run, leaving its
# directory for a look.
set -eu
LF=${1:?usage: ioerr.sh LIANGFU [OPS]}
O=${2:-}
case $LF in /*) ;; *) LF=$PWD/$LF ;; esac
T=$(mktemp -d /tmp/liangfu-ioerr-XXXXXX)
PASSWORD=Ioerr-Sichuan-2026
YEAR=2026
spid=

fail() {
	echo "ioerr: $kind LF_FAULT_IO=$spec: $*" >&2
	echo "ioerr: left in $T" >&2
	exit 1
}
q() { sqlite3 -batch "$1" "$2"; }
cleanup() { [ -z "$spid" ] || kill "$spid" 2>/dev/null || true; }
trap cleanup EXIT

plan_sig() {
	q "$1" "SELECT p.person_id || ':' || group_concat(i.policy || '/' ||
	    i.decision || '/' || i.funds_planned, ',')
	    FROM plans p LEFT JOIN (SELECT * FROM items ORDER BY seq) i
	    ON i.plan_id = p.id WHERE p.year = $YEAR
	    GROUP BY p.person_id" | LC_ALL=C sort
}

fresh() {
	rm -f "$T"/t.db*
	cp "$T/base.db" "$T/t.db"
	cp "$T/base.db.key" "$T/t.db.key"
}

integrity() {
	r=$(q "$T/t.db" "PRAGMA integrity_check") || fail "cannot open"
	[ "$r" = ok ] || fail "integrity_check: $r"
}

# Runs the command with LF_FAULT_IO=$spec; sets rc; checks the exit.
faulty() {
	rc=0
	LF_FAULT_IO=$spec "$@" >"$T/out.log" 2>"$T/err.log" || rc=$?
	! grep -q -E 'Sanitizer|runtime error' "$T/err.log" ||
	    fail "sanitizer: $(grep -m1 -E 'Sanitizer|runtime error' "$T/err.log")"
	case $rc in
	0) ;;
	1) grep -q '^liangfu: ' "$T/err.log" || fail "exit 1 without a message" ;;
	3) grep -q "liangfu quality" "$T/err.log" ||
	    fail "exit 3 without saying how to redo the re-check" ;;
	*) fail "exit status $rc: $(tail -n 3 "$T/err.log")" ;;
	esac
}

# The number of operations a clean run of "$@" counts.
count_ops() {
	fresh
	spec="after=1000000000,report=$T/report${O:+,ops=$O}"
	faulty "$@"
	[ $rc -eq 0 ] || fail "clean run failed"
	sed -n 's/^ops=\([0-9]*\) .*/\1/p' "$T/report"
}

# The N of a sweep over 0..$1: small ones, then ten steps.
sweep() {
	echo 0 1 2 3 5 8 13 21
	k=1
	while [ $k -le 10 ]; do
		[ $(($1 * k / 10)) -eq 0 ] || echo $(($1 * k / 10 - 1))
		k=$((k + 1))
	done
}

# The faults of a kind whose clean run counts $1 operations.
specs() {
	for n in $(sweep "$1"); do echo "after=$n${O:+,ops=$O}"; done
	for n in 4 $(($1 / 3)) $(($1 / 2)) $(($1 - 3)); do
		echo "after=$n,times=1${O:+,ops=$O}"
	done
	for s in 1 2 3 4; do
		echo "after=$(($1 / 4)),prob=100000,seed=$s${O:+,ops=$O}"
	done
}

# ---- setup --------------------------------------------------------------
"$LF" seed "$T/base.db" --persons 150 --region 510104 --years 2026-2026 \
    --seed 1 >/dev/null 2>&1
printf '%s\n' "$PASSWORD" | "$LF" user add "$T/base.db" --login ioerrc \
    --role county --region 510104 >/dev/null
"$LF" seed "$T/src.db" --persons 100 --region 510105 --years 2026-2026 \
    --seed 2 >/dev/null 2>&1
"$LF" export "$T/src.db" --year $YEAR "$T/in.csv" >/dev/null 2>&1
q "$T/base.db" "SELECT uid FROM persons ORDER BY id" | head -n 40 >"$T/uids"
base_persons=$(q "$T/base.db" "SELECT count(*) FROM persons")
kind=setup spec=
fresh
"$LF" plan "$T/t.db" --year $YEAR >/dev/null 2>&1
plan_sig "$T/t.db" >"$T/ref.sig"
[ "$(wc -l <"$T/ref.sig")" -eq "$base_persons" ] || fail "reference build"

# ---- import --------------------------------------------------------------
kind=import
k_import=$(count_ops "$LF" import "$T/t.db" "$T/in.csv")
n_import=0 failed_import=0
for spec in $(specs "$k_import"); do
	fresh
	faulty "$LF" import "$T/t.db" "$T/in.csv"
	integrity
	n=$(q "$T/t.db" "SELECT count(*) FROM persons")
	s=$(q "$T/t.db" "SELECT count(*) FROM surveys")
	[ "$s" -eq "$n" ] || fail "$n persons but $s surveys"
	# 3: the import is committed, only the findings re-check after it
	# failed (and the command says so)
	if [ $rc -eq 0 ] || [ $rc -eq 3 ]; then
		[ "$n" -eq $((base_persons + 100)) ] || fail "said done: $n persons"
	else
		failed_import=$((failed_import + 1))
		[ "$n" -eq "$base_persons" ] ||
		    fail "said nothing imported, but $n persons (before $base_persons)"
	fi
	n_import=$((n_import + 1))
done
[ $failed_import -gt 0 ] && [ $failed_import -lt $n_import ] ||
	fail "$failed_import of $n_import runs refused: the faults did not bite"
echo "ioerr${O:+ ($O)}: import $n_import runs over $k_import I/O operations," \
    "$failed_import refused cleanly, all or nothing"

# ---- plan ----------------------------------------------------------------
kind=plan
k_plan=$(count_ops "$LF" plan "$T/t.db" --year $YEAR)
n_plan=0 failed_plan=0
for spec in $(specs "$k_plan"); do
	fresh
	faulty "$LF" plan "$T/t.db" --year $YEAR
	integrity
	plan_sig "$T/t.db" >"$T/got.sig"
	comm -23 "$T/got.sig" "$T/ref.sig" >"$T/diff"
	[ ! -s "$T/diff" ] || fail "partial plans: $(head -n 3 "$T/diff")"
	if [ $rc -eq 0 ] || [ $rc -eq 3 ]; then
		cmp -s "$T/got.sig" "$T/ref.sig" || fail "said done, plans missing"
	else
		failed_plan=$((failed_plan + 1))
	fi
	n_plan=$((n_plan + 1))
	[ $((n_plan % 3)) -eq 0 ] || continue
	"$LF" plan "$T/t.db" --year $YEAR >/dev/null 2>&1 || fail "rebuild failed"
	plan_sig "$T/t.db" >"$T/got.sig"
	cmp -s "$T/got.sig" "$T/ref.sig" || fail "rebuild differs"
done
[ $failed_plan -gt 0 ] && [ $failed_plan -lt $n_plan ] ||
	fail "$failed_plan of $n_plan runs refused: the faults did not bite"
echo "ioerr${O:+ ($O)}: plan $n_plan runs over $k_plan I/O operations," \
    "$failed_plan refused cleanly, every plan whole"

# ---- api -----------------------------------------------------------------
kind=api
start_server() {
	rm -f "$T/port"
	touch "$T/hold"
	LF_FAULT_IO=$spec "$LF" serve "$T/t.db" --listen 127.0.0.1:0 \
	    --port-file "$T/port" --web web >"$T/serve.log" 2>&1 &
	spid=$!
	i=0
	while [ ! -s "$T/port" ] && [ $i -lt 500 ]; do sleep 0.02; i=$((i + 1)); done
	[ -s "$T/port" ] || fail "the server did not start"
	base=http://127.0.0.1:$(cat "$T/port")
	ans=$(curl -s -i -X POST -H 'Content-Type: application/json' \
	    -d "{\"login\":\"ioerrc\",\"password\":\"$PASSWORD\"}" \
	    "$base/api/v1/session" | tr -d '\r')
	tok=$(printf '%s\n' "$ans" | sed -n 's/^Set-Cookie: lf_session=\([^;]*\).*/\1/p')
	csrf=$(printf '%s\n' "$ans" | sed -n 's/.*"csrf":"\([^"]*\)".*/\1/p')
	[ -n "$tok" ] || fail "login failed"
}
call() {	# METHOD PATH: the status, the body in $T/body
	curl -s -o "$T/body" -w '%{http_code}' -X "$1" \
	    -H "Cookie: lf_session=$tok" -H "X-CSRF-Token: $csrf" \
	    -H 'Content-Type: application/json' -d '{}' "$base$2" || echo 000
}
build() { call POST "/api/v1/persons/$1/plans/$YEAR/build"; }
# Reads while the disk fails: the catalog answers 200 (when reads fail
# too, $rfault=1, a 503 with a JSON error: a worker thread's first
# request opens its database connection, which reads); a person 200, or
# 503 "audit" (its audit entry cannot be written) or "io" (its read
# failed).
reads() {
	code=$(curl -s -o "$T/body" -w '%{http_code}' "$base/api/v1/catalog" ||
	    echo 000)
	case $code/$rfault in
	200/*) ;;
	503/1) grep -q '"error"' "$T/body" || fail "503 without a JSON error" ;;
	*) fail "no reads while writes fail: catalog $code" ;;
	esac
	code=$(curl -s -o "$T/body" -w '%{http_code}' \
	    -H "Cookie: lf_session=$tok" "$base/api/v1/persons/$1" || echo 000)
	case $code in
	200) ;;
	503) grep -q -E '"code":"(audit|io|unavailable)"' "$T/body" ||
	    fail "person read 503: $(cat "$T/body")" ;;
	*) fail "person read answered $code: $(cat "$T/body")" ;;
	esac
}
api_run() {
	fresh
	start_server
	: >"$T/acked"; : >"$T/refused"
	rm -f "$T/hold"		# armed
	refused=0
	while read -r uid; do
		code=$(build "$uid")
		case $code in
		2*) echo "$uid" >>"$T/acked" ;;
		503)
			grep -q '"error"' "$T/body" || fail "503 without a JSON error"
			echo "$uid" >>"$T/refused"; refused=$((refused + 1))
			reads "$uid" ;;
		*) fail "plan build answered $code: $(cat "$T/body")" ;;
		esac
		[ $refused -lt 3 ] || break
	done <"$T/uids"
	kill -0 "$spid" 2>/dev/null || fail "the server died"
	touch "$T/hold"		# lifted
	while read -r uid; do
		code=$(build "$uid")
		case $code in
		2*) echo "$uid" >>"$T/acked" ;;
		*) fail "after the fault was lifted: $code $(cat "$T/body")" ;;
		esac
	done <"$T/refused"
	rf=$rfault; rfault=0; reads "$(head -n 1 "$T/uids")"; rfault=$rf
	kill "$spid"; wait "$spid" || fail "server exit status $?"
	spid=
	! grep -q -E 'Sanitizer|runtime error' "$T/serve.log" ||
	    fail "sanitizer: $(grep -m1 -E 'Sanitizer|runtime error' "$T/serve.log")"
	integrity
	q "$T/t.db" "SELECT uid FROM persons p JOIN plans l ON l.person_id =
	    p.id WHERE l.year = $YEAR" | LC_ALL=C sort >"$T/have"
	LC_ALL=C sort -o "$T/acked" "$T/acked"
	comm -23 "$T/acked" "$T/have" >"$T/lost"
	[ ! -s "$T/lost" ] || fail "acknowledged plans lost: $(wc -l <"$T/lost")"
	plan_sig "$T/t.db" >"$T/got.sig"
	comm -23 "$T/got.sig" "$T/ref.sig" >"$T/diff"
	[ ! -s "$T/diff" ] || fail "partial plans: $(head -n 3 "$T/diff")"
	api_refused=$((api_refused + $(wc -l <"$T/refused")))
	api_acked=$((api_acked + $(wc -l <"$T/acked")))
}
n_api=0 api_refused=0 api_acked=0 rfault=0
[ -z "$O" ] || rfault=1
for n in 0 2 10 40 150 400; do
	spec="after=$n,ops=${O:-ws},hold=$T/hold"
	api_run
	n_api=$((n_api + 1))
done
for s in 1 2; do
	spec="after=20,prob=200000,seed=$s,ops=${O:-ws},hold=$T/hold"
	api_run
	n_api=$((n_api + 1))
done
for n in 30 200; do	# reads fail too, four times, then the disk heals
	spec="after=$n,times=4,hold=$T/hold${O:+,ops=$O}"
	rfault=1
	api_run
	n_api=$((n_api + 1))
done
[ $api_refused -gt 0 ] || fail "no write was ever refused"
echo "ioerr${O:+ ($O)}: api $n_api servers, $api_refused builds refused with 503" \
    "while reads went on, $api_acked acknowledged, all present and whole"
rm -rf "$T"
