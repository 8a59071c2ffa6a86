# Feedback (satisfaction) and self-service on PostgreSQL (issue 18,
# format 7), sourced by run.sh after serve.sh (its helpers, $bin, $owner,
# $web, $tmp, $here, $Y, $a, $b, $idn, $LF_PG_PSQL; a.db is the SQLite
# registry seeded and planned as PostgreSQL's):
# - the tables: feedback, self_codes and self_sessions partitioned by
#   city with the county and row-level security, self_throttle without;
#   the app role's rights (no DELETE); unscoped it sees no code;
# - `liangfu feedback code URL` issues a code on PostgreSQL (as the owner
#   role; through the app role, unscoped, it finds no one); `feedback
#   demo` is refused there, naming why;
# - through HTTP, the server as the app role: a township worker issues
#   and lists a code and rates items and a plan; the person redeems a
#   code issued by the command, reads the self page (their plan and
#   items, the worker's ratings), rates the plan, logs out; a worker of
#   another county cannot issue, list or revoke for that person; a code
#   whose row names a person of another county (altered by the
#   superuser, foreign keys off) opens nothing (row-level security hides
#   that person in the code's county), nor does a session made to name
#   one; every use audited; no code in any log;
# - the statistics' satisfaction section on PostgreSQL equals SQLite's
#   for the same ratings (copied into a.db), for the province and,
#   through the app role, a county.

sqlf() { $LF_PG_PSQL -U postgres -d liangfu -At -c "$1"; }

# ---- the tables ----------------------------------------------------------
equal "$(sqlo "SELECT string_agg(relname || ':' || relkind::text || ':' || relrowsecurity, ',' ORDER BY relname) FROM pg_class WHERE relname IN ('feedback', 'self_codes', 'self_sessions', 'self_throttle')")" \
    "feedback:p:true,self_codes:p:true,self_sessions:p:true,self_throttle:r:false" \
    "feedback and self-service tables: partitioned with RLS, the throttle without"
equal "$(sqlo "SELECT count(*) FROM information_schema.columns WHERE table_name IN ('feedback', 'self_codes', 'self_sessions') AND column_name = 'county'")" 3 \
    "the person-owned ones carry the county"
equal "$(sqlo "SELECT string_agg(table_name || ':' || privilege_type, ',' ORDER BY table_name, privilege_type) FROM information_schema.role_table_grants WHERE grantee = 'liangfu_app' AND table_name IN ('feedback', 'self_codes', 'self_sessions', 'self_throttle')")" \
    "feedback:INSERT,feedback:SELECT,feedback:UPDATE,self_codes:INSERT,self_codes:SELECT,self_codes:UPDATE,self_sessions:INSERT,self_sessions:SELECT,self_sessions:UPDATE,self_throttle:INSERT,self_throttle:SELECT,self_throttle:UPDATE" \
    "the app role may read, add and update them, not delete"

# ---- the command -----------------------------------------------------------
expect 1 "feedback demo refused on PostgreSQL" -- "$bin" feedback demo "$owner" --year $Y
contains err "does not run on PostgreSQL" "feedback demo names why"
expect 1 "feedback code through the app role, unscoped, finds no one" -- "$bin" feedback code "$web" --id-number "$idn"
expect 0 "feedback code on PostgreSQL" -- "$bin" feedback code "$owner" --id-number "$idn"
code=$(sed -n 's/^验证码 (code) #[0-9]* for .*: \([A-Z0-9-]*\)$/\1/p' out)
[ -n "$code" ] && ok || bad "feedback code printed no code"
contains out "计划 (plans): $Y 草稿" "feedback code lists the person's plan"
equal "$(sqlo "SELECT count(*) FROM self_codes")" 1 "one code row"
equal "$(sqlo "SELECT count(*) FROM self_codes c JOIN persons p ON p.id = c.person_id AND p.county = c.county AND p.city = c.city")" 1 \
    "the code row is keyed by its person's county"
equal "$(sqlw "SELECT count(*) FROM self_codes")" 0 "the app role, unscoped, sees no code"
ca=$(sqlo "SELECT county FROM self_codes")
last6=$(printf '%s' "$idn" | tail -c 6)

# the person's township and village, a township of another county
pid=$(sqlo "SELECT person_id FROM self_codes")
vil=$(sqlo "SELECT region FROM persons WHERE id = $pid")
twn=$(printf '%s' "$vil" | cut -c1-9)
uid=$(sqlo "SELECT uid FROM persons WHERE id = $pid")
ob=$(sqlo "SELECT county FROM persons WHERE county <> '$ca' ORDER BY county LIMIT 1")
pb=$(sqlo "SELECT min(id) FROM persons WHERE county = '$ob'")
twnb=$(sqlo "SELECT left(region, 9) FROM persons WHERE id = $pb")
# confirmed plans and delivered items in the village, the same on both
# (no command writes a plan's status or a delivery on PostgreSQL yet)
for db in pg sq; do
	for q in "UPDATE plans SET status = 2 WHERE year = $Y AND region = $vil" \
	    "UPDATE items SET decision = 1, status = 3 WHERE year = $Y AND region = $vil"; do
		if [ $db = pg ]; then sqlo "$q" >/dev/null; else sqlite3 a.db "$q"; fi
	done
done
np=$(sqlo "SELECT count(*) FROM plans WHERE year = $Y AND region = $vil AND status = 2")
[ "$np" -ge 1 ] && ok || bad "no plan in the village $vil"

# ---- through HTTP ----------------------------------------------------------
for w in "pgfa:$twn" "pgfb:$twnb"; do
	printf 'Feedback-Checker-2026\n' | "$bin" user add "$owner" --login "${w%%:*}" --role township --region "${w#*:}" >/dev/null 2>&1 \
	    && ok || bad "user add ${w%%:*}"
done
fport="$tmp/fb.port"
rm -f "$fport"
"$bin" serve "$web" --listen 127.0.0.1:0 --port-file "$fport" >fb.out 2>fb.err &
fpid=$!
i=0
while [ ! -s "$fport" ] && [ $i -lt 300 ] && kill -0 $fpid 2>/dev/null; do
	sleep 0.1; i=$((i + 1))
done
sp=$(cat "$fport" 2>/dev/null)
[ -n "$sp" ] && ok || { bad "serve for feedback did not start"; sed 's/^/  /' fb.err >&2; }
jar="$tmp/fb.cookies"
rm -f "$jar"
csrf=""
login() {	# login LOGIN: a fresh session in $jar, its csrf in $csrf
	rm -f "$jar"; csrf=""
	equal "$(api POST /api/v1/session "{\"login\":\"$1\",\"password\":\"Feedback-Checker-2026\"}")" 200 "login $1"
	csrf=$(jq -r .csrf "$tmp/body")
}

login pgfb
equal "$(api POST "/api/v1/persons/$uid/self-codes" '{}')" 404 "another county's worker cannot issue a code for the person"
equal "$(api GET "/api/v1/persons/$uid/self-codes")" 404 "nor list the person's codes"
cid1=$(sqlo "SELECT id FROM self_codes")
equal "$(api POST "/api/v1/self-codes/$cid1/revoke" '{}')" 404 "nor revoke the person's code"
equal "$(api GET "/api/v1/persons/$uid/plans/$Y/feedback")" 404 "nor read the person's ratings"

login pgfa
equal "$(api POST "/api/v1/persons/$uid/self-codes" '{"valid_days":3}')" 201 "the township worker issues a code on PostgreSQL"
code2=$(jq -r .code "$tmp/body")
cid2=$(jq -r .id "$tmp/body")
[ -n "$code2" ] && [ "$code2" != null ] && ok || bad "the issue answer holds no code"
equal "$(api GET "/api/v1/persons/$uid/self-codes")" 200 "the person's codes"
equal "$(jq '.codes | length' "$tmp/body")" 2 "both codes listed"
# the worker rates every item and every plan of the village
nr=0
for u in $(sqlo "SELECT p.uid FROM persons p JOIN plans pl ON pl.person_id = p.id AND pl.year = $Y WHERE p.region = '$vil' ORDER BY p.id"); do
	api GET "/api/v1/persons/$u" >/dev/null
	for ref in $(jq -r ".plans[] | select(.year == $Y) | .items[].id" "$tmp/body"); do
		nr=$((nr + 1))
		r=$(case $((nr % 3)) in 0) echo satisfied;; 1) echo basic;; *) echo unsatisfied;; esac)
		st=$(api POST "/api/v1/persons/$u/plans/$Y/feedback" "{\"item\":\"$ref\",\"rating\":\"$r\",\"note\":\"上门 $nr\"}")
		[ "$st" = 201 ] && ok || bad "rating item $ref: $st $(cat "$tmp/body")"
	done
	equal "$(api POST "/api/v1/persons/$u/plans/$Y/feedback" '{"rating":"satisfied"}')" 201 "rating the plan of $u"
done
[ "$nr" -gt 0 ] && ok || bad "no item rated"
equal "$(api GET "/api/v1/persons/$uid/plans/$Y/feedback")" 200 "the person's ratings"
nfb=$(jq '.feedback | length' "$tmp/body")
[ "$nfb" -ge 1 ] && ok || bad "no rating read back"
equal "$(jq -r '.feedback[0].actor' "$tmp/body")" pgfa "a worker's rating names the worker"
equal "$(api POST "/api/v1/self-codes/$cid2/revoke" '{}')" 200 "the worker revokes the code it issued"
equal "$(jq -r .state "$tmp/body")" revoked "the code is revoked"

# the person, with the code the command issued
sjar="$tmp/self.cookies"
rm -f "$sjar"
sapi() {	# sapi METHOD PATH [BODY]: as api, with the self-service cookie
	curl -s -o "$tmp/body" -w '%{http_code}' -b "$sjar" -c "$sjar" -X "$1" \
	    -H 'Content-Type: application/json' -H "X-CSRF-Token: $scsrf" \
	    ${3:+--data "$3"} "http://127.0.0.1:$sp$2"
}
scsrf=""
equal "$(sapi POST /api/v1/self/session "{\"code\":\"$code2\",\"last6\":\"$last6\"}")" 410 "a revoked code opens nothing"
wrong=$(printf '%s' "$last6" | tr '0123456789X' '1234567890X')
equal "$(sapi POST /api/v1/self/session "{\"code\":\"$code\",\"last6\":\"$wrong\"}")" 401 "wrong last six refused"
equal "$(sapi POST /api/v1/self/session "{\"code\":\"$code\",\"last6\":\"$last6\"}")" 200 "the person redeems the code on PostgreSQL"
scsrf=$(jq -r .csrf "$tmp/body")
equal "$(sapi GET /api/v1/self/session)" 200 "the self-service session holds"
equal "$(sapi GET /api/v1/self)" 200 "the self page on PostgreSQL"
equal "$(jq -r '.years[0].year' "$tmp/body")" "$Y" "the page shows the plan's year"
equal "$(jq -r '.years[0].plan.status' "$tmp/body"):$(jq -r '.years[0].plan.rateable' "$tmp/body")" "confirmed:true" "the plan is confirmed and rateable"
equal "$(jq '.years[0].feedback | length' "$tmp/body")" "$nfb" "the page shows the worker's ratings"
equal "$(jq -r '.years[0].items | length' "$tmp/body")" "$(sqlo "SELECT count(*) FROM items WHERE person_id = $pid AND year = $Y AND decision <> 2")" \
    "the page shows the plan's items"
equal "$(sapi POST /api/v1/self/feedback "{\"year\":$Y,\"item\":null,\"rating\":\"basic\",\"note\":\"谢谢\"}")" 201 "the person rates the plan"
equal "$(jq -r .by "$tmp/body")" self "the rating is the person's"
equal "$(sqlo "SELECT count(*) FROM feedback WHERE person_id = $pid AND item_id IS NULL AND superseded_by IS NULL AND by_self = 1 AND rating = 2 AND actor = 'self-service via code #$(sqlo "SELECT min(id) FROM self_codes")'")" 1 \
    "it is the latest rating of the plan"
equal "$(sqlo "SELECT count(*) FROM feedback WHERE person_id = $pid AND item_id IS NULL AND superseded_by IS NOT NULL")" 1 \
    "the worker's rating of the plan is superseded"
equal "$(sapi DELETE /api/v1/self/session)" 200 "the person logs out"
equal "$(sapi GET /api/v1/self)" 401 "after logout the page is refused"

# a code or session made to name a person of another county opens nothing
equal "$(sapi POST /api/v1/self/session "{\"code\":\"$code\",\"last6\":\"$last6\"}")" 200 "the code opens a second session"
scsrf=$(jq -r .csrf "$tmp/body")
sqlf "SET session_replication_role = replica; UPDATE self_sessions SET person_id = $pb WHERE ended = 0" >/dev/null
equal "$(sapi GET /api/v1/self)" 404 "a session naming another county's person reads no one"
sqlf "SET session_replication_role = replica; UPDATE self_codes SET person_id = $pb WHERE id = $cid1" >/dev/null
rm -f "$sjar"
equal "$(sapi POST /api/v1/self/session "{\"code\":\"$code\",\"last6\":\"$last6\"}")" 401 "a code naming another county's person does not open (the person is not seen)"
sqlf "SET session_replication_role = replica; UPDATE self_codes SET person_id = $pid WHERE id = $cid1; UPDATE self_sessions SET person_id = $pid" >/dev/null
kill -TERM $fpid
wait $fpid
equal "$?" 0 "serve stops cleanly"
equal "$(sqlo "SELECT count(*) FROM audit WHERE action = 'self.login' AND result = 'ok'")" 2 "the logins audited"
equal "$(sqlo "SELECT count(*) FROM audit WHERE action = 'self.login' AND result = 'denied'")" 3 "the refused ones too"
for act in self.read feedback.add selfcode.issue selfcode.revoke; do
	[ "$(sqlo "SELECT count(*) FROM audit WHERE action = '$act' AND result = 'ok'")" -ge 1 ] && ok || bad "$act not audited"
done
grep -q -e "$code" -e "$code2" -e "$(printf '%s' "$code" | tr -d -)" fb.out fb.err && bad "a code in the server's log" || ok

# ---- the statistics' satisfaction section, as on SQLite ------------------
$LF_PG_PSQL -U liangfu_owner -d liangfu -At -c "SELECT format('INSERT INTO feedback VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s);', id, person_id, year, coalesce(item_id::text, 'NULL'), region, rating, quote_nullable(note), by_self, quote_literal(actor), coalesce(code_id::text, 'NULL'), created_at, coalesce(superseded_by::text, 'NULL')) FROM feedback ORDER BY id" >fb-copy.sql
sqlite3 a.db <fb-copy.sql && ok || bad "ratings copied into SQLite"
equal "$(sqlite3 a.db 'SELECT count(*) FROM feedback')" "$(sqlo 'SELECT count(*) FROM feedback')" "the same ratings on both"
expect 0 "stats PostgreSQL with ratings" -- "$bin" stats "$owner" --year $Y --json fbpg.json
expect 0 "stats SQLite with ratings" -- "$bin" stats a.db --year $Y --json fbsq.json
jq .satisfaction fbpg.json >fbpg.sat
jq .satisfaction fbsq.json >fbsq.sat
same fbpg.sat fbsq.sat "the province's satisfaction section"
equal "$(jq .region.rated fbpg.sat)" "$(sqlo "SELECT count(*) FROM feedback WHERE superseded_by IS NULL")" \
    "the section counts every latest rating"
expect 0 "stats of the county through the app role" -- "$bin" stats "$web" --year $Y --region "$ca" --json fbpga.json
expect 0 "stats SQLite county" -- "$bin" stats a.db --year $Y --region "$ca" --json fbsqa.json
jq .satisfaction fbpga.json >fbpga.sat
jq .satisfaction fbsqa.json >fbsqa.sat
same fbpga.sat fbsqa.sat "the county's satisfaction section through row-level security"
expect 0 "stats of another county through the app role" -- "$bin" stats "$web" --year $Y --region "$ob" --json fbpgb.json
expect 0 "stats SQLite other county" -- "$bin" stats a.db --year $Y --region "$ob" --json fbsqb.json
jq .satisfaction fbpgb.json >fbpgb.sat
jq .satisfaction fbsqb.json >fbsqb.sat
same fbpgb.sat fbsqb.sat "another county's satisfaction section"
