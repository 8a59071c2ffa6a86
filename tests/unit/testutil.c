/*
 * testutil.c - shared fixtures for the unit tests.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/date.h"
#include "lib/embedded.h"
#include "core/disaster.h"
#include "core/idcard.h"
#include "core/policy.h"
#include "synth/synth.h"
#include "store/dbq.h"
#include "store/store.h"
#include "testutil.h"

static struct catalog *cat;
static struct regions *regs;

static void
load(void)
{
	struct embedded_file f;
	struct lf_error err;

	if (cat != NULL)
		return;
	assert_int_equal(embedded_get("data/catalog.tsv", &f), 0);
	if (catalog_parse(f.data, f.len, f.name, &cat, &err) != 0)
		fail_msg("catalog: %s", err.message);
	assert_int_equal(embedded_get("data/regions-sichuan.tsv", &f), 0);
	if (regions_parse(f.data, f.len, f.name, &regs, &err) != 0)
		fail_msg("regions: %s", err.message);
}

const struct catalog *
tu_catalog(void)
{
	load();
	return cat;
}

const struct regions *
tu_regions(void)
{
	load();
	return regs;
}

void
tu_env_free(void)
{
	catalog_free(cat);
	regions_free(regs);
	cat = NULL;
	regs = NULL;
}

const char *
tu_tmpdir(void)
{
	static char path[64];

	snprintf(path, sizeof(path), "/tmp/liangfu-test-XXXXXX");
	assert_non_null(mkdtemp(path));
	return path;
}

void
tu_rmdir(const char *dir)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

struct store *
tu_store_at(const char *path)
{
	struct lf_error err;
	struct store *s = NULL;

	if (store_create(path, tu_catalog(), &err) != 0 ||
	    store_open(path, tu_catalog(), tu_regions(), &s, &err) != 0)
		fail_msg("%s: %s", path, err.message);
	return s;
}

struct store *
tu_store_new(char dir[TU_DIR_MAX], char db[TU_DB_MAX], const char *name)
{
	snprintf(dir, TU_DIR_MAX, "%s", tu_tmpdir());
	snprintf(db, TU_DB_MAX, "%s/%s", dir, name);
	return tu_store_at(db);
}

const char *
tu_pg_url(void)
{
	const char *u = getenv("LIANGFU_TEST_PG_URL");

	return u != NULL && *u != '\0' ? u : NULL;
}

struct store *
tu_store_any(char dir[TU_DIR_MAX], char db[TU_DB_MAX], const char *name)
{
	struct lf_error err;
	struct store *s = NULL;
	const char *url = tu_pg_url();

	if (url == NULL)
		return tu_store_new(dir, db, name);
	snprintf(dir, TU_DIR_MAX, "%s", tu_tmpdir());
	snprintf(db, TU_DB_MAX, "%s", url);
	if (store_open_any(url, tu_catalog(), tu_regions(), &s, &err) != 0)
		fail_msg("PostgreSQL: %s", err.message);
	return s;
}

char *
tu_slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *data;
	long n;

	if (fp == NULL)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	assert_true(n >= 0);
	rewind(fp);
	data = malloc((size_t)n + 1);
	assert_non_null(data);
	assert_int_equal(fread(data, 1, (size_t)n, fp), (size_t)n);
	data[n] = '\0';
	fclose(fp);
	if (len != NULL)
		*len = (size_t)n;
	return data;
}

int
tu_file_has(const char *path, const void *needle, size_t len)
{
	char *data;
	size_t n;
	int found;

	if (access(path, F_OK) != 0)
		return 0;
	data = tu_slurp(path, &n);
	found = memmem(data, n, needle, len) != NULL;
	free(data);
	return found;
}

int
tu_days(const char *date)
{
	int d;

	assert_int_equal(date_parse(date, &d), 0);
	return d;
}

const char *
tu_id(int seq)
{
	static char id[19];

	assert_int_equal(idcard_make("510104", tu_days("1985-06-15"),
	    seq, id), 0);
	return id;
}

const char *
tu_try_set(struct record *r, const char *code, const char *value)
{
	const struct field *f = catalog_find(r->cat, code, strlen(code));
	struct lf_error err;

	if (f == NULL)
		fail_msg("no field %s", code);
	lf_error_clear(&err);
	if (record_parse_value(r, f, value, &err) != 0)
		return err.code;
	return NULL;
}

void
tu_set(struct record *r, const char *code, const char *value)
{
	const char *e = tu_try_set(r, code, value);

	if (e != NULL)
		fail_msg("%s = '%s': %s", code, value, e);
}

void
tu_valid_person(struct record *r, int seq)
{
	char id[19], card[21];
	static const char *const kv[][2] = {
		{ "survey_method", "1" }, { "surveyor_name", "王调查" },
		{ "fill_date", "2024-05-10" }, { "name", "张三" },
		{ "ethnicity", "01" }, { "disability_category", "4" },
		{ "disability_grade", "2" }, { "card_status", "1" },
		{ "self_care_ability", "2" }, { "contact_name", "张三" },
		{ "contact_relation", "0" }, { "contact_mobile", "13800000001" },
		{ "hukou_type", "2" }, { "hukou_region", "510104017001" },
		{ "residence_region", "510104017001" },
		{ "residence_address", "水井坊社区1号" },
		{ "household_no", "H0001" }, { "householder_name", "张三" },
		{ "relation_to_householder", "0" }, { "marital_status", "20" },
		{ "in_welfare_institution", "否" },
		{ "urban_income_status", "3" }, { "urban_housing_status", "1" },
		{ "literate", "是" }, { "education_level", "3" },
		{ "employed", "2" }, { "unemployment_registered", "否" },
		{ "unemployed_income_source", "4" },
		{ "unemployed_reason", "4" },
		{ "employment_support_received", "6" },
		{ "employee_social_insurance", "4" },
		{ "resident_pension_insured", "是" },
		{ "resident_pension_subsidy", "是" },
		{ "resident_medical_insured", "是" },
		{ "resident_medical_subsidy", "否" },
		{ "social_assistance_received", "7" },
		{ "welfare_subsidy_received", "2" },
		{ "family_doctor_signed", "否" },
		{ "care_service_received", "否" },
		{ "illness_two_weeks", "否" },
		{ "rehab_service_received", "2" },
		{ "home_accessibility_modified", "否" },
		{ "culture_sports_participation", "1" },
		{ "rehab_need_any", "是" }, { "rehab_training", "4" },
		{ "rehab_psych_support", "否" }, { "rehab_home_guidance", "是" },
		{ "aid_need_any", "是" }, { "aid_wheelchair", "是" },
		{ "aid_crutch_walker", "否" }, { "aid_orthosis", "否" },
		{ "aid_white_cane", "否" }, { "aid_low_vision", "否" },
		{ "aid_reading_device", "否" }, { "aid_hearing_aid", "否" },
		{ "aid_daily_living", "否" }, { "aid_nursing_bed", "否" },
		{ "aid_communication", "否" }, { "aid_fitting_repair", "否" },
		{ "emp_need_any", "是" }, { "emp_vocational_training", "是" },
	};
	size_t i;

	record_clear(r);
	snprintf(id, sizeof(id), "%s", tu_id(seq));
	tu_set(r, "id_number", id);
	tu_set(r, "householder_id_number", id);
	tu_set(r, "gender", seq % 2 ? "1" : "2");
	tu_set(r, "birth_date", "1985-06-15");
	assert_int_equal(idcard_make_certificate(id, 4, 2, card), 0);
	tu_set(r, "disability_card_no", card);
	for (i = 0; i < sizeof(kv) / sizeof(kv[0]); i++)
		tu_set(r, kv[i][0], kv[i][1]);
}

void
tu_rules(struct policies **ps, struct disaster **dis)
{
	struct embedded_file f;
	struct lf_error err;

	if (policies_load_embedded(tu_catalog(), ps, &err) != 0)
		fail_msg("policies: %s", err.message);
	assert_int_equal(embedded_get("data/disaster_regions.tsv", &f), 0);
	if (disaster_parse(f.data, f.len, f.name, dis, &err) != 0)
		fail_msg("disaster areas: %s", err.message);
}

struct synth *
tu_synth(const char *county, uint64_t seed, int first_year)
{
	struct lf_error err;
	struct synth *sy;

	if (synth_new(tu_catalog(), tu_regions(), regions_find(tu_regions(),
	    county), seed, tu_days("2026-11-29"), &sy, &err) != 0 ||
	    synth_set_first_year(sy, first_year, &err) != 0)
		fail_msg("synth %s: %s", county, err.message);
	return sy;
}

void
tu_seed_county(struct store *s, const char *county, uint64_t n,
    uint64_t seed, int year)
{
	struct store_put put = { year, 0, "seed", 0, 0 };
	struct store_put_result res;
	struct lf_error err;
	struct synth *sy;
	struct record *r = record_new(tu_catalog());
	uint64_t i;

	put.today = tu_days("2026-11-29");
	assert_non_null(r);
	sy = tu_synth(county, seed, year);
	for (i = 0; i < n; i++) {
		if (synth_person(sy, i, year, r, &err) != 0 ||
		    store_survey_put(s, r, &put, &res, &err) != 0)
			fail_msg("seed %s #%llu: %s", county,
			    (unsigned long long)i, err.message);
	}
	synth_free(sy);
	record_free(r);
}

/* ---- poking at packed survey records (store/packrec.h) ---------------- */

#include "store/store_int.h"

/* The record of person pid's survey (the first by year) into r and the
 * store's sealed scratch; its row id into *sid. */
static void
poke_read(struct store *s, int64_t pid, struct record *r, int64_t *sid)
{
	struct lf_error err;
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_prepare_v2(s->db, "SELECT id, rec FROM "
	    "surveys WHERE person_id = ? ORDER BY year LIMIT 1", -1, &st,
	    NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, pid);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	*sid = sqlite3_column_int64(st, 0);
	if (packrec_decode(s->packs, sqlite3_column_blob(st, 1),
	    (size_t)sqlite3_column_bytes(st, 1), r, PACKREC_MASKED, s->sealed,
	    &err) != 0)
		fail_msg("%s", err.message);
	/* the sealed values point into the row: copy them out */
	for (size_t i = 0; i < s->cat->nfields; i++) {
		s->prep->blen[i] = s->sealed[i].slen;
		if (s->sealed[i].slen > 0)
			memcpy(s->prep->blob[i], s->sealed[i].sealed,
			    s->sealed[i].slen);
		s->sealed[i].sealed = s->prep->blob[i];
	}
	sqlite3_finalize(st);
}

/* Writes r (with the store's sealed scratch) back as survey row sid's
 * packed record, behind the store's back. */
static void
poke_write(struct store *s, const struct record *r, int64_t sid)
{
	struct lf_error err;
	struct buf rec;
	sqlite3_stmt *st;

	buf_init(&rec, 1 << 20);
	if (packrec_encode(s->packs, r, s->sealed, &rec, &err) != 0)
		fail_msg("%s", err.message);
	assert_int_equal(sqlite3_prepare_v2(s->db, "UPDATE surveys SET rec = ? "
	    "WHERE id = ?", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_blob(st, 1, rec.data, (int)rec.len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, sid);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	buf_free(&rec);
}

void
tu_poke_sealed(const char *db, const char *code, int64_t from, int64_t to,
    const void *bytes, size_t len)
{
	struct store *s = NULL;
	const struct field *f = catalog_find(tu_catalog(), code, strlen(code));
	unsigned char moved[SEALED_MAX];
	struct record *r = record_new(tu_catalog());
	struct lf_error err;
	int64_t sid;

	assert_non_null(f);
	assert_non_null(r);
	if (store_open(db, tu_catalog(), NULL, &s, &err) != 0)
		fail_msg("%s: %s", db, err.message);
	if (bytes == NULL) {
		poke_read(s, from, r, &sid);
		len = s->sealed[f->index].slen;
		assert_true(len > 0 && len <= sizeof(moved));
		memcpy(moved, s->sealed[f->index].sealed, len);
		bytes = moved;
	}
	poke_read(s, to, r, &sid);
	if (!r->set[f->index])		/* masked form of a value never set */
		assert_int_equal(record_set_str(r, f->index, "*"), 0);
	s->sealed[f->index].sealed = bytes;
	s->sealed[f->index].slen = len;
	poke_write(s, r, sid);
	record_free(r);
	store_close(s);
}

int64_t
tu_poke_num(const char *db, int64_t pid, const char *code,
    int64_t (*fn)(int64_t))
{
	struct store *s = NULL;
	const struct field *f = catalog_find(tu_catalog(), code, strlen(code));
	struct record *r = record_new(tu_catalog());
	struct lf_error err;
	int64_t sid, v;

	assert_non_null(f);
	assert_non_null(r);
	if (store_open(db, tu_catalog(), NULL, &s, &err) != 0)
		fail_msg("%s: %s", db, err.message);
	poke_read(s, pid, r, &sid);
	assert_true(r->set[f->index]);
	v = fn(r->num[f->index]);
	record_set_num(r, f->index, v);
	poke_write(s, r, sid);
	record_free(r);
	store_close(s);
	return v;
}

void
tu_wide_view(void *h)
{
	struct lf_error err;

	if (store_wide_view(h, tu_catalog(), &err) != 0)
		fail_msg("wide view: %s", err.message);
}

void
tu_pg_forget(struct store *s, const int64_t *ids, size_t n)
{
	static const char *const owned[] = { "self_sessions", "self_codes",
	    "feedback", "items", "plans", "history", "surveys", "persons" };
	struct lf_error err;
	struct dbq q;
	char sql[128];
	size_t i, t;

	if (tu_pg_url() == NULL)
		return;
	lf_error_clear(&err);
	for (i = 0; i < n; i++)
		for (t = 0; t < sizeof(owned) / sizeof(owned[0]); t++) {
			snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE %s = ?",
			    owned[t], strcmp(owned[t], "persons") == 0 ? "id" :
			    "person_id");
			if (dbq_prep(s, &q, sql, "forget", &err) != 0 ||
			    dbq_bind(&q, &err, "i", ids[i]) != 0 ||
			    dbq_exec(&q, &err) != 0)
				fail_msg("forget: %s", err.message);
			dbq_end(&q);
		}
	if (dbq_script(s, "DELETE FROM self_throttle;"
	    "SELECT setval('persons_id_seq', coalesce(max(id), 0) + 1, false) "
	    "FROM persons;"
	    "SELECT setval('history_id_seq', coalesce(max(id), 0) + 1, false) "
	    "FROM history;"
	    "SELECT setval('plans_id_seq', coalesce(max(id), 0) + 1, false) "
	    "FROM plans;"
	    "SELECT setval('items_id_seq', coalesce(max(id), 0) + 1, false) "
	    "FROM items;"
	    "SELECT setval('feedback_id_seq', coalesce(max(id), 0) + 1, false) "
	    "FROM feedback;"
	    "SELECT setval('self_codes_id_seq', coalesce(max(id), 0) + 1, "
	    "false) FROM self_codes;"
	    "SELECT setval('self_sessions_id_seq', coalesce(max(id), 0) + 1, "
	    "false) FROM self_sessions", "forget", &err) != 0)
		fail_msg("forget: %s", err.message);
}
