#!/bin/sh
# PostgreSQL tests (issue 18) on a throwaway PostgreSQL 15:
#   tests/pg/run.sh LIANGFU TEST_PG_RLS TEST_PG_READ [UNIT_TEST...]
# - the unit tests named (cmocka binaries of tests/unit whose store comes
#   from tu_store_any()) run again with LIANGFU_TEST_PG_URL set to the
#   owner role's URL: the same test source on PostgreSQL (store/dbq.h
#   and the row functions written in it);
# - init builds the schema from the catalog (partitioned by city, county
#   code on every person-owned table, reference tables, row-level
#   security) and refuses a second time;
# - seed loads by binary COPY, stats gives byte for byte the statistics
#   JSON (but its time stamp) of a SQLite file seeded alike, for the
#   province, a city and a county (the county through the app role);
# - plan builds the same plans and items on both (every column compared
#   row by row but the time stamps), the same data-quality re-check
#   after it (findings opened), stats then gives the same JSON, findings
#   and precision included, and a second build keeps everything; a build through the app role sees its county;
# - after the same survey change on both, a rebuild updates and deletes
#   the same items with the same history rows, all or nothing, also
#   through the app role (rebuild.sh);
# - the audit log (test_audit, one source on both backends, then here):
#   audit verify reads it and its anchor beside LIANGFU_KEY_FILE, the app
#   role may only read and add entries (no UPDATE, DELETE, TRUNCATE, nor
#   an insert before the newest), and what the owner role does with the
#   triggers off (a cut, an edit) is found and named;
# - row-level security: the app role sees nothing unscoped, nothing of
#   another county even when asked for it by raw SQL or by C code that
#   skips the access checks (TEST_PG_RLS, persons and plan items), and
#   cannot turn RLS off;
# - accounts: user add/disable/passwd/list give the same accounts on both
#   backends, and row-level security on users and sessions confines the
#   app role to its region's accounts (users.sh);
# - show and export --items print what they print on SQLite (show.sh); a
#   second bulk load of the same persons adds no one;
# - a three-year seed, import and export give the same CSV and history
#   on both, and a bad file the same error and no write (io.sh);
# - the person reads of store.h (by id, uid, ID number, card; every
#   year's survey opened and masked; years; the list; the name search;
#   counts) give the same on both (TEST_PG_READ same), after a one-year
#   and a three-year seed; through the app role scoped to a county they
#   find no one of another county (TEST_PG_READ rls);
# - spot checks (super.sh): their tables, `supervise` alike on both, the
#   statistics' precision section, row-level security on the tasks;
# - serve on PostgreSQL (serve.sh): starts with a connection per thread,
#   answers the routes not on PostgreSQL yet 501, and goes on through a
#   restart of PostgreSQL, whose lost connections a store finds and
#   replaces (TEST_PG_READ restart: "unavailable" while down, reads again
#   after);
# - reconcile gives the same findings, tasks and statistics' recon
#   section on both; the tasks are partitioned and confined by row-level
#   security (recon.sh); through serve the tasks are listed and closed,
#   the stock set, and the roster eraser runs (recon_serve.sh);
# - migrate copies a two-year SQLite registry with its plans into a new
#   database, checked and refused as migrate.sh says;
# - feedback and self-service (feedback.sh): the tables and their rights,
#   `feedback code`, codes, redemption, the self page and ratings through
#   HTTP (confined to the code's county by row-level security), and the
#   statistics' satisfaction section equal to SQLite's.
# - single survey and person writes (test_put_single, the same source as
#   on SQLite) and tests/api/test_api.c through HTTP run on PostgreSQL,
#   the tests meeting a route not there yet skipped and named (single.sh).
# The server is stopped and its folder removed at the end, also on
# failure or interrupt.
set -u
bin=$(realpath "$1")
rls=$(realpath "$2")
read=$(realpath "$3")
shift 3
units=""
for u in "$@"; do units="$units $(realpath "$u")"; done
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d /tmp/liangfu-pg-XXXXXX)
chmod 711 "$tmp"	# the server runs as postgres when we are root
cleanup() { sh "$here/pg.sh" stop "$tmp/pg"; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }

# expect STATUS DESCRIPTION -- COMMAND...
expect() {
	want=$1; what=$2; shift 3
	"$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" -eq "$want" ]; then ok; else
		bad "$what: exit $got, wanted $want"; sed 's/^/  /' "$tmp/err" >&2
	fi
}
contains() {
	if grep -q -- "$2" "$1"; then ok; else bad "$3: '$2' not in $1"; fi
}
same() {	# same A B WHAT: equal once the time stamp line is gone
	grep -v '"as_of"' "$1" >"$1.cut"; grep -v '"as_of"' "$2" >"$2.cut"
	if [ -s "$1.cut" ] && cmp -s "$1.cut" "$2.cut"; then ok; else
		bad "$3: $1 and $2 differ"; diff "$1.cut" "$2.cut" | head -5 >&2
	fi
}
equal() {	# equal GOT WANT WHAT
	if [ "$1" = "$2" ]; then ok; else bad "$3: got '$1', wanted '$2'"; fi
}

sh "$here/pg.sh" start "$tmp/pg" || { echo "FAIL: PostgreSQL did not start" >&2; exit 1; }
. "$tmp/pg/env"
owner="$LF_PG_OWNER_URL"
web="$LF_PG_WEB_URL"
# csv_changes EXPORT: the changes an import test loads, on stdout: the
# header with 变更原因 added, then every row changed (a wheelchair given
# back, a new phone on every 7th, moved out on every 11th, grade 3 to 4
# with its certificate number and the reason 复评 on every 5th); fails
# when the export lacks one of those columns
csv_changes() {
	awk -F, -v OFS=, '{ sub(/\r$/, "") }
	NR == 1 { for (i = 1; i <= NF; i++) { if ($i == "轮椅") wc = i
		if ($i == "联系人手机号码") ph = i; if ($i == "人员状态") st = i
		if ($i == "残疾等级") gr = i; if ($i == "残疾人证号") cd = i }
		printf "%s,变更原因\r\n", $0; next }
	{ c = 0; r = "" }
	$wc == "是" { $wc = "否"; c = 1 }
	NR % 7 == 0 { $ph = "13900000000"; c = 1 }
	NR % 11 == 0 { $st = "2"; c = 1 }
	NR % 5 == 0 && $gr == 3 { $gr = 4
		$cd = substr($cd, 1, 19) $gr; r = "复评"; c = 1 }
	c { printf "%s,%s\r\n", $0, r }
	END { exit !(wc && ph && st && gr && cd) }' "$1"
}
sqlo() { $LF_PG_PSQL -U liangfu_owner -d liangfu -At -c "$1"; }
sqlw() { $LF_PG_PSQL -U liangfu_web -d liangfu -At -c "$1" 2>&1; }
cd "$tmp" || exit 1
export LIANGFU_PROGRESS=0
Y=2023
N=2000

# ---- init -------------------------------------------------------------
unset LIANGFU_KEY_FILE
expect 1 "init needs LIANGFU_KEY_FILE" -- "$bin" init "$owner"
contains err "LIANGFU_KEY_FILE" "the missing key path is named"
export LIANGFU_KEY_FILE="$tmp/pg.key"
expect 0 "init on PostgreSQL" -- "$bin" init "$owner"
rm -f "$tmp/pg2.key"
expect 1 "second init refused" -- env LIANGFU_KEY_FILE="$tmp/pg2.key" "$bin" init "$owner"
contains err "already holds a liangfu registry" "second init names why"
[ ! -e "$tmp/pg2.key" ] && ok || bad "a refused init left a key file"
ncat=$(awk -F'\t' 'NR > 1 && $2 != ""' "$here/../../data/catalog.tsv" | wc -l)
equal "$(sqlo 'SELECT count(*) FROM catalog_items')" "$ncat" "catalog reference rows"
nsec=$(sqlo "SELECT count(*) FROM catalog_items WHERE secret")
ncol=$(sqlo "SELECT count(*) FROM information_schema.columns WHERE table_name = 'surveys'")
equal "$ncol" "$((ncat + nsec + 9))" "one survey column per catalog item (two for secrets)"
equal "$(sqlo "SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class c JOIN information_schema.columns i ON i.table_name = c.relname AND i.column_name = 'county' WHERE relname IN ('persons','surveys','history') AND relkind = 'p'")" \
    "history,persons,surveys" "person-owned tables partitioned, with the county code"
ncity=$(awk -F'\t' '$3 == "city"' "$here/../../data/regions-sichuan.tsv" | wc -l)
equal "$(sqlo "SELECT count(*) FROM pg_inherits WHERE inhparent = 'persons'::regclass")" \
    "$((ncity + 1))" "a partition per city and a default one"
equal "$(sqlo "SELECT string_agg(relname || ':' || relrowsecurity, ',' ORDER BY relname) FROM pg_class WHERE relname IN ('persons','surveys','history')")" \
    "history:true,persons:true,surveys:true" "row-level security on"

# ---- unit tests on PostgreSQL: the same source as on SQLite ------------
for u in $units; do
	if LIANGFU_TEST_PG_URL="$owner" ASAN_OPTIONS=detect_leaks=1 "$u" >"$tmp/unit.out" 2>&1; then ok; else
		bad "$(basename "$u") on PostgreSQL"; tail -30 "$tmp/unit.out" >&2; fi
	contains "$tmp/unit.out" "on PostgreSQL" "$(basename "$u") ran on PostgreSQL"
done

# ---- seed and stats: the same JSON as SQLite --------------------------
expect 0 "seed PostgreSQL" -- "$bin" seed "$owner" --persons $N --years $Y --seed 11
expect 0 "seed SQLite" -- "$bin" seed a.db --persons $N --years $Y --seed 11
equal "$(sqlo 'SELECT count(*) FROM persons'):$(sqlo "SELECT count(*) FROM surveys WHERE year = $Y")" \
    "$N:$N" "COPY loaded every person and survey"
equal "$(sqlo "SELECT count(*) FROM persons p JOIN pg_class c ON c.oid = p.tableoid WHERE c.relname <> 'persons_' || p.city")" \
    "0" "every person in their city's partition"
equal "$(sqlo "SELECT count(*) FROM persons WHERE encode(id_enc, 'escape') ~ '[0-9]{17}[0-9X]'")" \
    "0" "ID numbers sealed"
expect 0 "stats PostgreSQL" -- "$bin" stats "$owner" --year $Y --json pg.json
expect 0 "stats SQLite" -- "$bin" stats a.db --year $Y --json sq.json
same pg.json sq.json "province statistics"
city=$(sqlo "SELECT city FROM persons GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
expect 0 "stats PostgreSQL city" -- "$bin" stats "$owner" --year $Y --region "$city" --json pgc.json
expect 0 "stats SQLite city" -- "$bin" stats a.db --year $Y --region "$city" --json sqc.json
same pgc.json sqc.json "city statistics"
a=$(sqlo "SELECT county FROM persons GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
b=$(sqlo "SELECT county FROM persons WHERE county <> '$a' GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
na=$(sqlo "SELECT count(*) FROM persons WHERE county = '$a'")
expect 0 "stats county via the app role" -- "$bin" stats "$web" --year $Y --region "$a" --json pga.json
expect 0 "stats SQLite county" -- "$bin" stats a.db --year $Y --region "$a" --json sqa.json
same pga.json sqa.json "county statistics through row-level security"

# ---- spot checks: supervise, the precision section (super.sh) ----------
. "$here/super.sh"

# ---- person reads (store_read.c through store/dbq.h) -------------------
expect 0 "person reads alike on both" -- "$read" same a.db "$owner" $Y
contains out "$N persons read alike" "every person read on both"
expect 0 "person reads through the app role see county $a only" -- "$read" rls "$web" "$a" $Y
contains out "county $a: $na persons, no other" "the county's persons, no other"

# ---- plans: the same rows, the same statistics ------------------------
expect 0 "plan PostgreSQL" -- "$bin" plan "$owner" --year $Y
cp err plan-pg.err
sed -n 's/^liangfu: \(data-quality findings .*\)/\1/p' err >recheck-pg.sum
expect 0 "plan SQLite" -- "$bin" plan a.db --year $Y
sed -n 's/^liangfu: \(data-quality findings .*\)/\1/p' err >recheck-sq.sum
if [ -s recheck-pg.sum ] && cmp -s recheck-pg.sum recheck-sq.sum; then ok; else
	bad "the data-quality re-checks after plan differ: $(cat recheck-pg.sum) / $(cat recheck-sq.sum)"; fi
sed -n 's/.*\(plans [0-9]*: .*unmet\).*/\1/p' plan-pg.err >plan-pg.sum
sed -n 's/.*\(plans [0-9]*: .*unmet\).*/\1/p' err >plan-sq.sum
if [ -s plan-pg.sum ] && cmp -s plan-pg.sum plan-sq.sum; then ok; else
	bad "plan summaries differ: $(cat plan-pg.sum) / $(cat plan-sq.sum)"; fi
expect 0 "person pages alike on both, with their plans" -- "$read" same a.db "$owner" $Y plans
nitems=$(sqlo "SELECT count(*) FROM items WHERE year = $Y")
[ "$nitems" -gt "$N" ] && ok || bad "the build wrote $nitems items"
# every column of SQLite's table (PostgreSQL's add city and county), but
# the time stamps, row by row in id order
# both sides' select list of TABLE's columns but the time stamps: $sel
# SQLite's, $cols PostgreSQL's. An item's interned text (an id into texts
# on SQLite) is a text column on PostgreSQL: SQLite's side reads it
# through texts.
same_cols() {	# same_cols SQLITE-FILE PG-DATABASE TABLE
	pgtext=" $($LF_PG_PSQL -U liangfu_owner -d "$2" -At -c "SELECT string_agg(column_name, ' ') FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = '$3' AND data_type = 'text'") "
	sel= cols=
	for c in $(sqlite3 "$1" "SELECT name || ':' || type FROM pragma_table_info('$3') WHERE name NOT LIKE '%_at' ORDER BY cid"); do
		n=${c%%:*} e=${c%%:*}
		case "$pgtext" in *" $n "*) [ "${c#*:}" = INTEGER ] && e="(SELECT body FROM texts WHERE texts.id = $3.$n)";; esac
		sel="$sel${sel:+, }$e" cols="$cols${cols:+, }$n"
	done
}
rows_of() {	# rows_of TABLE: "sqlite-select|pg-select" checksums
	same_cols a.db liangfu "$1"
	sq=$(sqlite3 -separator '|' -nullvalue '' a.db "SELECT $sel FROM $1 ORDER BY id" | md5sum)
	pq=$($LF_PG_PSQL -U liangfu_owner -d liangfu -At -F '|' -c "SELECT $cols FROM $1 ORDER BY id" | md5sum)
	n=$(sqlite3 a.db "SELECT count(*) FROM $1")
	if [ "$n" -gt 0 ] && [ "$sq" = "$pq" ]; then ok; else
		bad "$1: $n rows, SQLite and PostgreSQL differ"; fi
}
rows_of plans
rows_of items
equal "$(sqlo "SELECT count(*) FROM items i JOIN pg_class c ON c.oid = i.tableoid WHERE c.relname <> 'items_' || i.city OR i.county <> left(i.region::text, 6)")" \
    "0" "every item in its city's partition, with its county"
# no foreign keys on the plan tables (docs/postgresql.md): the writer's
# rows must still refer to what exists, in the same county
equal "$(sqlo "SELECT (SELECT count(*) FROM plans pl WHERE NOT EXISTS (SELECT 1 FROM persons p WHERE p.city = pl.city AND p.county = pl.county AND p.id = pl.person_id)) + (SELECT count(*) FROM items i WHERE NOT EXISTS (SELECT 1 FROM plans pl WHERE pl.city = i.city AND pl.county = i.county AND pl.id = i.plan_id AND pl.person_id = i.person_id AND pl.year = i.year))")" \
    "0" "every plan's person and every item's plan exists, in the same county"
# the statistics JSON but its time stamp (findings and precision too)
nocut() { jq -S 'del(.as_of)' "$1" >"$1.nof"; }
for r in "" "$city"; do
	expect 0 "stats PostgreSQL with plans $r" -- "$bin" stats "$owner" --year $Y ${r:+--region "$r"} --json pgp.json
	expect 0 "stats SQLite with plans $r" -- "$bin" stats a.db --year $Y ${r:+--region "$r"} --json sqp.json
	nocut pgp.json; nocut sqp.json
	same pgp.json.nof sqp.json.nof "statistics with plans ${r:-province}"
	[ -n "$r" ] || { cp pgp.json pgprov.json; cp sqp.json sqprov.json; }
done
equal "$(jq .kpi.region.items pgp.json)" "$(sqlo "SELECT count(*) FROM items WHERE city = '$city'")" \
    "the city's statistics count its items"
expect 0 "stats with plans via the app role" -- "$bin" stats "$web" --year $Y --region "$a" --json pgpa.json
expect 0 "stats SQLite county with plans" -- "$bin" stats a.db --year $Y --region "$a" --json sqpa.json
nocut pgpa.json; nocut sqpa.json
same pgpa.json.nof sqpa.json.nof "county statistics with plans through row-level security"
# the findings section is there, the same on both (compared above)
[ "$(jq .findings.totals.open pgprov.json)" -gt 0 ] && ok || \
	bad "no open finding in PostgreSQL's statistics after the build"
equal "$(jq .findings.totals.open pgprov.json)" "$(sqlo "SELECT count(*) FROM findings WHERE status = 1 AND year = $Y")" \
    "the statistics count PostgreSQL's open findings"
expect 0 "quality through the app role, one county" -- "$bin" quality "$web" --year $Y --region "$a"
cp out q-pg.out
expect 0 "quality SQLite, one county" -- "$bin" quality a.db --year $Y --region "$a"
same q-pg.out out "the county's findings alike on both (quality through row-level security)"
expect 0 "second plan build PostgreSQL" -- "$bin" plan "$owner" --year $Y
contains err " 0 plans created; items 0 inserted, 0 updated, 0 deleted, $nitems kept" "a second build keeps everything"
rows_of items
equal "$(sqlo "SELECT last_value = (SELECT max(id) FROM plans) FROM plans_id_seq")" "t" \
    "plan ids: the sequence follows the build's ids, a rebuild takes none"
na_s=$(sqlo "SELECT count(*) FROM surveys WHERE county = '$a' AND year = $Y")
expect 0 "plan through the app role, one county" -- "$bin" plan "$web" --year $Y --region "$a"
contains err "plans $Y in $a: $na_s persons, 0 plans created" "the app role builds its county's plans"

# ---- row-level security ------------------------------------------------
equal "$(sqlw 'SELECT count(*) FROM persons')" "0" "app role unscoped sees no one"
equal "$(sqlw "BEGIN; SET LOCAL liangfu.region = '$a'; SELECT count(*) FROM persons WHERE county = '$b'; COMMIT" | grep -v '^BEGIN\|^COMMIT\|^SET')" \
    "0" "county $a reading county $b by raw SQL gets nothing"
equal "$(sqlw "BEGIN; SET LOCAL liangfu.region = '$a'; SELECT count(*) FROM surveys WHERE county <> '$a'; COMMIT" | grep -v '^BEGIN\|^COMMIT\|^SET')" \
    "0" "nor another county's surveys"
equal "$(sqlw "BEGIN; SET LOCAL liangfu.region = '$a'; SELECT count(*) FROM persons; COMMIT" | grep -v '^BEGIN\|^COMMIT\|^SET')" \
    "$na" "county $a sees its own"
equal "$(sqlw "BEGIN; SET LOCAL liangfu.region = '$a'; COMMIT; SELECT count(*) FROM persons" | grep -v '^BEGIN\|^COMMIT\|^SET')" \
    "0" "SET LOCAL ends with the transaction"
contains_sql() { sqlw "$1" >"$tmp/sqlout"; contains "$tmp/sqlout" "$2" "$3"; }
contains_sql "ALTER TABLE persons DISABLE ROW LEVEL SECURITY" "must be owner" "app role cannot turn RLS off"
contains_sql "SET row_security = off; SELECT count(*) FROM persons" "row-level security" "app role cannot skip RLS"
contains_sql "SET ROLE liangfu_owner" "permission denied" "app role cannot become the owner"
equal "$(sqlo "SELECT rolbypassrls FROM pg_roles WHERE rolname = 'liangfu_app'")" "f" "app role NOBYPASSRLS"
equal "$(sqlw "BEGIN; SET LOCAL liangfu.region = '$a'; SELECT count(*) FROM items WHERE county <> '$a'; SELECT count(*) FROM plans WHERE county <> '$a'; COMMIT" | grep -v '^BEGIN\|^COMMIT\|^SET' | tr '\n' ' ')" \
    "0 0 " "nor another county's plans and items"
total=$(sqlo "SELECT count(*) FROM persons")
ia=$(sqlo "SELECT count(*) FROM items WHERE county = '$a' AND year = $Y")
pb=$(sqlo "SELECT person_id FROM items WHERE county = '$b' AND year = $Y LIMIT 1")
expect 0 "C code skipping the access check still sees one county" -- "$rls" "$web" "$a" "$na" "$total" $Y "$ia" "$nitems" "$pb"
[ "$fail" -ne 0 ] && cat "$tmp/err" >&2

# ---- the audit log (test_audit left three entries and their anchor) ----
expect 0 "audit verify on PostgreSQL" -- "$bin" audit verify "$owner"
contains out "3 entries, chain intact" "the log test_audit left verifies"
contains out "head matches the anchor (entry 3)" "its anchor is read"
[ -s "$LIANGFU_KEY_FILE.audit-head" ] && ok || bad "no anchor beside the key file"
expect 0 "audit verify through the app role" -- "$bin" audit verify "$web"
equal "$(sqlo "SELECT string_agg(p || '=' || has_table_privilege('liangfu_app', 'audit', p), ',') FROM unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) p")" \
    "SELECT=true,INSERT=true,UPDATE=false,DELETE=false,TRUNCATE=false" "the app role reads and adds audit entries only"
for s in "UPDATE audit SET detail = 'x' WHERE id = 2" "DELETE FROM audit WHERE id = 3" "TRUNCATE audit"; do
	contains_sql "$s" "permission denied" "the app role cannot: $s"
done
acols="at, actor, role, action, target_type, target, result, client, request_id, detail, prev, hash"
contains_sql "INSERT INTO audit SELECT 2, $acols FROM audit WHERE id = 1" "append-only" "the app role cannot insert before the newest entry"
contains_sql "SELECT count(*) FROM audit" "^3$" "the app role reads every entry (no row-level security on the log)"
# the owner role can turn the triggers off: the chain and the anchor show
# what it did (the newest entry cut, then the first one edited)
sqlo "ALTER TABLE audit DISABLE TRIGGER USER; DELETE FROM audit WHERE id = 3; ALTER TABLE audit ENABLE TRIGGER USER"
expect 1 "audit verify finds the newest entry cut" -- "$bin" audit verify "$owner"
contains out "first bad entry: 3" "the cut is named"
sqlo "ALTER TABLE audit DISABLE TRIGGER USER; UPDATE audit SET actor = 'mallory' WHERE id = 1; ALTER TABLE audit ENABLE TRIGGER USER"
expect 1 "audit verify finds an entry the owner role changed" -- "$bin" audit verify "$owner"
contains out "first bad entry: 1" "the changed entry is named"
grep -q mallory "$tmp/out" "$tmp/err" && bad "verify printed an entry's field" || ok

# ---- accounts: users and sessions (users.sh) ----------------------------
. "$here/users.sh"

# ---- a rebuild after surveys changed: items updated and deleted --------
. "$here/rebuild.sh"

# ---- reconcile: the same findings and tasks on both (recon.sh) ----------
. "$here/recon.sh"

# ---- what does not run on PostgreSQL yet, and all-or-nothing loads -----
# ---- show and export --items: byte for byte SQLite's (show.sh) ----------
. "$here/show.sh"
expect 0 "a second load of the same persons updates them" -- "$bin" seed "$owner" --persons 10 --years $Y --seed 11
equal "$(sqlo 'SELECT count(*) FROM persons')" "$N" "no person added twice"

$LF_PG_PSQL -U postgres -d postgres -c "CREATE DATABASE empty OWNER liangfu_owner"
expect 1 "seed before init refused" -- "$bin" seed "${owner%/liangfu}/empty" --persons 10 --years $Y
contains err "run liangfu init first" "the refusal names what to do"

# ---- seed over several years, import and export (io.sh) -------------------
. "$here/io.sh"

# ---- liangfu migrate: SQLite to PostgreSQL --------------------------------
. "$here/migrate.sh"

# ---- serve on PostgreSQL, and a restart of PostgreSQL (serve.sh) --------
. "$here/serve.sh"

# ---- feedback and self-service (feedback.sh) ------------------------------
. "$here/feedback.sh"
# ---- single survey and person writes; test_api over HTTP (single.sh) ----
. "$here/single.sh"

echo "pg-test: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
