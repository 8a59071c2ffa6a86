/*
 * export_items.c - a year's service items as CSV (see export.h).
 */
#include "bulk/export.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/dept.h"
#include "core/idcard.h"
#include "io/csv.h"
#include "lib/progress.h"
#include "store/plan.h"

static const char *const headers[] = {
	"年度", "身份证号", "姓名", "村(社区)代码", "村(社区)", "序号",
	"政策代码", "政策名称", "五个一批", "需求项", "来源", "处理意见",
	"责任部门", "责任单位", "联系人", "计划时间", "落实时间",
	"年度资金(元)", "已投入资金(元)", "按月发放", "具体措施", "服务效果",
	"效果说明", "状态", "状态说明", "部门答复",
};
#define NCOLS	(sizeof(headers) / sizeof(headers[0]))

struct xitems {
	FILE			*fp;
	struct store		*s;
	const struct regions	*regions;
	const struct policies	*ps;
	struct store_person	 p;		/* of the last row */
	struct progress		*bar;
	uint64_t		 rows;
	struct lf_error		*err;
};

static void
yuan(char *out, size_t len, int64_t fen)
{
	snprintf(out, len, "%s%" PRId64 ".%02" PRId64, fen < 0 ? "-" : "",
	    (fen < 0 ? -fen : fen) / 100, (fen < 0 ? -fen : fen) % 100);
}

/* "ss_care_subsidy,ss_dibao" -> "重度残疾人护理补贴、低保" (the catalog's
 * labels; a code the catalog lacks is kept as it is). */
static void
needs_labels(const struct catalog *cat, const char *needs, char *out,
    size_t len)
{
	const struct field *f;
	size_t n, used = 0;
	int w;

	out[0] = '\0';
	while (*needs != '\0') {
		n = strcspn(needs, ",");
		f = n > 0 ? catalog_find(cat, needs, n) : NULL;
		w = f != NULL ? snprintf(out + used, len - used, "%s%s",
		    used ? "、" : "", f->label_zh) : n > 0 ? snprintf(out + used,
		    len - used, "%s%.*s", used ? "、" : "", (int)n, needs) : 0;
		if (w < 0 || (size_t)w >= len - used)
			return;
		used += (size_t)w;
		needs += n + (needs[n] == ',');
	}
}

static const char *
dept_answer(int st)
{
	static const char *const v[] = { "待接收", "已接收", "已退回" };

	return st >= 0 && st <= 2 ? v[st] : "";
}

static int
write_item(void *arg, const struct plan_item *it)
{
	struct xitems *x = arg;
	const struct policy *pol = it->policy[0] ?
	    policy_find(x->ps, it->policy) : NULL;
	const struct region *v = regions_find(x->regions, it->region);
	const struct dept *d = dept_find(it->dept);
	char year[8], seq[16], masked[40], planned[32], spent[32];
	char needs[PLAN_NEEDS_MAX * 4];
	const char *row[NCOLS];

	if (x->p.id != it->person_id &&
	    store_person_by_id(x->s, it->person_id, &x->p, x->err) != 0)
		return -1;
	idcard_mask(store_person_shown_id(&x->p), masked, sizeof(masked));
	snprintf(year, sizeof(year), "%d", it->year);
	snprintf(seq, sizeof(seq), "%d", it->seq);
	yuan(planned, sizeof(planned), it->funds_planned);
	yuan(spent, sizeof(spent), it->funds_spent);
	row[0] = year; row[1] = masked; row[2] = x->p.name;
	row[3] = it->region; row[4] = v ? v->name : "";
	row[5] = seq; row[6] = it->policy;
	row[7] = pol ? pol->name_zh : "";
	row[8] = pol ? policy_batch_get(pol->batch)->name_zh : "";
	needs_labels(x->ps->cat, it->needs, needs, sizeof(needs));
	row[9] = needs; row[10] = plan_origin_zh(it->origin);
	row[11] = plan_decision_zh(it->decision);
	row[12] = d ? d->name_zh : it->dept; row[13] = it->org;
	row[14] = it->contact; row[15] = it->planned_month;
	row[16] = it->actual_date; row[17] = planned; row[18] = spent;
	row[19] = it->monthly ? "是" : "否"; row[20] = it->measures;
	row[21] = plan_effect_zh(it->effect); row[22] = it->effect_note;
	row[23] = plan_status_zh(it->status); row[24] = it->status_reason;
	row[25] = dept_answer(it->dept_state);
	if (csv_write_row(x->fp, row, NCOLS) != 0)
		return lf_error_set(x->err, "io", "", "写入失败 (write "
		    "failed)");
	progress_update(x->bar, ++x->rows);
	return 0;
}

int
export_items_csv(struct store *s, const struct regions *regions,
    const struct policies *ps, int year, const struct region *in,
    const char *file, int progress, uint64_t *rows, struct lf_error *err)
{
	struct xitems x;
	char tmp[4096];
	int rc;

	memset(&x, 0, sizeof(x));
	lf_error_clear(err);
	x.s = s;
	x.regions = regions;
	x.ps = ps;
	x.err = err;
	x.p.id = -1;
	if ((x.fp = export_open(file, tmp, sizeof(tmp), err)) == NULL)
		return -1;
	rc = csv_write_bom(x.fp) != 0 || csv_write_row(x.fp, headers,
	    NCOLS) != 0 ? lf_error_set(err, "io", "", "%s: 写入失败 (write "
	    "failed)", tmp) : 0;
	if (rc == 0 && progress)
		x.bar = progress_start("导出服务项目 export items", 0);
	if (rc == 0)
		rc = plan_scan_items(s, year, in ? in->code : NULL, write_item,
		    &x, err);
	progress_done(x.bar);
	if (export_finish(x.fp, tmp, file, rc, err) != 0)
		return -1;
	*rows = x.rows;
	return 0;
}
