/*
 * store_put.c - store_write() and store_survey_put(): create or update the
 * person and the year's survey of a prepared put in one savepoint, keeping
 * history.
 *
 * The decisions are made here for both backends: whether the person is
 * new, the reason rule (store_reason.c), what changed in the person row
 * and the survey (the history's change sets), the version check. A
 * PostgreSQL bulk load reads and writes the rows through store/pg/
 * pg_put.c and pg_put_read.c instead of SQLite's statements (the
 * pg_put_* calls below), and so does a single put there (pg_single()).
 */
#include "store/store_int.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/date.h"
#include "store/pg/pg_int.h"
#include "store/store_diff.h"

/* The person row of a ST_PERSON_FIND* statement's row. */
static void
person_read(sqlite3_stmt *st, void *out)
{
	struct store_person_row *p = out;

	p->id = sqlite3_column_int64(st, 0);
	store_copy_col(st, 1, p->uid, sizeof(p->uid));
	store_copy_col(st, 2, p->name, sizeof(p->name));
	p->gender = sqlite3_column_int(st, 3);
	store_copy_col(st, 4, p->birth, sizeof(p->birth));
	store_copy_col(st, 5, p->region, sizeof(p->region));
	p->status = sqlite3_column_int(st, 6);
	p->version = sqlite3_column_int64(st, 7);
}

/* A bulk load into an empty registry, the hash's index dropped: the
 * persons it wrote whose hash may match (store_bulkids.c), each read by
 * id and its full hash compared (column 11). 0 found, 1 not, -1 error. */
static int
person_find_bulk(struct store *s, const unsigned char *hash,
    struct store_person_row *p, struct lf_error *err)
{
	sqlite3_stmt *st = s->st[ST_PERSON_FIND_ID];
	size_t cursor = 0;
	int64_t pid;
	int rc;

	while ((pid = store_bulk_ids_next(s, hash, &cursor)) != 0) {
		sqlite3_bind_int64(st, 1, pid);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 11) ==
		    CRYPTO_HASH_LEN && memcmp(sqlite3_column_blob(st, 11), hash,
		    CRYPTO_HASH_LEN) == 0) {
			person_read(st, p);
			sqlite3_reset(st);
			return 0;
		}
		sqlite3_reset(st);
		if (rc != SQLITE_ROW)
			return store_sqlite_error(s, "person", err);
	}
	return 1;
}

/* 0 found, 1 not found, -1 error. */
static int
person_find(struct store *s, const struct store_prep *prep,
    struct store_person_row *p, struct lf_error *err)
{
	const unsigned char *hash = prep->id_hash;
	sqlite3_stmt *st;

	if (s->pg != NULL)
		return pg_put_find(s, prep, p, err);
	st = s->st[ST_PERSON_FIND];
	if (s->ids != NULL)
		return person_find_bulk(s, hash, p, err);
	sqlite3_bind_blob(st, 1, hash, CRYPTO_HASH_LEN, SQLITE_STATIC);
	return store_one_row(s, st, person_read, p, "person", err);
}

int
store_new_uid(char out[STORE_UID_LEN + 1])
{
	static const char hexd[] = "0123456789abcdef";
	unsigned char raw[STORE_UID_LEN / 2];
	size_t i;

	if (crypto_random(raw, sizeof(raw)) != 0)
		return -1;
	for (i = 0; i < sizeof(raw); i++) {
		out[2 * i] = hexd[raw[i] >> 4];
		out[2 * i + 1] = hexd[raw[i] & 15];
	}
	out[STORE_UID_LEN] = '\0';
	return 0;
}

/* The person row's values as the prepared record gives them. */
static void
person_from_prep(const struct store_prep *prep, struct store_person_row *p)
{
	memcpy(p->name, prep->pcols.name, sizeof(p->name));
	p->gender = prep->pcols.gender;
	memcpy(p->birth, prep->pcols.birth, sizeof(p->birth));
	memcpy(p->region, prep->pcols.region, sizeof(p->region));
}

static int
person_insert(struct store *s, const struct store_prep *prep,
    const char *now, struct store_person_row *p, struct lf_error *err)
{
	sqlite3_stmt *st = s->st[ST_PERSON_INS];
	const struct store_put *put = &prep->put;

	person_from_prep(prep, p);
	p->status = put->status ? put->status : PERSON_ACTIVE;
	p->version = 1;
	memcpy(p->uid, prep->uid, sizeof(p->uid));
	if (s->pg != NULL)
		return pg_put_person_new(s, prep, p, err);
	sqlite3_bind_text(st, 1, p->uid, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, prep->id_hash, CRYPTO_HASH_LEN,
	    SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, prep->person_seal, (int)prep->person_seal_len,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 4, p->name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, p->gender);
	sqlite3_bind_text(st, 6, p->birth, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, p->region, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 8, p->status);
	sqlite3_bind_text(st, 9, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, put->actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 12, put->actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 13, prep->id_masked, -1, SQLITE_STATIC);
	if (prep->carry_id > 0)	/* a copy's carried id; else the next */
		sqlite3_bind_int64(st, 14, prep->carry_id);
	else
		sqlite3_bind_null(st, 14);
	if (store_step_done(s, ST_PERSON_INS, "person insert", err) != 0)
		return -1;
	p->id = sqlite3_last_insert_rowid(s->db);
	return s->ids != NULL ? store_bulk_ids_add(s, prep->id_hash, p->id,
	    err) : 0;
}

/* Adds a change of a text-valued person column to obj when it differs. */
static int
person_change(json_t *obj, const char *key, const char *old, const char *new)
{
	return strcmp(old, new) == 0 ? 0 : diff_add_plain(obj, key, old, new);
}

static int
person_changes(const struct store_person_row *old,
    const struct store_person_row *new, json_t *obj)
{
	char a[16], b[16];

	snprintf(a, sizeof(a), "%d", old->gender);
	snprintf(b, sizeof(b), "%d", new->gender);
	if (person_change(obj, "name", old->name, new->name) ||
	    person_change(obj, "gender", a, b) ||
	    person_change(obj, "birth_date", old->birth, new->birth) ||
	    person_change(obj, "region", old->region, new->region))
		return -1;
	snprintf(a, sizeof(a), "%d", old->status);
	snprintf(b, sizeof(b), "%d", new->status);
	return person_change(obj, "status", a, b);
}

/* The person row old becomes n (version checked on PostgreSQL). */
static int
person_write(struct store *s, const struct store_person_row *n,
    const struct store_person_row *old, const char *actor, const char *now,
    struct lf_error *err)
{
	sqlite3_stmt *st;

	if (s->pg != NULL)
		return pg_put_person_upd(s, old, n, actor, now, err);
	st = s->st[ST_PERSON_UPD];
	sqlite3_bind_text(st, 1, n->name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, n->gender);
	sqlite3_bind_text(st, 3, n->birth, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, n->region, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, n->status);
	sqlite3_bind_text(st, 6, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, actor, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, old->id);
	return store_step_done(s, ST_PERSON_UPD, "person update", err);
}

static int
person_update(struct store *s, const struct store_prep *prep,
    const char *now, struct store_person_row *p, struct lf_error *err)
{
	const struct store_put *put = &prep->put;
	struct store_person_row n = *p;
	json_t *obj = json_object();
	char *changes = NULL;
	int rc = -1;

	person_from_prep(prep, &n);
	if (put->status)
		n.status = put->status;
	if (obj == NULL || person_changes(p, &n, obj) != 0) {
		lf_error_nomem(err);
		goto out;
	}
	if (json_object_size(obj) == 0) {
		rc = 0;
		goto out;
	}
	if ((changes = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS)) == NULL
	    || store_history_add(s, "person", p->id, p->id, 0, p->version,
	    put->actor, now, changes, err) != 0)
		goto out;
	if (person_write(s, &n, p, put->actor, now, err) != 0)
		goto out;
	n.version++;
	*p = n;
	rc = 0;
out:
	free(changes);
	json_decref(obj);
	return rc;
}

/* Binds the packed record, then the lookup hash of every hashed item,
 * from idx on; the next free index. */
static int
bind_rec(const struct store *s, sqlite3_stmt *st, int idx,
    const struct store_prep *prep)
{
	size_t i;

	sqlite3_bind_blob(st, idx++, prep->rec.data, (int)prep->rec.len,
	    SQLITE_STATIC);
	for (i = 0; i < s->cat->nfields; i++) {
		if (!schema_hashed(&s->cat->fields[i]))
			continue;
		if (prep->r->set[i])
			sqlite3_bind_blob(st, idx++, prep->hash[i],
			    CRYPTO_HASH_LEN, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, idx++);
	}
	return idx;
}

/* A bulk load numbers its surveys itself (s->next_sid, from max(id) + 1
 * at its start): no max(id) a row. */
static int
survey_insert(struct store *s, const struct store_prep *prep,
    const struct store_person_row *p, const char *now, struct lf_error *err)
{
	enum stmt_id id = s->bulk ? ST_SURVEY_INS_ID : ST_SURVEY_INS;
	sqlite3_stmt *st = s->st[id];
	const struct store_put *put = &prep->put;
	int k = s->bulk;

	if (s->pg != NULL)
		return pg_put_survey_new(s, prep, p, err);
	if (s->bulk)
		sqlite3_bind_int64(st, 1, s->next_sid);
	sqlite3_bind_int64(st, k + 1, p->id);
	sqlite3_bind_int(st, k + 2, put->year);
	sqlite3_bind_text(st, k + 3, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, k + 4, put->actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, k + 5, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, k + 6, put->actor, -1, SQLITE_STATIC);
	bind_rec(s, st, k + 7, prep);
	if (store_step_done(s, id, "survey insert", err) != 0)
		return -1;
	s->next_sid += s->bulk;
	return 0;
}

static int
survey_update(struct store *s, const struct store_prep *prep,
    const struct store_person_row *p, const char *now, int64_t sid,
    int64_t version, char *changes, struct lf_error *err)
{
	sqlite3_stmt *st = s->st[ST_SURVEY_UPD];
	const struct store_put *put = &prep->put;
	int idx;

	if (store_history_add(s, "survey", sid, p->id, put->year, version,
	    put->actor, now, changes, err) != 0)
		return -1;
	if (s->pg != NULL)
		return pg_put_survey_upd(s, prep, p, version, now, err);
	sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, put->actor, -1, SQLITE_STATIC);
	idx = bind_rec(s, st, 3, prep);
	sqlite3_bind_int64(st, idx, sid);
	sqlite3_bind_int64(st, idx + 1, version);
	if (store_step_done(s, ST_SURVEY_UPD, "survey update", err) != 0)
		return -1;
	if (sqlite3_changes(s->db) != 1)
		return lf_error_set(err, "conflict", "", "记录已被他人修改 "
		    "(the survey was changed meanwhile; reload and retry)");
	return 0;
}

/* The stored survey of the put's person and year: 0 with its id (on
 * PostgreSQL, which keys surveys by person and year, the person's),
 * version, values (every secret opened) and old sealed values; 1 when
 * there is none; -1 with err. On SQLite the row stays current on
 * ST_SURVEY_FIND (the sealed values point into it) until the caller
 * resets that statement. */
static int
survey_find(struct store *s, const struct store_prep *prep,
    const struct store_person_row *p, int64_t *sid, int64_t *version,
    const struct record **old, const struct packrec_sealed **sealed,
    struct lf_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (s->pg != NULL) {
		*sid = p->id;
		return pg_put_survey(s, prep->put.year, old, sealed, version);
	}
	st = s->st[ST_SURVEY_FIND];
	sqlite3_bind_int64(st, 1, p->id);
	sqlite3_bind_int(st, 2, prep->put.year);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return 1;
	if (rc != SQLITE_ROW)
		return store_sqlite_error(s, "survey", err);
	*sid = sqlite3_column_int64(st, 0);
	*version = sqlite3_column_int64(st, 1);
	*old = s->old;
	*sealed = s->sealed;
	return store_rec_open(s, st, 2, s->old, prep->bind, prep->put.year,
	    s->sealed, err);
}

static int
survey_upsert(struct store *s, const struct store_prep *prep,
    const struct store_person_row *p, const char *now,
    struct store_put_result *res, struct lf_error *err)
{
	const struct store_put *put = &prep->put;
	const struct packrec_sealed *sealed = NULL;
	const struct record *old = NULL;
	char *changes = NULL;
	int64_t sid = 0, version = 0;
	int rc;

	rc = survey_find(s, prep, p, &sid, &version, &old, &sealed, err);
	if (rc == 1) {
		if (s->pg == NULL)
			sqlite3_reset(s->st[ST_SURVEY_FIND]);
		res->created_survey = 1;
		res->version = 1;
		return survey_insert(s, prep, p, now, err);
	}
	if (rc < 0)
		goto out;
	rc = -1;
	if (put->expect_version && put->expect_version != version) {
		lf_error_set(err, "conflict", "", "记录已被他人修改: 您看到的是"
		    "第 %lld 版, 现为第 %lld 版 (stale version %lld; current "
		    "is %lld)", (long long)put->expect_version,
		    (long long)version, (long long)put->expect_version,
		    (long long)version);
		goto out;
	}
	if (diff_build(old, prep->r, sealed, &changes, &res->changed, err)
	    != 0)
		goto out;
	if (s->pg == NULL)
		sqlite3_reset(s->st[ST_SURVEY_FIND]);
	res->version = version;
	if (res->changed == 0) {
		rc = 0;
		goto out;
	}
	rc = survey_update(s, prep, p, now, sid, version, changes, err);
	res->version = version + 1;
out:
	if (s->pg == NULL)
		sqlite3_reset(s->st[ST_SURVEY_FIND]);
	free(changes);
	return rc;
}

static int
put_rows(struct store *s, const struct store_prep *prep,
    struct store_put_result *res, struct lf_error *err)
{
	struct store_key_change kc;
	struct store_person_row p;
	char now[21];
	int64_t pversion;
	int rc;

	store_now_iso(now);
	if ((rc = person_find(s, prep, &p, err)) < 0)
		return -1;
	res->created_person = rc == 1;
	pversion = rc == 1 ? 0 : p.version;
	/* the rule every survey write passes (store_reason.c) */
	if (rc == 0 && store_reason_check(s, prep, p.id, &kc, err) != 0)
		return -1;
	if (rc == 1 ? person_insert(s, prep, now, &p, err) :
	    person_update(s, prep, now, &p, err))
		return -1;
	res->person_changed = rc != 1 && p.version != pversion;
	res->person_id = p.id;
	memcpy(res->uid, p.uid, sizeof(res->uid));
	if (res->created_person) {
		/* a new person has no survey yet: skip the lookup */
		res->created_survey = 1;
		res->version = 1;
		return survey_insert(s, prep, &p, now, err);
	}
	if (survey_upsert(s, prep, &p, now, res, err) != 0)
		return -1;
	res->reason_kept = kc.f != NULL;
	return store_reason_note(s, prep, p.id, res->version, &kc, now, err);
}

/* A copy's carried put (store_prep_carry(), bulk only): the person row
 * with the carried id and uid unless survey_only, then the survey; no
 * lookup, no history, no reason rule (the source applied them). */
static int
carried_rows(struct store *s, const struct store_prep *prep,
    struct store_put_result *res, struct lf_error *err)
{
	struct store_person_row p;
	char now[21];

	if (!s->bulk)
		return lf_error_set(err, "internal", "", "携带编号的写入须在批量"
		    "事务中 (a carried put is written in a bulk transaction)");
	store_now_iso(now);
	memset(&p, 0, sizeof(p));
	p.id = prep->carry_id;
	memcpy(p.uid, prep->uid, sizeof(p.uid));
	if (!prep->carry_survey_only && person_insert(s, prep, now, &p,
	    err) != 0)
		return -1;
	res->person_id = p.id;
	memcpy(res->uid, p.uid, sizeof(res->uid));
	res->created_person = !prep->carry_survey_only;
	res->created_survey = 1;
	res->version = 1;
	return survey_insert(s, prep, &p, now, err);
}

/* The rows of prep in a savepoint of their own. */
static int
put_saved(struct store *s, const struct store_prep *prep,
    struct store_put_result *res, struct lf_error *err)
{
	if (store_step_done(s, ST_SAVEPOINT, "savepoint", err) != 0)
		return -1;
	if (put_rows(s, prep, res, err) != 0) {
		sqlite3_step(s->st[ST_ROLLBACK_TO]);
		sqlite3_reset(s->st[ST_ROLLBACK_TO]);
		sqlite3_step(s->st[ST_RELEASE]);
		sqlite3_reset(s->st[ST_RELEASE]);
		return -1;
	}
	return store_step_done(s, ST_RELEASE, "release", err);
}

/* PostgreSQL outside a bulk load: a load of one person in a transaction
 * of its own or a savepoint of the caller's (store_begin()), its rows
 * sent before it returns, so that a conflict (a survey or person
 * changed meanwhile: the version checked by the UPDATE) or a refused
 * row is this put's and leaves nothing behind. */
static int
pg_single(struct store *s, const struct store_prep *prep,
    struct store_put_result *res, struct lf_error *err)
{
	int own, rc;

	if ((own = pg_put_single_begin(s, err)) < 0)
		return -1;
	rc = put_rows(s, prep, res, err);
	if (rc == 0)
		rc = pg_copy_flush(s, err);
	return pg_put_single_end(s, own, rc, err);
}

int
store_write(struct store *s, const struct store_prep *prep,
    struct store_put_result *res, struct lf_error *err)
{
	int rc;

	memset(res, 0, sizeof(*res));
	/* PostgreSQL: a bulk load's puts and single ones go through the
	 * same steps (put_rows) with pg_put.c's rows; a carried copy goes
	 * to pg_write() */
	if (s->pg != NULL) {
		if (prep->carry_id > 0)
			return pg_write(s, prep, res, err);
		return pg_in_bulk(s) ? put_rows(s, prep, res, err) :
		    pg_single(s, prep, res, err);
	}
	if (prep->carry_id > 0)
		return carried_rows(s, prep, res, err);
	if (s->bulk)
		return put_rows(s, prep, res, err);
	/* alone, a write is a transaction of its own, opened for writing
	 * at once: a read snapshot upgraded later could be stale */
	if (store_autocommit(s)) {
		if (store_tx_immediate(s, "survey write", err) != 0)
			return -1;
		rc = put_saved(s, prep, res, err);
		if (rc != 0) {
			store_tx_finish(s, 0, err);
			return -1;
		}
		return store_tx_finish(s, 1, err);
	}
	return put_saved(s, prep, res, err);
}

int
store_write_ahead(struct store *s, const struct store_prep *const *preps,
    size_t n, struct lf_error *err)
{
	if (s->pg == NULL || !pg_in_bulk(s) || n == 0)
		return 0;
	return pg_put_ahead(s, preps, n, err);
}

int
store_survey_put(struct store *s, const struct record *r,
    const struct store_put *put, struct store_put_result *res,
    struct lf_error *err)
{
	memset(res, 0, sizeof(*res));
	if (store_prepare(s, r, put, s->prep, err) != 0)
		return -1;
	return store_write(s, s->prep, res, err);
}
