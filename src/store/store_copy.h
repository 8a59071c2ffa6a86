/*
 * store_copy.h - copies a registry's persons, surveys, history, plans
 * and items from one store into another, SQLite to PostgreSQL or
 * PostgreSQL to SQLite, and checks the copy (liangfu migrate, issue 18).
 *
 * The copy goes through the same two steps as every bulk write:
 * store_prepare() (validation and sealing, no database) on the target,
 * then store_write() inside one bulk transaction of the target. The
 * target's bulk writer (either backend) carries each person's id and
 * opaque id (store_prep_carry()), so plans, history and URLs that name
 * persons stay valid; PostgreSQL's sequence of person ids is moved past
 * them (SQLite numbers after the largest id by itself). Sealed values
 * are not copied as bytes: the source opens them, the target seals them
 * again with its keys, which must be the source's
 * (store_copy_keys_same()); the lookup hashes are then the ones a load
 * of the same persons would write.
 *
 * History, plans and items are copied column by column, every column as
 * the source has it (ids, states, versions, time stamps; history's
 * changes text as it is, its sealed old values included, which open
 * with the same keys).
 *
 * What is not copied: the persons' and surveys' versions and time stamps
 * (the copy writes version 1, now, actor "migrate"); a survey's own id
 * (PostgreSQL keys surveys by person and year: a copy into SQLite
 * numbers them anew, so a survey history row's entity_id, carried as it
 * is, keeps the source's number); a person without any survey (the
 * writer builds the person row from a survey; the counts then differ and
 * the check names persons); every other table (deliveries, feedback,
 * findings, users...).
 *
 * The check: store_copy_sums() reads every person and every survey of a
 * store (surveys with every secret opened) and gives, per table, the row
 * count and a checksum: the sum modulo 2^64 of the first 8 bytes of each
 * row's canonical text's keyed hash (crypto_lookup_hash(), domain
 * "copy-sum", under the store's keys: the two sides share them), so the
 * order rows are read in does not matter, and a printed sum tells
 * nothing about the ID numbers in the rows to one without the key file.
 * The same function runs on both sides. No value is ever printed or put
 * in an error, only counts, sums and person ids.
 *
 * Errors: 0, or -1 with err.
 */
#ifndef LF_STORE_STORE_COPY_H
#define LF_STORE_STORE_COPY_H

#include <stdint.h>

#include "lib/buf.h"
#include "lib/error.h"
#include "core/record.h"
#include "store/store.h"

enum {
	STORE_SUM_PERSONS, STORE_SUM_SURVEYS, STORE_SUM_HISTORY,
	STORE_SUM_PLANS, STORE_SUM_ITEMS, STORE_NSUMS
};
/* "persons", "surveys", "history", "plans", "items": the tables copied
 * and summed, in this order. */
extern const char *const store_sum_tables[STORE_NSUMS];

struct store_sum {
	int64_t		 rows;
	uint64_t	 sum;
};

/* 1 when the two stores were opened with the same keys, 0 when not. */
int	store_copy_keys_same(const struct store *a, const struct store *b);

/* Copies every survey of from into to (one SQLite, the other
 * PostgreSQL; to holds no persons yet) with its person, latest year
 * first (the person row is written from their latest survey), then every
 * history row, plan and item (store_copy_table()), in one bulk
 * transaction of to, and before
 * committing compares both sides (store_copy_sums() into a and b,
 * store_copy_compare()): on any failure or difference it rolls back and
 * to holds nothing of the copy (a difference: code "mismatch", field and
 * message naming the table). rows gets the rows written per table.
 * progress (may be NULL) gets surveys done. */
int	store_copy_registry(struct store *from, struct store *to,
	    void (*progress)(void *arg, int64_t done), void *arg,
	    int64_t rows[STORE_NSUMS], struct store_sum a[STORE_NSUMS],
	    struct store_sum b[STORE_NSUMS], struct lf_error *err);
/* The first table whose counts or sums differ between a and b, or -1;
 * *what gets "row counts" or "checksums". */
int	store_copy_compare(const struct store_sum a[STORE_NSUMS],
	    const struct store_sum b[STORE_NSUMS], const char **what);

/* Copies every row of table (history, plans, items: tables that have an
 * id and either a village number "region" or a person_id) from store
 * from into store to, inside to's open transaction, every column as it
 * is. SQLite to PostgreSQL: the city and county from the village (the
 * person's for history), by binary COPY; <table>_id_seq moved past the
 * largest id. PostgreSQL to SQLite: store_copy_table_back() (inserted by
 * column name). *rows gets the rows. Nothing decides anything about the
 * rows: validation was the source's. */
int	store_copy_table(struct store *from, struct store *to,
	    const char *table, int64_t *rows, struct lf_error *err);
int	store_copy_table_back(struct store *from, struct store *to,
	    const char *table, int64_t *rows, struct lf_error *err);
/* A SQLite target's surveys (after the copy wrote them, latest year
 * first) numbered 1, 2... by year, then person id, as a registry loaded
 * year by year numbers them; nothing on PostgreSQL (no survey ids). */
int	store_copy_survey_ids(struct store *to, struct lf_error *err);
/* The row count and checksum of such a table of s (either backend):
 * every column but city and county, by name, NULL as "\N"
 * (store_copy_cols_line()). */
int	store_copy_table_sum(struct store *s, const char *table,
	    struct buf *b, struct store_sum *sum, struct lf_error *err);

/* What the sums read of history's entity_id (either backend's SQL): a
 * survey row's entity_id names the survey, which each backend numbers
 * its own way (SQLite: the survey's id; PostgreSQL, which keys surveys by
 * person and year: the person's id, as its loads write it), so it is left
 * out (NULL), the survey being named by the row's person_id and year. A
 * copy writes the target's number (store_copy_table()). */
#define STORE_COPY_SURVEY_REF	"CASE WHEN entity = 'survey' THEN NULL " \
	"ELSE entity_id END AS entity_id"

/* The row counts and checksums of s's tables into out. */
int	store_copy_sums(struct store *s, struct store_sum out[STORE_NSUMS],
	    struct lf_error *err);

/* The source's reading, either backend (store_copy_scan.c):
 * store_copy_years() the smallest and largest survey year (0 and 0 when
 * none); store_copy_scan() every survey of year, with its person and
 * every item opened, to fn (as store_scan_surveys(); on PostgreSQL
 * through the export's cursor, its connection serving nothing else
 * meanwhile). */
int	store_copy_years(struct store *s, int *lo, int *hi,
	    struct lf_error *err);
int	store_copy_scan(struct store *s, int year, store_scan_fn fn,
	    void *arg, struct lf_error *err);

/* The canonical text lines; the backends' readers call these. A person:
 * id, uid, lookup hash (hex), the ID number opened from the person row's
 * sealed value (store_copy_open_id()), name, gender, birth date,
 * village, status. A survey: person id, year, then every catalog item
 * in catalog order in record_format_value()'s text ("" when unset). */
int	store_copy_person_line(struct buf *b, int64_t id, const char *uid,
	    const char *hash_hex, const char *id_number, const char *name,
	    int gender, const char *birth, const char *region, int status);
/* Opens a person row's sealed ID number (enc, len), bound to the lookup
 * hash (CRYPTO_HASH_LEN bytes), into r's ID number item; *out points to
 * it (in r). -1 with err ("corrupt") when it does not open. */
int	store_copy_open_id(struct store *s, const unsigned char *hash,
	    const void *enc, size_t len, struct record *r, const char **out,
	    struct lf_error *err);
/* Escapes the text b holds from byte `from` on for a canonical line:
 * backslash, '|' and newline get a backslash (a newline as "\n"); -1
 * out of memory. The lines' text values all pass here. */
int	store_copy_sum_escape(struct buf *b, size_t from);
int	store_copy_survey_line(struct buf *b, const struct catalog *cat,
	    int64_t person_id, int year, const struct record *r);
/* A row of n columns: "name=value|..." (NULL v[i]: "\N"; a value's
 * backslash, '|' and newline escaped by store_copy_sum_escape(), so that
 * neither a value "\N" nor one holding "|name=" sums like another row). */
int	store_copy_cols_line(struct buf *b, int n, const char *const *names,
	    const char *const *v);
/* Adds the row whose canonical text is b to sum; -1 when hashing
 * fails. */
int	store_copy_sum_add(const struct store *s, struct store_sum *sum,
	    const struct buf *b);

#endif
