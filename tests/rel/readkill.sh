#!/bin/sh
# readkill.sh LIANGFU TRIALS - a read's audit entry survives SIGKILL of
# the server right after its answer (docs/audit.md, "Durability").
#
# A read's entry is committed to the audit log (written to the WAL, in the
# kernel's hands) before its answer leaves, and synced to disk later, at
# most audit_sync_ms after. The server here runs with audit_sync_ms =
# 1000, so none of the reads below is synced by the server when it is
# killed: each entry found afterwards was written before its answer.
#
# Each trial takes a fresh copy of a small seeded database (40 persons,
# county 510104, 2026) and a server on it, then alternately:
#   one     one read (a person page, or a search by ID number, in turn),
#           and SIGKILL as soon as curl has the answer;
#   many    4 clients reading person pages in a loop, SIGKILL at a random
#           moment within 1 s.
# After the kill: PRAGMA integrity_check is "ok"; every read answered 200
# has its entry (person.read or person.search, result ok, by its
# X-Request-Id); `liangfu audit verify` passes (the anchor may name an
# older entry, never a missing one) and so does `serve --check`.
#
# make rel-test runs 10 trials. Prints "readkill: N trials passed (M
# answered reads)"; exits 1 at the first failed trial, leaving its
# directory for a look.
set -eu
LF=${1:?usage: readkill.sh LIANGFU TRIALS}
TRIALS=${2:-10}
case $LF in /*) ;; *) LF=$PWD/$LF ;; esac
T=$(mktemp -d /tmp/liangfu-readkill-XXXXXX)
PASSWORD=Readkill-Sichuan-2026
YEAR=2026
. "$(dirname "$0")/lib.sh"

fail() {
	echo "readkill: trial $trial ($kind): $*" >&2
	echo "readkill: left in $T" >&2
	exit 1
}

# ---- setup --------------------------------------------------------------
"$LF" seed "$T/base.db" --persons 40 --region 510104 --years 2026-2026 \
    --seed 3 >/dev/null 2>&1
printf '%s\n' "$PASSWORD" | "$LF" user add "$T/base.db" --login readk \
    --role county --region 510104 >/dev/null
q "$T/base.db" "SELECT uid FROM persons ORDER BY id" >"$T/uids"
# the ID numbers, for the search: the export's 公民身份号码 column
"$LF" export "$T/base.db" --year $YEAR "$T/all.csv" >/dev/null 2>&1
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "公民身份号码") c = i
    next } c { print $c }' "$T/all.csv" >"$T/ids"
grep -q -E '^[0-9]{17}[0-9X]$' "$T/ids" ||
    { echo "readkill: no ID numbers in the export" >&2; exit 1; }
printf '[server]\naudit_sync_ms = 1000\n' >"$T/serve.ini"

# Starts the server on t.db with the slow sync; sets spid, base; logs in.
start() {
	rm -f "$T/port"
	"$LF" serve "$T/t.db" --listen 127.0.0.1:0 --port-file "$T/port" \
	    --web web --config "$T/serve.ini" >"$T/serve.log" 2>&1 &
	spid=$!
	i=0
	while [ ! -s "$T/port" ] && [ $i -lt 500 ]; do sleep 0.02; i=$((i + 1)); done
	[ -s "$T/port" ] || fail "server did not start"
	base=http://127.0.0.1:$(cat "$T/port")
	lf_login readk "$PASSWORD" || fail "login failed"
}

# read N: one read (a page, or a search on odd N); prints the request id
# of a 200 answer, nothing otherwise.
read_one() {
	if [ $(($1 % 2)) -eq 0 ]; then
		uid=$(sed -n "$(($1 % 40 + 1))p" "$T/uids")
		curl -s -D - -o /dev/null -H "Cookie: lf_session=$tok" \
		    "$base/api/v1/persons/$uid"
	else
		id=$(sed -n "$(($1 % 40 + 1))p" "$T/ids")
		curl -s -D - -o /dev/null -X POST -H "Cookie: lf_session=$tok" \
		    -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
		    -d "{\"id_number\":\"$id\"}" "$base/api/v1/persons/search"
	fi | tr -d '\r' | awk '/^HTTP\// { ok = $2 == 200 }
	    ok && tolower($1) == "x-request-id:" { print $2 }'
}

# One client of the many kind: reads in a loop until $T/stop, each
# answered id to acked.$1 (written only once curl has the whole answer;
# a read answered after the kill cannot be, so none is counted wrongly).
client() {
	n=$1
	while [ ! -f "$T/stop" ]; do
		rid=$(read_one $((n * 2)))
		[ -n "$rid" ] && echo "$rid" >>"$T/acked.$1"
		n=$((n + 4))
	done
}

# After the kill: the database whole, every acknowledged read logged,
# the chain and its anchor verified.
check() {
	integrity
	LC_ALL=C sort -u "$T"/acked.* >"$T/acked" 2>/dev/null || : >"$T/acked"
	q "$T/t.db" "SELECT request_id FROM audit WHERE action IN
	    ('person.read', 'person.search') AND result = 'ok'" |
	    LC_ALL=C sort -u >"$T/logged"
	comm -23 "$T/acked" "$T/logged" >"$T/lost"
	[ ! -s "$T/lost" ] ||
	    fail "answered reads without their audit entry: $(wc -l <"$T/lost")"
	"$LF" audit verify "$T/t.db" >"$T/verify.out" 2>&1 ||
	    fail "audit verify: $(cat "$T/verify.out")"
	"$LF" serve "$T/t.db" --check >/dev/null 2>&1 || fail "serve --check"
	answered=$((answered + $(wc -l <"$T/acked")))
}

trial_one() {
	rid=$(read_one "$trial")
	kill -9 "$spid"
	wait "$spid" 2>/dev/null || true
	[ -n "$rid" ] || fail "the read was not answered 200"
	echo "$rid" >"$T/acked.0"
}

trial_many() {
	for k in 0 1 2 3; do client $k & done
	r=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
	sleep "$(awk "BEGIN { print ($r % 1000) / 1000 }")"
	kill -9 "$spid"
	touch "$T/stop"
	wait 2>/dev/null || true
}

# ---- trials ------------------------------------------------------------------
answered=0
trial=1
kind=none
while [ $trial -le "$TRIALS" ]; do
	fresh
	rm -f "$T"/acked.* "$T/stop"
	start
	if [ $((trial % 2)) -eq 1 ]; then kind=one; else kind=many; fi
	trial_$kind
	check
	trial=$((trial + 1))
done
echo "readkill: $TRIALS trials passed ($answered answered reads, each" \
    "found in the audit log after SIGKILL)"
rm -rf "$T"
