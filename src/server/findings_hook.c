/*
 * findings_hook.c - rules loaded once; re-check after writes
 * (findings_hook.h).
 */
#include "server/findings_hook.h"

#include <pthread.h>

#include "lib/log.h"
#include "quality/findings.h"
#include "stats/stats_findings.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct quality_rules *rules;
static int failed;

const struct quality_rules *
findings_rules_of(const struct app *app)
{
	struct lf_error err;
	const struct quality_rules *qr;

	pthread_mutex_lock(&mu);
	if (rules == NULL && !failed && app != NULL) {
		lf_error_clear(&err);
		if (quality_rules_load_embedded(app->cat, &rules, &err) != 0) {
			log_warnx("quality rules: %s", err.message);
			failed = 1;
		}
	}
	qr = rules;
	pthread_mutex_unlock(&mu);
	return qr;
}

const struct quality_rules *
findings_rules(void)
{
	return findings_rules_of(NULL);
}

void
findings_hook_person(struct store *s, const struct app *app,
    int64_t person_id)
{
	const struct quality_rules *qr = findings_rules_of(app);
	struct lf_error err;
	int years[16];
	size_t i, n = 0;

	/* findings have no tables on PostgreSQL yet (docs/postgresql.md) */
	if (qr == NULL || store_is_pg(s))
		return;
	lf_error_clear(&err);
	if (store_survey_years(s, person_id, years, 16, &n, &err) != 0) {
		log_warnx("findings of person %lld: %s", (long long)person_id,
		    err.message);
		return;
	}
	for (i = 0; i < n; i++)
		if (findings_person(s, qr, app->policies, app->disaster,
		    person_id, years[i], "system:quality", NULL, &err) != 0)
			log_warnx("findings of person %lld, %d: %s",
			    (long long)person_id, years[i], err.message);
}

void
findings_report_add(struct req *r, struct report *rep)
{
	const struct quality_rules *qr = findings_rules_of(r->app);
	struct lf_error err;

	lf_error_clear(&err);
	if (qr != NULL && stats_findings_add(rep, r->s, qr, r->app->regions,
	    &err) != 0)
		log_warnx("statistics: findings: %s", err.message);
}
