#!/bin/sh
# ioerr_files.sh LIANGFU - I/O errors in the files liangfu reads and
# writes itself, outside SQLite: the key file and the audit anchor (issue
# 15.2), through the test build's fault points (src/lib/faultfile.h:
# LF_FAULT_FILE; LIANGFU must be build/test/liangfu). SQLite's own files,
# locks and WAL index are ioerr.sh's.
#
#   key file at start   missing, unreadable (open or read fails), empty,
#                       cut short, not a key file, open to others, one
#                       digit changed in each of its three keys, another
#                       database's: `serve` and `audit verify` each refuse
#                       with exit 1 and a "liangfu: " message naming the
#                       key file (a changed key: "does not match"), never
#                       start, never crash; the database is unchanged
#                       (integrity_check ok, same persons and plans); with
#                       the right key file both work again.
#   key file at init    its write or sync fails: exit 1 with a message,
#                       and neither the database nor a key file is left.
#   anchor, served      each point of the anchor's writes (the start's
#                       temporary file open, write, sync, rename; the
#                       in-place rewrite after each commit), failing once,
#                       from the Nth call for good, or for a few calls:
#                       the server starts, every plan build is answered
#                       2xx, reads answer 200, the log names the anchor
#                       failure (never silent), the server stops cleanly;
#                       then every acknowledged build and its audit entry
#                       is in the database, integrity_check is ok, and
#                       `audit verify` says ok (the anchor names the newest
#                       entry, an older one, or there is none), never BAD;
#                       when it names an entry, cutting the log from that
#                       entry is then seen ("cut", exit 1).
#   anchor, read        `audit verify` and `serve --check` whose anchor
#                       read fails: exit 1 with "cannot read the audit
#                       anchor", neither "ok" nor "BAD"; a server whose
#                       anchor read fails at start serves, and its anchor
#                       catches up once the read passes (a cut made
#                       meanwhile is still seen).
# Prints one line a part; exits 1 at the first failure, leaving its
# directory for a look.
set -eu
LF=${1:?usage: ioerr_files.sh LIANGFU}
case $LF in /*) ;; *) LF=$PWD/$LF ;; esac
T=$(mktemp -d /tmp/liangfu-ioerrf-XXXXXX)
PASSWORD=Ioerr-Files-2026
YEAR=2026
spid= what=

fail() {
	echo "ioerr_files: $what: $*" >&2
	echo "ioerr_files: left in $T" >&2
	exit 1
}
. "$(dirname "$0")/lib.sh"
cleanup() { [ -z "$spid" ] || kill "$spid" 2>/dev/null || true; }
trap cleanup EXIT

no_sanitizer() {
	! grep -q -E 'Sanitizer|runtime error' "$1" ||
	    fail "sanitizer: $(grep -m1 -E 'Sanitizer|runtime error' "$1")"
}

# The database's state: integrity, persons, plans, audit entries.
state() {
	r=$(q "$T/t.db" "PRAGMA integrity_check") || fail "cannot open"
	[ "$r" = ok ] || fail "integrity_check: $r"
	q "$T/t.db" "SELECT (SELECT count(*) FROM persons) || ' ' ||
	    (SELECT count(*) FROM plans) || ' ' || (SELECT count(*) FROM audit)"
}

# ---- setup --------------------------------------------------------------
what=setup
"$LF" seed "$T/base.db" --persons 150 --region 510104 --years 2026-2026 \
    --seed 1 >/dev/null 2>&1
printf '%s\n' "$PASSWORD" | "$LF" user add "$T/base.db" --login ioerrf \
    --role county --region 510104 >/dev/null
"$LF" audit verify "$T/base.db" >/dev/null	# writes its key check
"$LF" init "$T/other.db" >/dev/null 2>&1
q "$T/base.db" "SELECT uid FROM persons ORDER BY id" | head -n 12 >"$T/uids"

# ---- the key file at start ---------------------------------------------
# refuse CASE PATTERN: serve and audit verify on t.db (its key file as
# CASE left it) both exit 1 with a message matching PATTERN.
refuse() {
	what="key file: $1"
	before=$(state)
	rc=0
	LF_FAULT_FILE=${fault:-} timeout 60 "$LF" serve "$T/t.db" \
	    --listen 127.0.0.1:0 --port-file "$T/port" >"$T/out" 2>"$T/err" ||
	    rc=$?
	no_sanitizer "$T/err"
	[ $rc -eq 1 ] || fail "serve exit $rc (not a refusal): $(tail -n 2 "$T/err")"
	grep -q "^liangfu: .*t\.db\.key.*$2" "$T/err" ||
	    fail "serve said: $(cat "$T/err")"
	! grep -q 'serving' "$T/err" || fail "serve started"
	rc=0
	LF_FAULT_FILE=${fault:-} "$LF" audit verify "$T/t.db" >"$T/out" \
	    2>"$T/err" || rc=$?
	no_sanitizer "$T/err"
	[ $rc -eq 1 ] || fail "audit verify exit $rc"
	grep -q "^liangfu: .*t\.db\.key.*$2" "$T/err" ||
	    fail "audit verify said: $(cat "$T/out" "$T/err")"
	[ "$(state)" = "$before" ] || fail "the database changed: $before, now $(state)"
	n_key=$((n_key + 1))
}
# key_edit LINE: changes the last hex digit of the key file's LINE
key_edit() {
	awk -v n="$1" 'NR == n { c = substr($0, length($0));
	    $0 = substr($0, 1, length($0) - 1) (c == "0" ? "1" : "0") }
	    { print }' "$T/base.db.key" >"$T/t.db.key"
}
n_key=0 fault=
fresh; rm "$T/t.db.key"; refuse missing "No such file"
fresh; fault=key-open; refuse "open fails" "Input/output error"
fault=key-read; refuse "read fails" "Input/output error"; fault=
fresh; : >"$T/t.db.key"; refuse empty "not a liangfu key file"
fresh; head -c 60 "$T/base.db.key" >"$T/t.db.key"; refuse "cut short" ""
fresh; sed '1s/.*/liangfu-keys 9/' "$T/base.db.key" >"$T/t.db.key"
refuse "another version" ""
fresh; chmod 644 "$T/t.db.key"; refuse "open to others" "chmod 600"
for line in 2 3 4; do
	fresh; key_edit $line; refuse "line $line changed" "does not match"
done
fresh; cp "$T/other.db.key" "$T/t.db.key"
refuse "another database's" "does not match"
what="key file: the right one again"
fresh
"$LF" audit verify "$T/t.db" >/dev/null 2>&1 || fail "refused the right key"
echo "ioerr_files: key file at start: $n_key cases refused by serve and" \
    "audit verify, each with a message, the database unchanged"

# ---- the key file at init ----------------------------------------------
for fault in key-write key-sync; do
	what="init: $fault"
	rm -f "$T"/new.db*
	rc=0
	LF_FAULT_FILE=$fault "$LF" init "$T/new.db" >"$T/out" 2>"$T/err" || rc=$?
	no_sanitizer "$T/err"
	[ $rc -eq 1 ] || fail "exit $rc"
	grep -q '^liangfu: .*cannot write key file.*Input/output error' \
	    "$T/err" || fail "said: $(cat "$T/err")"
	! ls "$T"/new.db* >/dev/null 2>&1 || fail "left: $(ls "$T"/new.db*)"
done
echo "ioerr_files: key file at init: its write and sync fail cleanly," \
    "nothing left"

# ---- the anchor, served --------------------------------------------------
start_server() {	# with LF_FAULT_FILE=$fault
	lf_serve "$T/t.db" LF_FAULT_FILE="$fault" ||
	    fail "the server did not start: $(tail -n 3 "$T/serve.log")"
	lf_login ioerrf "$PASSWORD" || fail "login failed"
}
stop_server() {
	kill "$spid"; wait "$spid" || fail "server exit status $?"
	spid=
	no_sanitizer "$T/serve.log"
}
call() {	# METHOD PATH: the status, the body in $T/body
	lf_call "$1" "$2" || echo 000
}
# Builds a plan for each person of uids, a second apart now and then (so
# that the anchor's once-a-second retry has its chance); every one must
# be acknowledged, and the person read after it.
traffic() {
	: >"$T/acked"
	n=0
	while read -r uid; do
		code=$(call POST "/api/v1/persons/$uid/plans/$YEAR/build")
		case $code in
		2*) echo "$uid" >>"$T/acked" ;;
		*) fail "plan build answered $code: $(cat "$T/body")" ;;
		esac
		code=$(call GET "/api/v1/persons/$uid")
		[ "$code" = 200 ] || fail "read answered $code: $(cat "$T/body")"
		n=$((n + 1))
		[ $((n % 4)) -ne 0 ] || sleep 1.1
	done <"$T/uids"
}
anchor_id() {
	[ ! -f "$T/t.db.audit-head" ] ||
	    sed -n 's/^id \([0-9]*\)$/\1/p' "$T/t.db.audit-head"
}
# Checks after a stopped run: acknowledged plans and their audit entries
# present, verify ok; when the anchor names an entry, a cut from it is
# seen. $1: "newest" when the anchor must name the newest entry.
after_run() {
	state >/dev/null
	q "$T/t.db" "SELECT uid FROM persons p JOIN plans l ON l.person_id =
	    p.id WHERE l.year = $YEAR" | LC_ALL=C sort >"$T/have"
	LC_ALL=C sort -o "$T/acked" "$T/acked"
	comm -23 "$T/acked" "$T/have" >"$T/lost"
	[ ! -s "$T/lost" ] || fail "acknowledged plans lost: $(wc -l <"$T/lost")"
	a=$(q "$T/t.db" "SELECT count(*) FROM audit WHERE action = 'plan.build'")
	[ "$a" -ge "$(wc -l <"$T/acked")" ] ||
	    fail "$a plan audit entries for $(wc -l <"$T/acked") builds"
	rc=0
	"$LF" audit verify "$T/t.db" >"$T/out" 2>&1 || rc=$?
	[ $rc -eq 0 ] && grep -q 'audit log ok' "$T/out" ||
	    fail "audit verify: $(cat "$T/out")"
	newest=$(q "$T/t.db" "SELECT max(id) FROM audit")
	id=$(anchor_id)
	if [ "$1" = newest ]; then
		[ "${id:-0}" = "$newest" ] ||
		    fail "anchor names ${id:-none}, newest is $newest"
	fi
	[ -z "$id" ] || [ "$id" -le "$newest" ] || fail "anchor $id past $newest"
	[ -n "$id" ] && [ "$id" -gt 1 ] || return 0
	cp "$T/t.db" "$T/cut.db"; cp "$T/t.db.key" "$T/cut.db.key"
	cp "$T/t.db.audit-head" "$T/cut.db.audit-head"
	rm -f "$T/cut.db-wal" "$T/cut.db-shm"
	q "$T/cut.db" "DROP TRIGGER audit_no_delete;
	    DELETE FROM audit WHERE id >= $id"
	rc=0
	"$LF" audit verify "$T/cut.db" >"$T/out" 2>&1 || rc=$?
	[ $rc -eq 1 ] && grep -q 'cut' "$T/out" ||
	    fail "a cut from entry $id unseen: $(cat "$T/out")"
	cuts=$((cuts + 1))
}
# anchor_run FAULT EXPECT: one served run with LF_FAULT_FILE=FAULT;
# EXPECT "newest" when the stop's anchor write is not failed.
anchor_run() {
	what="anchor: $1"
	fault=$1
	fresh
	start_server
	traffic
	stop_server
	grep -q 'audit anchor: .*Input/output error' "$T/serve.log" ||
	    fail "no anchor failure in the log: $(grep -c . "$T/serve.log") lines"
	after_run "$2"
	n_anchor=$((n_anchor + 1))
}
n_anchor=0 cuts=0
for p in anchor-open anchor-write anchor-sync anchor-rename; do
	anchor_run "$p@1/1" newest	# the start's write fails once
done
anchor_run "anchor-put@3" newest	# every rewrite from the 3rd fails
anchor_run "anchor-put@2/3" newest	# three rewrites fail, then pass
anchor_run "anchor-put@4,anchor-rename@2" lags	# and the stop's write
anchor_run "anchor-open" lags		# never an anchor at all
anchor_run "anchor-rename" lags
# a second run on a database whose anchor exists: the anchor stays behind
what="anchor: lags an earlier one"
fault=; fresh; start_server; traffic; stop_server
old=$(anchor_id)
fault=anchor-put@1,anchor-rename; start_server; traffic; stop_server
after_run lags
[ "$(anchor_id)" = "$old" ] || fail "anchor moved from $old to $(anchor_id)"
echo "ioerr_files: anchor: $((n_anchor + 1)) servers with failing anchor" \
    "writes, every build acknowledged and audited, verify ok, $cuts cuts seen"

# ---- the anchor, read ------------------------------------------------------
what="anchor read: verify"
for cmd in "audit verify" "serve --check"; do
	rc=0
	# shellcheck disable=SC2086
	LF_FAULT_FILE=anchor-read "$LF" $cmd "$T/t.db" >"$T/out" 2>&1 || rc=$?
	no_sanitizer "$T/out"
	[ $rc -eq 1 ] || fail "$cmd exit $rc: $(cat "$T/out")"
	grep -q 'cannot read the audit anchor.*Input/output error' "$T/out" ||
	    fail "$cmd said: $(cat "$T/out")"
	! grep -q -E 'audit log (ok|BAD)' "$T/out" || fail "$cmd judged: $(cat "$T/out")"
done
what="anchor read: served"
fault=anchor-read@1/2		# the start's check and the first retry fail
fresh; start_server
traffic; stop_server
grep -q 'cannot read the audit anchor' "$T/serve.log" ||
    fail "no anchor read failure in the log"
after_run newest
echo "ioerr_files: anchor read: verify and serve --check refuse to judge," \
    "a server catches up once it passes"
rm -rf "$T"
