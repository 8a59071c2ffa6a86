/*
 * h_stats.c - 全项统计 over HTTP:
 *   GET /api/v1/stats?year=Y&region=CODE&f=ITEM=C1,C2&...&format=json|xlsx|csv
 * The report of io/report.h for the year, a region inside the caller's
 * (default: the caller's own) broken down one level below, with filters
 * on catalog items; JSON for the dashboard, xlsx and CSV as downloads.
 * Built from the server's in-memory statistics (statsd.h), which every
 * write keeps current; the report names the time its data was current.
 */
#include "server/access.h"
#include "lib/date.h"
#include "server/findings_hook.h"
#include "server/session.h"
#include "stats/statsd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "stats/report.h"
#include "store/feedback_rows.h"
#include "supervise/supervise.h"
#include "stats/report_insight.h"
#include "stats/report_precision.h"
#include "recon/recon.h"

#define MAX_SPECS	STATS_MAX_FILTERS

struct sargs {
	const char	*year, *region, *format;
	const char	*spec[MAX_SPECS];
	size_t		 nspec;
	int		 bad;
};

static enum MHD_Result
on_arg(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct sargs *a = cls;

	(void)kind;
	if (value == NULL)
		a->bad = 1;
	else if (strcmp(key, "year") == 0)
		a->year = value;
	else if (strcmp(key, "region") == 0)
		a->region = value;
	else if (strcmp(key, "format") == 0)
		a->format = value;
	else if (strcmp(key, "f") == 0 && a->nspec < MAX_SPECS)
		a->spec[a->nspec++] = value;
	else
		a->bad = 1;
	return MHD_YES;
}

/* Checks the arguments: year, region inside the caller's, format. */
static int
check_args(struct req *r, const struct sargs *a, int *year,
    const struct region **in, struct lf_error *err)
{
	char *end;
	long y;

	http_china_date(year, NULL);
	if (a->year != NULL) {
		y = strtol(a->year, &end, 10);
		if (*a->year == '\0' || *end != '\0' || y < 1990 || y > 2999)
			return lf_error_set(err, "bad_request", "year", "年度无效"
			    " (bad year)");
		*year = (int)y;
	}
	if ((*in = http_scope_region(r, a->region)) == NULL)
		return lf_error_set(err, "bad_region", "region", "区划不在您的"
		    "范围内 (region unknown or outside your scope)");
	if (a->format != NULL && strcmp(a->format, "json") != 0 &&
	    strcmp(a->format, "xlsx") != 0 && strcmp(a->format, "csv") != 0)
		return lf_error_set(err, "bad_request", "format", "format 应为 "
		    "json、xlsx 或 csv (format: json, xlsx or csv)");
	return 0;
}

/* Builds the report while holding the year's statistics. */
static int
build(struct req *r, const struct sargs *a, int year,
    const struct region *in, struct report **rep, struct lf_error *err)
{
	struct stats_filter filters[STATS_MAX_FILTERS];
	struct statsd_ref ref;
	struct stats_query q;
	char as_of[REPORT_TIME_LEN];
	struct stats_table t;
	size_t i;
	int rc = 0;

	if (statsd_acquire(r->s, year, &ref, err) != 0)
		return -1;
	for (i = 0; rc == 0 && i < a->nspec; i++)
		rc = report_filter_parse(ref.st, r->app->cat, a->spec[i],
		    &filters[i], err);
	if (rc == 0) {
		memset(&q, 0, sizeof(q));
		q.in = in;
		q.filters = filters;
		q.nfilters = a->nspec;
		q.today = store_today();
		date_utc_iso(ref.as_of, as_of);
		rc = report_build(ref.st, r->app->cat, &q, as_of, rep, err);
	}
	statsd_release(&ref);
	if (rc == 0 && (feedback_counts(r->s, in, r->app->regions, year,
	    &(*rep)->satisf, err) != 0 ||		/* 满意度 */
	    recon_table(r->s, in, &t, err) != 0 ||	/* 16 */
	    report_insight_add(*rep, &t, err) != 0)) {
		report_free(*rep);
		*rep = NULL;
		rc = -1;
	}
	return rc;
}

/* Writes the report to a temporary file and replies with its bytes. */
static enum MHD_Result
reply_file(struct req *r, const struct report *rep, int xlsx, int year)
{
	char path[32], name[64];
	struct lf_error err;
	int rc;

	lf_error_clear(&err);
	if (reply_tmp_open(path) != 0)
		return reply_error(r, 500, "io", "", "服务器内部错误 (internal "
		    "error; request id %s)", r->id);
	rc = xlsx ? report_xlsx_write(rep, path, &err) :
	    report_csv_write(rep, path, &err);
	snprintf(name, sizeof(name), "liangfu-stats-%s-%d.%s",
	    rep->in->code, year, xlsx ? "xlsx" : "csv");
	return reply_tmp_file(r, path, rc, xlsx ? "application/"
	    "vnd.openxmlformats-officedocument.spreadsheetml.sheet" :
	    "text/csv; charset=utf-8", name);
}

enum MHD_Result
h_stats(struct req *r)
{
	const struct region *in = NULL;
	struct report *rep = NULL;
	struct lf_error err;
	struct sargs a;
	struct sup_precision prec;
	enum MHD_Result res;
	char detail[128];
	int year = 0;

	if (!access_allowed(&r->who, ACT_STATS_READ, 0))
		return http_audit_refuse(r, "stats.read", "region", "role",
		    "无权查看统计 (your role cannot read statistics)");
	memset(&a, 0, sizeof(a));
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, on_arg, &a);
	lf_error_clear(&err);
	if (a.bad)
		lf_error_set(&err, "bad_request", "", "参数无效: 可用 year、"
		    "region、f (最多 %d 个)、format (bad query: year, region, up "
		    "to %d f=ITEM=CODES, format)", MAX_SPECS, MAX_SPECS);
	else if (check_args(r, &a, &year, &in, &err) == 0)
		build(r, &a, year, in, &rep, &err);
	if (rep == NULL) {
		if (err.code != NULL && strcmp(err.code, "bad_region") == 0)
			http_audit(r, "stats.read", "region", a.region ?
			    a.region : "", "denied", "outside the scope");
		return err.code != NULL && (strcmp(err.code, "bad_request") ==
		    0 || strcmp(err.code, "bad_region") == 0) ?
		    reply_error(r, 400, err.code, err.field, "%s",
		    err.message) : reply_lf_error(r, &err);
	}
	snprintf(detail, sizeof(detail), "year=%d filters=%zu format=%s",
	    year, a.nspec, a.format ? a.format : "json");
	if (http_audit_gate(r, "stats.read", "region", in->code, "ok", detail) !=
	    0) {
		report_free(rep);
		return reply_audit_unavailable(r);
	}
	/* 精准率 from the spot checks (supervise/supervise.h) */
	memset(&prec, 0, sizeof(prec));
	if (supervise_precision(r->s, year, in, 0, &prec, &err) != 0) {
		report_free(rep);
		return reply_lf_error(r, &err);
	}
	if (report_section_add(rep, &report_precision_section, &prec,
	    &err) != 0) {
		report_free(rep);
		sup_precision_free(&prec);
		return reply_lf_error(r, &err);
	}
	findings_report_add(r, rep);	/* issue 13 */
	if (a.format == NULL || strcmp(a.format, "json") == 0)
		res = reply_json(r, 200, report_json(rep));
	else
		res = reply_file(r, rep, strcmp(a.format, "xlsx") == 0, year);
	report_free(rep);
	sup_precision_free(&prec);
	return res;
}
