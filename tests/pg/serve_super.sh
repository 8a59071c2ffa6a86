# Spot checks and data-quality findings through HTTP on PostgreSQL
# (issue 18), sourced by serve.sh once the county user pgcty (county $a)
# is logged in: uses its api(), $jar, $csrf, and run.sh's helpers, $bin,
# $owner, $Y, $a.
#
# pgcty draws a sample of county A (POST /api/v1/samples), reads it with
# its tasks, assigns a task to the checker pgchk; pgchk finds it among
# their checks, reads its checklist and records the check (every line
# right: a correction would be a single survey write, not on PostgreSQL
# yet); the precision of county A then counts it. A finding of county A
# (opened by the owner role's SQL: the quality batch does not run on
# PostgreSQL yet) is listed, read and resolved with its reason, after
# which it is no longer open and a second resolve is refused.

printf 'Serve-Checker-2026\n' | "$bin" user add "$owner" --login pgchk --role county --region "$a" >/dev/null 2>&1 \
    && ok || bad "user add pgchk on PostgreSQL"
equal "$(api POST /api/v1/samples "{\"year\":$Y,\"region\":\"$a\",\"rate\":0.02,\"recheck_rate\":0,\"seed\":\"9\",\"items\":\"marital_status\",\"due\":\"2030-12-31\"}")" \
    201 "a sample drawn through HTTP on PostgreSQL"
sid=$(jq .id "$tmp/body")
nt=$(jq .progress.tasks "$tmp/body")
equal "$nt" "$(sqlo "SELECT count(*) FROM check_tasks WHERE sample_id = $sid")" "the sample's tasks are stored"
[ "$nt" -gt 0 ] && ok || bad "the sample has no task"
equal "$(api GET /api/v1/samples/$sid)" 200 "the sample read back"
tid=$(jq '.tasks[0].id' "$tmp/body")
equal "$(jq '.tasks | length' "$tmp/body")" "$nt" "the sample lists its tasks"
equal "$(api GET "/api/v1/samples?year=$Y")" 200 "the samples listed"
equal "$(jq "[.samples[] | select(.id == $sid)] | length" "$tmp/body")" 1 "the sample in the list"
equal "$(api POST /api/v1/checks/$tid/assign '{"checker":"pgchk","mode":"phone"}')" 200 "a task assigned on PostgreSQL"
equal "$(jq -r .checker "$tmp/body"):$(jq -r .mode "$tmp/body")" "pgchk:phone" "the task's checker and mode"

# the checker's side, in a session of its own
cp "$jar" "$jar.cty"
csrf_cty=$csrf
rm -f "$jar"
equal "$(api POST /api/v1/session '{"login":"pgchk","password":"Serve-Checker-2026"}')" 200 "the checker logs in"
csrf=$(jq -r .csrf "$tmp/body")
equal "$(api GET /api/v1/checks)" 200 "the checker's tasks"
equal "$(jq "[.tasks[] | select(.id == $tid)] | length" "$tmp/body")" 1 "the assigned task among them"
equal "$(api GET /api/v1/checks/$tid)" 200 "the checklist on PostgreSQL"
rec=$(jq -r '[.. | objects | select(.code? == "marital_status")][0].recorded' "$tmp/body")
[ -n "$rec" ] && [ "$rec" != null ] && ok || bad "the checklist lacks marital_status"
# every line answered right: the survey items and the services of the
# person's plans (planw.sh confirmed some before)
ans=$(jq -c '{items: [.. | objects | select(.kind? == "survey") | {code, ok: true}], services: [.. | objects | select(.kind? == "service") | {item, ok: true}]}' "$tmp/body")
nsv=$(echo "$ans" | jq '.items | length')
equal "$(api POST /api/v1/checks/$tid "$ans")" 200 "a check recorded on PostgreSQL"
equal "$(jq .done "$tmp/body")" true "the task is done"
equal "$(sqlo "SELECT count(*) || ':' || min(ok) FROM check_results WHERE task_id = $tid")" "$(echo "$ans" | jq '(.items | length) + (.services | length)'):1" "its answers stored"
equal "$(api POST /api/v1/checks/$tid "$ans")" 422 "a finished task is not checked again"

# back to the county user: the precision counts the check
rm -f "$jar"
cp "$jar.cty" "$jar"
csrf=$csrf_cty
equal "$(api GET "/api/v1/precision?year=$Y&region=$a")" 200 "the precision on PostgreSQL"
equal "$(jq -c "[.regions[] | select(.code == \"$a\")][0].survey | {right, checked}" "$tmp/body")" "{\"right\":$nsv,\"checked\":$nsv}" \
    "the county's survey precision counts the check"

# a finding of county A: listed, read, resolved (the findings the
# re-check after earlier writes opened stay as they are)
api GET "/api/v1/findings?year=$Y&status=open" >/dev/null
jq -r '[.findings[].id] | sort | .[]' "$tmp/body" >"$tmp/findings.before"
pa=$(sqlo "SELECT id FROM persons WHERE county = '$a' ORDER BY id LIMIT 1")
ra=$(sqlo "SELECT region FROM persons WHERE id = $pa")
sqlo "INSERT INTO findings (rule, year, person_id, item_id, surveyor, region, owner, status, detail, version, created_at, created_by, updated_at, updated_by) VALUES ('Q01', $Y, $pa, 0, '', '$ra', 'county:$a', 1, 'test', 1, '2026-01-01T00:00:00Z', 'test', '2026-01-01T00:00:00Z', 'test')" >/dev/null
fid=$(sqlo "SELECT max(id) FROM findings")
sqlo "INSERT INTO finding_events (finding_id, at, actor, from_status, to_status, reason) VALUES ($fid, '2026-01-01T00:00:00Z', 'test', 0, 1, 'opened')" >/dev/null
equal "$(sqlo "SELECT county FROM findings_rows WHERE id = $fid"):$(sqlo "SELECT county FROM finding_events_rows WHERE finding_id = $fid")" \
    "$a:$a" "a finding and its event carry the county"
equal "$(api GET "/api/v1/findings?year=$Y&status=open")" 200 "findings listed on PostgreSQL"
equal "$(jq '[.findings[] | select(.status == "open")] | length' "$tmp/body")" "$(($(wc -l <"$tmp/findings.before") + 1))" "the open finding listed"
fref=$(jq -r '[.findings[].id] | sort | .[]' "$tmp/body" | comm -13 "$tmp/findings.before" -)
equal "$(api GET "/api/v1/findings/$fref")" 200 "a finding read on PostgreSQL"
equal "$(api POST "/api/v1/findings/$fref/resolve" '{"reason":"已核实整改"}')" 200 "a finding resolved on PostgreSQL"
equal "$(sqlo "SELECT status || ':' || reason FROM findings WHERE id = $fid"):$(sqlo "SELECT count(*) FROM finding_events WHERE finding_id = $fid AND to_status = 2")" \
    "2:已核实整改:1" "resolved with its reason and event"
equal "$(api POST "/api/v1/findings/$fref/dismiss" '{"reason":"again"}')" 422 "a finding no longer open is not decided again"
