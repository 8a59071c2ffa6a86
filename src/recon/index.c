/*
 * index.c - the open tasks and county owners a reconciliation run looks
 * up, loaded once (index.h).
 */
#include "recon/index.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/reconcile.h"
#include "lib/mem.h"
#include "store/recon_rows.h"

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

static int
cmp_county_seq(const void *a, const void *b)
{
	const struct recon_county *x = a, *y = b;
	int c = strcmp(x->code, y->code);

	return c != 0 ? c : (x->seq > y->seq) - (x->seq < y->seq);
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
on_open(void *arg, int64_t person_id, const char *finding, int64_t task_id,
    const char *owner, struct lf_error *err)
{
	struct recon_index *ix = arg;
	struct recon_open *o;
	int f = recon_finding_find(finding);

	if (f < 0)		/* a finding this version does not know */
		return 0;
	if (mem_grow(&ix->open, &ix->capopen, ix->nopen + 1,
	    sizeof(*ix->open), SIZE_MAX) != 0)
		return lf_error_nomem(err);
	o = &ix->open[ix->nopen];
	o->person_id = person_id;
	o->finding = f;
	o->task_id = task_id;
	o->owner = owner[0] ? intern(ix, owner) : -1;
	if (owner[0] && o->owner < 0)
		return lf_error_nomem(err);
	ix->nopen++;
	return 0;
}

/* The accounts come in id order: a county's first is its owner. */
static int
on_account(void *arg, const char *county, const char *login,
    struct lf_error *err)
{
	struct recon_index *ix = arg;
	struct recon_county *c;

	if (mem_grow(&ix->county, &ix->capcounty, ix->ncounty + 1,
	    sizeof(*ix->county), SIZE_MAX) != 0)
		return lf_error_nomem(err);
	c = &ix->county[ix->ncounty];
	snprintf(c->code, sizeof(c->code), "%s", county);
	c->seq = (int32_t)ix->ncounty;
	if ((c->owner = intern(ix, login)) < 0)
		return lf_error_nomem(err);
	ix->ncounty++;
	return 0;
}

/* Keeps each county's first account: sorted by code and arrival (the
 * accounts' id order), then the first of each run of equal codes. */
static void
first_per_county(struct recon_index *ix)
{
	size_t i, n = 0;

	if (ix->ncounty > 1)
		qsort(ix->county, ix->ncounty, sizeof(*ix->county),
		    cmp_county_seq);
	for (i = 0; i < ix->ncounty; i++)
		if (n == 0 || strcmp(ix->county[n - 1].code,
		    ix->county[i].code) != 0)
			ix->county[n++] = ix->county[i];
	ix->ncounty = n;
}

int
recon_index_load(struct store *s, const char *kind, struct recon_index *ix,
    struct lf_error *err)
{
	memset(ix, 0, sizeof(*ix));
	if (recon_rows_open_tasks(s, kind, on_open, ix, err) != 0 ||
	    recon_rows_county_accounts(s, on_account, ix, err) != 0) {
		recon_index_free(ix);
		return -1;
	}
	if (ix->nopen > 1)
		qsort(ix->open, ix->nopen, sizeof(*ix->open), cmp_open);
	first_per_county(ix);
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
