# serve on PostgreSQL (issue 18), sourced by run.sh (its helpers, $bin,
# $read, $web, $owner, $tmp, $here): the server starts on the registry
# through the app role with a connection per thread; the routes that do
# not run on PostgreSQL yet answer 501 "unsupported" (router.c's list);
# through a restart of PostgreSQL the server goes on, and a store whose
# connection the restart broke answers "unavailable" (503 in the API)
# while the server is down and connects again after.

sport="$tmp/serve.port"
rm -f "$sport"
# one connection thread: the restart below is met by the connection the
# requests before it opened
printf 'threads = 1\n' >serve.conf
"$bin" serve "$web" --config serve.conf --listen 127.0.0.1:0 --port-file "$sport" >serve.out 2>serve.err &
spid=$!
i=0
while [ ! -s "$sport" ] && [ $i -lt 200 ] && kill -0 $spid 2>/dev/null; do
	sleep 0.1; i=$((i + 1))
done
sp=$(cat "$sport" 2>/dev/null)
# api METHOD PATH: the status; the body in $tmp/body
api() { curl -s -o "$tmp/body" -w '%{http_code}' -X "$1" "http://127.0.0.1:$sp$2"; }
if [ -n "$sp" ]; then ok; else bad "serve on PostgreSQL did not start"; sed 's/^/  /' serve.err >&2; fi
contains serve.err "no statistics or rosters there yet" "serve says what it does not run on PostgreSQL"
equal "$(api GET /api/v1/catalog)" 200 "serve on PostgreSQL: the catalog"
equal "$(api GET /api/v1/persons/abc/plans/2023)" 501 "a route not on PostgreSQL yet answers 501"
contains "$tmp/body" '"code":"unsupported"' "501 names the code"
contains "$tmp/body" "not on PostgreSQL yet" "501 says why"
equal "$(api POST /api/v1/session)" 501 "login: not on PostgreSQL yet (users and sessions: branch i18dbi)"

# a restart of PostgreSQL while the server runs
sh "$here/pg.sh" down "$tmp/pg" && ok || bad "pg.sh down"
equal "$(api GET /api/v1/catalog)" 200 "serve answers while PostgreSQL is down"
sh "$here/pg.sh" up "$tmp/pg" && ok || bad "pg.sh up"
equal "$(api GET /api/v1/catalog)" 200 "serve answers after PostgreSQL restarted"
kill -TERM $spid
wait $spid
equal "$?" 0 "serve on PostgreSQL stops cleanly"

# a store's connection through a restart
expect 0 "a store reads again after PostgreSQL restarted" -- "$read" restart "$owner" \
    "sh $here/pg.sh down $tmp/pg" "sh $here/pg.sh up $tmp/pg"
contains out "unavailable while down, read again after the restart" "503 while down, read again after"
