#!/bin/sh
# make demo: a demo database of one county (彭州市, 20,000 synthetic persons
# with three years of surveys) under demo/, one account per role, then the
# platform on http://127.0.0.1:8080/ until Ctrl-C.
# Every person in it is synthetic: made-up names and valid, made-up ID
# numbers. The accounts and their password are for the demo only.
set -eu
cd "$(dirname "$0")/.."
mkdir -p demo
db=demo/demo.db
pw="Demo-liangfu-2026"
listen=${LIANGFU_LISTEN:-127.0.0.1:8080}
if [ ! -f "$db" ]; then
	echo "Seeding the demo database (彭州市 510182, 20,000 persons, 2024-2026)..."
	./liangfu seed "$db" --persons 20000 --region 510182 --years 2024-2026 \
	    --seed 2026
	# 一人一策 draft plans from each year's surveys
	for y in 2024 2025 2026; do
		./liangfu plan "$db" --year "$y"
	done
	# one account per role; regions: 彭州市 and a village, town inside it
	village=$(sqlite3 "$db" "SELECT region FROM persons ORDER BY id LIMIT 1")
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
demo-supervisor supervisor 510182
demo-auditor auditor 51
demo-admin admin 51
USERS
	# issue 13: data-quality findings of every year (menu 数据质量)
	for y in 2024 2025 2026; do
		./liangfu quality "$db" --year "$y" >/dev/null
	done
fi
id=$(./liangfu export "$db" --year 2026 demo/surveys-2026.csv >/dev/null 2>&1 &&
    sed -n 2p demo/surveys-2026.csv | tr ',' '\n' | grep -E '^[0-9]{17}[0-9X]$' |
    head -1)
cat <<MSG

liangfu demo (synthetic data only). Accounts, FOR THE DEMO ONLY, all with
password $pw:
  demo-village demo-township demo-county demo-city demo-province
  demo-civil (department) demo-supervisor demo-auditor demo-admin

Open http://$listen/ in a browser and log in (e.g. demo-village).
The JSON API is under /api/v1, e.g.:
  curl -c /tmp/c -H 'Content-Type: application/json' \\
    -d '{"login":"demo-county","password":"$pw"}' http://$listen/api/v1/session
  (note the "csrf" value it returns, then)
  curl -b /tmp/c -H 'X-CSRF-Token: CSRF' -d '{"id_number":"$id"}' \\
    http://$listen/api/v1/persons/search
Command line: ./liangfu show $db --id-number $id
API reference: docs/api.md

MSG
exec ./liangfu serve "$db" --listen "$listen" --web web
