# Accounts on PostgreSQL (sourced by run.sh after the RLS checks; $a and
# $b are two counties, $city the largest city, a.db the SQLite twin):
# - init made format 4: users (ids from users_id_seq), sessions, RLS on
#   both, the app role's grants;
# - `liangfu user add/disable/passwd/list` give the same accounts and the
#   same list on both backends (the same auth/ and users_rows.c over
#   store/dbq.h); a login taken is refused on both;
# - row-level security on users mirrors the C access checks: the app
#   role scoped to county A lists, reads and writes county A's accounts
#   only, even by raw SQL; another county's sessions stay hidden;
#   unscoped it sees no account.
pw='Abc1234!xy'
pgadduser() { printf '%s\n' "$pw" | "$bin" user add "$@"; }
pgpasswd() { printf '%s\n' 'Xyz9876?ab' | "$bin" user passwd "$@"; }

equal "$(sqlo "SELECT value FROM meta WHERE key = 'format'")" "liangfu-registry-pg 7" "init writes format 7"
equal "$(sqlo "SELECT string_agg(relname || ':' || relrowsecurity, ',' ORDER BY relname) FROM pg_class WHERE relname IN ('users','sessions')")" \
    "sessions:true,users:true" "row-level security on users and sessions"
equal "$(sqlo "SELECT has_table_privilege('liangfu_app', 'users', 'INSERT') || ':' || has_table_privilege('liangfu_app', 'users', 'DELETE') || ':' || has_table_privilege('liangfu_app', 'sessions', 'DELETE') || ':' || has_sequence_privilege('liangfu_app', 'users_id_seq', 'USAGE')")" \
    "true:false:true:true" "the app role: insert and update accounts (no delete), sessions in full"
# the unit tests ran on this database: start from no account
sqlo "DELETE FROM sessions; DELETE FROM users"
for db in "$owner" a.db; do
	expect 0 "user add county A $db" -- pgadduser "$db" --login cnty_a --role county --region "$a"
	expect 0 "user add county B $db" -- pgadduser "$db" --login cnty_b --role county --region "$b"
	expect 0 "user add city $db" -- pgadduser "$db" --login city_a --role city --region "${a%??}"
	expect 0 "user add province $db" -- pgadduser "$db" --login prov --role province --region 51
	expect 0 "user add department $db" -- pgadduser "$db" --login dept_a --role department --region "$a" --department civil
	expect 1 "a login taken $db" -- pgadduser "$db" --login cnty_b --role county --region "$a"
	contains err "login already taken" "the refusal names why"
	expect 0 "user disable $db" -- "$bin" user disable "$db" --login cnty_b
	expect 0 "user passwd $db" -- pgpasswd "$db" --login city_a
	expect 0 "user list $db" -- "$bin" user list "$db"
	cp out "list-$(basename "$db").txt"
	expect 0 "user list --region A $db" -- "$bin" user list "$db" --region "$a"
	cp out "lista-$(basename "$db").txt"
done
same list-liangfu.txt list-a.db.txt "user list: the same accounts on both backends"
same lista-liangfu.txt lista-a.db.txt "user list --region: the same on both backends"
contains list-liangfu.txt "cnty_b	county	$b	-	disabled" "disabled on PostgreSQL"
contains list-liangfu.txt "dept_a	department	$a	civil	active" "the department kept"
equal "$(wc -l <list-liangfu.txt)" "5" "five accounts listed"
equal "$(sqlo "SELECT count(*) FROM users WHERE pw_hash LIKE '\$argon2id\$%'")" "5" "passwords stored as Argon2id hashes"
# through the app role, scoped to county A: A's accounts only
expect 0 "user list through the app role, county A" -- "$bin" user list "$web" --region "$a"
equal "$(cut -f1 out | tr '\n' ' ')" "cnty_a dept_a " "the app role lists county A's accounts"
sqlwa() { sqlw "BEGIN; SET LOCAL liangfu.region = '$1'; $2; COMMIT" | grep -v '^BEGIN\|^COMMIT\|^SET'; }
equal "$(sqlwa "$a" "SELECT count(*) FROM users WHERE region LIKE '$b%' OR region = '51'")" "0" \
    "county A reads no account of county B or the province by raw SQL"
equal "$(sqlwa "$a" "SELECT string_agg(login, ',' ORDER BY login) FROM users")" "cnty_a,dept_a" \
    "county A sees its own accounts"
equal "$(sqlwa "${a%??}" "SELECT count(*) FROM users")" "4" "the city sees its accounts and its counties'"
equal "$(sqlw 'SELECT count(*) FROM users')" "0" "unscoped, the app role sees no account"
contains_sql "BEGIN; SET LOCAL liangfu.region = '$a'; INSERT INTO users(login, role, region, pw_hash, created_at, updated_at, pw_changed_at) VALUES ('evil', 'county', '$b', 'x', 1, 1, 1); COMMIT" \
    "row-level security" "county A cannot add an account in county B"
equal "$(sqlwa "$a" "UPDATE users SET disabled = 0 WHERE login = 'cnty_b' RETURNING id" | grep -c .)" "0" \
    "county A cannot change county B's account"
equal "$(sqlo "SELECT disabled FROM users WHERE login = 'cnty_b'")" "1" "county B's account unchanged"
# a session of county B's account: hidden from county A
sqlo "INSERT INTO sessions(token_hash, user_id, csrf, created_at, last_seen, expires_at) SELECT decode(repeat('ab', 32), 'hex'), id, 'c', 1, 1, 9 FROM users WHERE login = 'cnty_b'"
equal "$(sqlwa "$a" "SELECT count(*) FROM sessions")" "0" "county A sees no session of county B"
equal "$(sqlwa "$b" "SELECT count(*) FROM sessions")" "1" "county B sees its own"
equal "$(sqlwa "$a" "DELETE FROM sessions RETURNING id" | grep -c .)" "0" "county A deletes no session of county B"
