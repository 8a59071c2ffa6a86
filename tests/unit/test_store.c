/*
 * test_store.c - the SQLite store: create/open, puts with history,
 * optimistic concurrency, secrets at rest, scans, schema growth.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/embedded.h"
#include "store/stats_gen.h"
#include "store/store.h"
#include "crypto/crypto.h"
#include "testutil.h"

struct fx {
	char		 dir[64];
	char		 db[128];
	struct store	*s;
	struct record	*r;
};

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	fx->s = tu_store_new(fx->dir, fx->db, "t.db");
	fx->r = record_new(tu_catalog());
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	store_close(fx->s);
	record_free(fx->r);
	tu_rmdir(fx->dir);
	free(fx);
	return 0;
}

static int
put(struct fx *fx, int year, int64_t expect, struct store_put_result *res,
    struct lf_error *err)
{
	struct store_put p = { year, 0, "tester", expect,
	    tu_days("2026-11-29") };

	lf_error_clear(err);
	return store_survey_put(fx->s, fx->r, &p, res, err);
}

static int64_t
count(struct fx *fx, const char *what)
{
	struct lf_error err;
	int64_t n;

	assert_int_equal(store_count(fx->s, what, &n, &err), 0);
	return n;
}

static void
test_create_open(void **state)
{
	struct fx *fx = *state;
	char key[160];
	struct stat sb;
	struct lf_error err;
	struct store *s2;

	snprintf(key, sizeof(key), "%s.key", fx->db);
	assert_int_equal(stat(key, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(store_create(fx->db, tu_catalog(), &err), -1);
	assert_string_equal(err.code, "exists");
	/* a database without its key file does not open */
	assert_int_equal(rename(key, "/tmp/liangfu-moved.key"), 0);
	assert_int_equal(store_open(fx->db, tu_catalog(), NULL, &s2, &err),
	    -1);
	assert_string_equal(err.code, "keys");
	assert_int_equal(rename("/tmp/liangfu-moved.key", key), 0);
	/* a file that is not ours */
	snprintf(key, sizeof(key), "%s/other.db", fx->dir);
	fclose(fopen(key, "w"));
	assert_int_equal(store_open(key, tu_catalog(), NULL, &s2, &err), -1);
}

/* Opening a database takes no write lock once it is set up: a server
 * opens a connection per worker while a writer may hold the lock, and an
 * open that waited for it (an INSERT that inserted nothing registering the
 * catalog's layout) waited the whole busy timeout and failed. */
static void
test_open_beside_writer(void **state)
{
	struct fx *fx = *state;
	struct lf_error err;
	struct store *s2;
	time_t t0;
	sqlite3 *db;

	assert_int_equal(sqlite3_open(fx->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL,
	    NULL), SQLITE_OK);
	t0 = time(NULL);
	assert_int_equal(store_open(fx->db, tu_catalog(), NULL, &s2, &err),
	    0);
	/* waiting for the lock would take the busy timeout, 10 s */
	assert_true(time(NULL) - t0 < 5);
	store_close(s2);
	assert_int_equal(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
}

/* A key file that is not the database's (one digit changed, another
 * database's) is refused at open with code "keys"; a database without
 * the check value gets it from its next open (store/keycheck.h). */
static void
test_key_mismatch(void **state)
{
	struct fx *fx = *state;
	char key[160], other[160], saved[160], cmd[1400];
	struct lf_error err;
	struct store *s2;
	sqlite3 *db;

	snprintf(key, sizeof(key), "%s.key", fx->db);
	snprintf(saved, sizeof(saved), "%s/saved.key", fx->dir);
	snprintf(other, sizeof(other), "%s/other.db", fx->dir);
	/* the enc key's last digit changed */
	snprintf(cmd, sizeof(cmd), "cp -p %s %s && awk 'NR == 2 { c = "
	    "substr($0, length($0)); $0 = substr($0, 1, length($0) - 1) "
	    "(c == \"0\" ? \"1\" : \"0\") } { print }' %s > %s.new && "
	    "mv %s.new %s && chmod 600 %s", key, saved, saved, key, key, key,
	    key);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(store_open(fx->db, tu_catalog(), NULL, &s2, &err),
	    -1);
	assert_string_equal(err.code, "keys");
	assert_non_null(strstr(err.message, "does not match"));
	/* another database's key file */
	assert_int_equal(store_create(other, tu_catalog(), &err), 0);
	snprintf(cmd, sizeof(cmd), "cp -p %s.key %s", other, key);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(store_open(fx->db, tu_catalog(), NULL, &s2, &err),
	    -1);
	assert_string_equal(err.code, "keys");
	/* the right one; a database without the check value gets it */
	snprintf(cmd, sizeof(cmd), "cp -p %s %s", saved, key);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(sqlite3_open(fx->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "DELETE FROM meta WHERE key = "
	    "'key_check'", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_open(fx->db, tu_catalog(), NULL, &s2, &err),
	    0);
	store_close(s2);
	/* written: the other key is refused again, not trusted */
	snprintf(cmd, sizeof(cmd), "cp -p %s.key %s", other, key);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(store_open(fx->db, tu_catalog(), NULL, &s2, &err),
	    -1);
	snprintf(cmd, sizeof(cmd), "cp -p %s %s", saved, key);
	assert_int_equal(system(cmd), 0);
}

static void
test_put_get(void **state)
{
	struct fx *fx = *state;
	struct store_put_result res;
	struct store_person p;
	struct lf_error err;
	struct record *back = record_new(tu_catalog());
	int64_t version;
	size_t i;

	tu_valid_person(fx->r, 5);
	if (put(fx, 2024, 0, &res, &err) != 0)
		fail_msg("%s", err.message);
	assert_true(res.created_person && res.created_survey);
	assert_int_equal(res.version, 1);
	assert_int_equal(strlen(res.uid), 32);
	assert_int_equal(store_person_by_idnum(fx->s, tu_id(5), &p, &err), 0);
	assert_string_equal(p.id_number, tu_id(5));
	assert_string_equal(p.name, "张三");
	assert_string_equal(p.birth_date, "1985-06-15");
	assert_string_equal(p.region, "510104017001");
	assert_int_equal(p.status, PERSON_ACTIVE);
	assert_int_equal(store_person_by_idnum(fx->s, tu_id(6), &p, &err), 1);
	assert_int_equal(store_person_by_idnum(fx->s, tu_id(5), &p, &err), 0);
	assert_int_equal(store_survey_get(fx->s, p.id, 2024, back, &version,
	    &err), 0);
	for (i = 0; i < tu_catalog()->nfields; i++)
		if (!record_field_equal(fx->r, back, (int)i))
			fail_msg("%s differs", tu_catalog()->fields[i].code);
	assert_int_equal(store_survey_get(fx->s, p.id, 2023, back, &version,
	    &err), 1);
	/* the same again changes nothing */
	assert_int_equal(put(fx, 2024, 0, &res, &err), 0);
	assert_false(res.created_person || res.created_survey);
	assert_int_equal(res.changed, 0);
	assert_int_equal(count(fx, "history"), 0);
	record_free(back);
}

/* How many of the bulk load's dropped indexes the file has again. */
static int
indexes_present(struct fx *fx)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int n = -1;

	assert_int_equal(sqlite3_open(fx->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM "
	    "sqlite_master WHERE type = 'index' AND name IN "
	    "('persons_id_hash', 'surveys_id', 'persons_uid', "
	    "'surveys_year')", -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

/*
 * A bulk load into an empty registry drops the indexes, the unique ones
 * on the ID hash and the survey id included, and numbers the surveys
 * itself: the same person twice in the load is still one person (found
 * without the index), the ids are 1..n, and the indexes are back after
 * the commit, or after a rollback.
 */
static void
test_bulk_empty(void **state)
{
	struct fx *fx = *state;
	struct store_put_result res;
	struct store_person p;
	struct lf_error err;
	const struct field *name = catalog_find(tu_catalog(), "name", 4);

	assert_int_equal(indexes_present(fx), 4);
	assert_int_equal(store_begin_bulk(fx->s, &err), 0);
	tu_valid_person(fx->r, 5);
	assert_int_equal(put(fx, 2024, 0, &res, &err), 0);
	assert_true(res.created_person);
	store_rollback(fx->s);
	assert_int_equal(count(fx, "persons"), 0);
	assert_int_equal(indexes_present(fx), 4);

	assert_int_equal(store_begin_bulk(fx->s, &err), 0);
	assert_int_equal(put(fx, 2024, 0, &res, &err), 0);
	tu_valid_person(fx->r, 6);
	assert_int_equal(put(fx, 2024, 0, &res, &err), 0);
	assert_true(res.created_person);
	tu_valid_person(fx->r, 5);
	assert_non_null(name);
	assert_int_equal(record_set_str(fx->r, name->index, "李四"), 0);
	if (put(fx, 2024, 0, &res, &err) != 0)
		fail_msg("%s", err.message);
	assert_false(res.created_person || res.created_survey);
	assert_true(res.person_changed && res.changed > 0);
	assert_int_equal(store_commit(fx->s, &err), 0);
	assert_int_equal(indexes_present(fx), 4);
	assert_int_equal(count(fx, "persons"), 2);
	assert_int_equal(count(fx, "surveys"), 2);
	assert_int_equal(store_person_by_idnum(fx->s, tu_id(5), &p, &err), 0);
	assert_string_equal(p.name, "李四");
	assert_int_equal(store_person_by_idnum(fx->s, tu_id(6), &p, &err), 0);
	/* the next survey after the load gets the next id (the unique
	 * index would refuse a number the load gave) */
	tu_valid_person(fx->r, 7);
	if (put(fx, 2024, 0, &res, &err) != 0)
		fail_msg("%s", err.message);
	assert_int_equal(count(fx, "surveys"), 3);
}

static uint64_t
write_gen(struct fx *fx)
{
	struct lf_error err;
	uint64_t g = 0;

	if (stats_gen_get(fx->s, &g, &err) != 0)
		fail_msg("stats_gen_get: %s", err.message);
	return g;
}

/* Two new persons, then the first with a changed name and survey. */
static void
three_puts(struct fx *fx, int a, int b)
{
	struct store_put_result res;
	struct lf_error err;
	const struct field *name = catalog_find(tu_catalog(), "name", 4);

	assert_non_null(name);
	tu_valid_person(fx->r, a);
	assert_int_equal(put(fx, 2024, 0, &res, &err), 0);
	tu_valid_person(fx->r, b);
	assert_int_equal(put(fx, 2024, 0, &res, &err), 0);
	tu_valid_person(fx->r, a);
	assert_int_equal(record_set_str(fx->r, name->index, "李四"), 0);
	tu_set(fx->r, "contact_mobile", "13900000002");
	if (put(fx, 2024, 0, &res, &err) != 0)
		fail_msg("%s", err.message);
	assert_true(res.person_changed && res.changed > 0);
}

/*
 * A bulk load holds the triggers off and moves the write counter once,
 * at its commit: by as much as the triggers move it for the same writes
 * outside a load (inserts and updates of persons and surveys), and not at
 * all when it rolls back.
 */
static void
test_bulk_write_counter(void **state)
{
	struct fx *fx = *state;
	struct lf_error err;
	uint64_t g0, g1, g2;

	g0 = write_gen(fx);
	three_puts(fx, 5, 6);
	g1 = write_gen(fx);
	assert_true(g1 > g0);
	assert_int_equal(store_begin_bulk(fx->s, &err), 0);
	three_puts(fx, 7, 8);
	store_rollback(fx->s);
	assert_int_equal(write_gen(fx), g1);
	assert_int_equal(store_begin_bulk(fx->s, &err), 0);
	three_puts(fx, 7, 8);
	assert_int_equal(store_commit(fx->s, &err), 0);
	g2 = write_gen(fx);
	assert_int_equal(g2 - g1, g1 - g0);
	/* and the triggers are back after it */
	three_puts(fx, 9, 10);
	assert_int_equal(write_gen(fx) - g2, g1 - g0);
}

struct hist {
	int	 n;
	char	 last[2048];
	char	 entity[16];
};

static int
on_change(void *arg, const struct store_change *c)
{
	struct hist *h = arg;

	h->n++;
	snprintf(h->last, sizeof(h->last), "%s", c->changes);
	snprintf(h->entity, sizeof(h->entity), "%s", c->entity);
	return 0;
}

static void
test_history(void **state)
{
	struct fx *fx = *state;
	struct store_put_result res;
	struct store_person p;
	struct lf_error err;
	struct hist h = { 0, "", "" };

	tu_valid_person(fx->r, 5);
	assert_int_equal(put(fx, 2024, 0, &res, &err), 0);
	tu_set(fx->r, "aid_wheelchair", "否");
	tu_set(fx->r, "contact_mobile", "13900000002");
	assert_int_equal(put(fx, 2024, 0, &res, &err), 0);
	assert_int_equal(res.changed, 2);
	assert_int_equal(res.version, 2);
	assert_int_equal(store_person_by_idnum(fx->s, tu_id(5), &p, &err), 0);
	assert_int_equal(store_history(fx->s, p.id, on_change, &h, &err), 0);
	assert_int_equal(h.n, 1);
	assert_non_null(strstr(h.last, "\"aid_wheelchair\":{\"new\":\"否\","
	    "\"old\":\"是\"}"));
	/* secrets are masked in history, the sealed old value kept */
	assert_null(strstr(h.last, "13800000001"));
	assert_non_null(strstr(h.last, "old_sealed"));
	/* a person-level change is history too */
	tu_set(fx->r, "name", "张小三");
	tu_set(fx->r, "contact_name", "张小三");
	assert_int_equal(put(fx, 2024, 0, &res, &err), 0);
	h.n = 0;
	assert_int_equal(store_history(fx->s, p.id, on_change, &h, &err), 0);
	assert_int_equal(h.n, 3);
	assert_string_equal(h.entity, "survey");
	assert_int_equal(store_person_by_idnum(fx->s, tu_id(5), &p, &err), 0);
	assert_string_equal(p.name, "张小三");
	assert_int_equal(p.version, 2);
}

static void
test_conflict_and_invalid(void **state)
{
	struct fx *fx = *state;
	struct store_put_result res;
	struct lf_error err;

	tu_valid_person(fx->r, 5);
	assert_int_equal(put(fx, 2024, 0, &res, &err), 0);
	tu_set(fx->r, "aid_wheelchair", "否");
	if (put(fx, 2024, 1, &res, &err) != 0)
		fail_msg("%s", err.message);
	assert_int_equal(res.version, 2);
	tu_set(fx->r, "aid_wheelchair", "是");
	assert_int_equal(put(fx, 2024, 1, &res, &err), -1);
	assert_string_equal(err.code, "conflict");
	assert_int_equal(count(fx, "history"), 1);
	/* invalid: nothing written */
	tu_valid_person(fx->r, 8);
	tu_set(fx->r, "gender", "1");
	assert_int_equal(put(fx, 2024, 0, &res, &err), -1);
	assert_string_equal(err.code, "gender_mismatch");
	assert_int_equal(count(fx, "persons"), 1);
	assert_int_equal(count(fx, "surveys"), 1);
	tu_valid_person(fx->r, 8);
	assert_int_equal(put(fx, 1900, 0, &res, &err), -1);
	assert_string_equal(err.code, "bad_year");
	assert_int_equal(put(fx, 2023, 0, &res, &err), -1);
	assert_string_equal(err.code, "wrong_year");
}

static void
test_secrets_at_rest(void **state)
{
	struct fx *fx = *state;
	struct store_put_result res;
	struct store_person p;
	struct lf_error err;
	sqlite3 *db;
	char wal[160];
	int64_t version;

	tu_valid_person(fx->r, 5);
	assert_int_equal(put(fx, 2024, 0, &res, &err), 0);
	tu_valid_person(fx->r, 6);
	assert_int_equal(put(fx, 2024, 0, &res, &err), 0);
	snprintf(wal, sizeof(wal), "%s-wal", fx->db);
	assert_false(tu_file_has(fx->db, tu_id(5), strlen(tu_id(5))));
	assert_false(tu_file_has(wal, tu_id(5), strlen(tu_id(5))));
	assert_false(tu_file_has(wal, "13800000001", strlen("13800000001")));
	assert_true(tu_file_has(wal, "张三", strlen("张三")));	/* names are plain */
	/* a sealed value moved to another row fails authentication */
	assert_int_equal(sqlite3_open(fx->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "UPDATE persons SET id_enc = "
	    "(SELECT id_enc FROM persons WHERE id = 1) WHERE id = 2",
	    NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	tu_poke_sealed(fx->db, "contact_mobile", 1, 2, NULL, 0);
	/* lookups do not open the ID number; opening it fails */
	assert_int_equal(store_person_by_idnum(fx->s, tu_id(6), &p, &err), 0);
	assert_int_equal(store_person_open_id(fx->s, &p, &err), -1);
	assert_string_equal(err.code, "corrupt");
	assert_int_equal(store_survey_get(fx->s, 2, 2024, fx->r, &version,
	    &err), -1);
	assert_string_equal(err.code, "corrupt");
	assert_string_equal(err.field, "contact_mobile");
}

/* The hash in column `col` of the first survey row (static storage). */
static const unsigned char *
survey_hash(struct fx *fx, const char *col)
{
	static unsigned char h[CRYPTO_HASH_LEN];
	char sql[128];
	sqlite3 *db;
	sqlite3_stmt *st;

	snprintf(sql, sizeof(sql), "SELECT %s FROM surveys ORDER BY id "
	    "LIMIT 1", col);
	assert_int_equal(sqlite3_open(fx->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_bytes(st, 0), CRYPTO_HASH_LEN);
	memcpy(h, sqlite3_column_blob(st, 0), CRYPTO_HASH_LEN);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return h;
}

/* Every ID number item is hashed in the one "id_number" domain, whether
 * it is the person's own (reused from the person's hash) or another's:
 * a householder's ID finds the householder's own record. */
static void
test_id_hashes(void **state)
{
	struct fx *fx = *state;
	struct store_put_result res;
	struct crypto_keys *k;
	struct lf_error err;
	unsigned char want[CRYPTO_HASH_LEN];
	char key[160], msg[128];

	tu_valid_person(fx->r, 5);
	tu_set(fx->r, "relation_to_householder", "2");	/* 子 */
	tu_set(fx->r, "householder_id_number", tu_id(6));
	if (put(fx, 2024, 0, &res, &err) != 0)
		fail_msg("%s", err.message);
	snprintf(key, sizeof(key), "%s.key", fx->db);
	assert_int_equal(crypto_keys_load(key, &k, msg, sizeof(msg)), 0);
	assert_int_equal(crypto_lookup_hash(k, "id_number", tu_id(5),
	    strlen(tu_id(5)), want), 0);
	assert_memory_equal(survey_hash(fx, "id_number_hash"), want,
	    CRYPTO_HASH_LEN);
	assert_int_equal(crypto_lookup_hash(k, "id_number", tu_id(6),
	    strlen(tu_id(6)), want), 0);
	assert_memory_equal(survey_hash(fx, "householder_id_number_hash"),
	    want, CRYPTO_HASH_LEN);
	/* the person is the householder: the same hash as the person's */
	tu_set(fx->r, "relation_to_householder", "0");
	tu_set(fx->r, "householder_id_number", tu_id(5));
	if (put(fx, 2024, 0, &res, &err) != 0)
		fail_msg("%s", err.message);
	assert_int_equal(crypto_lookup_hash(k, "id_number", tu_id(5),
	    strlen(tu_id(5)), want), 0);
	assert_memory_equal(survey_hash(fx, "householder_id_number_hash"),
	    want, CRYPTO_HASH_LEN);
	crypto_keys_free(k);
}

struct scan_count {
	int	 n;
	char	 last_region[13];
};

static int
on_row(void *arg, const struct store_person *p, const struct record *r)
{
	struct scan_count *c = arg;

	(void)r;
	c->n++;
	snprintf(c->last_region, sizeof(c->last_region), "%s", p->region);
	return 0;
}

static void
test_scan(void **state)
{
	struct fx *fx = *state;
	struct store_put_result res;
	struct lf_error err;
	struct scan_count c = { 0, "" };

	tu_valid_person(fx->r, 5);
	assert_int_equal(put(fx, 2024, 0, &res, &err), 0);
	tu_valid_person(fx->r, 6);
	tu_set(fx->r, "hukou_region", "510105002002");
	assert_int_equal(put(fx, 2024, 0, &res, &err), 0);
	assert_int_equal(store_scan_surveys(fx->s, 2024, NULL, on_row, &c,
	    &err), 0);
	assert_int_equal(c.n, 2);
	c.n = 0;
	assert_int_equal(store_scan_surveys(fx->s, 2024, regions_find(
	    tu_regions(), "510105"), on_row, &c, &err), 0);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.last_region, "510105002002");
	c.n = 0;
	assert_int_equal(store_scan_surveys(fx->s, 2023, NULL, on_row, &c,
	    &err), 0);
	assert_int_equal(c.n, 0);
}

/* Every field of a and b equal. */
static int
records_equal(const struct record *a, const struct record *b)
{
	size_t i;

	for (i = 0; i < tu_catalog()->nfields; i++)
		if (!record_field_equal(a, b, (int)i))
			return 0;
	return 1;
}

static int
count_row(void *arg, const struct store_person *p, const struct record *r)
{
	(void)p;
	(void)r;
	++*(int *)arg;
	return 0;
}

/* The cursor leaves secrets sealed until store_sealed_open(), which then
 * gives what store_survey_get() reads; a moved sealed value fails there,
 * and stops a scan with an error however many rows went well before. */
static void
test_cursor(void **state)
{
	struct fx *fx = *state;
	const struct field *mobile = catalog_find(tu_catalog(),
	    "contact_mobile", strlen("contact_mobile"));
	struct store_put_result res;
	struct store_cursor *c;
	struct store_sealed *sv = store_sealed_new(tu_catalog());
	struct record *r = record_new(tu_catalog());
	struct record *want = record_new(tu_catalog());
	struct store_person p;
	struct lf_error err;
	int64_t version;
	int rows = 0;

	assert_non_null(mobile);
	tu_valid_person(fx->r, 5);
	assert_int_equal(put(fx, 2024, 0, &res, &err), 0);
	tu_valid_person(fx->r, 6);
	assert_int_equal(put(fx, 2024, 0, &res, &err), 0);
	assert_int_equal(store_survey_get(fx->s, 1, 2024, want, &version, &err),
	    0);
	assert_int_equal(store_cursor_open(fx->s, 2024, NULL, &c, &err), 0);
	assert_int_equal(store_cursor_next(c, &p, r, sv, &err), 1);
	assert_string_equal(p.id_number, "");
	assert_false(r->set[mobile->index]);
	assert_int_equal(store_sealed_open(fx->s, sv, r, &err), 0);
	assert_true(r->set[mobile->index]);
	assert_true(records_equal(r, want));
	assert_int_equal(store_cursor_next(c, &p, r, sv, &err), 1);
	assert_int_equal(store_cursor_next(c, &p, r, sv, &err), 0);
	store_cursor_close(c);

	tu_poke_sealed(fx->db, "contact_mobile", 1, 2, NULL, 0);
	/* the first row is good, the second is not */
	assert_int_equal(store_scan_surveys(fx->s, 2024, NULL, count_row, &rows,
	    &err), -1);
	assert_int_equal(rows, 1);
	assert_string_equal(err.field, "contact_mobile");
	tu_poke_sealed(fx->db, "contact_landline", 0, 1, "", 1);
	assert_int_equal(store_cursor_open(fx->s, 2024, NULL, &c, &err), 0);
	assert_int_equal(store_cursor_next(c, &p, r, sv, &err), 1);
	assert_int_equal(store_sealed_open(fx->s, sv, r, &err), -1);
	assert_string_equal(err.code, "corrupt");
	assert_string_equal(err.field, "contact_landline");
	assert_int_equal(store_cursor_next(c, &p, r, sv, &err), 1);
	assert_int_equal(store_sealed_open(fx->s, sv, r, &err), -1);
	assert_string_equal(err.field, "contact_mobile");
	store_cursor_close(c);
	/* a value too long to be sealed stops the cursor itself */
	{
		static const unsigned char zeros[1000];

		tu_poke_sealed(fx->db, "contact_landline", 0, 1, zeros,
		    sizeof(zeros));
	}
	assert_int_equal(store_cursor_open(fx->s, 2024, NULL, &c, &err), 0);
	assert_int_equal(store_cursor_next(c, &p, r, sv, &err), -1);
	assert_string_equal(err.code, "corrupt");
	assert_string_equal(err.field, "contact_landline");
	assert_string_not_equal(p.uid, "");	/* the row can be named */
	store_cursor_close(c);
	store_sealed_free(sv);
	record_free(r);
	record_free(want);
}

static void
test_schema_grows(void **state)
{
	struct fx *fx = *state;
	struct embedded_file f;
	struct catalog *big;
	struct store *s2;
	struct lf_error err;
	char *text;
	static const char extra[] = "need\tnew_need\t新需求\tNew need\tbool\t"
	    "\tn\t\t\t\n";

	(void)state;
	assert_int_equal(embedded_get("data/catalog.tsv", &f), 0);
	text = malloc(f.len + sizeof(extra));
	memcpy(text, f.data, f.len);
	memcpy(text + f.len, extra, sizeof(extra));
	assert_int_equal(catalog_parse(text, f.len + sizeof(extra) - 1, "big",
	    &big, &err), 0);
	free(text);
	store_close(fx->s);
	if (store_open(fx->db, big, tu_regions(), &s2, &err) != 0)
		fail_msg("%s", err.message);
	store_close(s2);
	catalog_free(big);
	assert_int_equal(store_open(fx->db, tu_catalog(), tu_regions(),
	    &fx->s, &err), 0);
}

static int
group_teardown(void **state)
{
	(void)state;
	tu_env_free();
	return 0;
}

struct each_seen {
	int	 years[8];
	int64_t	 versions[8];
	int	 n, stop_at;
	char	 name[64];
};

static int
each_fn(void *arg, int year, int64_t version, const struct record *r)
{
	struct each_seen *e = arg;
	const struct field *f = catalog_find(tu_catalog(), "name", 4);

	e->years[e->n] = year;
	e->versions[e->n++] = version;
	snprintf(e->name, sizeof(e->name), "%s", r->str[f->index]);
	return e->n == e->stop_at ? 7 : 0;
}

/* Every survey of a person in one statement: years ascending, each with
 * its version and items; a stop from fn is returned; no person, no call. */
static void
test_surveys_each(void **state)
{
	struct fx *fx = *state;
	struct store_put_result res;
	struct store_person p;
	struct lf_error err;
	struct each_seen e;
	static const int years[] = { 2024, 2022, 2023 };
	size_t i;

	tu_valid_person(fx->r, 9);
	for (i = 0; i < 3; i++) {
		tu_set(fx->r, "fill_date", years[i] == 2024 ? "2024-05-10" :
		    years[i] == 2023 ? "2023-05-10" : "2022-05-10");
		if (put(fx, years[i], 0, &res, &err) != 0)
			fail_msg("%d: %s", years[i], err.message);
	}
	tu_set(fx->r, "fill_date", "2023-05-10");
	tu_set(fx->r, "aid_wheelchair", "否");
	if (put(fx, 2023, 0, &res, &err) != 0)
		fail_msg("%s", err.message);
	assert_int_equal(store_person_by_idnum(fx->s, tu_id(9), &p, &err), 0);

	memset(&e, 0, sizeof(e));
	assert_int_equal(store_surveys_each(fx->s, p.id, fx->r, each_fn, &e,
	    &err), 0);
	assert_int_equal(e.n, 3);
	assert_int_equal(e.years[0], 2022);
	assert_int_equal(e.years[1], 2023);
	assert_int_equal(e.years[2], 2024);
	assert_int_equal(e.versions[0], 1);
	assert_int_equal(e.versions[1], 2);
	assert_int_equal(e.versions[2], 1);
	assert_string_equal(e.name, p.name);

	memset(&e, 0, sizeof(e));
	e.stop_at = 2;
	assert_int_equal(store_surveys_each(fx->s, p.id, fx->r, each_fn, &e,
	    &err), 7);
	assert_int_equal(e.n, 2);

	memset(&e, 0, sizeof(e));
	assert_int_equal(store_surveys_each(fx->s, 999999, fx->r, each_fn, &e,
	    &err), 0);
	assert_int_equal(e.n, 0);
}

/*
 * A read snapshot: a second connection's update after the snapshot's
 * first read is not seen until store_read_end(); a snapshot is refused
 * inside a transaction.
 */
static void
test_read_snapshot(void **state)
{
	struct fx *fx = *state;
	struct store_put_result res;
	struct store_person p;
	struct lf_error err;
	struct record *back = record_new(tu_catalog());
	struct store *other;
	struct store_put up = { 2024, 0, "other", 0, tu_days("2026-11-29") };
	int64_t version;

	tu_valid_person(fx->r, 7);
	if (put(fx, 2024, 0, &res, &err) != 0)
		fail_msg("%s", err.message);
	assert_int_equal(store_person_by_idnum(fx->s, tu_id(7), &p, &err), 0);
	assert_int_equal(store_open(fx->db, tu_catalog(), tu_regions(), &other,
	    &err), 0);

	assert_int_equal(store_read_begin(fx->s, &err), 0);
	assert_int_equal(store_survey_get(fx->s, p.id, 2024, back, &version,
	    &err), 0);
	assert_int_equal(version, 1);
	tu_set(fx->r, "aid_wheelchair", "否");
	if (store_survey_put(other, fx->r, &up, &res, &err) != 0)
		fail_msg("%s", err.message);
	assert_int_equal(res.version, 2);
	/* still the snapshot */
	assert_int_equal(store_survey_get(fx->s, p.id, 2024, back, &version,
	    &err), 0);
	assert_int_equal(version, 1);
	store_read_end(fx->s);
	assert_int_equal(store_survey_get(fx->s, p.id, 2024, back, &version,
	    &err), 0);
	assert_int_equal(version, 2);

	assert_int_equal(store_begin(fx->s, &err), 0);
	assert_int_equal(store_read_begin(fx->s, &err), -1);
	assert_string_equal(err.code, "internal");
	store_rollback(fx->s);
	store_close(other);
	record_free(back);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_open, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_put_get, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_beside_writer, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bulk_empty, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bulk_write_counter, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_read_snapshot, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_surveys_each, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_history, setup, teardown),
		cmocka_unit_test_setup_teardown(test_conflict_and_invalid,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_mismatch, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_secrets_at_rest, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_id_hashes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_scan, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cursor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_schema_grows, setup,
		    teardown),
	};

	return cmocka_run_group_tests_name("store", tests, NULL,
	    group_teardown);
}
