#!/bin/sh
# Command-line tests: every subcommand through the real binary, exit codes,
# determinism of seed, and the export -> import -> export round trip.
#   tests/cli/run.sh BINARY [ROUNDTRIP_BINARY ROUNDTRIP_PERSONS]
# BINARY is usually the sanitizer build; the large round trip runs on the
# optimised build when given.
set -u
bin=$(realpath "$1")
big=${2:+$(realpath "$2")}
bign=${3:-100000}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d /tmp/liangfu-cli-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
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

# contains FILE TEXT DESCRIPTION
contains() {
	if grep -q -- "$2" "$1"; then ok; else bad "$3: '$2' not in $1"; fi
}

cd "$tmp" || exit 1
export LIANGFU_PROGRESS=0

expect 2 "no arguments" -- "$bin"
expect 0 "help" -- "$bin" --help
contains out "import" "help lists commands"
expect 2 "unknown command" -- "$bin" frobnicate
expect 2 "init usage" -- "$bin" init
expect 0 "init" -- "$bin" init a.db
if [ "$(stat -c %a a.db.key)" = 600 ]; then ok; else bad "key file mode"; fi
expect 1 "init refuses to overwrite" -- "$bin" init a.db
contains err "already exists" "init message"

expect 2 "seed needs --persons" -- "$bin" seed a.db
expect 1 "seed unknown region" -- "$bin" seed a.db --persons 5 --region 5199
expect 2 "seed --need-scale not a number" -- "$bin" seed ns.db --persons 5 \
    --need-scale many
expect 1 "seed --need-scale out of range" -- "$bin" seed ns.db --persons 5 \
    --need-scale 0.5
contains err "1..10" "need scale message"
if [ -e ns.db ]; then bad "a refused seed left ns.db"; else ok; fi
expect 0 "seed --need-scale" -- "$bin" seed ns.db --persons 200 \
    --region 510104 --years 2024 --seed 7 --need-scale 3.5
expect 0 "seed" -- "$bin" seed a.db --persons 300 --region 510104 \
    --years 2023-2024 --seed 7
expect 0 "seed creates a database" -- "$bin" seed c.db --persons 300 \
    --region 510104 --years 2023-2024 --seed 7
expect 0 "seed another seed" -- "$bin" seed d.db --persons 300 \
    --region 510104 --years 2023-2024 --seed 8

expect 2 "export needs --year" -- "$bin" export a.db a.csv
expect 1 "export unknown region" -- "$bin" export a.db --year 2024 \
    --region 99 x.csv
contains err "--region 99: 未知区划代码" "export unknown region words"
expect 1 "plan unknown region" -- "$bin" plan a.db --year 2024 --region 99
contains err "--region 99: 未知区划代码" "plan unknown region words"
expect 1 "quality unknown region" -- "$bin" quality a.db --year 2024 \
    --region 99
contains err "--region 99: 未知区划代码" "quality unknown region words"
expect 0 "export" -- "$bin" export a.db --year 2024 a.csv
contains err "exported 300 surveys" "export count"
expect 0 "export a region" -- "$bin" export a.db --year 2024 \
    --region 510104 r.csv
expect 0 "export same seed" -- "$bin" export c.db --year 2024 c.csv
expect 0 "export other seed" -- "$bin" export d.db --year 2024 d.csv
if cmp -s a.csv c.csv; then ok; else bad "same seed, same data"; fi
if cmp -s a.csv d.csv; then bad "another seed, other data"; else ok; fi
if [ "$(wc -l < a.csv)" -eq 301 ]; then ok; else bad "301 lines"; fi
if head -c 3 a.csv | od -An -tx1 | grep -q "ef bb bf"; then ok; else
	bad "BOM"; fi

expect 0 "init b" -- "$bin" init b.db
expect 0 "import" -- "$bin" import b.db a.csv
contains err "300 new persons" "import summary"
expect 0 "export b" -- "$bin" export b.db --year 2024 b.csv
if cmp -s a.csv b.csv; then ok; else bad "round trip"; fi
expect 0 "import again: unchanged" -- "$bin" import b.db a.csv
contains err "300 unchanged" "re-import"
expect 1 "import missing file" -- "$bin" import b.db nosuch.csv
expect 1 "import a non-database" -- "$bin" import a.csv a.csv

# a bad row: all or nothing, then --skip-bad
awk -F, 'NR == 3 { $0 = "2024,9" substr($0, index($0, ",") + 2) } 1' \
    a.csv > bad.csv
expect 0 "init e" -- "$bin" init e.db
expect 1 "import bad row" -- "$bin" import e.db bad.csv
contains err "bad.csv:3:2:" "bad row position"
contains err "nothing was imported" "all or nothing"
expect 0 "import --skip-bad" -- "$bin" import e.db bad.csv \
    --skip-bad rej.csv
contains err "299 new persons" "good rows imported"
if [ "$(wc -l < rej.csv)" -eq 2 ]; then ok; else bad "reject file"; fi

id=$(sed -n 2p a.csv | tr ',' '\n' | grep -E '^[0-9]{17}[0-9X]$' | head -1)
expect 0 "show" -- "$bin" show a.db --id-number "$id"
contains out "2023 年调查" "show lists 2023"
contains out "2024 年调查" "show lists 2024"
contains out "history" "show history"
expect 1 "show unknown person" -- "$bin" show a.db \
    --id-number 11010519491231002X
expect 1 "show bad ID" -- "$bin" show a.db --id-number 123

# issue 13: liangfu quality (usage, region, idempotent second run, JSON)
expect 2 "quality needs --year" -- "$bin" quality a.db
expect 1 "quality unknown region" -- "$bin" quality a.db --year 2024 \
    --region 5199
expect 0 "quality" -- "$bin" quality a.db --year 2024 --json q1.json
contains err "300 persons checked" "quality counts persons"
contains out "应享未享" "quality prints rule names in Chinese"
contains q1.json '"UNMET_POLICY"' "quality JSON names rules"
expect 0 "quality again" -- "$bin" quality a.db --year 2024
contains err "findings 0 opened, 0 closed" "quality is idempotent"
# bulk writes re-check the data-quality rules as a single write does:
# a file whose surveys were all filled in 30 s (SURVEYOR_FAST: under
# 120 s, at least 3 by one surveyor) opens findings on import, and a
# plan build over seeded surveys (the seed does not check) opens the
# seeded rushed surveyor's; a batch afterwards finds nothing new
awk -F, -v OFS=, 'NR > 1 { $8 = 1715300000; $9 = 1715300030 } 1' a.csv \
    > fast.csv
expect 0 "init f" -- "$bin" init f.db
expect 0 "import re-checks findings" -- "$bin" import f.db fast.csv
contains err "data-quality findings [1-9][0-9]* opened, 0 closed (2024..2024, region 510104)" \
    "import reports the findings it opened"
expect 0 "quality after import" -- "$bin" quality f.db --year 2024
contains err "findings 0 opened, 0 closed" "import left nothing to find"
contains out "调查员填写调查用时过短" "the surveyor rule is listed"
expect 0 "import the real times" -- "$bin" import f.db a.csv
contains err "data-quality findings 0 opened, [1-9][0-9]* closed" \
    "import closes the findings it no longer sees"
expect 0 "seed sp" -- "$bin" seed sp.db --persons 600 --region 510104 \
    --years 2024 --seed 7
expect 0 "plan re-checks findings" -- "$bin" plan sp.db --year 2024
contains err "data-quality findings 1 opened, 0 closed" \
    "plan build opens the rushed surveyor's finding"
expect 0 "quality after plan" -- "$bin" quality sp.db --year 2024
contains err "findings 0 opened, 0 closed" "plan build left nothing to find"
expect 0 "stats with findings" -- "$bin" stats a.db --year 2024 --json s.json
contains s.json '"findings"' "stats JSON has the findings section"
# one section hook: the findings reach every output of the report
expect 0 "stats findings in every format" -- "$bin" stats a.db --year 2024 \
    --json s2.json --csv s.csv --xlsx s.xlsx
contains s2.json '"UNMET_POLICY"' "stats JSON counts findings by rule"
contains s.csv "数据质量问题" "stats CSV has the findings table"
contains s.csv "UNMET_POLICY" "stats CSV counts findings by rule"
unzip -p s.xlsx xl/workbook.xml >s.wb 2>/dev/null
contains s.wb "数据质量问题" "stats xlsx has the findings sheet"
expect 0 "stats text" -- "$bin" stats a.db --year 2024
contains out "数据质量问题" "stats text prints the findings"
# audit verify (issue 15): a served database's log and its anchor; a
# tampered middle entry and a cut of the newest entries are both found,
# with the first bad entry named
expect 0 "init au" -- "$bin" init au.db
"$bin" serve au.db --listen 127.0.0.1:0 --port-file au.port --web "$tmp" \
    >au.log 2>&1 &
srv=$!
i=0
while [ ! -s au.port ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
port=$(cat au.port 2>/dev/null)
for n in 1 2 3 4 5 6; do
	curl -s -o /dev/null -H 'Content-Type: application/json' \
	    -d "{\"login\":\"nobody$n\",\"password\":\"x\"}" \
	    "http://127.0.0.1:$port/api/v1/session"
done
kill -TERM $srv; wait $srv
if [ -s au.db.audit-head ]; then ok; else bad "serve writes the anchor"; fi
contains au.db.audit-head "^id 6$" "the anchor names the newest entry"
expect 2 "audit usage" -- "$bin" audit au.db
expect 0 "audit verify intact" -- "$bin" audit verify au.db
contains out "audit log ok: 6 entries" "audit verify counts"
expect 0 "serve --check verifies the audit log" -- "$bin" serve au.db --check
contains out "audit log ok" "serve --check says so"
cp au.db au2.db; cp au.db.key au2.db.key; cp au.db.audit-head au2.db.audit-head
notrig="DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;"
sqlite3 au.db "$notrig UPDATE audit SET detail = 'x' WHERE id = 3"
expect 1 "audit verify: edited entry" -- "$bin" audit verify au.db
contains out "first bad entry: 3" "audit verify names the edited entry"
expect 1 "serve --check: edited entry" -- "$bin" serve au.db --check
sqlite3 au2.db "$notrig DELETE FROM audit WHERE id >= 5"
expect 1 "audit verify: newest entries deleted" -- "$bin" audit verify au2.db
contains out "first bad entry: 5" "audit verify names the first missing"
contains out "cut" "audit verify says the log was cut"
# statistics snapshots through the server (issue 17.4)
. "$here/stats_snap.sh"
# reconcile (issue 16): a death roster of three registered persons and one
# the registry does not hold; GB18030 too; a bad roster is refused row by
# row and records nothing
col=$(head -1 a.csv | tr ',' '\n' | grep -n '^公民身份号码$' | cut -d: -f1)
ncol=$(head -1 a.csv | tr ',' '\n' | grep -n '^姓名$' | cut -d: -f1)
{
	echo "身份证号,姓名,死亡日期"
	sed -n '2,4p' a.csv | awk -F, -v c="$col" -v n="$ncol" \
	    '{ print $c "," $n ",2024-03-01" }'
	echo "11010519491231002X,某甲,2024-02-01"
} >death.csv
id1=$(sed -n 2p a.csv | cut -d, -f"$col")
{
	echo "身份证号,姓名,死亡日期"
	echo "$id1,某甲,2024-03-01"
	echo "123,某乙,2024-03-01"
	echo "${id1},,2024-03-01"
	echo "11010519491231002X,某丙,2099-01-01"
	echo "$id1,某丁,2024-03-01"
} >baddeath.csv
expect 2 "reconcile needs --kind" -- "$bin" reconcile c.db --roster death.csv
expect 2 "reconcile unknown kind" -- "$bin" reconcile c.db --roster \
    death.csv --kind tax
expect 1 "reconcile bad roster" -- "$bin" reconcile c.db --roster \
    baddeath.csv --kind death --year 2024 --json bad.json
contains err "baddeath.csv:3:1: 身份证号" "bad ID named by line and column"
contains err "baddeath.csv:4:2: 姓名" "empty name named"
contains err "baddeath.csv:5:3: 死亡日期" "future date named"
contains err "baddeath.csv:6:1: 身份证号: 与第 2 行重复" "repeat named"
contains err "4 行有误，未记录任何内容" "nothing recorded"
if [ -e bad.json ]; then bad "refused roster wrote JSON"; else ok; fi
if grep -q "$id1" err; then bad "ID number in a message"; else ok; fi
expect 1 "reconcile missing column" -- "$bin" reconcile c.db --roster \
    a.csv --kind death
contains err "缺少列" "missing column named"
expect 0 "reconcile death" -- "$bin" reconcile c.db --roster death.csv \
    --kind death --year 2024 --json death.json
contains err "4 rows, 3 matched, 1 not in the registry" "reconcile summary"
contains death.json '"findings"' "findings JSON"
if [ "$(grep -c '"finding": "disagree"' death.json)" -eq 3 ]; then ok; else
	bad "three persons still 在册 on the death roster"; fi
if [ "$(grep -c '"new": true' death.json)" -eq 3 ]; then ok; else
	bad "the refused roster left tasks behind"; fi
if grep -q "$id1" death.json; then bad "ID number in JSON"; else ok; fi
iconv -f UTF-8 -t GB18030 death.csv >death-gb.csv
expect 0 "reconcile GB18030" -- "$bin" reconcile c.db --roster \
    death-gb.csv --kind death --year 2024 --json death2.json
if [ "$(grep -c '"new": false' death2.json)" -eq 3 ]; then ok; else
	bad "a second run reopens no task"; fi
# the same rosters as .xlsx workbooks (written by build/test/csv2xlsx,
# libxlsxwriter; read through xlsx2csv): the same findings, the same row
# by row refusal naming the workbook's row and column
x2x=$(dirname "$bin")/csv2xlsx
"$x2x" death.csv death.xlsx || bad "csv2xlsx death"
expect 0 "reconcile xlsx" -- "$bin" reconcile c.db --roster death.xlsx \
    --kind death --year 2024 --json death3.json
contains err "4 rows, 3 matched, 1 not in the registry" "xlsx summary"
if [ -s death3.json ] && [ "$(jq -c .findings death2.json)" = \
    "$(jq -c .findings death3.json)" ]; then ok; else
	bad "the xlsx roster's findings differ from its CSV's"; fi
sed "2s/^$id1,/#n:$id1,/" baddeath.csv >baddeath-n.csv
"$x2x" baddeath-n.csv baddeath.xlsx || bad "csv2xlsx baddeath"
expect 1 "reconcile bad xlsx roster" -- "$bin" reconcile c.db --roster \
    baddeath.xlsx --kind death --year 2024 --json badx.json
contains err "baddeath.xlsx:2:1: 身份证号" "ID cell typed as a number named"
contains err "baddeath.xlsx:3:1: 身份证号" "bad ID cell named by row and column"
contains err "baddeath.xlsx:4:2: 姓名" "empty name cell named"
contains err "baddeath.xlsx:5:3: 死亡日期" "future date cell named"
contains err "4 行有误，未记录任何内容" "nothing recorded from the workbook"
if [ -e badx.json ]; then bad "refused workbook wrote JSON"; else ok; fi
if grep -q "$id1" err; then bad "ID number in a message"; else ok; fi
printf 'PK\003\004not a workbook' >corrupt.xlsx
expect 1 "reconcile corrupt xlsx" -- "$bin" reconcile c.db --roster \
    corrupt.xlsx --kind death --year 2024
contains err "corrupt.xlsx: 不是可读的 xlsx 工作簿" "corrupt workbook refused"
expect 1 "reconcile xlsx without xlsx2csv" -- env PATH=/nonexistent \
    "$bin" reconcile c.db --roster death.xlsx --kind death --year 2024
contains err "apt-get install xlsx2csv" "missing converter names its package"

# progress bar: forced on shows rate, piped stays quiet
LIANGFU_PROGRESS=1 "$bin" export a.db --year 2024 p.csv 2>err1 >/dev/null
contains err1 "/s" "progress on"
rm -f p.csv
LIANGFU_PROGRESS= "$bin" export a.db --year 2024 p.csv 2>err2 >/dev/null
if grep -q "/s" err2; then bad "progress quiet when piped"; else ok; fi

# 精准监督 (issue 13): sample, assign, synthetic checks, precision
expect 2 "supervise needs --rate" -- "$bin" supervise a.db --year 2024 \
    --region 510104
expect 1 "supervise bad region" -- "$bin" supervise a.db --year 2024 \
    --region 5199 --rate 0.05
expect 1 "supervise unknown item" -- "$bin" supervise a.db --year 2024 \
    --region 510104 --rate 0.05 --items no_such_item
contains err "no_such_item" "supervise names the unknown item"
expect 0 "supervise draw" -- "$bin" supervise a.db --year 2024 \
    --region 510104 --rate 0.05 --min-per-surveyor 2 --seed 11 \
    --due 2099-12-31
contains out "sample 1:" "supervise prints the sample"
expect 0 "supervise same seed" -- "$bin" supervise a.db --year 2024 \
    --region 510104 --rate 0.05 --min-per-surveyor 2 --seed 11
expect 0 "supervise another seed" -- "$bin" supervise a.db --year 2024 \
    --region 510104 --rate 0.05 --min-per-surveyor 2 --seed 12
"$bin" supervise a.db --tasks 1 | cut -f2 >t1
"$bin" supervise a.db --tasks 2 | cut -f2 >t2
"$bin" supervise a.db --tasks 3 | cut -f2 >t3
if [ -s t1 ] && cmp -s t1 t2; then ok; else bad "same seed, same sample"; fi
if cmp -s t1 t3; then bad "another seed, another sample"; else ok; fi
for c in ck1 ck2; do
	echo 'Cli-Checker-2026' | "$bin" user add a.db --login $c \
	    --role county --region 510104 >/dev/null 2>&1
done
# a re-check goes to another checker than the first check: two are needed
expect 0 "supervise assigns checkers" -- "$bin" supervise a.db --year 2024 \
    --region 510104 --rate 0.05 --seed 11 --checkers ck1,ck2 \
    --due 2099-12-31
contains err "assigned, 0 left" "every task assigned"
expect 0 "seed-checks" -- "$bin" seed-checks a.db --sample 4 --right 0.5 \
    --seed 3
contains err "synthetic checks" "seed-checks reports"
expect 0 "supervise list" -- "$bin" supervise a.db --list --year 2024
contains out "done" "list shows progress"
expect 0 "supervise precision" -- "$bin" supervise a.db --precision \
    --year 2024 --region 510104
contains out "Wilson" "precision names its interval"
expect 0 "stats carries precision" -- "$bin" stats a.db --year 2024 \
    --region 510104
contains out "精准率" "stats prints the precision"
expect 0 "stats json" -- "$bin" stats a.db --year 2024 --region 510104 \
    --json s.json
contains s.json '"supervision_bp"' "stats JSON has the precision targets"

# migrate's refusals that need no server (tests/pg/migrate.sh runs the
# copies): each names why and makes no file
expect 1 "migrate SQLite to SQLite refused" -- "$bin" migrate a.db mig.db
contains err "SQLite to SQLite is what liangfu backup does" "migrate names backup"
expect 1 "migrate PostgreSQL to PostgreSQL refused" -- "$bin" migrate \
    postgresql://nobody@127.0.0.1:1/x postgresql://nobody@127.0.0.1:1/y
contains err "FROM and TO are both PostgreSQL" "migrate names both ends"
expect 1 "migrate into a new file without LIANGFU_KEY_FILE" -- env -u \
    LIANGFU_KEY_FILE "$bin" migrate postgresql://nobody@127.0.0.1:1/x mig.db
contains err "LIANGFU_KEY_FILE is not set" "migrate names the key variable"
cp a.db.key other.key
expect 1 "migrate into a new file from an unreachable server" -- env \
    LIANGFU_KEY_FILE=other.key "$bin" migrate \
    postgresql://nobody@127.0.0.1:1/x mig.db
contains err "mig.db not created" "migrate says the file was not made"
: >mig.db.part
expect 1 "migrate beside a stopped run's file" -- env \
    LIANGFU_KEY_FILE=other.key "$bin" migrate \
    postgresql://nobody@127.0.0.1:1/x mig.db
contains err "an unfinished copy is there" "migrate names the leftover"
rm -f mig.db.part
# an old file's log under the new name would be replayed into the copy
: >mig.db-wal
expect 1 "migrate beside an old database's log" -- env \
    LIANGFU_KEY_FILE=other.key "$bin" migrate \
    postgresql://nobody@127.0.0.1:1/x mig.db
contains err "a log file of an old database is under TO's name" \
    "migrate names the stale log"
contains err "mig.db-wal" "migrate names the stale log file"
rm -f mig.db-wal
if ls mig.db mig.db.key mig.db.part mig.db.part.key 2>/dev/null | grep -q .; then
	bad "a refused migrate left a file"; else ok; fi

if [ -n "$big" ]; then
	t0=$(date +%s)
	expect 0 "seed $bign" -- "$big" seed big.db --persons "$bign" --seed 3 \
	    --years 2024
	expect 0 "export $bign" -- "$big" export big.db --year 2024 big1.csv
	expect 0 "init big2" -- "$big" init big2.db
	expect 0 "import $bign" -- "$big" import big2.db big1.csv
	expect 0 "export again" -- "$big" export big2.db --year 2024 big2.csv
	if cmp -s big1.csv big2.csv; then ok; else
		bad "$bign round trip not byte-identical"; fi
	echo "round trip of $bign persons took $(( $(date +%s) - t0 )) s"
fi

echo "cli tests: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
