#!/bin/sh
# audit_words.sh - every action, target type and result that the code
# writes to the audit log has words in Chinese and English in
# src/server/api/h_audit.c's tables, so the audit screen and its xlsx never show
# a raw code (issue 14, point 5). Run from the source tree's top.
set -eu
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# written: the literal arguments of every *audit*(ctx, "action", "target",
# id, "result", ...) call, and every entry filled field by field
perl -0777 -ne '
	while (/\b\w*audit\w*\(\s*[\w>&.-]+,\s*"([a-z_]+\.[a-z_]+)"(?:,\s*"([a-z_]+)")?(?:,\s*[^,()]+,\s*"([a-z_]+)")?/g) {
		print "action $1\n";
		print "target $2\n" if defined $2;
		print "result $3\n" if defined $3;
	}
	print "action $1\n" while /\.action = "([a-z_]+\.[a-z_]+)"/g;
	print "target $1\n" while /\.target_type = "([a-z_]+)"/g;
	print "result $1\n" while /\.result = "([a-z_]+)"/g;
' src/*/*.c src/*/*/*.c | sort -u >"$tmp/written"
# worded: the rows of the three tables
perl -0777 -ne '
	for my $t (["actions", "action"], ["results", "result"],
	    ["targets", "target"]) {
		my ($name, $kind) = @$t;
		next unless /static const struct label $name\[\] = \{(.*?)\n\};/s;
		my $body = $1;
		print "$kind $1\n" while $body =~ /\{ "([a-z_.]+)", "[^"]+",/g;
	}
' src/server/api/h_audit.c | sort -u >"$tmp/worded"
# detail keys: every "key=" an audit detail is written with (a snprintf
# into detail or kv, http_audit_kv()) has its words in
# src/server/api/audit_detail.c's keys[], so the audit screen names it
# (and its value: a region by name) instead of showing the code
perl -0777 -ne '
	while (/snprintf\(\s*(?:detail|kv)\b(.*?)\);/gs) {
		my $call = $1;
		while ($call =~ /"([^"]*)"/g) {
			my $lit = $1;
			print "detail $1\n" while $lit =~ /(?:^|\s)([a-z_]+)=%/g;
		}
	}
	print "detail $1\n" while /http_audit_kv\(\s*HTTP_AUDIT_KV,\s*"([a-z_]+)"/g;
' src/*/*.c src/*/*/*.c | sort -u >>"$tmp/written"
sort -u -o "$tmp/written" "$tmp/written"
perl -ne 'print "detail $1\n" if /^\t\{ "([a-z_]+)", "[^"]+", "[^"]+", V_/' \
    src/server/api/audit_detail.c >>"$tmp/worded"
sort -u -o "$tmp/worded" "$tmp/worded"
missing=$(comm -23 "$tmp/written" "$tmp/worded")
n=$(wc -l <"$tmp/written")
if [ -n "$missing" ]; then
	echo "audit codes without words in src/server/api/h_audit.c (detail keys:
	src/server/api/audit_detail.c):" >&2
	echo "$missing" >&2
	echo "audit words: 0 passed, 1 failed"
	exit 1
fi
echo "audit words: $n codes worded; 1 passed, 0 failed"
