# reconcile on PostgreSQL (issue 18), sourced by run.sh after rebuild.sh
# (its helpers, $bin, $owner, $tmp, $Y, $a; a.db is PostgreSQL's SQLite
# twin, seeded and planned alike): the same rosters reconciled on both
# backends give the same findings, summary and task owners (persons
# named by their uid, which each registry draws itself: compared through
# the person's id), the same open tasks by county, and the same
# `recon` section of the statistics; a second run opens no task; a run
# over one county finds that county's only. The tasks land in their
# city's partition with their county; the app role sees its county's
# tasks only and may not add one. One roster is then made old, for the
# roster eraser under serve (serve.sh, recon_serve.sh).

# the SQLite twin's export: ID numbers and names of the year's persons
expect 0 "export SQLite for the rosters" -- "$bin" export a.db --year $Y rc.csv
idc=$(head -1 rc.csv | tr ',' '\n' | grep -n '^公民身份号码$' | cut -d: -f1)
nmc=$(head -1 rc.csv | tr ',' '\n' | grep -n '^姓名$' | cut -d: -f1)
# roster HEAD FROM TO: rows FROM..TO of the export, plus one person the
# registry does not hold
roster() {
	echo "身份证号,姓名,$1"
	sed -n "$2,$3p" rc.csv | awk -F, -v c="$idc" -v n="$nmc" \
	    '{ print $c "," $n ",2024-03-01" }'
	echo "11010519491231002X,某甲,2024-02-01"
}
roster 死亡日期 2 60 >rdeath.csv
roster 保障起始日期 40 400 >rdibao.csv
roster 参保日期 300 900 >rmed.csv
# county accounts own the new tasks (the county's first active one):
# the same on both
for rdb in "$owner" a.db; do
	printf 'Recon-Owner-2026\n' | "$bin" user add "$rdb" --login rcty --role county --region "$a" >/dev/null 2>&1 \
	    && ok || bad "user add rcty on $rdb"
done
# recon_cut JSON UIDS: the findings with the person's id for the uid
# (each registry draws its own uids; both number persons alike, run.sh
# checks), sorted; the summary but the roster's id
uids() {	# uids DB OUT: "uid<TAB>id" of every person
	if [ "$1" = a.db ]; then sqlite3 -separator '	' a.db "SELECT uid, id FROM persons" >"$2"
	else sqlo "SELECT uid || chr(9) || id FROM persons" >"$2"; fi
}
recon_cut() {	# recon_cut JSON UIDS
	jq -r '.findings[] | [.person, .kind, .finding, .region, .county, .owner, .person_status, .new] | @tsv' "$1" |
	    awk -F'\t' -v OFS='\t' 'NR == FNR { id[$1] = $2; next } { $1 = ($1 in id) ? id[$1] : "?" $1; print }' "$2" - |
	    sort >"$1.cut"
	jq -c '.summary | del(.roster)' "$1" >>"$1.cut"
}
uids a.db uids-sq
uids "$owner" uids-pg
for k in death dibao medical; do
	f=rdeath.csv
	[ $k = dibao ] && f=rdibao.csv
	[ $k = medical ] && f=rmed.csv
	expect 0 "reconcile $k on PostgreSQL" -- "$bin" reconcile "$owner" --roster $f --kind $k --year $Y --json rpg-$k.json
	cp err rpg-$k.err
	expect 0 "reconcile $k on SQLite" -- "$bin" reconcile a.db --roster $f --kind $k --year $Y --json rsq-$k.json
	recon_cut rpg-$k.json uids-pg
	recon_cut rsq-$k.json uids-sq
	same rpg-$k.json.cut rsq-$k.json.cut "reconcile $k: the same findings and summary on both"
	grep -q '^?' rpg-$k.json.cut && bad "reconcile $k: a finding's person is not in the registry" || ok
	equal "$(jq '.findings | length' rpg-$k.json)" "$(jq '[.summary.counts[]] | add' rpg-$k.json)" "reconcile $k: the findings counted"
done
[ "$(jq '.findings | length' rpg-death.json)" -gt 0 ] && [ "$(jq '.findings | length' rpg-dibao.json)" -gt 0 ] \
    && ok || bad "the rosters found nothing (a test that cannot fail)"
sed 1d rdeath.csv | cut -d, -f1 >rids
grep -q -F -f rids rpg-death.json rpg-death.err && bad "an ID number in reconcile's output" || ok
first=$(sqlo "SELECT login FROM users WHERE role = 'county' AND disabled = 0 AND region = '$a' ORDER BY id LIMIT 1")
equal "$(jq -r '[.findings[] | select(.county == "'"$a"'" and .new)] | map(.owner) | unique | join(",")' rpg-dibao.json)" \
    "$first" "new tasks of county $a are owned by its first county account"
# a second run opens no task; the same tasks on both
expect 0 "reconcile death again on PostgreSQL" -- "$bin" reconcile "$owner" --roster rdeath.csv --kind death --year $Y --json rpg2.json
equal "$(jq '.summary.tasks_created' rpg2.json):$(jq '[.findings[] | select(.new)] | length' rpg2.json)" "0:0" "a second run opens no task"
expect 0 "reconcile death again on SQLite" -- "$bin" reconcile a.db --roster rdeath.csv --kind death --year $Y --json rsq2.json
recon_cut rpg2.json uids-pg
recon_cut rsq2.json uids-sq
same rpg2.json.cut rsq2.json.cut "a second run: the same on both"
tq="SELECT kind || ':' || finding || ':' || region || ':' || county || ':' || coalesce(owner, '') || ':' || open FROM recon_tasks ORDER BY id"
equal "$(sqlo "$tq" | md5sum)" "$(sqlite3 a.db "$tq" | md5sum)" "the same tasks, in the same order, on both"
equal "$(sqlo "SELECT count(*) FROM recon_tasks t JOIN pg_class c ON c.oid = t.tableoid WHERE c.relname <> 'recon_tasks_' || t.city OR t.county <> left(t.region, 6)")" \
    "0" "every task in its city's partition, with its county"
equal "$(sqlo "SELECT count(*) FROM recon_tasks t WHERE NOT EXISTS (SELECT 1 FROM persons p WHERE p.city = t.city AND p.county = t.county AND p.id = t.person_id)")" \
    "0" "every task's person in the same county"
equal "$(sqlo "SELECT count(*) FROM roster_rows")" "$(sqlite3 a.db "SELECT count(*) FROM roster_rows")" "the same roster rows kept on both"
# one county only
expect 0 "reconcile dibao over county $a on PostgreSQL" -- "$bin" reconcile "$owner" --roster rdibao.csv --kind dibao --year $Y --region "$a" --json rpga.json
expect 0 "reconcile dibao over county $a on SQLite" -- "$bin" reconcile a.db --roster rdibao.csv --kind dibao --year $Y --region "$a" --json rsqa.json
recon_cut rpga.json uids-pg
recon_cut rsqa.json uids-sq
same rpga.json.cut rsqa.json.cut "reconcile over one county: the same on both"
equal "$(jq "[.findings[] | select(.county != \"$a\")] | length" rpga.json)" 0 "a county's run finds its persons only"
# the statistics' recon section (open tasks by region and finding)
for r in "" "$a"; do
	expect 0 "stats PostgreSQL with tasks $r" -- "$bin" stats "$owner" --year $Y ${r:+--region "$r"} --json rstpg.json
	expect 0 "stats SQLite with tasks $r" -- "$bin" stats a.db --year $Y ${r:+--region "$r"} --json rstsq.json
	jq -S .recon rstpg.json >rstpg.recon; jq -S .recon rstsq.json >rstsq.recon
	same rstpg.recon rstsq.recon "the statistics' recon section ${r:-province}"
done
[ "$(jq '[.recon.region[]] | add' rstpg.json)" -gt 0 ] && ok || bad "the recon section counts no task"
# row-level security: the app role sees its county's tasks only, adds none
na_t=$(sqlo "SELECT count(*) FROM recon_tasks WHERE county = '$a'")
equal "$(sqlw "BEGIN; SET LOCAL liangfu.region = '$a'; SELECT count(*) FROM recon_tasks; COMMIT" | grep -v '^BEGIN\|^COMMIT\|^SET')" \
    "$na_t" "county $a sees its own tasks"
equal "$(sqlw "SELECT count(*) FROM recon_tasks")" "0" "the app role unscoped sees no task"
contains_sql "INSERT INTO rosters(kind, year, region, file, rows, matched, findings, imported_at, imported_by) VALUES ('death', 2024, '51', '', 0, 0, 0, 0, 'x')" \
    "permission denied" "the app role may not record a roster"
contains_sql "DELETE FROM recon_tasks" "permission denied" "the app role may not delete tasks"
# the oldest roster is made a year old: serve's roster eraser erases it
sqlo "UPDATE rosters SET imported_at = imported_at - 400 * 86400 WHERE id = 1" >/dev/null
old_rows=$(sqlo "SELECT count(*) FROM roster_rows WHERE roster_id = 1")
[ "$old_rows" -gt 0 ] && ok || bad "the first roster kept no rows"
