#!/bin/sh
# make bench: 一人一策 plan building at scale, beside a baseline run in the
# same go (this machine is noisy; compare ratios).
#
#   BENCH_PLAN_PERSONS=1000000 (default; 3500000 for the province)
#   BENCH_NEED_SCALE=3.5 (seed --need-scale: plans of about 9.5 items a
#     person, the issue's 32.5 M items for the province; 1 = the
#     calibrated needs, 4.4 items a person)
#   BENCH_PLAN_EXPORT=1 (0 skips the item export, long at 33 M items)
#   BENCH_ITEM_COPIES=1 (2: every item twice for the statistics bench)
#
# 1. seed N persons with one year of surveys; 2. `liangfu plan` builds
# every plan (read surveys + rules + insert plans and items); 3. the
# same command again (the idempotent refresh: reads, compares, writes
# nothing); 4. export the items as CSV. Baseline: the sqlite3 shell
# copying the items table as built (same rows, same columns) into a new
# table of a new database: SQLite's own cost of writing that much.
# Then the rule engine alone (build/bench/rules), and the statistics of
# the same database (build/bench/stats). Peak RSS from /usr/bin/time.
set -eu
cd "$(dirname "$0")/.."
n=${BENCH_PLAN_PERSONS:-1000000}
out=bench/out/plan
rm -rf "$out"
mkdir -p "$out"

run() {
	name=$1
	shift
	/usr/bin/time -f "%e %M" -o "$out/$name.t" "$@" >/dev/null 2>"$out/$name.err"
	read -r secs kb < "$out/$name.t"
	echo "$name $secs $((kb / 1024))" >> "$out/results"
	printf '%-10s %8.1f s  %6d MiB RSS\n' "$name" "$secs" $((kb / 1024))
}

echo "liangfu plan bench: $n persons, one year, need scale ${BENCH_NEED_SCALE:-3.5} ($(nproc) cores, $(date -u +%F))"
k=${BENCH_NEED_SCALE:-3.5}
run seed ./liangfu seed "$out/p.db" --persons "$n" --years 2025 --seed 1 \
    --need-scale "$k"
run plan ./liangfu plan "$out/p.db" --year 2025
run replan ./liangfu plan "$out/p.db" --year 2025
if [ "${BENCH_PLAN_EXPORT:-1}" = 1 ]; then
	run export ./liangfu export "$out/p.db" --year 2025 --items \
	    "$out/items.csv"
fi
items=$(sqlite3 "$out/p.db" "SELECT count(*) FROM items WHERE year = 2025")
run baseline sqlite3 "$out/base.db" "ATTACH '$out/p.db' AS src" \
    "CREATE TABLE items AS SELECT * FROM src.items"
tail -1 "$out/plan.err"
tail -1 "$out/replan.err"
awk -v n="$n" -v items="$items" '
	{ t[$1] = $2 }
	END {
		printf "items: %d (%.2f per person)\n", items, items / n
		printf "plan:   %.0f persons/s, %.0f items/s, %.2f x baseline time\n", n / t["plan"], items / t["plan"], t["plan"] / t["baseline"]
		printf "replan: %.0f persons/s\n", n / t["replan"]
		if (t["export"] > 0)
			printf "export: %.0f items/s\n", items / t["export"]
		printf "province (3.5 M persons) projected: plan %.0f s\n", t["plan"] * 3.5e6 / n
	}' "$out/results"
build/bench/rules
# the statistics of the same database (issue 5): load, reports, GROUP BY.
# BENCH_ITEM_COPIES=2 first copies every item once more in SQL (with
# BENCH_NEED_SCALE=1, whose plans give 4.4 items a person, this too
# reaches about 31 M items at province scale).
copies=${BENCH_ITEM_COPIES:-1}
while [ "$copies" -gt 1 ]; do
	sqlite3 "$out/p.db" "INSERT INTO items (plan_id, person_id, year, \
	    region, seq, policy, needs, origin, decision, decision_reason, dept, \
	    org, contact, month, actual_date, funds_planned, funds_spent, monthly, \
	    measures, effect, effect_note, status, status_reason, dept_state, \
	    dept_reason, edited, carried_from, client_id, version, updated_at, \
	    updated_by) SELECT plan_id, person_id, year, region, seq + 1000 * \
	    $copies, policy, needs, origin, decision, decision_reason, dept, org, \
	    contact, month, actual_date, funds_planned, funds_spent, monthly, \
	    measures, effect, effect_note, status, status_reason, dept_state, \
	    dept_reason, edited, carried_from, NULL, version, updated_at, \
	    updated_by FROM items WHERE year = 2025 AND seq < 1000"
	copies=$((copies - 1))
done
/usr/bin/time -f "stats bench: %e s, peak RSS %M KB" build/bench/stats "$out/p.db" 2025 510182
