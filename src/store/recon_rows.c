/*
 * recon_rows.c - the rows a reconciliation run reads and writes
 * (recon_rows.h): rosters, the persons receiving a policy, open tasks,
 * county accounts, the task writer and the registry scan.
 *
 * How the scan reads (issue 16, docs/performance.md): the persons in id
 * order, by rowid for the whole province (by the region index and a
 * sort of the small person rows below it), and the year's surveys beside
 * them: for the whole province as a second cursor in person order merged
 * with the first, below it one lookup a person; of each survey only the
 * items the caller wants are decoded.
 */
#include "store/store_int.h"
#include "store/recon_rows.h"
#include "store/recon_int.h"

#include <stdlib.h>
#include <string.h>

#include "lib/mem.h"

static int
roster_rows_add(struct store *s, int64_t id, const struct recon_roster_new *r,
    struct lf_error *err)
{
	sqlite3_stmt *st;
	size_t i;
	int rc;

	if (recon_prep(s, "INSERT INTO roster_rows(roster_id, id_hash, fact) "
	    "VALUES (?1, ?2, ?3)", &st, err) != 0)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	for (i = 0; i < r->nrows; i++) {
		sqlite3_bind_blob(st, 2, r->rows[i].hash, CRYPTO_HASH_LEN,
		    SQLITE_STATIC);
		sqlite3_bind_int(st, 3, r->rows[i].fact_days);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE) {
			sqlite3_finalize(st);
			return store_sqlite_error(s, "recon rows", err);
		}
	}
	sqlite3_finalize(st);
	return 0;
}

int
recon_rows_roster_add(struct store *s, const struct recon_roster_new *r,
    int64_t *id, struct lf_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (recon_prep(s, "INSERT INTO rosters(kind, year, region, file, "
	    "rows, matched, findings, imported_at, imported_by) VALUES (?1, "
	    "?2, ?3, ?4, ?5, 0, 0, ?6, ?7)", &st, err) != 0)
		return -1;
	sqlite3_bind_text(st, 1, r->kind, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, r->year);
	sqlite3_bind_text(st, 3, r->region, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, r->file, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)r->nrows);
	sqlite3_bind_int64(st, 6, r->at);
	sqlite3_bind_text(st, 7, r->actor, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_sqlite_error(s, "recon roster", err);
	*id = sqlite3_last_insert_rowid(s->db);
	return roster_rows_add(s, *id, r, err);
}

int
recon_rows_roster_finish(struct store *s, int64_t id, int64_t matched,
    int64_t findings, struct lf_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (recon_prep(s, "UPDATE rosters SET matched = ?1, findings = ?2"
	    " WHERE id = ?3", &st, err) != 0)
		return -1;
	sqlite3_bind_int64(st, 1, matched);
	sqlite3_bind_int64(st, 2, findings);
	sqlite3_bind_int64(st, 3, id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_sqlite_error(s, "recon roster", err);
	return 0;
}

int
recon_rows_receiving(struct store *s, int year, const char *policy,
    int64_t **ids, size_t *n, struct lf_error *err)
{
	int any = strcmp(policy, "*") == 0;
	sqlite3_stmt *st;
	size_t cap = 0;
	int step;

	*ids = NULL;
	*n = 0;
	if (recon_prep(s, any ? "SELECT DISTINCT person_id FROM items "
	    "WHERE year = ?1 AND decision = 1 AND effect <> 4 AND status <> 4"
	    " ORDER BY person_id" : "SELECT DISTINCT person_id FROM items "
	    "WHERE year = ?1 AND decision = 1 AND effect <> 4 AND status "
	    "<> 4 AND policy = ?2 ORDER BY person_id", &st, err) != 0)
		return -1;
	sqlite3_bind_int(st, 1, year);
	if (!any)
		sqlite3_bind_text(st, 2, policy, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (mem_grow(ids, &cap, *n + 1, sizeof(**ids), SIZE_MAX) != 0)
			break;
		(*ids)[(*n)++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	if (step == SQLITE_ROW || step == SQLITE_DONE) {
		if (step == SQLITE_DONE)
			return 0;
		lf_error_nomem(err);
	} else
		store_sqlite_error(s, "recon receiving", err);
	mem_free(*ids);
	*ids = NULL;
	*n = 0;
	return -1;
}

int
recon_rows_open_tasks(struct store *s, const char *kind, recon_open_fn fn,
    void *arg, struct lf_error *err)
{
	sqlite3_stmt *st;
	const char *owner;
	int step, rc = 0;

	if (recon_prep(s, "SELECT person_id, finding, id, owner FROM "
	    "recon_tasks WHERE kind = ?1 AND open = 1", &st, err) != 0)
		return -1;
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		owner = (const char *)sqlite3_column_text(st, 3);
		rc = fn(arg, sqlite3_column_int64(st, 0), (const char *)
		    sqlite3_column_text(st, 1), sqlite3_column_int64(st, 2),
		    owner != NULL ? owner : "", err);
	}
	sqlite3_finalize(st);
	if (rc != 0)
		return -1;
	if (step != SQLITE_DONE)
		return store_sqlite_error(s, "recon tasks", err);
	return 0;
}

int
recon_rows_county_accounts(struct store *s, recon_account_fn fn, void *arg,
    struct lf_error *err)
{
	sqlite3_stmt *st;
	int step, rc = 0;

	if (recon_prep(s, "SELECT region, login FROM users WHERE role = "
	    "'county' AND disabled = 0 AND length(region) = 6 ORDER BY id",
	    &st, err) != 0)
		return -1;
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW)
		rc = fn(arg, (const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 1), err);
	sqlite3_finalize(st);
	if (rc != 0)
		return -1;
	if (step != SQLITE_DONE)
		return store_sqlite_error(s, "recon owners", err);
	return 0;
}

/* ---- the task writer -------------------------------------------------- */

struct recon_task_writer {
	struct store	*s;
	sqlite3_stmt	*ins;
};

int
recon_rows_writer_open(struct store *s, struct recon_task_writer **w,
    struct lf_error *err)
{
	if ((*w = mem_calloc(1, sizeof(**w))) == NULL)
		return lf_error_nomem(err);
	(*w)->s = s;
	if (recon_prep(s, "INSERT INTO recon_tasks(roster_id, person_id, kind,"
	    " finding, region, county, owner, open, created_at, created_by, "
	    "version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, ?8, ?9, 1)",
	    &(*w)->ins, err) != 0) {
		mem_free(*w);
		*w = NULL;
		return -1;
	}
	return 0;
}

int
recon_rows_task_add(struct recon_task_writer *w,
    const struct recon_task_new *t, int64_t *id, struct lf_error *err)
{
	sqlite3_stmt *st = w->ins;
	int rc;

	sqlite3_bind_int64(st, 1, t->roster_id);
	sqlite3_bind_int64(st, 2, t->person_id);
	sqlite3_bind_text(st, 3, t->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, t->finding, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, t->region, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, t->county, -1, SQLITE_STATIC);
	if (t->owner[0] != '\0')
		sqlite3_bind_text(st, 7, t->owner, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 7);
	sqlite3_bind_int64(st, 8, t->at);
	sqlite3_bind_text(st, 9, t->actor, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_sqlite_error(w->s, "recon task", err);
	*id = sqlite3_last_insert_rowid(w->s->db);
	return 0;
}

void
recon_rows_writer_close(struct recon_task_writer *w)
{
	if (w == NULL)
		return;
	sqlite3_finalize(w->ins);
	mem_free(w);
}

/* ---- the scan --------------------------------------------------------- */

void
recon_rows_cache_cap(struct store *s, int64_t *old)
{
	*old = store_pragma_get(s->db, "cache_size", -2000);
	if (*old < -RECON_SCAN_CACHE_KIB)
		store_pragma_set(s->db, "cache_size", -RECON_SCAN_CACHE_KIB);
}

void
recon_rows_cache_restore(struct store *s, int64_t old)
{
	if (old < -RECON_SCAN_CACHE_KIB)
		store_pragma_set(s->db, "cache_size", old);
}

/* The scan's two statements: persons in id order, and the year's
 * surveys (merge: all in person order; else: one person's). */
struct cursors {
	struct store	*s;
	sqlite3_stmt	*persons, *surveys;
	int		 merge, more;	/* more: surveys has a current row */
};

static int
cursors_open(struct cursors *c, const struct region *in, int year,
    struct lf_error *err)
{
	char lo[24] = "0", hi[24] = "A";

	c->merge = in == NULL || in->level == 0;
	if (recon_prep(c->s, c->merge ? "SELECT id, uid, id_hash, region, "
	    "status FROM persons NOT INDEXED WHERE region >= ?1 AND region < "
	    "?2 ORDER BY id" : "SELECT id, uid, id_hash, region, status FROM "
	    "persons WHERE region >= ?1 AND region < ?2 ORDER BY id",
	    &c->persons, err) != 0 || recon_prep(c->s, c->merge ?
	    "SELECT person_id, rec FROM surveys WHERE year = ?1 ORDER BY "
	    "person_id" : "SELECT person_id, rec FROM surveys WHERE year = ?1"
	    " AND person_id = ?2", &c->surveys, err) != 0)
		return -1;
	if (in != NULL)
		store_region_range(in, lo, hi);
	sqlite3_bind_text(c->persons, 1, lo, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(c->persons, 2, hi, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(c->surveys, 1, year);
	if (!c->merge)
		return 0;
	c->more = sqlite3_step(c->surveys);
	if (c->more != SQLITE_ROW && c->more != SQLITE_DONE)
		return store_sqlite_error(c->s, "recon surveys", err);
	c->more = c->more == SQLITE_ROW;
	return 0;
}

/* Positions c->surveys on person id's survey: 1 there, 0 none. */
static int
survey_at(struct cursors *c, int64_t id, struct lf_error *err)
{
	int step;

	if (!c->merge) {
		sqlite3_reset(c->surveys);
		sqlite3_bind_int64(c->surveys, 2, id);
		step = sqlite3_step(c->surveys);
		if (step != SQLITE_ROW && step != SQLITE_DONE)
			return store_sqlite_error(c->s, "recon surveys", err);
		return step == SQLITE_ROW;
	}
	while (c->more && sqlite3_column_int64(c->surveys, 0) < id) {
		step = sqlite3_step(c->surveys);
		if (step != SQLITE_ROW && step != SQLITE_DONE)
			return store_sqlite_error(c->s, "recon surveys", err);
		c->more = step == SQLITE_ROW;
	}
	return c->more && sqlite3_column_int64(c->surveys, 0) == id;
}

static void
person_row(sqlite3_stmt *st, struct recon_person_row *p)
{
	p->id = sqlite3_column_int64(st, 0);
	store_copy_col(st, 1, p->uid, sizeof(p->uid));
	p->hash = sqlite3_column_blob(st, 2);
	if (sqlite3_column_bytes(st, 2) != CRYPTO_HASH_LEN)
		p->hash = NULL;
	store_copy_col(st, 3, p->region, sizeof(p->region));
	p->status = sqlite3_column_int(st, 4);
}

int
recon_rows_scan(struct store *s, const struct region *in, int year,
    const unsigned char *want, recon_person_fn fn, void *arg,
    struct lf_error *err)
{
	struct record *r = record_new(s->cat);
	struct cursors c = { s, NULL, NULL, 0, 0 };
	struct recon_person_row p;
	int step = SQLITE_DONE, has, rc = -1;

	if (r == NULL)
		return lf_error_nomem(err);
	if (cursors_open(&c, in, year, err) != 0)
		goto out;
	while ((step = sqlite3_step(c.persons)) == SQLITE_ROW) {
		person_row(c.persons, &p);
		if ((has = survey_at(&c, p.id, err)) < 0 || (has &&
		    packrec_decode_some(s->packs, sqlite3_column_blob(
		    c.surveys, 1), (size_t)sqlite3_column_bytes(c.surveys, 1),
		    r, want, err) != 0) || fn(arg, &p, has ? r : NULL, err) != 0)
			goto out;
	}
	if (step != SQLITE_DONE) {
		store_sqlite_error(s, "recon scan", err);
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(c.persons);
	sqlite3_finalize(c.surveys);
	record_free(r);
	return rc;
}
