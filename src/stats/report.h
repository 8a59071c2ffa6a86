/*
 * report.h - a statistics report (全项统计): every table of the engine
 * (core/stats.h) for one year, one region and a set of filters, written
 * as JSON, xlsx or CSV, or the KPI table as text.
 *
 * A report is built in one go from the engine (report_build) and holds
 * copies of everything it prints, so the caller may release its lock on
 * the engine, or free it, before writing. Its tables, in this order:
 *
 *   kpi          精准管理指标 (stats_kpi_table)
 *   batch        服务项目(按五个一批)   (stats_service_table, by batch)
 *   policy       服务项目(按政策)
 *   dept         服务项目(按部门)
 *   need_supply  需求与供给 (stats_need_table)
 *   <item code>  one per catalog item that is not secret, catalog order
 *
 * Each table has a row for the region (合计) and one per region one
 * level down. Units follow the column code: "...planned" and "...spent"
 * are fen (shown as 元 with two decimals), "..._bp" basis points (shown
 * as a percentage with one decimal), everything else counts.
 *
 * JSON (report_json):
 *   {"year", "region": {"code", "name", "level"},
 *    "filters": [{"item", "label", "codes": [..], "labels": [..]}],
 *      (codes as the catalog writes them, band indices, "0"/"1" for
 *      bool, "filled"),
 *    "as_of": "2026-11-29T04:22:07Z",
 *    "items": {"<item code>": TABLE, ...},
 *    "services": {"batch": TABLE, "policy": TABLE, "dept": TABLE},
 *    "kpi": TABLE + {"targets": {"entry_rate_bp": 9800, ...},
 *                    "below_target": [child codes, worst first]},
 *    "need_supply": TABLE,
 *    and one key per extra section (report_section_add): "satisfaction",
 *    "precision" (stats/report_precision.h), "findings" (stats_findings.h)}
 *   TABLE = {"label", "columns": [{"code", "label"}],
 *            "region": {"<column code>": n, ...},
 *            "children": {"<code>": {"name": "..", "<column code>": n}}}
 *   Numbers are the engine's (fen, basis points, counts).
 *
 * xlsx (report_xlsx_write): one sheet per table (names cut to 31
 * characters and unique), a title row (year, region, filters, as-of),
 * Chinese headers, the 合计 row, then the children; header row and first
 * column frozen; counts #,##0, money in 元 #,##0.00, rates 0.0%.
 * CSV (report_csv_write): UTF-8 with BOM, the same tables one after
 * another, each with a title line and its header, a blank line between.
 * Files are written to PATH.tmp and renamed over PATH, so a failure
 * leaves PATH as it was (and no PATH.tmp); a PATH that is not a regular
 * file (/dev/stdout, a pipe, a link) is written in place.
 *
 * Errors: -1 with err: "no_memory", "invalid" (a filter, err->field names
 * the item or "filter"), "io" (a file could not be written), or the
 * engine's. Threads: a report is immutable once built; any number of
 * threads may write it at once.
 */
#ifndef LF_IO_REPORT_H
#define LF_IO_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "lib/buf.h"
#include "core/catalog.h"
#include "lib/error.h"
#include "core/satisf.h"
#include "stats/stats.h"
#include "core/supervise.h"

#define REPORT_TIME_LEN	32

/* ---- filters --------------------------------------------------------- */

/*
 * Parses "ITEM=CODE[,CODE...]" into out. ITEM is a catalog code or
 * Chinese label; CODEs are, for an enum or multi item, option codes or
 * labels ("1", "01", "视力残疾"); for a bool item 1/0, 是/否, y/n, yes/no,
 * true/false; for a banded item (stats_bands) band indices from 0 or band
 * labels ("60-79岁"); for a text or region item "filled" (已填). The
 * mask holds the engine's filter bits (stats_filter_bit()). Fails with
 * "invalid" naming what is wrong (err->field "filter" for a malformed
 * spec or unknown item, else the item's code: secret item, unknown or
 * empty code).
 */
int	report_filter_parse(const struct stats *st, const struct catalog *cat,
	    const char *spec, struct stats_filter *out, struct lf_error *err);
/* The same for the codes part alone ("1,2") of item f. */
int	report_filter_codes(const struct stats *st, const struct field *f,
	    const char *codes, uint64_t *mask, struct lf_error *err);

/* ---- the report ------------------------------------------------------ */

struct report;
struct lxw_workbook;

/*
 * An extra section of a report, beside the engine's tables: 满意度, 精准率,
 * data-quality findings. Its owner adds it once (report_section_add) and
 * every writer renders it, in the order added: JSON (json sets its key in
 * root; -1 when memory runs out), the text after the KPI table, CSV after
 * the tables, xlsx as sheets (an lxw_error, 0 for none). text and csv
 * return 0 or -1 on a write error. Any op may be NULL (not rendered
 * there); release, when not NULL, frees data with the report.
 */
struct report_section_ops {
	int	(*json)(json_t *root, const struct report *r, const void *data);
	int	(*text)(const struct report *r, const void *data, FILE *fp);
	int	(*csv)(const struct report *r, const void *data, FILE *fp);
	int	(*xlsx)(struct lxw_workbook *wb, const struct report *r,
		    const void *data);
	void	(*release)(void *data);
};
#define REPORT_MAX_SECTIONS	8
struct report_section {
	const struct report_section_ops	*ops;
	void				*data;
};

enum report_kind { RK_KPI, RK_BATCH, RK_POLICY, RK_DEPT, RK_NEED, RK_ITEM };

struct report_table {
	enum report_kind	 kind;
	const char		*key;	/* "kpi", "batch", ..., item code */
	const char		*title;	/* Chinese */
	const struct field	*f;	/* RK_ITEM, else NULL */
	struct stats_table	 t;
};

/* A filter as the report names it: option codes (or band indices) and
 * their labels, copied. */
#define REPORT_MAX_CODES	64
struct report_filter {
	const struct field	*f;
	uint64_t		 mask;
	size_t			 n;
	char			*code[REPORT_MAX_CODES];
	char			*label[REPORT_MAX_CODES];
};

struct report {
	int			 year;
	const struct region	*in;
	char			 as_of[REPORT_TIME_LEN];
	struct report_filter	 filters[STATS_MAX_FILTERS];
	size_t			 nfilters;
	struct report_table	*tables;
	size_t			 ntables;
	/* satisfaction (report_satisf.c): filled by the caller from the
	 * store (feedback_counts()); no rows = not part of this report */
	struct satisf_table	 satisf;
	/* extra sections (report_section_add), satisfaction first */
	struct report_section	 sections[REPORT_MAX_SECTIONS];
	size_t			 nsections;
};

/*
 * Builds the report of q (region, filters, today) from st, with the 入库
 * targets of the built-in data/targets.tsv in the KPI table. as_of is the
 * time the engine's data was current (ISO 8601; NULL = now). The
 * catalog, the regions and the engine's policies must outlive the
 * report; the engine need not. The caller frees *out with report_free().
 */
int	report_build(const struct stats *st, const struct catalog *cat,
	    const struct stats_query *q, const char *as_of,
	    struct report **out, struct lf_error *err);
void	report_free(struct report *r);

/*
 * Adds a section rendered by every writer (struct report_section_ops).
 * data is the section's (the report owns it when ops->release is set, and
 * releases it here on failure); it must outlive the writing. -1 with
 * "invalid" when the report has REPORT_MAX_SECTIONS already.
 */
int	report_section_add(struct report *r,
	    const struct report_section_ops *ops, void *data,
	    struct lf_error *err);
/* Appends the table t (moved into the report: t is zeroed) under key,
 * with its Chinese title (static strings), rendered like the engine's
 * top-level tables. 0, or -1 with err (t then freed). */
int	report_table_add(struct report *r, const char *key, const char *title,
	    struct stats_table *t, struct lf_error *err);
/* Each writer renders the sections with one call (see the ops). */
int	report_sections_json(json_t *root, const struct report *r);
int	report_sections_text(const struct report *r, FILE *fp);
int	report_sections_csv(const struct report *r, FILE *fp);
int	report_sections_xlsx(struct lxw_workbook *wb, const struct report *r);

/* The table with this key, or NULL. */
const struct report_table *report_table(const struct report *r,
	    const char *key);

/* "2026-11-29T04:22:07Z" for now. */
void	report_now(char out[REPORT_TIME_LEN]);

/* ---- what the writers share ----------------------------------------- */

enum report_unit { RU_COUNT, RU_FEN, RU_BP };
/* The unit of a column, from its code. */
enum report_unit report_unit(const char *col_code);
/* Appends column i's header: its label, money in 元 ("(分)" becomes
 * "(元)"), rates without the engine's "(万分比)" (they are shown as
 * percentages). */
int	report_col_head(const struct stats_table *t, size_t i, struct buf *b);
/* Appends the value as text: counts as is, fen as 元 with two decimals,
 * basis points as a percentage with one decimal ("98.5%"). */
int	report_value_text(enum report_unit u, int64_t v, struct buf *b);
/* Row i's name: "合计" for row 0, else the region's name. */
const char *report_row_name(const struct stats_table *t, size_t i);
/* Appends the title line of table t (t NULL: of the report):
 * "2025年 四川省(51) 残疾类别 筛选: 残疾等级=一级、二级 数据截至 ...". */
int	report_title(const struct report *r, const struct report_table *t,
	    struct buf *b);

/* KPI targets: column code, the column its rate is taken over, target
 * in basis points. */
struct report_target {
	const char	*col;
	const char	*denom;
	int64_t		 bp;
};
const struct report_target *report_targets(size_t *n);
/* The rows (1..) of the KPI table whose region is below a target (with a
 * non-zero denominator), worst shortfall first. The caller frees *rows
 * with mem_free(). */
int	report_below_target(const struct stats_table *kpi, size_t **rows,
	    size_t *n, struct lf_error *err);

/* ---- writers --------------------------------------------------------- */

/* The report as JSON (above); NULL when memory runs out. The caller
 * owns the reference. */
json_t	*report_json(const struct report *r);
int	report_json_write(const struct report *r, const char *path,
	    struct lf_error *err);
int	report_xlsx_write(const struct report *r, const char *path,
	    struct lf_error *err);
int	report_csv_write(const struct report *r, const char *path,
	    struct lf_error *err);
/* The KPI table as aligned text (for a terminal). */
int	report_text_kpi(const struct report *r, FILE *fp,
	    struct lf_error *err);

/*
 * Satisfaction (满意度, core/satisf.h): the section report_build() adds
 * first (report_satisf_section); nothing is written when r->satisf has no
 * rows. JSON: the key
 * "satisfaction" = {"label", "definition", "target_bp", "region": ROW,
 * "children": {"<code>": ROW + {"name"}}, "below_target": [codes]},
 * ROW = {"satisfied", "basic", "unsatisfied", "rated", "items", "plans",
 * "rate_bp" (null when nothing is rated)}. Text: one line per region.
 * CSV: one more table. xlsx: one more sheet "满意度". The target is
 * report_targets()' "satisfaction_bp". Returns 0, or -1 (JSON: no
 * memory; text, CSV: a write error; xlsx: the libxlsxwriter error).
 */
int	report_satisf_json(json_t *root, const struct report *r);
int	report_satisf_text(const struct report *r, FILE *fp);
int	report_satisf_csv(const struct report *r, FILE *fp);
int	report_satisf_xlsx(struct lxw_workbook *wb, const struct report *r);
extern const struct report_section_ops report_satisf_section;

/* The writers put their files into place through io/outfile.h. */

#endif
