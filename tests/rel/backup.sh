#!/bin/sh
# backup.sh LIANGFU - liangfu backup while the server takes writes, then
# liangfu restore, compared row by row.
#
# A server on a seeded database (200 persons) takes plan builds from 4
# clients; meanwhile `liangfu backup` copies it. The writes only insert
# (each person's first plan), and SQLite gives ids in commit order, so the
# database as of the backup's snapshot is the final database cut at the
# backup's highest ids: the backup must equal that cut, table by table
# (counts and a checksum of every column), and hold every plan whose build
# was acknowledged before the backup began. Then restore: refused onto the
# live database, refused onto an existing one without --force, done into
# a new file with the separately kept key, equal to the backup, and
# served (serve --check).
set -eu
LF=${1:?usage: backup.sh LIANGFU}
case $LF in /*) ;; *) LF=$PWD/$LF ;; esac
T=$(mktemp -d /tmp/liangfu-backup-XXXXXX)
PASSWORD=Backup-Sichuan-2026
YEAR=2026

fail() { echo "backup: $*" >&2; echo "backup: left in $T" >&2; exit 1; }
q() { sqlite3 -batch "$1" "$2"; }
# count and checksum of a query's rows
sig() { q "$1" "$2" | sha256sum | cut -c1-16; }

"$LF" seed "$T/live.db" --persons 200 --region 510104 --years 2026-2026 \
    >/dev/null 2>&1
printf '%s\n' "$PASSWORD" | "$LF" user add "$T/live.db" --login backupc \
    --role county --region 510104 >/dev/null
q "$T/live.db" "SELECT uid FROM persons ORDER BY id" >"$T/uids"

"$LF" serve "$T/live.db" --listen 127.0.0.1:0 --port-file "$T/port" \
    --web web >"$T/serve.log" 2>&1 &
spid=$!
i=0
while [ ! -s "$T/port" ] && [ $i -lt 500 ]; do sleep 0.02; i=$((i + 1)); done
base=http://127.0.0.1:$(cat "$T/port")
ans=$(curl -s -i -X POST -H 'Content-Type: application/json' \
    -d "{\"login\":\"backupc\",\"password\":\"$PASSWORD\"}" \
    "$base/api/v1/session" | tr -d '\r')
tok=$(printf '%s\n' "$ans" | sed -n 's/^Set-Cookie: lf_session=\([^;]*\).*/\1/p')
csrf=$(printf '%s\n' "$ans" | sed -n 's/.*"csrf":"\([^"]*\)".*/\1/p')
[ -n "$tok" ] || fail "login failed"

client() {
	awk -v k="$1" 'NR % 4 == k' "$T/uids" | while read -r uid; do
		code=$(curl -s -o /dev/null -w '%{http_code}' -X POST \
		    -H "Cookie: lf_session=$tok" -H "X-CSRF-Token: $csrf" \
		    -H 'Content-Type: application/json' -d '{}' \
		    "$base/api/v1/persons/$uid/plans/$YEAR/build") || break
		case $code in
		2*) echo "$uid" >>"$T/acked.$1" ;;
		*) echo "$uid $code" >>"$T/errors" ;;
		esac
	done
}
cpids=
for k in 0 1 2 3; do client $k & cpids="$cpids $!"; done

# let some writes land, then back up while they go on
while [ "$(cat "$T"/acked.* 2>/dev/null | wc -l)" -lt 40 ]; do sleep 0.1; done
cat "$T"/acked.* | LC_ALL=C sort >"$T/acked_before"
"$LF" backup "$T/live.db" "$T/b.db" --key-out "$T/b.key" >"$T/backup.out" ||
    fail "backup: $(cat "$T/backup.out")"
during=$(cat "$T"/acked.* | wc -l)
"$LF" backup "$T/live.db" "$T/b.db" >/dev/null 2>&1 &&
    fail "a second backup overwrote b.db"
# restore onto the database the server has open is refused
"$LF" restore "$T/b.db" "$T/live.db" --force --key "$T/b.key" \
    >/dev/null 2>"$T/refused" && fail "restore over a live database"
grep -q in_use "$T/refused" || grep -q '正在使用' "$T/refused" ||
    fail "restore refused without saying why: $(cat "$T/refused")"

for p in $cpids; do wait "$p" || true; done
kill "$spid"; wait "$spid" || fail "server exit"
[ ! -s "$T/errors" ] || fail "writes failed: $(head -3 "$T/errors")"
after=$(cat "$T"/acked.* | wc -l)
[ "$during" -lt "$after" ] || echo "backup: note: the writes ended before the backup did"

# ---- the backup is the database as of its snapshot ----------------------------
[ "$(q "$T/b.db" "PRAGMA integrity_check")" = ok ] || fail "integrity"
[ ! -e "$T/b.db.key" ] || fail "a key file beside the backup"
cmp -s "$T/b.key" "$T/live.db.key" || fail "--key-out is not the key"
k=$(awk '$1 == "enc" { print $2 }' "$T/live.db.key")
[ -n "$k" ] && ! grep -qi "$k" "$T/b.db" || fail "the key is inside the backup"
mp=$(q "$T/b.db" "SELECT coalesce(max(id), 0) FROM plans")
[ "$mp" -gt 0 ] || fail "no plans in the backup"
for t in persons surveys history plans items audit; do
	m=$(q "$T/b.db" "SELECT coalesce(max(id), 0) FROM $t")
	a=$(q "$T/b.db" "SELECT count(*) FROM $t")
	b=$(q "$T/live.db" "SELECT count(*) FROM $t WHERE id <= $m")
	[ "$a" = "$b" ] || fail "$t: $a rows in the backup, $b in the database"
	a=$(sig "$T/b.db" "SELECT * FROM $t ORDER BY id")
	b=$(sig "$T/live.db" "SELECT * FROM $t WHERE id <= $m ORDER BY id")
	[ "$a" = "$b" ] || fail "$t: content differs"
done
q "$T/b.db" "SELECT uid FROM persons p JOIN plans l ON l.person_id = p.id" |
    LC_ALL=C sort >"$T/in_backup"
lost=$(comm -23 "$T/acked_before" "$T/in_backup" | wc -l)
[ "$lost" -eq 0 ] || fail "$lost plans acknowledged before the backup are missing"
total=$(q "$T/live.db" "SELECT count(*) FROM plans")

# ---- restore -------------------------------------------------------------------
"$LF" restore "$T/b.db" "$T/live.db" --key "$T/b.key" >/dev/null 2>&1 &&
    fail "restore over an existing database without --force"
"$LF" restore "$T/b.db" "$T/r.db" --key "$T/b.key" >"$T/restore.out" 2>&1 ||
    fail "restore: $(cat "$T/restore.out")"
for t in persons surveys history plans items audit users; do
	[ "$(sig "$T/b.db" "SELECT * FROM $t ORDER BY id")" = \
	    "$(sig "$T/r.db" "SELECT * FROM $t ORDER BY id")" ] ||
	    fail "restored $t differs from the backup"
done
"$LF" serve "$T/r.db" --check >/dev/null 2>&1 || fail "restored: serve --check"
"$LF" restore "$T/b.db" "$T/live.db" --force >/dev/null 2>&1 ||
    fail "restore --force"
[ "$(q "$T/live.db" "SELECT count(*) FROM plans")" -eq "$mp" ] ||
    fail "restore --force did not replace the database"
# the live database's audit anchor named entries the restore threw away:
# restore writes the restored log's own, so the checks pass at once
"$LF" serve "$T/live.db" --check >/dev/null 2>&1 ||
    fail "restored over the served path: serve --check"
"$LF" audit verify "$T/live.db" >/dev/null 2>&1 ||
    fail "restored over the served path: audit verify"
[ -s "$T/live.db.audit-head" ] || fail "restore wrote no audit anchor"
echo "backup: snapshot of $mp plans taken while $((after - ${during})) more" \
    "were written ($total in the end); restored and verified"
rm -rf "$T"
