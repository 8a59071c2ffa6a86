# Statistics, accounts and the audit screens under serve on PostgreSQL
# (issue 18), sourced by serve.sh before its writes through HTTP, on
# servers of its own beside serve.sh's (run.sh's
# helpers, $bin, $owner, $web, $tmp, $here, $Y, $a, $b, $pw; a.db is the
# SQLite twin of the PostgreSQL registry, seeded, planned and changed
# alike):
# - format 7: a statement trigger on persons, surveys, plans and items
#   (NOTIFY liangfu_stats at commit), also brought by the upgrade of a
#   format-6 registry;
# - a server on each backend (PostgreSQL through the app role): GET
#   /api/v1/stats gives the same JSON on both (but as_of and the findings
#   SQLite's plan opened) for a county user (their county; another county
#   refused 400) and a province user (the province, a county);
# - an import by another program (`liangfu import` as the owner role)
#   shows in the PostgreSQL server's statistics within its period
#   (statsd.c's watcher: 2 s and the reload), equal to `liangfu stats`
#   run after it;
# - the accounts' routes give the same answers on both: a county
#   administrator lists their county's accounts only (row-level security
#   and the C check), adds one there (not in another county: 403),
#   disables it, sets its password; another county's account is 404;
# - the audit routes: a province auditor reads the entries of a user and
#   of a person, and finds a person by ID number;
# - the rules' check (no store) and simulation (the engine of the year)
#   give the same JSON on both.

equal "$(sqlo "SELECT string_agg(c.relname, ',' ORDER BY c.relname) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE t.tgname LIKE '%\_stats'")" \
    "items,persons,plans,surveys" "format 7: the statistics' triggers on the four tables"

spk() {	# spk NAME DB: starts a server on DB, its port in $port_NAME
	rm -f "$tmp/$1.port"
	printf '[server]\nthreads = 2\n' >"$tmp/$1.conf"
	"$bin" serve "$2" --config "$tmp/$1.conf" --listen 127.0.0.1:0 \
	    --port-file "$tmp/$1.port" >"$tmp/$1.out" 2>"$tmp/$1.err" &
	eval "pid_$1=$!"
	i=0
	while [ ! -s "$tmp/$1.port" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	eval "port_$1=$(cat "$tmp/$1.port" 2>/dev/null)"
}
# as NAME USER METHOD PATH [BODY]: the status, the body in $tmp/NAME-USER.json
# (a session per server and user: cookies and CSRF token in files)
as() {
	eval "p=\$port_$1"
	j="$tmp/$1-$2.jar"
	curl -s -o "$tmp/$1-$2.json" -w '%{http_code}' -b "$j" -c "$j" -X "$3" \
	    -H 'Content-Type: application/json' \
	    -H "X-CSRF-Token: $(cat "$tmp/$1-$2.csrf" 2>/dev/null)" \
	    ${5:+--data "$5"} "http://127.0.0.1:$p$4"
}
login() {	# login NAME USER PASSWORD
	st=$(as "$1" "$2" POST /api/v1/session "{\"login\":\"$2\",\"password\":\"$3\"}")
	jq -r .csrf "$tmp/$1-$2.json" >"$tmp/$1-$2.csrf"
	equal "$st" 200 "login $2 on $1"
}
both() {	# both USER METHOD PATH [BODY]: the same status and JSON (jq -S) on both
	s1=$(as pg "$1" "$2" "$3" ${4:+"$4"}); s2=$(as sq "$1" "$2" "$3" ${4:+"$4"})
	equal "$s1" "$s2" "$2 $3 as $1: the same status on both"
	jq -S 'del(.as_of, .findings)' "$tmp/pg-$1.json" >"$tmp/both.pg"
	jq -S 'del(.as_of, .findings)' "$tmp/sq-$1.json" >"$tmp/both.sq"
	if [ -s "$tmp/both.pg" ] && cmp -s "$tmp/both.pg" "$tmp/both.sq"; then ok; else
		bad "$2 $3 as $1: PostgreSQL and SQLite answer differently"
		diff "$tmp/both.pg" "$tmp/both.sq" | head -5 >&2
	fi
	bothst=$s1
}

for db in "$owner" a.db; do
	pgadduser "$db" --login adm_a --role admin --region "$a" >/dev/null 2>&1 && ok || bad "user add admin $db"
	pgadduser "$db" --login aud --role auditor --region 51 >/dev/null 2>&1 && ok || bad "user add auditor $db"
done
printf 'Serve-Checker-2026\n' | "$bin" user add a.db --login pgcty --role county --region "$a" >/dev/null 2>&1 \
    && ok || bad "user add pgcty on SQLite"
# run.sh's "second load of the same persons" went to PostgreSQL only:
# the same load into the twin, so that both hold the same registry again
expect 0 "the same second load into the SQLite twin" -- "$bin" seed a.db --persons 10 --years $Y --seed 11
spk pg "$web"
spk sq a.db
[ -n "$port_pg" ] && [ -n "$port_sq" ] && ok || { bad "the servers did not start"; cat "$tmp/pg.err" "$tmp/sq.err" >&2; }
for u in pg sq; do
	login $u pgcty Serve-Checker-2026
	login $u prov "$pw"
	login $u adm_a "$pw"
	login $u aud "$pw"
done

# ---- statistics ---------------------------------------------------------
# the year loads on first use: "loading" (503) until it is in
sw() {	# sw NAME USER PATH: the status once the year is loaded (up to 60 s)
	i=0
	while st=$(as "$1" "$2" GET "$3") && [ "$st" = 503 ] && [ $i -lt 120 ]; do sleep 0.5; i=$((i + 1)); done
	echo "$st"
}
equal "$(sw pg pgcty "/api/v1/stats?year=$Y")" 200 "GET /api/v1/stats on PostgreSQL"
equal "$(sw sq pgcty "/api/v1/stats?year=$Y")" 200 "GET /api/v1/stats on SQLite"
both pgcty GET "/api/v1/stats?year=$Y"
equal "$(jq -r .region.code "$tmp/pg-pgcty.json")" "$a" "a county user's statistics are their county's"
expect 0 "stats of county $a through the app role" -- "$bin" stats "$web" --year $Y --region "$a" --json cst.json
equal "$(jq -c .kpi.region "$tmp/pg-pgcty.json")" "$(jq -c .kpi.region cst.json)" \
    "the county user's figures are the county's (as liangfu stats --region)"
[ "$(jq .kpi.region.surveyed cst.json)" -gt 0 ] && ok || bad "no one surveyed in county $a"
both pgcty GET "/api/v1/stats?year=$Y&region=$b"
equal "$bothst" 400 "another county's statistics refused"
both prov GET "/api/v1/stats?year=$Y"
both prov GET "/api/v1/stats?year=$Y&region=$b"
both prov GET "/api/v1/stats?year=$Y&region=$a&f=disability_category=1,2"
equal "$(sqlo "SELECT actor || ':' || count(*) FILTER (WHERE result = 'ok') || ':' || count(*) FILTER (WHERE result = 'denied') FROM audit WHERE action = 'stats.read' AND actor IN ('pgcty', 'prov') GROUP BY actor ORDER BY actor" | tr '\n' ' ')" \
    "pgcty:2:1 prov:3:0 " "the statistics reads are audited on PostgreSQL (and the refusal)"

# ---- the rules' check and simulation --------------------------------------
both pgcty POST /api/v1/rules/check "{\"policy\":\"SUB_CARE\",\"year\":$Y,\"values\":{\"disability_grade\":1,\"card_status\":1}}"
equal "$bothst" 200 "POST /api/v1/rules/check on PostgreSQL"
both pgcty POST /api/v1/rules/simulate "{\"expression\":\"severe\",\"year\":$Y,\"amount\":15000,\"per\":\"month\"}"
equal "$bothst" 200 "POST /api/v1/rules/simulate on PostgreSQL"
[ "$(jq .persons "$tmp/pg-pgcty.json")" -gt 0 ] && ok || bad "the simulation found no one"
equal "$(jq -r .region "$tmp/pg-pgcty.json")" "$a" "the simulation is of the user's county"
both prov POST /api/v1/rules/simulate "{\"expression\":\"severe\",\"year\":$Y,\"amount\":15000,\"per\":\"month\"}"
equal "$bothst" 200 "the province's simulation on PostgreSQL"

# a change by another program: shown within the watcher's period
"$bin" stats "$owner" --year $Y --region "$a" --json st0.json >/dev/null 2>&1
"$bin" export "$owner" --year $Y --region "$a" sx.csv >/dev/null 2>&1
awk -F, -v OFS=, '{ sub(/\r$/, "") }
	NR == 1 { for (i = 1; i <= NF; i++) if ($i == "人员状态") st = i; print; next }
	NR <= 21 && $st != "2" { $st = "2"; print }' sx.csv >sx-moved.csv
[ "$(wc -l <sx-moved.csv)" -gt 5 ] && ok || bad "no rows to change in $a"
expect 0 "import by another program while serving" -- "$bin" import "$owner" sx-moved.csv
t0=$(date +%s)
"$bin" stats "$owner" --year $Y --region "$a" --json st1.json >/dev/null 2>&1
jq -S 'del(.as_of)' st0.json >st0.cut; jq -S 'del(.as_of)' st1.json >st1.cut
cmp -s st0.cut st1.cut && bad "the import changed no statistic" || ok
i=0
while [ $i -lt 60 ]; do
	as pg pgcty GET "/api/v1/stats?year=$Y" >/dev/null
	jq -S 'del(.as_of)' "$tmp/pg-pgcty.json" >st-http.cut
	cmp -s st-http.cut st1.cut && break
	sleep 0.5; i=$((i + 1))
done
t1=$(date +%s)
if cmp -s st-http.cut st1.cut; then ok; else
	bad "the import did not show in /api/v1/stats"; diff st-http.cut st1.cut | head -5 >&2; fi
echo "pg-test: an import showed in /api/v1/stats after $((t1 - t0)) s"
[ $((t1 - t0)) -le 20 ] && ok || bad "the import took $((t1 - t0)) s to show"
contains "$tmp/pg.err" "reloaded after a change" "the server logs the reload"
expect 0 "the same import into the SQLite twin" -- "$bin" import a.db sx-moved.csv

# ---- accounts -----------------------------------------------------------
both adm_a GET /api/v1/users
equal "$bothst" 200 "GET /api/v1/users on PostgreSQL"
equal "$(jq '[.users[] | select(.region | startswith("'"$a"'") | not)] | length' "$tmp/pg-adm_a.json")" 0 \
    "an administrator lists their county's accounts only"
jq -r '.users[].login' "$tmp/pg-adm_a.json" | grep -qx cnty_a && ok || bad "the county's account not listed"
both adm_a POST /api/v1/users "{\"login\":\"web_a1\",\"role\":\"county\",\"region\":\"$a\",\"password\":\"Web-Acct-2026!\"}"
equal "$bothst" 201 "POST /api/v1/users on PostgreSQL"
both adm_a POST /api/v1/users "{\"login\":\"web_b1\",\"role\":\"county\",\"region\":\"$b\",\"password\":\"Web-Acct-2026!\"}"
equal "$bothst" 403 "an account in another county refused"
both adm_a POST /api/v1/users "{\"login\":\"web_a1\",\"role\":\"county\",\"region\":\"$a\",\"password\":\"Web-Acct-2026!\"}"
equal "$bothst" 409 "a login taken refused"
both adm_a PUT /api/v1/users/web_a1/password '{"password":"Web-Acct-2027!"}'
equal "$bothst" 200 "PUT password on PostgreSQL"
login pg web_a1 'Web-Acct-2027!'
both adm_a POST /api/v1/users/web_a1/disable
equal "$bothst" 200 "disable on PostgreSQL"
equal "$(as pg web_a1 GET /api/v1/session)" 401 "the disabled account's session has ended"
both adm_a POST /api/v1/users/cnty_b/disable
equal "$bothst" 404 "another county's account is not found"
both adm_a GET /api/v1/users
equal "$(sqlo "SELECT disabled FROM users WHERE login = 'web_a1'")" 1 "the account is disabled in PostgreSQL"
equal "$(sqlo "SELECT count(*) FROM users WHERE login = 'web_b1'")" 0 "the refused account was not added"
equal "$(as pg pgcty GET /api/v1/users)" 403 "a county user may not manage accounts"

# ---- the audit screens --------------------------------------------------
equal "$(as pg aud GET "/api/v1/audit?user=adm_a")" 200 "GET /api/v1/audit on PostgreSQL"
equal "$(jq '[.entries[] | select(.action == "user.add")] | length' "$tmp/pg-aud.json")" 1 \
    "the administrator's account added is in the log"
ua=$(sqlo "SELECT p.uid FROM persons p WHERE p.county = '$a' ORDER BY p.id LIMIT 1")
as pg pgcty GET "/api/v1/persons/$ua" >/dev/null
equal "$(as pg aud GET "/api/v1/audit?person=$ua")" 200 "the audit of a person on PostgreSQL"
[ "$(jq '.entries | length' "$tmp/pg-aud.json")" -ge 1 ] && ok || bad "the person's read not in their audit"
"$bin" export "$owner" --year $Y --region "$a" sa2.csv >/dev/null 2>&1
idn=$(grep -o -m1 '[0-9]\{17\}[0-9X]' sa2.csv | head -1)
equal "$(as pg aud POST /api/v1/audit/persons "{\"id_number\":\"$idn\"}")" 200 "the audit screen's search on PostgreSQL"
equal "$(jq '.persons | length' "$tmp/pg-aud.json")" 1 "it finds the person"
equal "$(as pg pgcty GET "/api/v1/audit?person=$ua")" 403 "a county user may not read the log"
grep -q "$idn" "$tmp/pg.err" "$tmp/pg.out" && bad "an ID number in the server's log" || ok

for u in pg sq; do
	eval "kill -TERM \$pid_$u; wait \$pid_$u"
	equal "$?" 0 "the $u server stops cleanly"
done

# a format-6 registry (no triggers) is upgraded by the owner role's open
sqlo "DROP TRIGGER persons_stats ON persons; DROP TRIGGER items_stats ON items; UPDATE meta SET value = 'liangfu-registry-pg 6' WHERE key = 'format'"
expect 0 "the owner role upgrades a format-6 registry" -- "$bin" user list "$owner"
equal "$(sqlo "SELECT (SELECT value FROM meta WHERE key = 'format') || ':' || count(*) FROM pg_trigger WHERE tgname LIKE '%\_stats'")" \
    "liangfu-registry-pg 7:4" "upgraded from format 6: the four triggers"
