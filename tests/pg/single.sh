# Single survey and person writes on PostgreSQL (issue 18), sourced by
# run.sh (its helpers, $bin, $owner, $tmp, $here): store_survey_put()
# outside a bulk load, alone and in store_begin()'s transaction
# (test_put_single: the same source as on SQLite in `make unit-test`:
# versions, conflicts, the reason rule, history rows, rollback, a
# transaction scoped through the app role, two writers at once), in a
# database of its own (its persons would change
# the counts and ids the other checks compare); then the API tests of
# tests/api/test_api.c through HTTP (a database per test group made by
# apiclient.c, the server through the app role), the tests that meet a
# route not on PostgreSQL yet skipped and named (today none: only the
# SQLite checkpoint test is skipped).
unit_dir=$(dirname "$bin")
$LF_PG_PSQL -U postgres -d postgres -c "CREATE DATABASE single OWNER liangfu_owner"
$LF_PG_PSQL -U postgres -d single -c "REVOKE ALL ON SCHEMA public FROM PUBLIC; GRANT USAGE ON SCHEMA public TO liangfu_app; ALTER SCHEMA public OWNER TO liangfu_owner;"
single="${owner%/liangfu}/single"
rm -f "$tmp/single.key"
expect 0 "init a registry for the single writes" -- env LIANGFU_KEY_FILE="$tmp/single.key" "$bin" init "$single"
if LIANGFU_TEST_PG_URL="$single" LIANGFU_TEST_PG_WEB_URL="${web%/liangfu}/single" \
    LIANGFU_KEY_FILE="$tmp/single.key" ASAN_OPTIONS=detect_leaks=1 \
    "$unit_dir/test_put_single" >"$tmp/unit.out" 2>&1; then ok; else
	bad "test_put_single on PostgreSQL"; tail -30 "$tmp/unit.out" >&2; fi
contains "$tmp/unit.out" "test_put_single: on PostgreSQL" "test_put_single ran on PostgreSQL"
contains "$tmp/unit.out" "PASSED  \] 6 test" "every single-write test passed on PostgreSQL (the scoped one through the app role)"

# test_api on PostgreSQL: it runs from the source tree (web/, build/test/
# liangfu), as `make api-test` does
api_out="$tmp/test_api.out"
if (cd "$here/../.." && LIANGFU_TEST_PG_URL="$owner" LIANGFU_TEST_PG_WEB_URL="$web" \
    LIANGFU_TEST_PG_ADMIN_URL="postgresql://postgres@127.0.0.1:$LF_PG_PORT/postgres" \
    ASAN_OPTIONS=detect_leaks=1 "$unit_dir/test_api") >"$api_out" 2>&1; then ok; else
	bad "test_api on PostgreSQL"; grep -v '^ *#' "$api_out" | tail -30 >&2; fi
contains "$api_out" "PASSED  \] 10 test" "10 API tests passed on PostgreSQL"
# the one skipped names why; no test meets a route not on PostgreSQL
contains "$api_out" "SKIPPED \] test_idle_reader_lets_checkpoint" "the checkpoint test skipped on PostgreSQL"
if grep -q "route not there yet" "$api_out"; then bad "an API test met a route not on PostgreSQL"; grep "route not there yet" "$api_out" >&2; else ok; fi
contains "$api_out" "SKIP .*SQLite's WAL checkpoint" "the checkpoint test says why"
equal "$($LF_PG_PSQL -U postgres -d postgres -At -c "SELECT count(*) FROM pg_database WHERE datname LIKE 'lf_api_%'")" 0 \
    "the API groups' databases are dropped"
