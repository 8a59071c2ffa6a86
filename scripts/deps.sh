#!/bin/sh
# Install the Debian packages that building and testing liangfu needs, if any
# are missing. Runs apt-get update once, then apt-get install. As a non-root
# user it prints the missing packages and the command to run, and fails.
# `deps.sh e2e` adds what the browser tests need (make test-e2e): Debian's
# chromium and a font with Chinese characters for the screenshots;
# `deps.sh bench` what make bench needs besides (nginx, GNU time).
# xlsx2csv is needed at run time too: it reads .xlsx rosters and stock
# files (src/io/xlsx_csv.h; Debian has no C library that reads xlsx).
set -eu
PKGS="gcc make pkg-config libc6-dev libsqlite3-dev libssl-dev libcmocka-dev \
libjansson-dev libsodium-dev libmicrohttpd-dev libxlsxwriter-dev libinih-dev \
sqlite3 libcurl4-openssl-dev unzip jq curl wrk postgresql-15 libpq-dev \
xlsx2csv"
E2E_PKGS="chromium fonts-wqy-zenhei"
# make bench only: nginx serves the static baseline of bench/api.sh,
# /usr/bin/time gives peak RSS
BENCH_PKGS="nginx-light time"
case "${1:-}" in
e2e) PKGS="$PKGS $E2E_PKGS" ;;
bench) PKGS="$PKGS $BENCH_PKGS" ;;
"") ;;
*) echo "usage: deps.sh [e2e|bench]" >&2; exit 2 ;;
esac
missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "liangfu: missing Debian packages:$missing" >&2
	echo "liangfu: install them as root: apt-get update && apt-get install -y$missing" >&2
	exit 1
fi
echo "liangfu: installing missing Debian packages:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
apt-get install -y -q --no-install-recommends $missing >&2
