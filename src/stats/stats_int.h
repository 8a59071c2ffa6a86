/*
 * stats_int.h - the private layout of struct stats (see stats.h), shared
 * by stats_layout.c (making it), stats.c (persons, items, running
 * totals), stats_pool.c (where items live), stats_acc.c (what one person
 * adds to the counters), stats_bands.c, stats_table.c and stats_names.c
 * (the tables).
 *
 * Persons. Each village (by ordinal: villages numbered in depth-first
 * order of the region tree, so the villages of any region R are the
 * ordinals vlo[R] .. vhi[R] - 1) has one block holding its persons
 * column-wise: for a capacity of cap persons, the column at byte position
 * pos of the person row (struct stats_pcol) starts at data + pos * cap
 * and holds width bytes per person. Columns are ordered by width, widest
 * first, so every column is aligned to its width. The person columns:
 *   id (int64), yes (nw uint64: the need items answered yes), items
 *   (uint32: offset of the person's items in the village's pool), one
 *   column per kept catalog field, for each banded field (int, money,
 *   decimal, date: derived from the catalog's types) its exact value
 *   (int64, 0 when not set) so that rules over them are evaluated
 *   exactly (stats_whatif.h), the age (int16, below), a flags byte
 *   (status, surveyed, plan status).
 * Age: when birth_date is kept banded (and fill_date, the reference date,
 *   banded or not kept), the person's whole years at the survey's
 *   reference date (fill_date, else 1 July of the year), by lib/date.h's
 *   date_age() as core/expr.c computes age; STATS_AGE_NONE without a
 *   birth date, STATS_AGE_EXACT where the age k years on may not be this
 *   age + k (reference date 29 February, a negative or huge age): the
 *   what-if computes those from the dates (stats_wprog.c).
 * A person is found by id in loc[] (dense ids; village -1 = not held).
 *
 * Items. A village's counted service items live in one array of words,
 * its pool, one chunk per person with items (struct stats_pitems), so
 * that a scan of the village reads them from one place. A replaced or
 * removed chunk becomes garbage; the pool is rebuilt (live chunks copied
 * in person order) when it must grow, or when garbage passes half of it.
 *
 * Stored value of a kept field (0 = not set, "未填"):
 *   enum   option index + 1     bool    code + 1
 *   multi  bit i for option index i, bit noptions = "set"
 *   band   band index + 1       filled  1 (text, region)
 *
 * Counters. One layout of int32 counters (cnt) and int64 sums (money,
 * fen) holds everything the tables read; each table kind reads one
 * section of it (struct stats_sec). Every region above village level
 * with persons below it has a running-total block (struct stats_tot) in
 * that layout, updated on every change of a person beneath it; village
 * rows and filtered tables are counted by scanning persons into a
 * scratch copy of the same layout, by the same code (stats_acc.c).
 */
#ifndef LF_CORE_STATS_INT_H
#define LF_CORE_STATS_INT_H

#include <stddef.h>
#include <stdint.h>

#include "stats/stats.h"

/* How a kept field is coded. */
enum stats_kind { SK_ENUM, SK_BOOL, SK_MULTI, SK_BAND, SK_FILLED };

#define STATS_AGE_NONE	INT16_MIN	/* age column: no birth date */
#define STATS_AGE_EXACT	(INT16_MIN + 1)	/* compute from the dates */
#define STATS_AGE_MAX	30000		/* larger ages: STATS_AGE_EXACT */

/* Band units: the value itself, a date's year, age on 1 July. */
enum stats_unit { SU_VALUE, SU_YEAR, SU_AGE };

#define STATS_LABEL_MAX	64
#define STATS_NPIV	7	/* pivot items of slices (below) */

struct stats_col {
	const struct field	*f;
	enum stats_kind		 kind;
	size_t			 width;		/* bytes per person */
	size_t			 pos;		/* see above */
	size_t			 ncols;		/* table columns before 未填 */
	size_t			 coff;		/* first counter */
	int			 codebits;	/* enum: bits are codes */
	signed char		 midx[63];	/* multi: code -> option */
	enum stats_unit		 unit;		/* band */
	struct stats_band	*bands;		/* band: owned */
	size_t			 nbands;
	char			(*labels)[STATS_LABEL_MAX];	/* owned */
	size_t			 xpos;		/* band: exact value column
						   (int64, 0 when not set) */
};

/* A person column: byte position and width. */
struct stats_pcol {
	size_t	pos, width;
};

struct stats_vblock {
	uint32_t	 n, cap;
	unsigned char	*data;
	uint64_t	*pool;			/* items, see above */
	size_t		 pused, pcap, pgarbage;	/* words */
};
#define STATS_NOITEMS	UINT32_MAX

struct stats_loc {
	int32_t		 v;		/* village ordinal, -1 = none */
	uint32_t	 i;		/* slot */
};

/* A counted (not rejected) service item, 16 bytes. Funds are signed
 * 48-bit fen: hi * 2^32 + lo. */
struct stats_sitem {
	uint32_t	 planned_lo, spent_lo;
	int16_t		 planned_hi, spent_hi;
	uint16_t	 policy;		/* index | STATS_ACCEPTED |
						   STATS_NOTDONE; index
						   STATS_NONE16 = none */
	uint8_t		 dept;			/* STATS_NONE8 = none */
	uint8_t		 mf;			/* month | STATS_DONE |
						   batch << STATS_BATCH_SH */
};
#define STATS_NONE16	0x3fffu		/* policy index bits */
#define STATS_ACCEPTED	0x4000u		/* decision accepted */
#define STATS_NOTDONE	0x8000u		/* status 4: closed as not done */
#define STATS_NONE8	0xffu
#define STATS_DONE	0x10u
#define STATS_MONTH	0x0fu
#define STATS_BATCH_SH	5		/* NBATCHES <= 8 */

/* A person's items, a chunk of 1 + 2 nw + 2 n words in the pool:
 * w[0..nw) the needs met by a counted item, w[nw..2nw) those met by a
 * done item, then n struct stats_sitem. */
struct stats_pitems {
	uint32_t	 n, pad;
	uint64_t	 w[];
};

/* Flags byte. */
#define STATS_F_STATUS	0x03u		/* person status 1..3 */
#define STATS_F_SURVEY	0x04u
#define STATS_F_PLAN_SH	3		/* plan status 0..3 in bits 3-4 */
#define STATS_F_PLAN	(3u << STATS_F_PLAN_SH)
#define STATS_ACTIVE	1

/* Sections of the counter layout. */
enum stats_secid { SS_FIELDS, SS_KPI, SS_POLICY, SS_BATCH, SS_DEPT,
	SS_NEED, SS_N };
#define SS_BIT(s)	(1u << (s))
#define SS_ALL		((1u << SS_N) - 1)
#define SS_PLAN		(SS_ALL & ~SS_BIT(SS_FIELDS))

struct stats_sec {
	size_t	coff, ncnt;		/* int32 counters */
	size_t	moff, nmoney;		/* int64 sums */
};

/* KPI counters (stats.h has the definitions): SKPI_DONE and
 * SKPI_NOTDONE + m - 1 (planned month m, not done, not closed as not
 * done) count committed items only: accepted, in a confirmed or closed
 * plan. Sums: the committed items' planned and spent funds. */
enum { SKPI_REG, SKPI_VALID, SKPI_SURV, SKPI_COVERED, SKPI_DRAFT,
	SKPI_CONFIRMED, SKPI_ITEMS, SKPI_OPEN, SKPI_COMMITTED, SKPI_DONE,
	SKPI_NOTDONE, SKPI_N = SKPI_NOTDONE + 12 };
enum { SKPIM_PLANNED, SKPIM_SPENT, SKPIM_N };

/* A running-total block: header, money sums, then counters. */
struct stats_tot {
	int64_t		 npersons;	/* held persons beneath, any status */
	int64_t		*money;
	int32_t		*cnt;
};

/* Where one person's contribution goes. */
struct stats_acc {
	int32_t		*cnt;
	int64_t		*money;
};

struct stats {
	const struct catalog	*cat;
	const struct regions	*rs;
	const struct policies	*ps;
	int			 year;
	int			 july1;		/* days of 1 July of year */

	struct stats_col	*cols;		/* kept fields */
	size_t			 ncols;
	int			*col_of;	/* per catalog field, -1 */
	int			*need_of;	/* per catalog field, -1 */
	int			*need_field;	/* per need ordinal */
	size_t			 nneed, nw;
	int			 card_col;	/* card_status, -1 */
	uint64_t		 card_valid;	/* its stored value for 1 */
	size_t			 ndept;

	struct stats_pcol	*pcols;
	size_t			 npcols, rowbytes;
	size_t			 pos_id, pos_items, pos_yes, pos_flags;
	size_t			 pos_age;	/* int16, when age_k >= 0 */
	int			 age_k, aref_k;	/* kept birth_date and
						   fill_date columns, -1 */

	struct stats_sec	 sec[SS_N];
	size_t			 ncnt, nmoney, totbytes;

	int32_t			*vlo, *vhi;	/* per region */
	int32_t			*vreg;		/* per village ordinal */
	size_t			 nvill;
	struct stats_vblock	*vb;		/* per village ordinal */
	struct stats_tot	**tot;		/* per region */

	struct stats_loc	*loc;
	size_t			 nloc;
	int64_t			 npersons, nitems;
	size_t			 item_bytes, ntot, base_bytes;

	uint64_t		*enc;		/* writer scratch: ncols */
	int64_t			*xenc;		/* writer scratch: exact values
						   of banded fields, ncols */
	uint64_t		*yes;		/* writer scratch: nw */

	/* slices (stats_slice.c): per county, the running totals of its
	 * persons by the value of each pivot item */
	int			 piv_k[STATS_NPIV];	/* kept column, -1 */
	size_t			 piv_first[STATS_NPIV];	/* value 1's block */
	size_t			 npivb, slicebytes, nslice;
	int32_t			*vcounty;	/* per village ordinal, -1 */
	int32_t			*nocounty;	/* villages before ordinal v
						   without a county */
	int32_t			*counties;	/* county regions by vlo */
	size_t			 ncounties;
	unsigned char		**slice;	/* per region: counties */
};

/*
 * Slices (stats_slice.c). A filter on one pivot item (STATS_NPIV of them,
 * listed there: one-byte items with few values that reports are usually
 * filtered by) is answered for a region of county level or above from
 * running totals kept per county and per value of each pivot: the sum of
 * the blocks of the values the filter accepts, over the counties of the
 * region, equals what a scan of its persons counts (a person holds one
 * value of each pivot; persons without it pass no filter). A county's
 * slice: npivb blocks of nmoney int64 sums then ncnt int32 counters.
 */
int	stats_slice_init(struct stats *st);
void	stats_slice_free(struct stats *st);
/* Makes (0, or -1 when memory runs out) or frees the slice of region r
 * when it is a county. */
int	stats_slice_ensure(struct stats *st, int r);
void	stats_slice_release(struct stats *st, int r);
/* The accumulators of the slices person i of village ordinal v counts
 * in, into acc (room for STATS_NPIV); their number. */
size_t	stats_slice_accs(const struct stats *st, int32_t v,
	    const struct stats_vblock *b, size_t i, struct stats_acc *acc);
struct stats_qfilter;
/* Whether region r is answered from slices: county level or above, and
 * every village beneath it in a county. */
int	stats_slice_covers(const struct stats *st, int r);
/* The pivot a query's single filter qf is on, or -1 (then scan). */
int	stats_slice_pivot(const struct stats *st, size_t nqf,
	    const struct stats_qfilter *qf);
/* Counts region r (county level or above) for pivot p's values that
 * qf accepts into acc (zeroed first). */
void	stats_slice_region(const struct stats *st, int r, int p,
	    const struct stats_qfilter *qf, struct stats_acc *acc);

/* Column bases of a block (NULL for a block that never held a person:
 * no arithmetic on its NULL data). */
static inline unsigned char *
stats_colp(const struct stats_vblock *b, size_t pos)
{
	return b->data == NULL ? NULL : b->data + pos * b->cap;
}

static inline unsigned
stats_flags(const struct stats *st, const struct stats_vblock *b, size_t i)
{
	return stats_colp(b, st->pos_flags)[i];
}

static inline uint32_t *
stats_items_col(const struct stats *st, const struct stats_vblock *b)
{
	return (uint32_t *)(void *)stats_colp(b, st->pos_items);
}

/* Person i's items, NULL when none. */
static inline struct stats_pitems *
stats_items_of(const struct stats *st, const struct stats_vblock *b,
    size_t i)
{
	uint32_t off = stats_items_col(st, b)[i];

	return off == STATS_NOITEMS ? NULL :
	    (struct stats_pitems *)(void *)(b->pool + off);
}

/* Words of a chunk of n items. */
static inline size_t
stats_chunk_words(const struct stats *st, size_t n)
{
	return 1 + 2 * st->nw + 2 * n;
}

static inline const struct stats_sitem *
stats_sitems(const struct stats *st, const struct stats_pitems *p)
{
	return (const struct stats_sitem *)(const void *)(p->w + 2 * st->nw);
}

/* Value of kept field k of person i. */
static inline uint64_t
stats_get(const struct stats *st, const struct stats_vblock *b, size_t k,
    size_t i)
{
	const struct stats_col *c = &st->cols[k];
	const unsigned char *p = stats_colp(b, c->pos);

	switch (c->width) {
	case 1:
		return p[i];
	case 2:
		return ((const uint16_t *)(const void *)p)[i];
	case 4:
		return ((const uint32_t *)(const void *)p)[i];
	default:
		return ((const uint64_t *)(const void *)p)[i];
	}
}

/* Adds d times stored value v of kept field k to the field counters of
 * each of the na accumulators. */
void	stats_acc_field(const struct stats *st, size_t k, uint64_t v,
	    struct stats_acc *a, size_t na, int32_t d);

/* Adds s (+1 or -1) times person i's contribution to the sections secs
 * (SS_BIT mask) of each accumulator. Persons who are not active add
 * nothing. */
void	stats_acc_person(const struct stats *st, const struct stats_vblock *b,
	    size_t i, struct stats_acc *a, size_t na, int s, unsigned secs);

/* A compiled filter: a table of accepted stored values for one-byte
 * columns; a mask of option indices for wider (multi) ones. */
struct stats_qfilter {
	size_t		 pos, width;
	int		 multi;
	uint64_t	 mask;
	unsigned char	 ok[256];
};

/* Filters (stats_filter.c). field: the kept column of f, NULL when f is
 * not of the catalog or secret. query: checks q and compiles its filters
 * into qf (STATS_MAX_FILTERS); -1 with err "invalid". pass: pass[i] for
 * persons from .. from + m - 1 of block b, 1 when their flags masked by
 * status and `want` equal want and every filter holds. */
const struct stats_col *stats_filter_field(const struct stats *st,
	    const struct field *f);
int	stats_filter_query(const struct stats *st, const struct stats_query *q,
	    struct stats_qfilter *qf, struct lf_error *err);
void	stats_filter_pass(const struct stats *st, const struct stats_vblock *b,
	    size_t from, size_t m, const struct stats_qfilter *qf, size_t nqf,
	    unsigned want, unsigned char *pass);

/* What a table is made of (stats_table.c): its kind, the section of the
 * counter layout it reads (for an item table: the item's counters) and
 * its output columns. */
enum stats_tkind { STK_FIELD, STK_KPI, STK_SERVICE, STK_NEED };

struct stats_tspec {
	enum stats_tkind	 kind;
	enum stats_secid	 sec;
	size_t			 k;		/* field table: kept column */
	size_t			 coff, ncnt, moff, nmoney;
	size_t			 ncols;		/* output columns */
};

#define STATS_KPI_NCOLS	18	/* with reg_target, reg_target_bp */

/* Allocates table t for nrows rows of ts's columns, with their codes and
 * labels (stats_names.c). -1 when memory runs out. */
int	stats_names_alloc(const struct stats *st, const struct stats_tspec *ts,
	    size_t nrows, struct stats_table *t);

/* The item pool of a block (stats_pool.c). reserve makes room for
 * `words` more (-1 when memory runs out, nothing lost); take hands out
 * that many zeroed words at *off (after a reserve); drop makes the chunk
 * at off garbage (its items leave st->nitems); trim gives garbage back
 * (and all of it when the block is empty). Offsets of the block's
 * persons move on reserve and trim. */
int	stats_pool_reserve(struct stats *st, struct stats_vblock *b,
	    size_t words);
struct stats_pitems *stats_pool_take(struct stats_vblock *b, size_t words,
	    uint32_t *off);
void	stats_pool_drop(struct stats *st, struct stats_vblock *b,
	    uint32_t off);
void	stats_pool_trim(struct stats *st, struct stats_vblock *b);

/* Fills the band tables of the kept banded columns (stats_bands.c).
 * -1 when memory runs out. */
int	stats_bands_init(struct stats *st);
/* Band index of v for kept column c (v in the field's record form). */
size_t	stats_bands_of(const struct stats *st, const struct stats_col *c,
	    int64_t v);

#endif
