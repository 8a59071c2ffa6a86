#!/bin/sh
# tests/rel/busy.sh LIANGFU: back-pressure. A server with one worker and a
# queue of one (server/workq.h) gets a burst of 30 logins at once (each
# hashes a password on a worker): the requests the queue cannot take are
# answered at once with 503, code "busy" and Retry-After: 1 (no timeout,
# no dropped connection); every other answer is the login's own (200 or
# 401); and the server serves normally after the burst.
set -eu
LF=${1:?usage: busy.sh LIANGFU}
case $LF in /*) ;; *) LF=$PWD/$LF ;; esac
. "$(dirname "$0")/../../bench/serve.sh"
W=$(mktemp -d /tmp/liangfu-busy-XXXXXX)
spid=
trap '[ -n "$spid" ] && kill $spid 2>/dev/null; [ -n "$spid" ] && wait $spid 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$W"' EXIT
"$LF" seed "$W/b.db" --persons 50 --region 510104 --years 2026-2026 \
    >/dev/null 2>&1
printf '%s\n' "$bench_pw" | "$LF" user add "$W/b.db" --login bench \
    --role province --region 51 >/dev/null
printf '[server]\nworkers = 1\nqueue = 1\n' > "$W/serve.ini"
serve_start "$LF" "$W/b.db" "$W" "$W/serve.ini"
i=0 pids=
while [ $i -lt 30 ]; do
	curl -s -m 20 -D "$W/h$i" -o "$W/b$i" -H 'Content-Type: application/json' \
	    -d "{\"login\":\"bench\",\"password\":\"$bench_pw\"}" \
	    "http://127.0.0.1:$port/api/v1/session" &
	pids="$pids $!"
	i=$((i + 1))
done
for p in $pids; do wait "$p" || true; done
busy=0 ok=0 i=0
while [ $i -lt 30 ]; do
	st=$(sed -n '1s/^HTTP\/1\.1 \([0-9]*\).*/\1/p' "$W/h$i")
	case $st in
	503)
		grep -qi '^Retry-After: 1' "$W/h$i" && grep -q '"code":"busy"' "$W/b$i" || {
			echo "busy: a 503 without Retry-After or code busy" >&2
			cat "$W/h$i" "$W/b$i" >&2; exit 1; }
		busy=$((busy + 1)) ;;
	200|401|429) ok=$((ok + 1)) ;;
	*) echo "busy: answer $i: status '$st'" >&2; cat "$W/h$i" >&2; exit 1 ;;
	esac
	i=$((i + 1))
done
[ $busy -gt 0 ] || { echo "busy: no request was refused with 503" >&2; exit 1; }
[ $ok -gt 0 ] || { echo "busy: every request was refused" >&2; exit 1; }
serve_login "$W"
[ -n "$token" ] || { echo "busy: no login after the burst" >&2; exit 1; }
echo "busy: 30 logins at once on 1 worker, queue 1: $ok answered, $busy refused at once with 503 busy (Retry-After: 1); serving after"
