#!/bin/sh
# make demo: a demo database under demo/, one account per role, then the
# platform on http://127.0.0.1:8080/ until Ctrl-C.
#
# Every person in it is synthetic: made-up names and valid, made-up ID
# numbers (`liangfu seed`). The accounts and their password are for the
# demo only.
#
# The story it tells (issue 14): 彭州市 (510182) with 18,000 persons and
# three years of surveys, of whom 4,000 are still to survey this year,
# plus 6,000 persons spread over the whole province, so every city and
# county has figures; some persons have died or moved out (recorded by
# importing their surveys with the new 人员状态); 一人一策 drafts for every
# year; the county confirms 100 of last year's and 25 of this year's plans;
# the civil-affairs and human-resources departments accept their items and
# record deliveries on part of them (the rest are overdue or pending).
# Every write goes through the CLI or the HTTP API, validated and audited
# like a user's: no SQL writes.
#
# Layout: the numbered steps below run once, when demo/demo.db does not
# exist yet. Each is a shell function; other features add their own step
# function in the "more steps" block and call it from the list in main,
# after step_work (the server of the API steps is up from api_start to
# api_stop).
set -eu
cd "$(dirname "$0")/.."
mkdir -p demo
db=demo/demo.db
pw="Demo-liangfu-2026"
listen=${LIANGFU_LISTEN:-127.0.0.1:8080}
year=$(date +%Y)
last=$((year - 1))
first=$((year - 2))

say() {
	printf '%s %s\n' "$(date +%H:%M:%S)" "$*"
}

# ---- 1. the registry ------------------------------------------------------

step_seed() {
	say "seeding 彭州市 510182: 14,000 persons surveyed $first-$year..."
	./liangfu seed "$db" --persons 14000 --region 510182 \
	    --years "$first-$year" --seed 2026
	say "seeding 彭州市: 4,000 more persons, not yet surveyed in $year..."
	./liangfu seed "$db" --persons 4000 --region 510182 \
	    --years "$first-$last" --seed 2027
	say "seeding 6,000 persons over the whole province (51)..."
	./liangfu seed "$db" --persons 6000 --region 51 \
	    --years "$first-$year" --seed 2028
}

# ---- 2. deaths and moves: this year's surveys imported anew --------------

# Every 50th person of this year's export has died (人员状态 3), every
# 70th moved out (2): their rows are imported again with the new status,
# through the importer's full validation (rows it refuses go to
# demo/status-rejects.csv and are counted).
step_status() {
	say "recording deceased and moved-out persons (import)..."
	./liangfu export "$db" --year "$year" --region 510182 \
	    demo/status-all.csv >/dev/null
	awk -v y="$year" 'NR == 1 { print; next }
	    NR % 50 == 0 { sub("^" y ",1,", y ",3,"); print; next }
	    NR % 70 == 0 { sub("^" y ",1,", y ",2,"); print }' \
	    demo/status-all.csv >demo/status.csv
	./liangfu import "$db" demo/status.csv \
	    --skip-bad demo/status-rejects.csv
	rm -f demo/status-all.csv
}

# ---- 3. 一人一策 drafts from every year's surveys ------------------------

step_plan() {
	for y in $(seq "$first" "$year"); do
		say "一人一策 drafts for $y..."
		./liangfu plan "$db" --year "$y"
	done
}

# ---- 4. accounts ---------------------------------------------------------

step_users() {
	village=$(./liangfu export "$db" --year "$last" --region 510182 \
	    demo/first.csv >/dev/null && sed -n 2p demo/first.csv |
	    tr ',' '\n' | grep -E '^510182[0-9]{6}$' | head -1)
	rm -f demo/first.csv
	town=$(echo "$village" | cut -c1-9)
	while read -r login role region dept; do
		if [ -n "$dept" ]; then
			echo "$pw" | ./liangfu user add "$db" --login "$login" \
			    --role "$role" --region "$region" --department "$dept"
		else
			echo "$pw" | ./liangfu user add "$db" --login "$login" \
			    --role "$role" --region "$region"
		fi
	done <<USERS
demo-village village $village
demo-township township $town
demo-county county 510182
demo-city city 5101
demo-province province 51
demo-civil department 510182 civil
demo-hrss department 510182 hrss
demo-supervisor supervisor 510182
demo-auditor auditor 51
demo-admin admin 51
USERS
}

# ---- the API, for the steps that work as users do --------------------------

api_start() {
	rm -f demo/.port
	./liangfu serve "$db" --listen 127.0.0.1:0 --port-file demo/.port \
	    --web web >demo/setup.log 2>&1 &
	api_pid=$!
	i=0
	while [ ! -s demo/.port ]; do
		i=$((i + 1))
		[ "$i" -lt 200 ] || { cat demo/setup.log; exit 1; }
		sleep 0.1
	done
	base="http://127.0.0.1:$(cat demo/.port)/api/v1"
}

api_stop() {
	kill "$api_pid"
	wait "$api_pid" || true
	rm -f demo/.port demo/.*.jar demo/.out
}

# as LOGIN: the session every api call below uses
as() {
	jar="demo/.$1.jar"
	csrf=$(curl -sS -c "$jar" -H 'Content-Type: application/json' \
	    -d "{\"login\":\"$1\",\"password\":\"$pw\"}" "$base/session" |
	    jq -r .csrf)
}

# api METHOD PATH [JSON]: the answer goes to demo/.out; 0 for a 2xx.
# A refusal is shown (the first few) and counted, not fatal: a demo step
# goes on with the next item. One process a call: the machine may be busy.
api() {
	code=$(curl -sS -o demo/.out -b "$jar" -H "X-CSRF-Token: $csrf" \
	    -H 'Content-Type: application/json' -X "$1" \
	    ${3:+--data "$3"} -w '%{http_code}' "$base$2")
	case "$code" in
	2*)	return 0 ;;
	esac
	refused=$((refused + 1))
	[ "$refused" -gt 5 ] || echo "  ($1 $2: $code $(jq -c .error \
	    demo/.out 2>/dev/null))" >&2
	return 1
}
refused=0

# pages PATH KEY JQ N: JQ over the KEY array of up to N pages of up to 200
# of the list at PATH (which has a query already), following "next"
pages() {
	after=""
	i=0
	while [ "$i" -lt "$4" ]; do
		i=$((i + 1))
		api GET "$1&limit=200${after:+&after=$after}" || break
		jq -r ".$2[] | $3" demo/.out
		after=$(jq -r '.next // empty' demo/.out)
		[ -n "$after" ] || break
	done
}

# ---- 5. the county's work: decide proposals, confirm plans ----------------

# confirm YEAR N EVERY: every EVERY-th of 彭州市's first N draft plans of
# YEAR has its proposals accepted (one in seven rejected, with a reason)
# and is confirmed.
confirm() {
	n=0
	pages "/plans?year=$1&region=510182&status=draft" plans \
	    '.person.id' $((($2 + 199) / 200)) | head -n "$2" >demo/.plans
	while read -r pid; do
		n=$((n + 1))
		[ $((n % $3)) -eq 0 ] || continue
		api GET "/persons/$pid/plans/$1" || continue
		# every proposal decided in one curl run (a config of one
		# request per item): one in seven rejected, with a reason
		jq -r --arg base "$base" --arg jar "$jar" --arg csrf "$csrf" '
		    [.items[] | select(.decision.code == 0) |
		    "url = \"\($base)/items/\(.id)\"\nrequest = \"PATCH\"\n" +
		    "cookie = \"\($jar)\"\nheader = \"X-CSRF-Token: \($csrf)\"\n" +
		    "header = \"Content-Type: application/json\"\n" +
		    "output = \"/dev/null\"\nwrite-out = \"%{http_code}\\\\n\"\n" +
		    "data = \"" + ({version, decision: (if .seq % 7 == 6 then 2
		    else 1 end)} + (if .seq % 7 == 6 then {decision_reason:
		    "本人已享受同类服务"} else {} end) | tojson | gsub("\""; "\\\"")) +
		    "\"\n"] | join("next\n")' demo/.out >demo/.k
		if [ -s demo/.k ]; then
			bad=$(curl -sS -K demo/.k | grep -vc '^2' || true)
			refused=$((refused + bad))
		fi
		api GET "/persons/$pid/plans/$1" || continue
		api POST "/persons/$pid/plans/$1/confirm" \
		    "{\"version\":$(jq .plan.version demo/.out)}" || true
	done <demo/.plans
	rm -f demo/.plans demo/.k
}

step_confirm() {
	as demo-county
	say "the county confirms 100 of $last's draft plans..."
	confirm "$last" 200 2
	say "...and 25 of $year's"
	confirm "$year" 100 4
}

# ---- 6. the departments: accept items, record deliveries --------------------

# deliver DEPT-LOGIN YEAR: the department accepts two in three of its
# pending items of YEAR (the rest wait in its inbox) and records a
# delivery on every other accepted one, in the item's planned month (or
# this month, for this year's later months).
deliver() {
	as "$1"
	pages "/inbox?year=$2&state=0" items '"\(.id) \(.version) \(
	    .five.time.planned_month) \(.five.funds.monthly) \(
	    .five.funds.planned)"' 2 >demo/.inbox
	n=0
	month=$(date +%Y-%m)
	while read -r id v pm monthly planned; do
		n=$((n + 1))
		[ $((n % 3)) -ne 0 ] || continue
		api POST "/items/$id/accept" "{\"version\":$v}" || continue
		[ $((n % 2)) -eq 0 ] || continue
		case "$pm" in
		[0-9][0-9][0-9][0-9]-[0-9][0-9]) ;;
		*) pm=$month ;;
		esac
		[ "$pm" \< "$month" ] || pm=$month
		# a monthly item gets a month's share of its yearly funds
		case "$planned" in
		""|null) planned=0 ;;
		esac
		amount=$planned
		[ "$monthly" != true ] || amount=$((planned / 12))
		api POST "/items/$id/deliveries" "{\"date\":\"$pm-10\",\
\"amount\":$amount,\"note\":\"演示: 已发放\",\"client_id\":\"demo-$id\"}" ||
		    true
	done <demo/.inbox
	rm -f demo/.inbox
}

step_work() {
	say "civil affairs (民政) and human resources (人社) at work..."
	for y in "$last" "$year"; do
		deliver demo-civil "$y"
		deliver demo-hrss "$y"
	done
}

# ---- more steps: other features append their step functions here --------

# feedback (开放量服): SYNTHETIC ratings, so that the satisfaction rate
# shows figures: 400 of last year's draft plans are confirmed, each item
# gets one made-up delivery and a made-up rating (see cmd_feedback.c)
step_feedback() {
	say "synthetic feedback on 400 of $last's plans..."
	./liangfu feedback demo "$db" --year "$last" --region 510182 \
	    --persons 400 --seed 2026
}

# 精准监督 (issue 13): a finished spot-check sample of last year, drawn as
# a supervisor would (5% per township, at least 2 per surveyor, 10%
# re-checked), assigned in turn to demo-county and demo-supervisor, then
# answered by `seed-checks`: SYNTHETIC answers (each line drawn right with
# p = 0.85; a made-up wrong value the survey's rules refuse is answered
# right, so about 96-97% of the items end right), so that the precision
# figures (统计 and 精准监督 screens, `liangfu stats`) are not empty. Wrong
# answers correct the surveys, with history. Last year's plans have
# deliveries (the departments' work and the feedback step), so plan
# precision has figures too.
step_supervise() {
	say "精准监督: a spot-check sample of $last, with synthetic checks..."
	./liangfu supervise "$db" --year "$last" --region 510182 --rate 0.05 \
	    --min-per-surveyor 2 --seed 2026 \
	    --checkers demo-county,demo-supervisor >/dev/null
	./liangfu seed-checks "$db" --sample 1 --right 0.85 --seed 2026
}

# data-quality findings of every year (menu 数据质量), last: they see the
# deliveries, deaths and checks of the steps before
step_quality() {
	for y in $(seq "$first" "$year"); do
		say "data-quality findings of $y..."
		./liangfu quality "$db" --year "$y" >/dev/null
	done
}

main_steps() {
	step_seed
	step_status
	step_plan
	step_users
	api_start
	step_confirm
	step_work
	# other features' API steps go here (the server is up)
	api_stop
	# other features' command-line steps go here (the server is down)
	step_feedback
	step_supervise
	step_quality
	[ "$refused" -eq 0 ] || say "($refused requests refused; see above)"
	say "demo database ready"
}

if [ ! -f "$db" ]; then
	t0=$(date +%s)
	main_steps
	say "seeding took $(($(date +%s) - t0)) s"
fi
id=$(./liangfu export "$db" --year "$year" --region 510182 \
    demo/surveys-$year.csv >/dev/null 2>&1 &&
    sed -n 2p "demo/surveys-$year.csv" | tr ',' '\n' |
    grep -E '^[0-9]{17}[0-9X]$' | head -1)
# self-service: a one-time code for a synthetic person whose plan of last
# year is confirmed (the first such person of that year's export), with the
# last six digits of that made-up ID number
self_msg="(no person with a confirmed $last plan found)"
./liangfu export "$db" --year "$last" demo/surveys-$last.csv >/dev/null 2>&1 &&
for sid in $(sed -n 2,40p "demo/surveys-$last.csv" | tr ',' '\n' |
    grep -E '^[0-9]{17}[0-9X]$'); do
	out=$(./liangfu feedback code "$db" --id-number "$sid") || continue
	if echo "$out" | grep -q "$last 已确认"; then
		self_code=$(echo "$out" | sed -n 's/.*: \([2-9A-Z]\{5\}-[2-9A-Z]\{5\}\)$/\1/p')
		last6=$(echo "$sid" | cut -c13-18)
		self_msg="open http://$listen/self.html, code $self_code, last six $last6"
		break
	fi
done
rm -f "demo/surveys-$last.csv"
cat <<MSG

liangfu demo (synthetic data only). Accounts, FOR THE DEMO ONLY, all with
password $pw:
  demo-village demo-township demo-county demo-city demo-province
  demo-civil demo-hrss (departments) demo-supervisor demo-auditor demo-admin

Open http://$listen/ in a browser and log in (e.g. demo-village).
The JSON API is under /api/v1, e.g.:
  curl -c /tmp/c -H 'Content-Type: application/json' \\
    -d '{"login":"demo-county","password":"$pw"}' http://$listen/api/v1/session
  (note the "csrf" value it returns, then)
  curl -b /tmp/c -H 'X-CSRF-Token: CSRF' -d '{"id_number":"$id"}' \\
    http://$listen/api/v1/persons/search
Command line: ./liangfu show $db --id-number $id
API reference: docs/api.md
Self-service page (开放量服, synthetic person; the code is valid 7 days):
  $self_msg

MSG
exec ./liangfu serve "$db" --listen "$listen" --web web
