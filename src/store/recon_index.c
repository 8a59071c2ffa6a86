/*
 * recon_index.c - the open tasks and county owners a reconciliation run
 * looks up, loaded once (recon_int.h).
 */
#include "store/recon_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/mem.h"

static int
cmp_open(const void *a, const void *b)
{
	const struct recon_open *x = a, *y = b;

	if (x->person_id != y->person_id)
		return x->person_id < y->person_id ? -1 : 1;
	return (x->finding > y->finding) - (x->finding < y->finding);
}

static int
cmp_county(const void *a, const void *b)
{
	const struct recon_county *x = a, *y = b;

	return strcmp(x->code, y->code);
}

/* The index of login in ix->names, added when new; -1 on no memory. */
static int32_t
intern(struct recon_index *ix, const char *login)
{
	size_t lo = 0, hi = ix->nnames, mid;
	int c;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		c = strcmp(login, ix->names[ix->order[mid]]);
		if (c == 0)
			return ix->order[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (mem_grow(&ix->names, &ix->capnames, ix->nnames + 1,
	    sizeof(*ix->names), SIZE_MAX) != 0 || mem_grow(&ix->order,
	    &ix->caporder, ix->nnames + 1, sizeof(*ix->order), SIZE_MAX) != 0)
		return -1;
	memmove(&ix->order[lo + 1], &ix->order[lo], (ix->nnames - lo) *
	    sizeof(*ix->order));
	ix->order[lo] = (int32_t)ix->nnames;
	snprintf(ix->names[ix->nnames], sizeof(*ix->names), "%s", login);
	return (int32_t)ix->nnames++;
}

static int
load_open(struct store *s, const char *kind, struct recon_index *ix,
    struct lf_error *err)
{
	struct recon_open *o;
	sqlite3_stmt *st;
	const char *owner;
	int step;

	if (recon_prep(s, "SELECT person_id, finding, id, owner FROM "
	    "recon_tasks WHERE kind = ?1 AND open = 1", &st, err) != 0)
		return -1;
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (mem_grow(&ix->open, &ix->capopen, ix->nopen + 1,
		    sizeof(*ix->open), SIZE_MAX) != 0)
			break;
		o = &ix->open[ix->nopen];
		o->person_id = sqlite3_column_int64(st, 0);
		o->finding = recon_finding_find((const char *)
		    sqlite3_column_text(st, 1));
		o->task_id = sqlite3_column_int64(st, 2);
		owner = (const char *)sqlite3_column_text(st, 3);
		o->owner = owner != NULL && owner[0] ? intern(ix, owner) : -1;
		if (owner != NULL && owner[0] && o->owner < 0)
			break;
		ix->nopen += o->finding >= 0;
	}
	sqlite3_finalize(st);
	if (step == SQLITE_ROW)
		return lf_error_nomem(err);
	if (step != SQLITE_DONE)
		return store_sqlite_error(s, "recon tasks", err);
	if (ix->nopen > 1)
		qsort(ix->open, ix->nopen, sizeof(*ix->open), cmp_open);
	return 0;
}

/* Counties with their first active county account (by id). */
static int
load_counties(struct store *s, struct recon_index *ix, struct lf_error *err)
{
	struct recon_county *c;
	sqlite3_stmt *st;
	int step;

	if (recon_prep(s, "SELECT region, login FROM users WHERE role = "
	    "'county' AND disabled = 0 AND length(region) = 6 AND id IN "
	    "(SELECT min(id) FROM users WHERE role = 'county' AND disabled = 0"
	    " GROUP BY region)", &st, err) != 0)
		return -1;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (mem_grow(&ix->county, &ix->capcounty, ix->ncounty + 1,
		    sizeof(*ix->county), SIZE_MAX) != 0)
			break;
		c = &ix->county[ix->ncounty];
		store_copy_col(st, 0, c->code, sizeof(c->code));
		if ((c->owner = intern(ix, (const char *)
		    sqlite3_column_text(st, 1))) < 0)
			break;
		ix->ncounty++;
	}
	sqlite3_finalize(st);
	if (step == SQLITE_ROW)
		return lf_error_nomem(err);
	if (step != SQLITE_DONE)
		return store_sqlite_error(s, "recon owners", err);
	if (ix->ncounty > 1)
		qsort(ix->county, ix->ncounty, sizeof(*ix->county), cmp_county);
	return 0;
}

int
recon_index_load(struct store *s, const char *kind, struct recon_index *ix,
    struct lf_error *err)
{
	memset(ix, 0, sizeof(*ix));
	if (load_open(s, kind, ix, err) != 0 ||
	    load_counties(s, ix, err) != 0) {
		recon_index_free(ix);
		return -1;
	}
	return 0;
}

void
recon_index_free(struct recon_index *ix)
{
	mem_free(ix->open);
	mem_free(ix->county);
	mem_free(ix->names);
	mem_free(ix->order);
	memset(ix, 0, sizeof(*ix));
}

const struct recon_open *
recon_index_task(const struct recon_index *ix, int64_t person_id,
    int finding)
{
	struct recon_open key;

	if (ix->nopen == 0)
		return NULL;
	key.person_id = person_id;
	key.finding = finding;
	return bsearch(&key, ix->open, ix->nopen, sizeof(*ix->open),
	    cmp_open);
}

void
recon_index_owner(const struct recon_index *ix, const char *county,
    char out[64])
{
	const struct recon_county *c = NULL;
	struct recon_county key;

	out[0] = '\0';
	snprintf(key.code, sizeof(key.code), "%s", county);
	if (ix->ncounty > 0)
		c = bsearch(&key, ix->county, ix->ncounty,
		    sizeof(*ix->county), cmp_county);
	if (c != NULL)
		snprintf(out, 64, "%s", ix->names[c->owner]);
}

const char *
recon_index_name(const struct recon_index *ix, int32_t owner)
{
	return owner >= 0 && (size_t)owner < ix->nnames ? ix->names[owner] :
	    "";
}
