/*
 * stats.h - 全项统计: always-current statistics of one year, in memory.
 *
 * A struct stats holds, for one year, every registered person of the
 * region table (入库) with:
 *   - their village and status (active / moved out / deceased);
 *   - whether they have the year's survey, and its coded items: for each
 *     catalog item one small code per person ("about one byte per item per
 *     person"): enum and bool the option code, multi a bit mask, int /
 *     money / decimal / date a band (stats_bands), text filled or empty;
 *     secret items are not kept;
 *   - their plan's status and service items (policy, department,
 *     decision, status, effect, planned month, funds planned and spent,
 *     the needs each item meets).
 * Persons are added, replaced and removed one at a time (stats_person_set,
 * stats_items_set), so the totals follow every write; stats_*_table()
 * answers read the current state.
 *
 * Tables. Every table is for one region R (any level) broken down one
 * level below (the villages' own rows for a village), with a row for R
 * itself (the sum), and may be restricted by filters on catalog items
 * (every filter must hold: an enum/bool item in a set of codes, a multi
 * item holding any of a set of codes, a banded item in a set of bands).
 * Counts are persons unless named otherwise. Persons who are not active
 * (moved out, deceased) count in no table (the KPI's 入库 counts active
 * persons too); they are held so that a change of status moves them.
 *
 * Speed: every region above village level with persons beneath it keeps
 * running totals of every table's counters, updated on every change
 * (four blocks per person change); an unfiltered table for a province,
 * city or county is read from its children's totals (cost: the number of
 * children, not the persons). Village rows (tables of a township or
 * village) and filtered tables scan the persons of R, which are held
 * village by village, column-wise (one code column per item), so that a
 * scan reads only R's persons and only the columns it needs. Measured
 * at 3.5 M persons and 17.5 M items (2 shared cores, -O2): every item
 * table of the province by city 0.25 ms in all, of a county by township
 * 0.2 ms, of a township by village 3 ms; with a filter, one item table
 * of the province 34 ms, every item table at once (stats_field_tables)
 * 260 ms, the KPI, need and three service tables 0.9 s; a new person
 * with their items about 10 us.
 *
 * A table filtered on exactly one item among a few pivots (sex, age band,
 * disability category and grade, hukou, card status, self-care: see
 * stats_slice.c) for a region of county level or above is read from
 * running totals kept per county and per value of the pivot ("slices"),
 * summed over the region's counties: 1-2 ms for the whole filtered
 * province report (it scanned for about 1 s); tables of townships and
 * villages, and other filters, still scan (bench/engine.sh).
 *
 * Memory: per person the coded items (one byte each in data/catalog.tsv:
 * 134), the exact value of each banded item (8 bytes each: 6 items, for
 * the what-if, stats_whatif.h) plus 37 bytes (id, yes-need mask, items
 * offset, flags, locator),
 * with up to half again while a village's block has room to grow; per
 * person with counted items 40 bytes plus 16 per item (rejected items
 * are not held), kept per village in one pool with about a quarter to
 * grow into; per region above village level with persons beneath it the
 * running totals (4 bytes per option of every item, 8 per sum of funds:
 * 5 KB), and per county with persons its slices (one such block per
 * value of each pivot: 31 blocks, about 150 KB; 27 MiB for the
 * province's counties). Measured at 3.5 M persons with 17.5 M counted
 * items, before slices: 350 bytes a person in all (1.17 GB). Nothing grows beyond the data it holds:
 * replaced items, emptied blocks and totals are given back.
 *
 * Threads: a struct stats is not locked; the caller serialises writers
 * against readers (the server uses a read-write lock per year).
 *
 * Errors: -1 with err ("no_memory", "invalid" naming the field of a bad
 * filter); lookups of unknown regions are the caller's to refuse.
 */
#ifndef LF_CORE_STATS_H
#define LF_CORE_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "core/catalog.h"
#include "lib/error.h"
#include "core/policy.h"
#include "core/record.h"
#include "core/region.h"
#include "core/targets.h"

struct stats;

/*
 * Bands of a numeric or date item: STATS_MAX_BANDS at most, ascending
 * lower bounds (inclusive) in the item's numeric units (date: for
 * birth_date, age in whole years at 1 July of the year; other dates: the
 * year), each with a label ("0-6岁", "1人"...). Defined in a table in
 * stats_bands.c by item code (ages 0-6, 7-14, 15-17, 18-44, 45-59,
 * 60-79, 80+; household sizes 1..6+; incomes in fen), with defaults for
 * items not in it: dates by year (three years back and before, each
 * year, next year and after), numbers five equal bands (quintiles) of
 * the catalog range. A value below the first lower bound is in the first
 * band. The array belongs to st.
 */
#define STATS_MAX_BANDS	16
struct stats_band {
	int64_t		 lo;
	const char	*label;
};
/* The bands of field f; *n set (0 for items that are not banded). */
const struct stats_band *stats_bands(const struct stats *st,
	    const struct field *f, size_t *n);

/* Makes an empty year. The catalog, regions and policies must outlive
 * it. NULL when memory runs out or year is not in 1800..2999. */
struct stats	*stats_new(const struct catalog *cat, const struct regions *rs,
		    const struct policies *ps, int year);
void		 stats_free(struct stats *st);
int		 stats_year(const struct stats *st);

/* The person as registered: village (12 digits) and status (1..3).
 * survey is the year's survey or NULL (none); it is read during the call
 * only. Replaces the village, status and survey known of person_id (1 ..
 * 2^31-1, dense: memory is 8 bytes per id up to the largest); the
 * person's items and plan status, if set, are kept. Errors: "invalid"
 * with err->field "person_id", "status", "village" (not a village of the
 * table), "survey" (another catalog) or the code of an item whose value is
 * not in the catalog; "no_memory". On error nothing changed. */
int	stats_person_set(struct stats *st, int64_t person_id,
	    const char *village, int status, const struct record *survey,
	    struct lf_error *err);
/* Forgets the person (and their items); unknown ids are ignored. */
void	stats_person_remove(struct stats *st, int64_t person_id);

/* One service item as the statistics need it. */
struct stats_item {
	int		 policy;	/* index into policies, -1 none */
	int		 dept;		/* index into core/dept.h, -1 */
	int		 decision;	/* enum item_decision of plan.h */
	int		 status;	/* enum item_status */
	int		 effect;	/* enum item_effect */
	int		 month;		/* planned, 1..12 */
	int64_t		 planned, spent;	/* fen */
	const int	*needs;		/* catalog field indices it meets */
	size_t		 nneeds;
};
/* The person's plan (status: 0 none, 1 draft, 2 confirmed, 3 closed) and
 * all their items of the year, replacing what was known. The person must
 * have been set first ("invalid", field "person_id"). items (n of them,
 * at most 100000; NULL when n is 0) are read during the call only.
 * "invalid" names the bad member: "policy", "dept", "decision", "status",
 * "effect", "month", "planned"/"spent" (beyond +-2^47 fen), "needs" (not
 * a need item of the catalog). On error nothing changed. */
int	stats_items_set(struct stats *st, int64_t person_id, int plan_status,
	    const struct stats_item *items, size_t n, struct lf_error *err);

/* A filter: item f's code (or band, or for multi: any of the codes) is in
 * the set given as a bit mask of codes/bands 0..63. Bit b stands for:
 * enum option code b (but for an enum with a code above 63, e.g.
 * ethnicity, marital_status: the option's index in f->options), bool 0/1,
 * multi option code b, banded item band b, text and region items 0 =
 * filled. stats_filter_bit() gives the bit of a code. An unset item
 * passes no filter. */
struct stats_filter {
	const struct field	*f;
	uint64_t		 codes;
};
#define STATS_MAX_FILTERS	8

/* The filter bit of option code `code` of f (band index for banded
 * items, 0 for filled), or -1 when f cannot be filtered on (secret, not
 * of the catalog) or has no such code. */
int	stats_filter_bit(const struct stats *st, const struct field *f,
	    int code);

struct stats_query {
	const struct region		*in;	/* R */
	const struct stats_filter	*filters;
	size_t				 nfilters;
	int				 today;	/* days, for overdue items */
};

/* The rows of a table: rows[0] is R itself, then R's children in table
 * order (every child is listed, with or without persons; for a village R
 * the one row after rows[0] is the village again). A table owns all it
 * points to except the regions: it stays valid when st changes or is
 * freed; the caller frees it with stats_table_free() (also safe on the
 * zeroed table a failed call leaves). */
struct stats_row {
	const struct region	*region;
	int64_t			*v;	/* the table's columns */
};
struct stats_table {
	size_t			 ncols;
	const char		**col_code;	/* e.g. option code "1", band
						   index, "empty" */
	const char		**col_label;	/* Chinese */
	struct stats_row	*rows;
	size_t			 nrows;
	/* private */
	int64_t			*cells;
};
void	stats_table_free(struct stats_table *t);

/*
 * Item table for catalog field f: persons with the year's survey per
 * option code (multi: per code held; bool: "0" 否 and "1" 是; banded: per
 * band, col_code the band index; text and region: "filled"), then a last
 * column, code "empty", label "未填" (asked but no value or not asked:
 * persons surveyed without a value). Secret items have no table.
 *
 * Errors of every table: "invalid" with err->field "field" or the item's
 * code (no table for it), "region" (q->in not of the region table),
 * "filters" or a filter item's code (unknown, secret, codes 0 or not of
 * the item), "by"; "no_memory". *out is zeroed on error.
 */
int	stats_field_table(const struct stats *st, const struct stats_query *q,
	    const struct field *f, struct stats_table *out,
	    struct lf_error *err);

/*
 * The item tables of fs[0..n) at once, into out[0..n) (caller's array;
 * each table freed with stats_table_free()): the same tables as n calls
 * of stats_field_table(), but a scan (filters, township or village)
 * reads the persons once for all of them, which for every item of the
 * catalog is about 40 times faster. On error every out[i] is zeroed
 * ("invalid" names the first item without a table).
 */
int	stats_field_tables(const struct stats *st, const struct stats_query *q,
	    const struct field *const *fs, size_t n, struct stats_table *out,
	    struct lf_error *err);

/*
 * Service tables. by: STATS_BY_POLICY (one column group per policy),
 * STATS_BY_BATCH (五个一批, NBATCHES groups) or STATS_BY_DEPT. Each group
 * has the columns persons, items (item-times), done, planned (fen), spent
 * (fen); col_code is "<CODE>.persons" etc. Rejected items do not count.
 */
enum stats_by { STATS_BY_POLICY, STATS_BY_BATCH, STATS_BY_DEPT };
int	stats_service_table(const struct stats *st, const struct stats_query *q,
	    enum stats_by by, struct stats_table *out, struct lf_error *err);

/*
 * KPIs (精准管理), columns in this order (persons are active persons):
 *   registered (入库人数: active persons), valid_card (持证人数: with
 *   card_status 1 in the year's survey), surveyed (with the year's
 *   survey), entry_rate_bp (录入率 = surveyed / registered, in basis
 *   points 0..10000), covered (valid-card persons with the year's survey
 *   and a confirmed or closed plan: a draft plan is not yet a plan),
 *   coverage_bp (持证覆盖率 = covered / valid_card), items (every item not
 *   rejected, open proposals included), items_done (committed items
 *   done), completion_bp (items_done / items_committed), overdue
 *   (committed items neither done nor closed as not done whose planned
 *   month is before the month of q->today in the year, or every such item
 *   when the year is past; an item of a draft plan is never overdue),
 *   plans_draft (persons whose plan is a draft), plans_confirmed
 *   (confirmed or closed), items_open (proposals not yet decided, in any
 *   plan), items_committed (accepted items of confirmed or closed plans),
 *   funds_planned and funds_spent (fen, of the committed items),
 *   reg_target (the 入库 target of the row's region and the year, 0 when
 *   none: set by stats_kpi_targets(), else 0) and reg_target_bp
 *   (registered / reg_target; may pass 10000).
 * Rates are 0 when the denominator is 0.
 */
int	stats_kpi_table(const struct stats *st, const struct stats_query *q,
	    struct stats_table *out, struct lf_error *err);
/* Fills the reg_target columns of a KPI table of year from tg (NULL: no
 * targets, the columns become 0). */
void	stats_kpi_targets(struct stats_table *kpi, const struct targets *tg,
	    int year);

/*
 * Need vs supply: for every need item a group of columns: need (persons
 * answering yes), met (persons with a non-rejected item meeting it), done
 * (persons with such an item done), gap (need - met).
 */
int	stats_need_table(const struct stats *st, const struct stats_query *q,
	    struct stats_table *out, struct lf_error *err);

/* Number of persons and items held (for tests and memory figures). */
void	stats_size(const struct stats *st, int64_t *persons, int64_t *items,
	    size_t *bytes);

#endif
