/*
 * draw.c - drawing a spot-check sample (supervise/supervise.h): the
 * parameters and item list checked, the candidates read, the stratified
 * draw of core/supervise.h, then the sample and its tasks written; and
 * the names of the check modes.
 */
#include "supervise/supervise.h"

#include <string.h>

#include "lib/date.h"
#include "lib/mem.h"

const char *
supervise_mode_zh(int mode)
{
	return mode == SUP_PHONE ? "电话复核" : mode == SUP_VISIT ? "入户复核" :
	    "";
}

const char *
supervise_mode_en(int mode)
{
	return mode == SUP_PHONE ? "phone" : mode == SUP_VISIT ? "visit" : "";
}

int
supervise_mode_parse(const char *m)
{
	if (m == NULL)
		return 0;
	if (strcmp(m, "visit") == 0)
		return SUP_VISIT;
	if (strcmp(m, "phone") == 0)
		return SUP_PHONE;
	return 0;
}

/* Checks the item list: known, not secret, not repeated. */
static int
check_items(const struct catalog *cat, const char *items,
    struct lf_error *err)
{
	char code[64];
	const char *p = items, *e;
	size_t len, n = 0;

	if (strlen(items) >= SUP_ITEMS_MAX)
		return lf_error_set(err, "invalid", "items", "核查项目过多 (too "
		    "many items)");
	while (*p != '\0') {
		e = strchr(p, ',');
		len = e ? (size_t)(e - p) : strlen(p);
		if (len == 0 || len >= sizeof(code))
			return lf_error_set(err, "invalid", "items", "核查项目列表"
			    "格式错误 (malformed item list)");
		memcpy(code, p, len);
		code[len] = '\0';
		if (catalog_find(cat, code, len) == NULL)
			return lf_error_set(err, "invalid", "items", "未知项目 "
			    "(unknown item) %s", code);
		if (catalog_find(cat, code, len)->secret)
			return lf_error_set(err, "invalid", "items", "加密项目不"
			    "能抽查 (a secret item cannot be checked): %s", code);
		n++;
		p += len + (e != NULL);
		if (e != NULL && *p == '\0')
			return lf_error_set(err, "invalid", "items", "核查项目列表"
			    "格式错误 (malformed item list)");
	}
	if (n == 0)
		return lf_error_set(err, "invalid", "items", "至少一个核查项目 "
		    "(at least one item)");
	return 0;
}

int
supervise_draw(struct store *s, int year, const struct region *in,
    const struct sup_params *prm, const char *items, int mode,
    const char *due, const char *actor, int64_t *id, struct lf_error *err)
{
	struct sup_cand *c = NULL;
	struct sup_person *pp = NULL;
	size_t n = 0, m = 0, i, *idx = NULL;
	unsigned char *recheck = NULL;
	int days, own, rc = -1;

	if (items == NULL)
		items = SUP_DEFAULT_ITEMS;
	if (year < 1990 || year > 2999)
		return lf_error_set(err, "invalid", "year", "年度无效 (bad "
		    "year)");
	if (mode != SUP_VISIT && mode != SUP_PHONE)
		return lf_error_set(err, "invalid", "mode", "复核方式须为 visit "
		    "或 phone (mode must be visit or phone)");
	if (due == NULL || date_parse(due, &days) != 0)
		return lf_error_set(err, "invalid", "due", "截止日期须为 "
		    "YYYY-MM-DD (due must be a date YYYY-MM-DD)");
	if (check_items(store_catalog(s), items, err) != 0)
		return -1;
	if ((own = supervise_tx_begin(s, err)) < 0)
		return -1;
	if (supervise_cands(s, year, in, &c, &n, err) != 0)
		goto out;
	if (n == 0) {
		lf_error_set(err, "invalid", "region", "%d 年 %s 没有可抽查的调查 "
		    "(no surveys to sample in %s for %d)", year, in->code,
		    in->code, year);
		goto out;
	}
	if ((pp = mem_calloc(n, sizeof(*pp))) == NULL) {
		lf_error_nomem(err);
		goto out;
	}
	for (i = 0; i < n; i++) {
		pp[i].id = c[i].id;
		pp[i].township = c[i].town;
		pp[i].surveyor = c[i].surv;
	}
	if (sup_draw(pp, n, prm, &idx, &recheck, &m, err) != 0 ||
	    supervise_sample_insert(s, year, in, prm, items, mode, due,
	    (int64_t)n, actor, id, err) != 0 ||
	    supervise_tasks_insert(s, *id, year, c, idx, recheck, m, mode,
	    due, err) != 0)
		goto out;
	rc = 0;
out:
	mem_free(pp);
	mem_free(idx);
	mem_free(recheck);
	supervise_cands_free(c, n);
	return supervise_tx_end(s, own, rc, err);
}

