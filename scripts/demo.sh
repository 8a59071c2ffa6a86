#!/bin/sh
# make demo: a demo database of one county (彭州市, about 20,000 synthetic
# persons with three years of surveys) under demo/, then what to try.
# Every person in it is synthetic: made-up names and valid, made-up ID
# numbers.
set -eu
cd "$(dirname "$0")/.."
mkdir -p demo
db=demo/demo.db
if [ ! -f "$db" ]; then
	echo "Seeding the demo database (彭州市 510182, 20,000 persons, 2024-2026)..."
	./liangfu seed "$db" --persons 20000 --region 510182 --years 2024-2026 \
	    --seed 2026
fi
./liangfu export "$db" --year 2026 demo/surveys-2026.csv
id=$(sed -n 2p demo/surveys-2026.csv | tr ',' '\n' |
    grep -E '^[0-9]{17}[0-9X]$' | head -1)
cat <<MSG

liangfu demo is ready (synthetic data only).
  database:   $db  (key file $db.key)
  export:     demo/surveys-2026.csv  (open it in Excel or WPS)

Try:
  ./liangfu show $db --id-number $id
  ./liangfu export $db --year 2025 --region 510182 demo/2025.csv
  ./liangfu init demo/copy.db && ./liangfu import demo/copy.db demo/surveys-2026.csv

The web platform (liangfu serve) is not built yet; see the issues.
MSG
