# reconciliation tasks and the stock through serve on PostgreSQL (issue
# 18), sourced by serve.sh once the county user pgcty (county $a) is
# logged in (its api(), $csrf; recon.sh left tasks and a roster a year
# old): the roster eraser, started with the server, erased that roster's
# rows and kept the others; the county's open tasks are listed (its own
# only) and one is closed with its history row, once; the stock of the
# county is set by the screen's PUT and by a CSV import, with its history
# and audit entries, and another county's refused.

# the roster eraser runs at the server's start
i=0
while [ "$(sqlo "SELECT erased_at IS NOT NULL FROM rosters WHERE id = 1")" != t ] && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
equal "$(sqlo "SELECT erased_at IS NOT NULL FROM rosters WHERE id = 1"):$(sqlo "SELECT count(*) FROM roster_rows WHERE roster_id = 1")" \
    "t:0" "serve's roster eraser erased the old roster's rows on PostgreSQL"
[ "$(sqlo "SELECT count(*) FROM roster_rows")" -gt 0 ] && \
    equal "$(sqlo "SELECT count(*) FROM rosters WHERE erased_at IS NOT NULL")" 1 "the newer rosters kept" || bad "no roster rows left at all"

# the county's tasks
nt=$(sqlo "SELECT count(*) FROM recon_tasks WHERE county = '$a' AND open = 1")
equal "$(api GET "/api/v1/recon/tasks?open=1&limit=200")" 200 "the tasks on PostgreSQL"
equal "$(jq '.tasks | length' "$tmp/body")" "$nt" "the county's open tasks listed"
equal "$(jq "[.tasks[] | select(.county != \"$a\")] | length" "$tmp/body")" 0 "no task of another county listed"
tid=$(jq -r '.tasks[0].id' "$tmp/body")
tb=$(sqlo "SELECT id FROM recon_tasks WHERE county <> '$a' LIMIT 1")
equal "$(api POST "/api/v1/recon/tasks/$tb/close" '{"reason":"x"}')" 404 "another county's task is not found"
equal "$(api POST "/api/v1/recon/tasks/$tid/close" '{"reason":""}')" 422 "closing needs a reason"
equal "$(api POST "/api/v1/recon/tasks/$tid/close" '{"reason":"已核实，民政已更新"}')" 200 "a task closed on PostgreSQL"
equal "$(jq -r '.open' "$tmp/body"):$(jq -r '.close_reason' "$tmp/body")" "false:已核实，民政已更新" "the closed task answered"
equal "$(sqlo "SELECT open || ':' || closed_by FROM recon_tasks WHERE id = $tid")" "0:pgcty" "the task row closed"
equal "$(sqlo "SELECT count(*) FROM history WHERE entity = 'recon_task' AND entity_id = $tid AND county = '$a' AND actor = 'pgcty'")" 1 \
    "its history row, in the person's county"
equal "$(api POST "/api/v1/recon/tasks/$tid/close" '{"reason":"again"}')" 422 "closing twice is refused"
equal "$(sqlo "SELECT count(*) FROM audit WHERE action = 'recon.close' AND actor = 'pgcty'")" 4 "every close attempt audited"

# the stock
equal "$(api GET /api/v1/supply/items)" 200 "the supply items on PostgreSQL"
equal "$(api PUT /api/v1/supply/stock "{\"year\":$Y,\"rows\":[{\"county\":\"$a\",\"item\":\"轮椅\",\"quantity\":2}]}")" 200 "the stock set on PostgreSQL"
equal "$(api POST /api/v1/supply/stock/import "区县代码,物品,年度,数量
$a,助听器,$Y,3
$a,轮椅,$Y,5
")" 200 "a stock import on PostgreSQL"
equal "$(sqlo "SELECT string_agg(item || '=' || quantity || '/v' || version, ',' ORDER BY item) FROM supply_stock WHERE county = '$a' AND year = $Y")" \
    "hearing_aid=3/v1,wheelchair=5/v2" "the stock rows"
equal "$(sqlo "SELECT string_agg(item || ':' || coalesce(old::text, '-') || '>' || new, ',' ORDER BY id) FROM supply_stock_history WHERE county = '$a'")" \
    "wheelchair:->2,hearing_aid:->3,wheelchair:2>5" "every change in the stock's history"
equal "$(sqlo "SELECT count(*) FROM audit WHERE action = 'supply.stock' AND actor = 'pgcty'")" 4 "each change audited (the store's entry and the request's)"
equal "$(api PUT /api/v1/supply/stock "{\"year\":$Y,\"rows\":[{\"county\":\"$b\",\"item\":\"轮椅\",\"quantity\":1}]}")" 422 "another county's stock refused"
equal "$(sqlo "SELECT count(*) FROM supply_stock WHERE county = '$b'")" 0 "and not written"
