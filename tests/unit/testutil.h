/*
 * testutil.h - shared fixtures for the unit tests: the built-in catalog
 * and regions, a valid hand-made person, temporary directories.
 */
#ifndef LF_TESTUTIL_H
#define LF_TESTUTIL_H

#include "core/catalog.h"
#include "core/record.h"
#include "core/region.h"

/* The real catalog and regions (parsed once per process; never freed
 * until tu_env_free). */
const struct catalog	*tu_catalog(void);
const struct regions	*tu_regions(void);
void			 tu_env_free(void);

/* A fresh temporary directory (mkdtemp); tu_rmdir removes it and all it
 * holds. Paths are static storage. */
const char	*tu_tmpdir(void);
void		 tu_rmdir(const char *dir);

struct store;
/* Creates the database at path and opens it with the built-in catalog and
 * regions; fails the test on any error. */
struct store	*tu_store_at(const char *path);
/* The same for database `name` in a fresh temporary directory: writes the
 * directory to dir and the database's path to db. Tear down with
 * store_close() and tu_rmdir(dir). */
#define TU_DIR_MAX	64
#define TU_DB_MAX	128
struct store	*tu_store_new(char dir[TU_DIR_MAX], char db[TU_DB_MAX],
		    const char *name);

/*
 * Tests that run on either backend (issue 18): with the environment
 * variable LIANGFU_TEST_PG_URL set (tests/pg/run.sh sets it to its
 * throwaway server's owner URL, with LIANGFU_KEY_FILE), tu_pg_url()
 * gives it and tu_store_any() opens that PostgreSQL registry (made by
 * `liangfu init`) instead of a new SQLite file; NULL / a new SQLite
 * database as tu_store_new() otherwise. The caller empties the tables it
 * uses on PostgreSQL (they outlive the test).
 */
const char	*tu_pg_url(void);
/*
 * PostgreSQL only (nothing on SQLite, whose file is the test's own):
 * removes the persons of ids and every row naming them (self-service
 * sessions and codes, ratings, items, plans, history, surveys), every
 * client address's redemption failures, and moves the id sequences
 * back to just past the rows left, so that the shared registry is as
 * the test found it (tests/pg/run.sh's later checks count persons and
 * compare ids with SQLite's).
 */
void		 tu_pg_forget(struct store *s, const int64_t *ids, size_t n);
struct store	*tu_store_any(char dir[TU_DIR_MAX], char db[TU_DB_MAX],
		    const char *name);

/* The file at path, read whole and NUL-terminated (free()); *len (may
 * be NULL) its size. Fails the test when it cannot be read. */
char		*tu_slurp(const char *path, size_t *len);
/* 1 when the file at path holds the len bytes of needle (a missing file
 * holds nothing); a string needle: len = strlen. */
int		 tu_file_has(const char *path, const void *needle, size_t len);

/* Days for "YYYY-MM-DD" (asserts it parses). */
int		 tu_days(const char *date);

/* Fills r with a valid adult (born 1985-06-15 in 锦江区, 肢体 grade 2,
 * 非农业) surveyed on 2024-05-10, with ID number from tu_id(seq). */
void		 tu_valid_person(struct record *r, int seq);
/* The ID number (static storage) of tu_valid_person(seq). */
const char	*tu_id(int seq);
/* Sets field code to text form value in r; asserts it parses. */
void		 tu_set(struct record *r, const char *code, const char *value);
/* Parses value into field code; returns the error code or NULL. */
const char	*tu_try_set(struct record *r, const char *code,
		    const char *value);

struct policies;
struct disaster;
/* The built-in policies and disaster areas, new (the caller frees them
 * with policies_free() and disaster_free()); fails the test on error. */
void		 tu_rules(struct policies **ps, struct disaster **dis);

struct synth;
/* The synthetic population of county (any region code), seed `seed`,
 * surveyed from first_year on, as of 2026-11-29; fails the test on
 * error. Free with synth_free(). */
struct synth	*tu_synth(const char *county, uint64_t seed, int first_year);

/* Puts n synthetic persons of county (any region code) with their survey
 * of year into s (synth seed `seed`, tu_synth()); fails the test on any
 * error. */
void		 tu_seed_county(struct store *s, const char *county,
		    uint64_t n, uint64_t seed, int year);
/* Defines the old survey table's columns as a TEMP VIEW on h, for SQL
 * oracles (store_wide_view()). */
void		 tu_wide_view(void *h);
/* In the database at db, replaces the sealed value of item code in the
 * packed survey record of person `to` (its first year) by len bytes
 * (bytes not NULL) or by the sealed value of the same item of person
 * `from`: a sealed value moved or damaged at rest. */
void		 tu_poke_sealed(const char *db, const char *code, int64_t from,
		    int64_t to, const void *bytes, size_t len);
/* In the database at db, sets the number item code of person pid's
 * packed survey record (its first year) to fn(its value), behind the
 * store's back (as a SQL shell would); returns the new value. */
int64_t		 tu_poke_num(const char *db, int64_t pid, const char *code,
		    int64_t (*fn)(int64_t));

#endif
