/*
 * plan_int.h - private to store/plan*.c: the plan tables' SQL, cached
 * statements and row conversion. What the plan rules (plan/) may call is
 * store/plan_rows.h.
 *
 * Rows are compact (a province holds some 32.5 million items a year):
 * times are Unix seconds, the planned month an integer 1..12 (the year is
 * the item's), the village an integer, and every empty text is NULL. The
 * structs of plan.h carry the readable forms; plan_item_from_row(),
 * plan_item_from_dbq() and plan_item_bind_dbq() convert.
 *
 * Texts an item copies from the policy table (measures, effect_note:
 * some 150 bytes, the same few dozen texts in every item) are interned
 * (issue 17): the items column holds the id of the text in table texts
 * (id, body UNIQUE), NULL for an empty text. texts is append-only: a
 * stored text never changes and is never deleted, so an item's text
 * never changes when the policy table is revised, and an id, once
 * committed, means one text for good. Which columns are interned is
 * said once, in plan.c's icols (kind CK_ITEXT); PostgreSQL keeps them
 * as text columns (docs/postgresql.md).
 */
#ifndef LF_STORE_PLAN_INT_H
#define LF_STORE_PLAN_INT_H

#include <stddef.h>
#include <stdint.h>

#include "lib/mem.h"
#include "store/plan.h"
#include "store/plan_rows.h"
#include "store/store_int.h"

/* Statements prepared once per connection, on first use; they live in
 * the store's ST_PLAN_BASE slots and are finalized by store_close(). A
 * caller resets a statement after use and never holds one across a
 * callback. */
enum plan_stmt {
	PS_PLAN_INS,		/* new draft; nothing when one exists */
	PS_ITEM_GET,
	PS_ITEM_UPD,		/* whole row, version checked */
	PS_ITEM_DEL,
	PS_ITEMS_LIGHT,		/* what a merge compares, of a plan */
	PS_PLAN_FRESH,		/* any plan of persons lo..hi in a year */
	PS_PERSON_PLANS,	/* a person's plans, items, deliveries */
	PS_TEXT_ADD,		/* a text into texts, when new */
	PS_TEXT_ID,		/* the id of a text */
	PS_N
};

sqlite3_stmt	*plan_stmt(struct store *s, enum plan_stmt id,
		    struct lf_error *err);

/* The rule "an item is overdue" of plan/plan.h (plan_overdue_before(),
 * docs/api.md's KPI `overdue`), in SQL over item i of plan p: accepted
 * (decision 1) in a confirmed or closed plan (status not 1), neither done
 * (3) nor closed as not done (4), planned before month ?1, which the
 * caller takes from plan_overdue_before(). Defined here only: every query
 * that counts overdue items (plan_read.c's plan_list, plan_villages.c)
 * uses this macro. */
#define PLAN_OVERDUE_(month)	"p.status != 1 AND i.decision = 1 AND " \
	"i.status NOT IN (3, 4) AND i.month < " month
#define PLAN_OVERDUE_SQL	PLAN_OVERDUE_("?1")

/* The same with a plain `?` (dbq.h's dialect), bound first. */
#define PLAN_OVERDUE_Q		PLAN_OVERDUE_("?")

/* The SQLite DDL of the plan tables: the one definition of their
 * columns, which the PostgreSQL schema (store/pg/pg_schema.c) derives
 * its own from. */
const char	*plan_schema_sql(void);

/* What a merge compares of a plan's items (struct plan_light), in this
 * order. */
#define PLAN_LIGHT_COLS	"id, seq, policy, needs, origin, decision, edited, " \
	"carried_from, dept, funds_planned, month, monthly"

/* The columns of a new item the bulk build writes (plan_rows.c's
 * writer, and PostgreSQL's, store/pg/pg_plan_write.c), in this order:
 * the row's own (struct plan_row), then the state every new item starts
 * in. */
#define PLAN_ROW_COLS	"plan_id, person_id, year, region, seq, policy, " \
	"needs, origin, dept, org, contact, month, funds_planned, monthly, " \
	"measures, carried_from, effect_note, updated_at, updated_by, " \
	"decision, funds_spent, effect, status, dept_state, edited, version"
/* The columns of a new draft plan the bulk build writes, in this order
 * (both writers). */
#define PLAN_NEW_COLS	"id, person_id, region, year, status, version, " \
	"created_at, created_by, updated_at, updated_by"
/* decision proposed, nothing spent, effect not rated, status planned,
 * department not answered, not edited, version 1 */
#define PLAN_ROW_STATE	0, 0, 0, 1, 0, 0, 1
#define PLAN_STR_(...)		#__VA_ARGS__
#define PLAN_STR(...)		PLAN_STR_(__VA_ARGS__)
#define PLAN_ROW_STATE_SQL	PLAN_STR(PLAN_ROW_STATE)

/* An interned column's text, in SQL over table items (NULL for NULL). */
#define PLAN_TEXT_OF(col)	"(SELECT body FROM texts WHERE texts.id = " \
	"items." col ")"

/* ---- rows ---------------------------------------------------------- */

/* Appends the item columns in row order, comma-separated: the select
 * list that plan_item_from_row() reads. texts 1: SQLite's, an interned
 * column read through PLAN_TEXT_OF(); 0: PostgreSQL's, every column as
 * it is. 0, or -1 when b is full. */
int	plan_item_cols(struct buf *b, int texts);
/* 1 when SQLite's items column col holds an interned text's id, else
 * 0. */
int	plan_item_interned(const char *col);
/* The id of text body (not empty) in texts, which gets it when new, in
 * the caller's transaction: 0, or -1 with err. */
int	plan_text_id(struct store *s, const char *body, int64_t *id,
	    struct lf_error *err);
/* Every interned text of it into texts, when new: done before an insert
 * or update, whose statement looks the ids up. 0, or -1 with err. */
int	plan_item_texts_put(struct store *s, const struct plan_item *it,
	    struct lf_error *err);
/* Fills it from the row of st whose first item column is col. */
void	plan_item_from_row(sqlite3_stmt *st, int col, struct plan_item *it);

/*
 * The item columns one by one, for a backend that passes values as text
 * (PostgreSQL, store/pg/pg_plan_item.c): PLAN_ITEM_NCOLS of them in row
 * order (id first). plan_item_col() names column i (0..PLAN_ITEM_NCOLS
 * - 1) and says whether an update writes it; plan_item_col_value() gives
 * its stored value as text, NULL for an SQL NULL (a text of it, or num);
 * plan_item_col_set() sets it from such a text (NULL: the NULL), reading
 * the columns in row order (the month needs the year before it).
 */
#define PLAN_ITEM_NCOLS	32
const char	*plan_item_col(size_t i, int *upd);
const char	*plan_item_col_value(const struct plan_item *it, size_t i,
		    char num[24]);
void		 plan_item_col_set(struct plan_item *it, size_t i,
		    const char *v);

/* ---- rows through store/dbq.h (both backends) --------------------- */

struct dbq;
/* PostgreSQL's partition key of a person-owned row: its city and county
 * (the first 4 and 6 digits of its 12-digit village), as columns and
 * values to put first in an insert's lists ("" on SQLite, whose tables
 * have no such columns: the rest of the statement is one text). */
#define PLAN_KEY_COLS(pg)	((pg) ? "city, county, " : "")
#define PLAN_KEY_VALS(pg)	((pg) ? "?, ?, " : "")
struct plan_key {
	char	city[5], county[7];
};
/* On PostgreSQL binds k (made from village; it must live until the
 * statement has run) at pos and pos + 1 and returns pos + 2; on SQLite
 * returns pos. -1 with err. */
int	plan_key_bind(struct dbq *q, int pos, struct plan_key *k,
	    const char *village, struct lf_error *err);
/* A history row (store_history_add()'s columns) through dbq, in the
 * caller's transaction; village keys it on PostgreSQL. */
int	plan_history_put(struct store *s, const char *entity, int64_t id,
	    int64_t person_id, int year, int64_t version, const char *actor,
	    const char *at, const char *changes, const char *village,
	    struct lf_error *err);
/* The item columns (plan_item_cols(b, !dbq_is_pg(s)) from col on into
 * it; a plan's (PLAN_COLS) into p; a delivery's (PLAN_DLV_COLS). */
void	plan_item_from_dbq(struct dbq *q, int col, struct plan_item *it);
void	plan_from_dbq(struct dbq *q, int col, struct plan *p);
void	plan_delivery_from_dbq(struct dbq *q, int col,
	    struct plan_delivery *d);
/* Binds every column of it but id from pos on, in row order; the next
 * position, or -1 with err. */
int	plan_item_bind_dbq(struct dbq *q, int pos, const struct plan_item *it,
	    struct lf_error *err);
/* The items of plan ? (its id bound twice): a plan is one person's
 * year, and the index items_person (year, person_id, seq) finds its
 * items in order. */
#define PLAN_ITEMS_OF_Q	"year = (SELECT year FROM plans WHERE id = ?) AND " \
	"person_id = (SELECT person_id FROM plans WHERE id = ?)"

#define PLAN_COLS	"id, person_id, year, status, version, created_at, " \
	"created_by, updated_at, updated_by, confirmed_at, confirmed_by"
#define PLAN_NCOLS	11	/* of PLAN_COLS */
void	plan_from_row(sqlite3_stmt *st, int col, struct plan *p);

#define PLAN_DLV_COLS	"id, item_id, date, amount, note, client_id, " \
	"created_at, created_by"
#define PLAN_DLV_NCOLS	8
/* Fills d from the PLAN_DLV_COLS of st's row from column col on. */
void	plan_delivery_from_row(sqlite3_stmt *st, int col,
	    struct plan_delivery *d);

/* Last year's items that are carried (the rule of plan/plan.h: accepted,
 * and ended not done, partly done or not done, not "no longer needed"),
 * in SQL. The index items_carry holds only these rows. */
#define PLAN_CARRY_WHERE	"decision = 1 AND effect <> 4 AND (status = " \
	"4 OR effect IN (2, 3))"
#define PLAN_CAND_COLS_(measures)	"id, person_id, policy, needs, dept, " \
	"org, contact, " measures ", funds_planned, funds_spent, monthly"
/* SQLite's (measures interned), and PostgreSQL's */
#define PLAN_CAND_COLS		PLAN_CAND_COLS_(PLAN_TEXT_OF("measures"))
#define PLAN_CAND_COLS_PG	PLAN_CAND_COLS_("measures")
/* code (up to 12 digits) padded with c to 12 characters: the first
 * ('0') and last ('9') village of a region. */
void	plan_village_pad(char out[13], const char *code, char c);
/* Fills c from a PLAN_CAND_COLS row. */
void	plan_carry_from_row(sqlite3_stmt *st, struct plan_carry *c);

#endif
