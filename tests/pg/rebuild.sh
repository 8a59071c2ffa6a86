# A plan rebuild after surveys changed (issue 18), sourced by run.sh
# after its plan and RLS checks: uses its helpers (expect, contains,
# equal, same, rows_of, nocut, sqlo), $bin, $owner, $web, $Y, $a and the
# SQLite file a.db planned alike.
#
# The same change on both: the year's surveys are exported from SQLite,
# edited, and the file imported into both (liangfu import). Persons who
# needed a wheelchair no longer do (their wheelchair items go, or lose
# that need), and surveys filled in March were filled on 15 May (every
# proposal of the person moves to June) unless the person's birthday
# falls between (their age, which the survey's conditions read, would
# change). Then:
# - a rebuild that fails at its first change (a trigger refuses it)
#   leaves items and history as they were: the history row and the
#   change are one transaction;
# - a rebuild through the app role scoped to county A, then one of the
#   province, print the same summaries on both (items updated and
#   deleted); plans, items and the items' history rows are equal row by
#   row, and the statistics JSON but as_of (findings included: the
#   import and the builds re-check them on both).

summary() { sed -n 's/.*\(plans [0-9]*[^:]*: .*unmet\).*/\1/p' "$1"; }
# hist_of: the items' history rows of both backends (but id and time)
hist_of() {
	q="SELECT entity, entity_id, person_id, year, version, actor, changes FROM history WHERE entity = 'item' ORDER BY entity_id, version"
	hs=$(sqlite3 -separator '|' a.db "$q" | md5sum)
	hp=$($LF_PG_PSQL -U liangfu_owner -d liangfu -At -F '|' -c "$q" | md5sum)
	n=$(sqlite3 a.db "SELECT count(*) FROM history WHERE entity = 'item'")
	if [ "$n" -gt 0 ] && [ "$hs" = "$hp" ]; then ok; else
		bad "item history: $n rows, SQLite and PostgreSQL differ"; fi
}

# ---- the same survey change on both -------------------------------------
expect 0 "export SQLite surveys" -- "$bin" export a.db --year $Y s.csv
# by header, every row as wide as the header (no field holds a comma)
awk -F, -v OFS=, -v y=$Y 'NR == 1 { for (i = 1; i <= NF; i++) {
		if ($i == "填报日期") fd = i; if ($i == "轮椅") wc = i
		if ($i == "出生日期") bd = i }
		nf = NF; print; next }
	NF != nf { odd = 1 }
	{ c = 0
	  if ($wc == "是") { $wc = "否"; c = 1 }
	  md = substr($bd, 6, 5)
	  if ($fd ~ "^" y "-03-" && (md < "03-01" || md > "05-15")) {
		$fd = y "-05-15"; c = 1 }
	  if (c) print }
	END { exit odd || !fd || !wc || !bd }' s.csv >changed.csv && ok ||
    bad "changed.csv: the export's columns were not found"
nchg=$(($(wc -l <changed.csv) - 1))
[ "$nchg" -gt 10 ] && ok || bad "only $nchg surveys to change"
expect 0 "import the changed surveys into SQLite" -- "$bin" import a.db changed.csv
contains err "0 new surveys, $nchg updated, 0 unchanged, 0 rejected" "SQLite took every change"
expect 0 "import the changed surveys into PostgreSQL" -- "$bin" import "$owner" changed.csv
contains err "0 new surveys, $nchg updated, 0 unchanged, 0 rejected" "PostgreSQL took the same changes"

# ---- all or nothing: a rebuild stopped at its first change ------------
items0=$(sqlo "SELECT md5(string_agg(i::text, ',' ORDER BY id)) FROM items i")
hist0=$(sqlo "SELECT count(*) FROM history WHERE entity = 'item'")
sqlo "CREATE FUNCTION lf_test_refuse() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN RAISE EXCEPTION 'refused by the test'; END \$\$;
CREATE TRIGGER lf_test_refuse BEFORE UPDATE OR DELETE ON items FOR EACH ROW EXECUTE FUNCTION lf_test_refuse()" >/dev/null
expect 1 "a rebuild whose first change fails" -- "$bin" plan "$owner" --year $Y
contains err "refused by the test" "the server's refusal is named"
sqlo "DROP TRIGGER lf_test_refuse ON items; DROP FUNCTION lf_test_refuse()" >/dev/null
equal "$(sqlo "SELECT md5(string_agg(i::text, ',' ORDER BY id)) FROM items i"):$(sqlo "SELECT count(*) FROM history WHERE entity = 'item'")" \
    "$items0:$hist0" "the failed rebuild left items and history as they were"

# ---- the rebuilds: county A through the app role, then the province ---
ia0=$(sqlo "SELECT count(*) FROM history WHERE entity = 'item' AND county <> '$a'")
expect 0 "rebuild PostgreSQL county $a through the app role" -- "$bin" plan "$web" --year $Y --region "$a"
summary err >re-pga.sum
expect 0 "rebuild SQLite county $a" -- "$bin" plan a.db --year $Y --region "$a"
summary err >re-sqa.sum
if [ -s re-pga.sum ] && cmp -s re-pga.sum re-sqa.sum; then ok; else
	bad "county rebuild summaries differ: $(cat re-pga.sum) / $(cat re-sqa.sum)"; fi
equal "$(sqlo "SELECT count(*) FROM history WHERE entity = 'item' AND county <> '$a'")" \
    "$ia0" "the app role's rebuild changed only its county"
rows_of items
expect 0 "rebuild PostgreSQL" -- "$bin" plan "$owner" --year $Y
summary err >re-pg.sum
expect 0 "rebuild SQLite" -- "$bin" plan a.db --year $Y
summary err >re-sq.sum
if [ -s re-pg.sum ] && cmp -s re-pg.sum re-sq.sum; then ok; else
	bad "rebuild summaries differ: $(cat re-pg.sum) / $(cat re-sq.sum)"; fi
for f in re-pga.sum re-pg.sum; do
	if grep -q ' [1-9][0-9]* updated, [1-9][0-9]* deleted' "$f"; then ok; else
		bad "$f: the rebuild was to update and delete items: $(cat "$f")"; fi
done
rows_of plans
rows_of items
hist_of
equal "$(sqlo "SELECT count(*) FROM items WHERE year = $Y AND needs LIKE '%aid_wheelchair%'")" \
    "0" "no item names the wheelchair need any more"
for r in "" "$city"; do
	expect 0 "stats PostgreSQL after the rebuild $r" -- "$bin" stats "$owner" --year $Y ${r:+--region "$r"} --json pgr.json
	expect 0 "stats SQLite after the rebuild $r" -- "$bin" stats a.db --year $Y ${r:+--region "$r"} --json sqr.json
	nocut pgr.json; nocut sqr.json
	same pgr.json.nof sqr.json.nof "statistics after the rebuild ${r:-province}"
done
expect 0 "a third build PostgreSQL" -- "$bin" plan "$owner" --year $Y
contains err " 0 plans created; items 0 inserted, 0 updated, 0 deleted" "a build after the rebuild keeps everything"
