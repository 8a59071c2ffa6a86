#!/bin/sh
# diskfull.sh LIANGFU - the disk fills up under a serving database.
#
# A 24 MiB tmpfs (mounted here: the test runs as root) holds a seeded
# database; a filler file takes all but a little of the space, and a
# client builds every person's plan over HTTP until writes fail. Then:
# every failed write got a clean JSON error (503 or 500, never a dropped
# connection), the server still answers (GET /api/v1/catalog; reads that
# must be audited answer 503 "audit" while no audit entry can be written,
# by design: no unaudited read), no acknowledged write is lost, and
# PRAGMA integrity_check is ok; once the filler is removed the same
# writes succeed. Without permission to mount, the test says SKIPPED and
# is counted as such (never as passed).
set -eu
LF=${1:?usage: diskfull.sh LIANGFU}
case $LF in /*) ;; *) LF=$PWD/$LF ;; esac
T=$(mktemp -d /tmp/liangfu-diskfull-XXXXXX)
M=$T/mnt
PASSWORD=Full-Sichuan-2026
YEAR=2026
mkdir -p "$M"
if ! mount -t tmpfs -o size=24m tmpfs "$M" 2>"$T/mount.err"; then
	echo "diskfull: SKIPPED (1 test skipped): cannot mount a tmpfs:" \
	    "$(cat "$T/mount.err")"
	rm -rf "$T"
	exit 0
fi
spid=
cleanup() {
	[ -z "$spid" ] || kill "$spid" 2>/dev/null || true
	wait 2>/dev/null || true
	umount "$M" 2>/dev/null || true
	rm -rf "$T"
}
trap cleanup EXIT
fail() { echo "diskfull: $*" >&2; cp "$T/serve.log" /tmp/diskfull-serve.log 2>/dev/null || true; exit 1; }
. "$(dirname "$0")/lib.sh"

"$LF" seed "$M/t.db" --persons 400 --region 510104 --years 2026-2026 \
    >/dev/null 2>&1
printf '%s\n' "$PASSWORD" | "$LF" user add "$M/t.db" --login fullc \
    --role county --region 510104 >/dev/null
q "$M/t.db" "SELECT uid FROM persons ORDER BY id" >"$T/uids"
lf_serve "$M/t.db" || fail "the server did not start"
lf_login fullc "$PASSWORD" || fail "login failed"

# fill the disk, leaving 256 KiB
dd if=/dev/zero of="$M/filler" bs=64k 2>/dev/null || true
dd if=/dev/null of="$M/filler" bs=64k seek=$(( $(stat -c %s "$M/filler") / 65536 - 4 )) 2>/dev/null
build() { lf_build "$1" || echo 000; }
ok=0 failed=0
: >"$T/acked"; : >"$T/refused"
while read -r uid; do
	code=$(build "$uid")
	case $code in
	2*) ok=$((ok + 1)); echo "$uid" >>"$T/acked" ;;
	500|503|507)
		grep -q '"error"' "$T/body" || fail "$code without a JSON error"
		failed=$((failed + 1)); echo "$uid" >>"$T/refused" ;;
	*) fail "plan build answered $code: $(cat "$T/body")" ;;
	esac
	[ $failed -lt 20 ] || break
done <"$T/uids"
[ $failed -gt 0 ] || fail "the disk never filled ($ok writes)"
code=$(curl -s -o /dev/null -w '%{http_code}' "$base/api/v1/catalog")
[ "$code" = 200 ] || fail "no reads while the disk is full ($code)"
kill -0 "$spid" || fail "the server died"

# space again: the refused writes now succeed
rm -f "$M/filler"
while read -r uid; do
	code=$(build "$uid")
	case $code in 2*) echo "$uid" >>"$T/acked" ;;
	*) fail "after freeing space: $code $(cat "$T/body")" ;; esac
done <"$T/refused"
kill "$spid"; wait "$spid" || fail "server exit status"
spid=
[ "$(q "$M/t.db" "PRAGMA integrity_check")" = ok ] || fail "integrity_check"
q "$M/t.db" "SELECT uid FROM persons p JOIN plans l ON l.person_id = p.id" |
    LC_ALL=C sort >"$T/have"
LC_ALL=C sort -o "$T/acked" "$T/acked"
lost=$(comm -23 "$T/acked" "$T/have" | wc -l)
[ "$lost" -eq 0 ] || fail "$lost acknowledged plans lost"
echo "diskfull: $ok writes, then $failed refused cleanly on a full disk" \
    "(reads served); all $(wc -l <"$T/acked") acknowledged present, integrity ok"
