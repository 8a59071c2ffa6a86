# liangfu show and export --items on PostgreSQL (issue 18), sourced by
# run.sh after rebuild.sh (its helpers, $bin, $owner, $web, $Y, $a, $b;
# a.db the SQLite twin, seeded, planned and changed alike):
# - export --items of the year, of a city, and of county A through the
#   app role (row-level security), byte for byte SQLite's;
# - show of persons with change history (person, survey and item rows),
#   byte for byte SQLite's once the values the two registries were given
#   apart are made the same: each person's uid and update time and each
#   history row's time, copied from SQLite into PostgreSQL by SQL (the
#   rest, surveys, versions, change sets, the opened ID number, is what
#   each backend stored and reads itself);
# - show of an ID number not in the registry: exit 1 on both, the same
#   message; through the app role (no scope) no one is found.

city=${a%??}
for r in "" "$city"; do
	expect 0 "export --items PostgreSQL ${r:-province}" -- "$bin" export "$owner" --year $Y ${r:+--region "$r"} --items pi.csv
	expect 0 "export --items SQLite ${r:-province}" -- "$bin" export a.db --year $Y ${r:+--region "$r"} --items si.csv
	if [ "$(wc -l <si.csv)" -gt 100 ] && cmp -s pi.csv si.csv; then ok; else
		bad "export --items ${r:-province}: PostgreSQL and SQLite differ"; diff pi.csv si.csv | head -4 >&2; fi
done
equal "$(($(wc -l <pi.csv) - 1))" "$(sqlo "SELECT count(*) FROM items WHERE year = $Y AND city = '$city'")" \
    "export --items holds the city's items"
expect 0 "export --items through the app role, county $a" -- "$bin" export "$web" --year $Y --region "$a" --items pia.csv
expect 0 "export --items SQLite county $a" -- "$bin" export a.db --year $Y --region "$a" --items sia.csv
if [ "$(wc -l <sia.csv)" -gt 10 ] && cmp -s pia.csv sia.csv; then ok; else
	bad "export --items of county $a (app role) differs"; diff pia.csv sia.csv | head -4 >&2; fi
expect 0 "export --items through the app role, unscoped" -- "$bin" export "$web" --year $Y --items piw.csv
equal "$(wc -l <piw.csv | tr -d ' ')" 1 "the app role unscoped exports no item (the header only)"

# persons with history of every kind, as SQLite numbers them (the same ids
# on both: loaded alike)
"$bin" export a.db --year $Y sall.csv >/dev/null 2>&1
nshow=0
for id in $(sqlite3 a.db "SELECT person_id FROM history GROUP BY person_id HAVING count(DISTINCT entity) >= 2 ORDER BY count(*) DESC, person_id LIMIT 4"); do
	sqlite3 -separator '|' a.db "SELECT uid, updated_at FROM persons WHERE id = $id" | {
		IFS='|' read -r uid upd
		sqlo "UPDATE persons SET uid = '$uid', updated_at = '$upd' WHERE id = $id" >/dev/null
	}
	sqlite3 a.db "SELECT at FROM history WHERE person_id = $id ORDER BY id" >hs.at
	sqlo "SELECT id FROM history WHERE person_id = $id ORDER BY id" >hp.id
	equal "$(wc -l <hs.at)" "$(wc -l <hp.id)" "person $id: as many history rows on both"
	paste -d'|' hp.id hs.at | while IFS='|' read -r hid at; do
		echo "UPDATE history SET at = '$at' WHERE id = $hid;"
	done >hs.sql
	$LF_PG_PSQL -U liangfu_owner -d liangfu -q -f hs.sql >/dev/null
	# the person's ID number from SQLite's export, in person id order
	row=$(sqlite3 a.db "SELECT count(*) + 1 FROM surveys WHERE year = $Y AND person_id <= $id")
	idn=$(sed -n "${row}p" sall.csv | grep -o -m1 '[0-9]\{17\}[0-9X]' | head -1)
	[ -n "$idn" ] || { bad "no ID number for person $id"; continue; }
	expect 0 "show PostgreSQL, person $id" -- "$bin" show "$owner" --id-number "$idn"
	cp out show-pg.txt
	expect 0 "show SQLite, person $id" -- "$bin" show a.db --id-number "$idn"
	if grep -q "修改记录" show-pg.txt && [ "$(grep -c 'changed)' show-pg.txt)" -gt 0 ] &&
	    cmp -s show-pg.txt out; then ok; else
		bad "show of person $id: PostgreSQL and SQLite differ"; diff show-pg.txt out | head -6 >&2; fi
	nshow=$((nshow + 1))
done
[ "$nshow" -ge 3 ] && ok || bad "show compared for $nshow persons only"
expect 1 "show PostgreSQL: no such person" -- "$bin" show "$owner" --id-number 510104199001010011
cp err show-none.err
expect 1 "show SQLite: no such person" -- "$bin" show a.db --id-number 510104199001010011
cmp -s show-none.err err && ok || bad "show of no one: the messages differ"
expect 1 "show through the app role (unscoped): no one" -- "$bin" show "$web" --id-number "$idn"
contains err "no person with that ID number" "unscoped, row-level security shows no one"
