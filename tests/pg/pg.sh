#!/bin/sh
# A throwaway PostgreSQL 15 for the tests (issue 18).
#
#   pg.sh start DIR   initdb into DIR/data, start on a free loopback port,
#                     create the roles and the database, write DIR/env
#   pg.sh stop DIR    stop the server and remove DIR
#   pg.sh down DIR    stop the server (fast: its connections are cut),
#                     keeping DIR
#   pg.sh up DIR      start it again, on the same port (after down)
#
# DIR must not exist before start, and its parent must be searchable by
# the postgres user when run as root. DIR/env sets (for `. DIR/env`):
#   LF_PG_OWNER_URL  the owner role's URL (creates and owns the tables)
#   LF_PG_WEB_URL    the server's login role: a member of liangfu_app,
#                    NOBYPASSRLS (row-level security applies to it)
#   LF_PG_PSQL       psql with the socket and port of this server
# PostgreSQL refuses to run as root: as root the server and initdb run as
# the Debian package's "postgres" user (runuser), which gets DIR.
set -eu
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: pg.sh start|stop|down|up DIR" >&2; exit 2; }

as_pg() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

free_port() {
	p=$((20000 + $$ % 20000))
	while ss -ltn 2>/dev/null | grep -q "[:.]$p "; do
		p=$((p + 1))
	done
	echo "$p"
}

# Starts the server of DIR on port $1.
run_on() {
	as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
	    -t 60 -o "-p $1 -k $dir -c listen_addresses=127.0.0.1 \
	    -c fsync=off -c full_page_writes=off -c max_connections=60" \
	    start >/dev/null
}

start() {
	[ -x "$PGBIN/initdb" ] || { echo "pg.sh: $PGBIN/initdb missing (apt-get install postgresql-15)" >&2; exit 1; }
	[ ! -e "$dir" ] || { echo "pg.sh: $dir exists" >&2; exit 1; }
	mkdir -p "$dir"
	[ "$(id -u)" = 0 ] && chown postgres: "$dir"
	as_pg "$PGBIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 \
	    --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
		cat "$dir/initdb.log" >&2; exit 1; }
	# a port another process took meanwhile (or no ss): try the next
	port=$(free_port)
	tries=0
	until run_on "$port"; do
		tries=$((tries + 1))
		[ "$tries" -lt 5 ] || { cat "$dir/server.log" >&2; exit 1; }
		port=$((port + 7))
	done
	psql="psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p $port -U postgres"
	$psql -d postgres <<SQL
CREATE ROLE liangfu_owner LOGIN NOSUPERUSER NOBYPASSRLS;
CREATE ROLE liangfu_app NOLOGIN NOSUPERUSER NOBYPASSRLS;
CREATE ROLE liangfu_web LOGIN NOSUPERUSER NOBYPASSRLS IN ROLE liangfu_app;
CREATE DATABASE liangfu OWNER liangfu_owner;
SQL
	$psql -d liangfu -c "REVOKE ALL ON SCHEMA public FROM PUBLIC; GRANT USAGE ON SCHEMA public TO liangfu_app; ALTER SCHEMA public OWNER TO liangfu_owner;"
	cat >"$dir/env" <<ENV
LF_PG_PORT=$port
LF_PG_OWNER_URL=postgresql://liangfu_owner@127.0.0.1:$port/liangfu
LF_PG_WEB_URL=postgresql://liangfu_web@127.0.0.1:$port/liangfu
LF_PG_PSQL="psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p $port"
ENV
}

stop() {
	[ -d "$dir/data" ] && as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w \
	    stop >/dev/null 2>&1 || true
	rm -rf "$dir"
}

down() {
	as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
}

up() {
	port=$(sed -n 's/^LF_PG_PORT=//p' "$dir/env")
	run_on "$port"
}

case "$cmd" in
start) start ;;
stop) stop ;;
down) down ;;
up) up ;;
*) echo "usage: pg.sh start|stop|down|up DIR" >&2; exit 2 ;;
esac
