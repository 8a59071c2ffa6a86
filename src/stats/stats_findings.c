/*
 * stats_findings.c - the findings section of `liangfu stats` (issue 13):
 * added to the JSON file the report wrote, and printed after the KPI
 * table when no file is asked for.
 */
#include "stats/stats_findings.h"

#include <stdio.h>

#include "stats/findings_stats.h"

static int
add_to_file(const char *path, json_t *f, struct lf_error *err)
{
	char tmp[4096];
	json_error_t je;
	json_t *j;
	int rc;

	if ((j = json_load_file(path, 0, &je)) == NULL)
		return lf_error_set(err, "io", "", "%s: %s", path, je.text);
	json_object_set(j, "findings", f);
	snprintf(tmp, sizeof(tmp), "%s.findings-tmp", path);
	rc = json_dump_file(j, tmp, JSON_INDENT(1)) != 0 ||
	    rename(tmp, path) != 0;
	json_decref(j);
	if (rc != 0) {
		remove(tmp);
		return lf_error_set(err, "io", "", "%s: 无法写入 (cannot "
		    "write)", path);
	}
	return 0;
}

int
stats_findings(struct store *s, const struct cli_env *env, int year,
    const char *region, const char *json, int text, struct lf_error *err)
{
	struct quality_rules *qr;
	json_t *f;
	int rc = 0;

	if (json == NULL && !text)
		return 0;
	if (quality_rules_load_embedded(env->cat, &qr, err) != 0)
		return -1;
	f = findings_stats_json(s, qr, env->regions, year, region, err);
	quality_rules_free(qr);
	if (f == NULL)
		return -1;
	if (json != NULL)
		rc = add_to_file(json, f, err);
	if (rc == 0 && text)
		rc = findings_stats_text(f, stdout) != 0 ? lf_error_set(err,
		    "io", "", "无法输出 (cannot write)") : 0;
	json_decref(f);
	return rc;
}
