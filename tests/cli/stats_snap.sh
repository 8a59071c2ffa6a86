#!/bin/sh
# Statistics snapshots through the real server (issue 17.4), sourced by
# tests/cli/run.sh (uses its bin, tmp, ok, bad, contains). A served year
# is written to DB.stats-YEAR after its first scan and at a clean stop;
# the next start reads it instead of the database, and its statistics
# are the same JSON as a scan's; the server's own writes keep it usable;
# a write by another program, a damaged file make the next start refuse
# it (saying why in the log) and read the database.
year=$(TZ=Asia/Shanghai date +%Y)
pw='Snap-Checker-2026'
"$bin" seed sn.db --persons 300 --region 510104 --years "$year" --seed 5 \
    >/dev/null 2>&1 || bad "snapshot: seed"
echo "$pw" | "$bin" user add sn.db --login snap --role county \
    --region 510104 >/dev/null 2>&1 || bad "snapshot: user add"

# snap_serve LOG: starts the server, waits for this year's statistics
snap_serve() {
	rm -f sn.port
	"$bin" serve sn.db --listen 127.0.0.1:0 --port-file sn.port \
	    --web "$tmp" >"$1" 2>&1 &
	srv=$!
	i=0
	while [ $i -lt 600 ]; do
		[ -s sn.port ] && grep -q "statistics of $year loaded" "$1" &&
		    break
		sleep 0.1; i=$((i + 1))
	done
	port=$(cat sn.port 2>/dev/null)
	curl -s -D sn.h -o sn.login -H 'Content-Type: application/json' \
	    -d "{\"login\":\"snap\",\"password\":\"$pw\"}" \
	    "http://127.0.0.1:$port/api/v1/session"
	token=$(sed -n 's/^Set-Cookie: lf_session=\([0-9a-f]*\);.*/\1/p' sn.h)
	csrf=$(sed -n 's/.*"csrf":"\([0-9a-f]*\)".*/\1/p' sn.login)
}

# snap_stats OUT: the report of the county, without its as-of time
snap_stats() {
	curl -s -b "lf_session=$token" \
	    "http://127.0.0.1:$port/api/v1/stats?year=$year&region=510104" |
	    sed 's/"as_of": *"[^"]*"//g' >"$1"
	curl -s -b "lf_session=$token" "http://127.0.0.1:$port/api/v1/stats?\
year=$year&region=510104&f=disability_grade=1,2" |
	    sed 's/"as_of": *"[^"]*"//g' >>"$1"
}

snap_stop() {
	kill -TERM $srv; wait $srv
}

# snap_build WHAT: builds, through the server, the plan of a person who
# has none yet (a write the server applies to its statistics)
snap_build() {
	uid=$(sqlite3 sn.db "SELECT p.uid FROM persons p WHERE NOT EXISTS
	    (SELECT 1 FROM plans WHERE person_id = p.id) LIMIT 1")
	curl -s -o sn.build -w '%{http_code}' -b "lf_session=$token" \
	    -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
	    -d '{}' \
	    "http://127.0.0.1:$port/api/v1/persons/$uid/plans/$year/build" \
	    >sn.code
	contains sn.code "20[01]" "$1: a plan built through the server"
}

snap_serve sn1.log
contains sn1.log "statistics of $year: no snapshot" "first start: no snapshot"
contains sn1.log "loaded from the database" "first start scans"
contains sn1.log "snapshot written" "a snapshot follows the scan"
snap_stats sn1.json
contains sn1.json '"registered"' "snapshot: the report is there"
snap_stop
if [ -s "sn.db.stats-$year" ]; then ok; else bad "snapshot file written"; fi

snap_serve sn2.log
contains sn2.log "loaded from its snapshot" "second start reads the snapshot"
snap_stats sn2.json
if cmp -s sn1.json sn2.json; then ok; else bad "snapshot: same statistics"; fi
# a write through the server: it is applied, so the stop writes a new
# snapshot and the next start uses it
snap_build "snapshot"
snap_stats sn3.json
snap_stop
contains sn2.log "snapshot written at write" "the stop writes the snapshot"
if cmp -s sn2.json sn3.json; then bad "snapshot: the write shows"; else ok; fi
snap_serve sn4.log
contains sn4.log "loaded from its snapshot" "after a served write: snapshot"
snap_stats sn4.json
if cmp -s sn3.json sn4.json; then ok; else bad "snapshot holds the write"; fi
snap_stop
# the same as a scan's
mv "sn.db.stats-$year" sn.keep
snap_serve sn5.log
contains sn5.log "loaded from the database" "without the snapshot: scan"
snap_stats sn5.json
snap_stop
if cmp -s sn4.json sn5.json; then ok; else bad "snapshot equals a scan"; fi

# a write by another program: the snapshot is stale, refused, rescanned
sqlite3 sn.db "UPDATE persons SET status = status WHERE id = 1"
snap_serve sn6.log
contains sn6.log "snapshot refused" "stale snapshot refused"
contains sn6.log "stale" "the log says it is stale"
contains sn6.log "loaded from the database" "stale: scan instead"
snap_stop

# a damaged snapshot
printf 'X' | dd of="sn.db.stats-$year" bs=1 seek=5000 conv=notrunc \
    2>/dev/null
snap_serve sn7.log
contains sn7.log "damaged" "damaged snapshot refused"
contains sn7.log "loaded from the database" "damaged: scan instead"
snap_stats sn7.json
if cmp -s sn5.json sn7.json; then ok; else bad "damaged: same stats"; fi
snap_stop

# one resident year (stats_years = 1): asking for another year evicts this
# one, and its snapshot is saved then (it held a write made through the
# server since its last snapshot), so the next start reads it instead of
# scanning the database
snap_serve sn8.log
snap_build "eviction"
curl -s -o sn.prev -w '%{http_code}' -b "lf_session=$token" \
    "http://127.0.0.1:$port/api/v1/stats?year=$((year - 1))&region=510104" \
    >sn.code
contains sn.code "200" "eviction: last year's statistics"
snap_stop
contains sn8.log "statistics of $year: snapshot written" \
    "the evicted year's snapshot is saved"
snap_serve sn9.log
contains sn9.log "statistics of $year loaded from its snapshot" \
    "after an eviction: snapshot"
snap_stop
