# Plans, items and deliveries written through HTTP on PostgreSQL (branch
# pgplanw), sourced by serve.sh while its server runs (its api(), $jar,
# $csrf, $ua: a person of county $a with a plan of $Y, the county user
# pgcty logged in; run.sh's helpers, $bin, $owner, $tmp, $Y, $a): the
# county user adds an item (twice with one client id: one item), edits
# its five elements (a stale version is 409), decides the open
# proposals and confirms the plan; the department's officer finds the
# item in the inbox, accepts it and records a delivery (twice with one
# client id: one delivery); the item, the person page, the plans list
# and the villages show it; the statistics count the money spent; the
# history holds the plan's and the items' rows, the deliveries table the
# row, in the county's partition; the plan reopened is rebuilt by
# `liangfu plan` and by the one-person build route, and keeps the item.
# Through the app role: every row written is confined by row-level
# security to county $a.

# a department officer of county $a, on a session of its own
printf 'Serve-Checker-2026\n' | "$bin" user add "$owner" --login pgcdpf --role department --region "$a" --department cdpf >/dev/null 2>&1 \
    && ok || bad "department user add on PostgreSQL"
jar0=$jar
csrf0=$csrf
as_dept() { jar="$tmp/cookies.dept"; csrf=$csrf_dept; }
as_county() { jar=$jar0; csrf=$csrf0; }
jar="$tmp/cookies.dept"
csrf=""
equal "$(api POST /api/v1/session '{"login":"pgcdpf","password":"Serve-Checker-2026"}')" 200 "department login on PostgreSQL"
csrf_dept=$(jq -r .csrf "$tmp/body")
as_county

plan="/api/v1/persons/$ua/plans/$Y"
spent0=$(sqlo "SELECT coalesce(sum(funds_spent), 0) FROM items WHERE year = $Y AND county = '$a'")
"$bin" stats "$owner" --year $Y --region "$a" --json plw0.json >/dev/null 2>&1
equal "$(api GET "$plan")" 200 "the plan on PostgreSQL"
equal "$(jq -r .plan.status "$tmp/body")" draft "the plan is a draft"
body='{"needs":"rehab_training","dept":"cdpf","planned_month":"'$Y'-03","funds_planned":12000,"measures":"上门康复训练","client_id":"pgw-1"}'
equal "$(api POST "$plan/items" "$body")" 201 "an item added on PostgreSQL"
iid=$(jq -r .item.id "$tmp/body")
equal "$(api POST "$plan/items" "$body")" 201 "the same item again (its client id)"
equal "$(jq -r .item.id "$tmp/body")" "$iid" "one item for one client id"
equal "$(sqlo "SELECT count(*) FROM items WHERE client_id = 'pgw-1'")" 1 "one row for one client id"
nid=$(sqlo "SELECT id FROM items WHERE client_id = 'pgw-1'")
equal "$(sqlo "SELECT county || ':' || origin || ':' || decision || ':' || version FROM items WHERE id = $nid")" \
    "$a:2:1:1" "the item in its county, by hand, accepted, version 1"
equal "$(api PATCH "/api/v1/items/$iid" '{"version":1,"org":"锦江区康复中心","contact":"李老师"}')" 200 \
    "the item's five elements changed on PostgreSQL"
equal "$(jq -r .item.version "$tmp/body")" 2 "the item's version moved"
equal "$(api PATCH "/api/v1/items/$iid" '{"version":1,"org":"x"}')" 409 "a stale version is a conflict"
equal "$(sqlo "SELECT count(*) FROM history WHERE entity = 'item' AND entity_id = $nid AND actor = 'pgcty' AND county = '$a'")" 1 \
    "the item's history row"
# decide the proposals still open, then confirm
api GET "$plan" >/dev/null
for ref in $(jq -r '.items[] | select(.decision.code == 0) | .id + ":" + (.version | tostring)' "$tmp/body"); do
	st=$(api PATCH "/api/v1/items/${ref%%:*}" "{\"version\":${ref##*:},\"decision\":1}")
	[ "$st" = 200 ] && ok || bad "deciding a proposal: $st"
done
api GET "$plan" >/dev/null
pv=$(jq -r .plan.version "$tmp/body")
equal "$(api POST "$plan/confirm" '{"version":999}')" 409 "confirming a stale plan is a conflict"
equal "$(api POST "$plan/confirm" "{\"version\":$pv}")" 200 "the plan confirmed on PostgreSQL"
equal "$(jq -r .plan.status "$tmp/body")" confirmed "confirmed"
pid=$(sqlo "SELECT id FROM persons WHERE uid = '$ua'")
equal "$(sqlo "SELECT status || ':' || version || ':' || confirmed_by FROM plans WHERE person_id = $pid AND year = $Y")" \
    "2:$((pv + 1)):pgcty" "the plan's row"
equal "$(sqlo "SELECT changes FROM history WHERE entity = 'plan' AND person_id = $pid AND county = '$a'")" \
    '{"status":{"new":"2","old":"1"}}' "the plan's history row"

# the department: inbox, accept, a delivery
as_dept
equal "$(api GET "/api/v1/inbox?year=$Y")" 200 "the inbox on PostgreSQL"
jq -r '.items[].id' "$tmp/body" | grep -qx "$iid" && ok || bad "the item is not in the department's inbox"
equal "$(jq "[.items[] | select(.person.region | startswith(\"$a\") | not)] | length" "$tmp/body")" 0 \
    "the inbox holds the county's items only"
iv=$(sqlo "SELECT version FROM items WHERE id = $nid")
equal "$(api POST "/api/v1/items/$iid/accept" "{\"version\":$iv}")" 200 "the department accepts on PostgreSQL"
dbody='{"date":"'$Y'-06-15","amount":8000,"note":"六月","client_id":"pgw-d1"}'
equal "$(api POST "/api/v1/items/$iid/deliveries" "$dbody")" 201 "a delivery on PostgreSQL"
equal "$(api POST "/api/v1/items/$iid/deliveries" "$dbody")" 201 "the same delivery again (its client id)"
equal "$(jq -r '.item.five.funds.spent' "$tmp/body"):$(jq '.item.deliveries | length' "$tmp/body")" "8000:1" \
    "the item's money spent and its one delivery"
equal "$(sqlo "SELECT count(*) || ':' || min(county) || ':' || sum(amount) FROM deliveries WHERE item_id = $nid")" \
    "1:$a:8000" "one delivery row, in the county"
equal "$(sqlo "SELECT c.relname FROM deliveries d JOIN pg_class c ON c.oid = d.tableoid WHERE d.item_id = $nid")" \
    "deliveries_$(echo "$a" | cut -c1-4)" "the delivery in its city's partition"
equal "$(sqlw "SET liangfu.region = '$a'; SELECT count(*) FROM deliveries WHERE item_id = $nid"):$(sqlw "SET liangfu.region = '$b'; SELECT count(*) FROM deliveries"):$(sqlw "SELECT count(*) FROM deliveries")" \
    "1:0:0" "row-level security on deliveries: county $a's, not county $b's, none unscoped"
equal "$(sqlw "SET liangfu.region = '$a'; UPDATE deliveries SET amount = 1")" \
    "ERROR:  permission denied for table deliveries" "the app role may not change a delivery"
equal "$(sqlo "SELECT count(*) FROM pg_inherits WHERE inhparent = 'deliveries'::regclass")" "$((ncity + 1))" \
    "deliveries: a partition per city and a default one"
equal "$(api GET "/api/v1/items/$iid")" 200 "the item read on PostgreSQL"
equal "$(jq '.item.deliveries | length' "$tmp/body")" 1 "the item shows its delivery"

# the county user's pages
as_county
equal "$(api GET "/api/v1/persons/$ua")" 200 "the person page after the writes"
equal "$(jq "[.plans[].items[] | select(.id == \"$iid\") | .deliveries[]] | length" "$tmp/body")" 1 \
    "the person page shows the delivery"
equal "$(api GET "/api/v1/plans?year=$Y")" 200 "the plans list on PostgreSQL"
[ "$(jq '.plans | length' "$tmp/body")" -gt 0 ] && ok || bad "the plans list is empty"
equal "$(api GET "/api/v1/plans/villages?year=$Y")" 200 "the villages on PostgreSQL"
equal "$(sqlo "SELECT coalesce(sum(funds_spent), 0) FROM items WHERE year = $Y AND county = '$a'")" "$((spent0 + 8000))" \
    "the money spent, on the items"
"$bin" stats "$owner" --year $Y --region "$a" --json plw1.json >/dev/null 2>&1 && ok || bad "stats after the writes"
cmp -s plw0.json plw1.json && bad "the statistics did not change after the delivery" || ok
grep -q "$((spent0 + 8000))" plw1.json && ok || bad "the statistics do not show the money spent ($((spent0 + 8000)))"
equal "$(sqlo "SELECT count(DISTINCT action) FROM audit WHERE actor IN ('pgcty', 'pgcdpf') AND action IN ('item.add', 'item.write', 'plan.confirm', 'item.accept', 'item.deliver', 'item.inbox')")" \
    6 "the plan and item writes audited on PostgreSQL"

# reopened, then rebuilt: by the command and by the route
equal "$(api POST "$plan/reopen" "{\"version\":$((pv + 1))}")" 200 "the plan reopened on PostgreSQL"
equal "$(sqlo "SELECT status FROM plans WHERE person_id = $pid AND year = $Y")" 1 "a draft again"
equal "$(sqlo "SELECT count(*) FROM history WHERE entity = 'plan' AND person_id = $pid")" 2 "the reopening's history row"
ni=$(sqlo "SELECT count(*) FROM items WHERE person_id = $pid AND year = $Y")
expect 0 "a rebuild of the reopened plan" -- "$bin" plan "$owner" --year $Y --region "$a"
equal "$(sqlo "SELECT count(*) FROM items WHERE person_id = $pid AND year = $Y")" "$ni" "the rebuild keeps the plan's items"
equal "$(sqlo "SELECT count(*) FROM items WHERE client_id = 'pgw-1' AND funds_spent = 8000")" 1 "the rebuild keeps the delivered item"
equal "$(api POST "$plan/build" '{}')" 200 "the one-person build on PostgreSQL"
equal "$(sqlo "SELECT count(*) FROM items WHERE person_id = $pid AND year = $Y")" "$ni" "the one-person build keeps the items"
