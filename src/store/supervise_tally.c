/*
 * supervise_tally.c - the counts behind the three precision rates, by
 * region or by surveyor (see supervise.h for the definitions).
 */
#include "store/supervise.h"

#include <stdio.h>
#include <string.h>

#include "lib/date.h"
#include "lib/mem.h"
#include "store/store_int.h"

#define GROUP_KEY_MAX	160

struct group {
	char		 key[GROUP_KEY_MAX];
	struct sup_counts c;
};

struct groups {
	struct group	*v;
	size_t		 n, cap;
};

/* One row per first check, ordered by its group key (?4). */
static const char tally_sql[] =
	"SELECT CASE WHEN ?4 = 0 THEN substr(t.region, 1, ?5) ELSE "
	"t.township || '|' || t.surveyor END AS k, t.done, "
	"coalesce(t.done_day, ''), t.due, "
	"(SELECT count(*) FROM check_results c WHERE c.task_id = t.id AND "
	"c.kind = 1), "
	"(SELECT count(*) FROM check_results c WHERE c.task_id = t.id AND "
	"c.kind = 1 AND c.ok = 1), "
	"(SELECT count(*) FROM check_results c WHERE c.task_id = t.id AND "
	"c.kind = 2), "
	"(SELECT count(*) FROM check_results c WHERE c.task_id = t.id AND "
	"c.kind = 2 AND c.ok = 1), "
	"(SELECT count(*) FROM check_tasks r2 JOIN check_results b ON "
	"b.task_id = r2.id JOIN check_results a ON a.task_id = t.id AND "
	"a.kind = b.kind AND a.ref = b.ref WHERE r2.recheck_of = t.id AND "
	"r2.done = 1 AND a.final <> b.final) "
	"FROM check_tasks t WHERE t.year = ?1 AND t.region >= ?2 AND "
	"t.region < ?3 AND t.recheck_of IS NULL ORDER BY k";

static void
add_task(struct sup_counts *c, sqlite3_stmt *st, const char *today)
{
	int done = sqlite3_column_int(st, 1);
	const char *day = (const char *)sqlite3_column_text(st, 2);
	const char *due = (const char *)sqlite3_column_text(st, 3);
	int on_time, consistent;

	c->tasks++;
	c->done += done;
	c->survey_n += sqlite3_column_int64(st, 4);
	c->survey_ok += sqlite3_column_int64(st, 5);
	c->plan_n += sqlite3_column_int64(st, 6);
	c->plan_ok += sqlite3_column_int64(st, 7);
	if (day == NULL || due == NULL)
		return;
	if (!done && strcmp(due, today) >= 0)
		return;			/* not yet due */
	c->sup_n++;
	on_time = done && strcmp(day, due) <= 0;
	consistent = sqlite3_column_int64(st, 8) == 0;
	c->sup_ok += on_time && consistent;
}

static void
counts_add(struct sup_counts *a, const struct sup_counts *b)
{
	a->survey_ok += b->survey_ok;
	a->survey_n += b->survey_n;
	a->plan_ok += b->plan_ok;
	a->plan_n += b->plan_n;
	a->sup_ok += b->sup_ok;
	a->sup_n += b->sup_n;
	a->tasks += b->tasks;
	a->done += b->done;
}

static struct group *
group_for(struct groups *g, const char *key)
{

	if (g->n > 0 && strcmp(g->v[g->n - 1].key, key) == 0)
		return &g->v[g->n - 1];
	if (mem_grow(&g->v, &g->cap, g->n + 1, sizeof(*g->v), SIZE_MAX) != 0)
		return NULL;
	memset(&g->v[g->n], 0, sizeof(g->v[0]));
	snprintf(g->v[g->n].key, sizeof(g->v[0].key), "%s", key);
	return &g->v[g->n++];
}

static int
collect(struct store *s, int year, const struct region *in,
    enum sup_group by, int today, struct groups *g, struct lf_error *err)
{
	sqlite3_stmt *st;
	struct group *gr;
	char lo[24], hi[24], day[11];
	const char *k;
	int rc, digits = 12;

	if (by == SUP_BY_REGION && in->level < RL_VILLAGE)
		digits = region_level_digits(in->level + 1);
	/* PostgreSQL keeps no spot-check table yet (docs/postgresql.md): none */
	if (s->pg != NULL)
		return 0;
	if (sqlite3_prepare_v2(s->db, tally_sql, -1, &st, NULL) != SQLITE_OK)
		return store_sqlite_error(s, "precision", err);
	store_region_range(in, lo, hi);
	date_format(today, day);
	sqlite3_bind_int(st, 1, year);
	sqlite3_bind_text(st, 2, lo, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, hi, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 4, by == SUP_BY_REGION ? 0 : 1);
	sqlite3_bind_int(st, 5, digits);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		k = (const char *)sqlite3_column_text(st, 0);
		if ((gr = group_for(g, k ? k : "")) == NULL) {
			sqlite3_finalize(st);
			return lf_error_nomem(err);
		}
		add_task(&gr->c, st, day);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_sqlite_error(s, "precision", err);
	return 0;
}

int
supervise_tally(struct store *s, int year, const struct region *in,
    enum sup_group by, int today, supervise_tally_fn fn, void *arg,
    struct lf_error *err)
{
	struct groups g = { NULL, 0, 0 };
	struct sup_counts total;
	size_t i;
	int rc = 0;

	if (today == 0)
		today = store_today();
	if (collect(s, year, in, by, today, &g, err) != 0) {
		mem_free(g.v);
		return -1;
	}
	memset(&total, 0, sizeof(total));
	for (i = 0; i < g.n; i++)
		counts_add(&total, &g.v[i].c);
	if (by == SUP_BY_REGION)
		rc = fn(arg, "", &total);
	for (i = 0; i < g.n && rc == 0; i++)
		if (by == SUP_BY_SURVEYOR || in->level < RL_VILLAGE)
			rc = fn(arg, g.v[i].key, &g.v[i].c);
	mem_free(g.v);
	return rc < 0 ? -1 : 0;
}

struct prec_arg {
	struct store		*s;
	struct sup_precision	*p;
	int			 surveyor;
	const struct region	*in;
	struct lf_error		*err;
};

static int
prec_row(void *arg, const char *key, const struct sup_counts *c)
{
	struct prec_arg *a = arg;
	const struct region *r = NULL;
	char name[SUP_KEY_MAX], town[13];
	const char *bar;

	if (!a->surveyor) {
		r = key[0] ? regions_find(a->s->regions, key) : a->in;
		snprintf(name, sizeof(name), "%s", r ? r->name : key);
	} else {
		bar = strchr(key, '|');
		snprintf(town, sizeof(town), "%.*s", bar ? (int)(bar - key) :
		    0, key);
		r = regions_find(a->s->regions, town);
		snprintf(name, sizeof(name), "%s (%s)", bar ? bar + 1 : key,
		    r ? r->name : town);
	}
	return sup_precision_add(a->p, a->surveyor, key[0] ? key :
	    a->in->code, name, c, a->err);
}

int
supervise_precision(struct store *s, int year, const struct region *in,
    int today, struct sup_precision *p, struct lf_error *err)
{
	struct prec_arg a = { s, p, 0, in, err };

	memset(p, 0, sizeof(*p));
	p->year = year;
	snprintf(p->region, sizeof(p->region), "%s", in->code);
	if (supervise_tally(s, year, in, SUP_BY_REGION, today, prec_row, &a,
	    err) != 0)
		goto fail;
	a.surveyor = 1;
	if (supervise_tally(s, year, in, SUP_BY_SURVEYOR, today, prec_row, &a,
	    err) != 0)
		goto fail;
	return 0;
fail:
	sup_precision_free(p);
	return -1;
}
