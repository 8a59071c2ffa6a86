# Spot checks (精准监督) on PostgreSQL (issue 18), sourced by run.sh after
# the seed and the first statistics: uses its helpers (expect, contains,
# equal, same, sqlo, sqlw), $bin, $owner, $web, $Y, $a, $b and the SQLite
# file a.db seeded alike.
#
# A registry of format 6 is upgraded by the owner role (refused to the
# app role before). The tables (pg_rowtables.c): check_tasks, check_results, findings and
# finding_events are views of <t>_rows, partitioned by city with the
# county key and row-level security; samples is a plain table whose
# policy shows a scope the samples inside it and around it; the app
# role's grants (no DELETE, and no UPDATE on the append-only ones).
# `liangfu supervise` on both backends: the same draw (the same persons
# and re-checks from the same seed), task list, sample list, precision
# and statistics JSON (all of it: the precision section too); a draw
# through the app role scoped to county A writes county A's tasks, which
# county B does not see.

# a registry of format 6 (none of these tables): refused to the app role,
# upgraded by the owner role's first command
sqlo "DROP VIEW check_tasks, check_results, findings, finding_events; DROP TABLE check_tasks_rows, check_results_rows, findings_rows, finding_events_rows, samples; DROP SEQUENCE check_tasks_id_seq, check_results_id_seq, findings_id_seq, finding_events_id_seq; DROP FUNCTION check_tasks_insert(), check_results_insert(), findings_insert(), finding_events_insert(); UPDATE meta SET value = 'liangfu-registry-pg 6' WHERE key = 'format'" >/dev/null
expect 1 "a format-6 registry refused to the app role" -- "$bin" supervise "$web" --list
contains err "format 6" "the refusal names the format"
expect 0 "the owner role's command upgrades format 6" -- "$bin" supervise "$owner" --list
equal "$(sqlo "SELECT value FROM meta WHERE key = 'format'"):$(sqlo "SELECT to_regclass('check_tasks_rows') IS NOT NULL AND to_regclass('finding_events') IS NOT NULL AND to_regclass('samples') IS NOT NULL")" \
    "liangfu-registry-pg 7:t" "format 7 with the spot checks' and findings' tables"

for t in check_tasks check_results findings finding_events; do
	equal "$(sqlo "SELECT count(*) FROM pg_inherits WHERE inhparent = '${t}_rows'::regclass"):$(sqlo "SELECT relrowsecurity FROM pg_class WHERE relname = '${t}_rows'")" \
	    "$(sqlo "SELECT count(*) FROM pg_inherits WHERE inhparent = 'persons'::regclass"):t" \
	    "$t: partitioned as persons, row-level security on"
done
equal "$(sqlo "SELECT relrowsecurity FROM pg_class WHERE relname = 'samples'")" "t" "samples: row-level security on"
equal "$(sqlo "SELECT string_agg(table_name || ':' || privilege_type, ',' ORDER BY table_name, privilege_type) FROM information_schema.role_table_grants WHERE grantee = 'liangfu_app' AND table_name IN ('samples', 'check_tasks', 'check_results', 'findings', 'finding_events', 'check_results_rows', 'finding_events_rows')")" \
    "check_results:INSERT,check_results:SELECT,check_results_rows:INSERT,check_results_rows:SELECT,check_tasks:INSERT,check_tasks:SELECT,check_tasks:UPDATE,finding_events:INSERT,finding_events:SELECT,finding_events_rows:INSERT,finding_events_rows:SELECT,findings:INSERT,findings:SELECT,findings:UPDATE,samples:INSERT,samples:SELECT" \
    "the app role's rights: no DELETE, no UPDATE of the append-only tables"

# the same draw on both (the unit tests gave their ids back)
draw="--year $Y --region $a --rate 0.2 --recheck 0.25 --seed 5 --due 2030-12-31 --items marital_status,family_doctor_signed"
expect 0 "supervise draw PostgreSQL" -- "$bin" supervise "$owner" $draw
cp out sup-pg.out
expect 0 "supervise draw SQLite" -- "$bin" supervise a.db $draw
same sup-pg.out out "the same sample drawn on both"
contains out "sample 1: $Y $a" "the sample's line"
ntask=$(sqlo "SELECT count(*) FROM check_tasks")
[ "$ntask" -gt 0 ] && ok || bad "the draw wrote $ntask tasks"
equal "$(sqlo "SELECT count(*) FROM check_tasks_rows t JOIN pg_class c ON c.oid = t.tableoid WHERE c.relname <> 'check_tasks_rows_' || t.city OR t.county <> left(t.region, 6) OR t.county <> '$a'")" \
    "0" "every task in its city's partition, with its county"
# (a task's person is named by its uid, which each backend draws itself:
# the column left out)
for q in "--tasks 1" "--list" "--precision --year $Y --region $a" "--precision --year $Y --region 51"; do
	expect 0 "supervise $q PostgreSQL" -- "$bin" supervise "$owner" $q
	cut -f1,3- out >sup-pg.out
	expect 0 "supervise $q SQLite" -- "$bin" supervise a.db $q
	cut -f1,3- out >sup-sq.out
	same sup-pg.out sup-sq.out "supervise $q alike on both"
done
expect 0 "stats PostgreSQL with a sample" -- "$bin" stats "$owner" --year $Y --json pgs.json
expect 0 "stats SQLite with a sample" -- "$bin" stats a.db --year $Y --json sqs.json
same pgs.json sqs.json "statistics with the precision section"
equal "$(jq '.precision.regions[0].tasks' pgs.json)" "$(sqlite3 a.db "SELECT count(*) FROM check_tasks WHERE recheck_of IS NULL")" \
    "the precision section counts the first checks"
# through the app role, scoped to county A: its tasks, no one else's
expect 0 "supervise draw through the app role" -- "$bin" supervise "$web" --year $Y --region "$a" --rate 0.1 --seed 6 --due 2030-12-31
contains out "sample 2: $Y $a" "the app role's sample"
cp out sup-pg.out
expect 0 "the same draw on SQLite" -- "$bin" supervise a.db --year $Y --region "$a" --rate 0.1 --seed 6 --due 2030-12-31
same sup-pg.out out "the app role's draw as SQLite's"
equal "$(sqlw "BEGIN; SET LOCAL liangfu.region = '$b'; SELECT count(*) FROM check_tasks; COMMIT" | grep -v '^BEGIN\|^COMMIT\|^SET')" \
    "0" "county $b sees no task of county $a"
equal "$(sqlw "BEGIN; SET LOCAL liangfu.region = '$a'; SELECT count(*) = (SELECT count(*) FROM check_tasks_rows WHERE county = '$a') FROM check_tasks; COMMIT" | grep -v '^BEGIN\|^COMMIT\|^SET')" \
    "t" "county $a sees its tasks"
equal "$(sqlw "BEGIN; SET LOCAL liangfu.region = '$b'; SELECT count(*) FROM samples; COMMIT" | grep -v '^BEGIN\|^COMMIT\|^SET')" \
    "0" "county $b sees no sample of county $a"
sqlw "BEGIN; SET LOCAL liangfu.region = '$b'; INSERT INTO check_tasks (sample_id, person_id, year, region, township, surveyor, survey_by, survey_upd_by, mode, due) VALUES (1, 1, $Y, '${a}001001', '${a}001', 's', 'x', 'x', 1, '2030-01-01'); COMMIT" >rls.out
contains rls.out "row-level security" "county $b cannot add a task in county $a"
sqlw "DELETE FROM check_tasks" >rls.out
contains rls.out "permission denied" "the app role deletes no task"
