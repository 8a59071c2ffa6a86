/*
 * supervise_rows.h - the narrow persistence interface under 精准监督's
 * rules (supervise/): the tables samples, check_tasks and check_results
 * (created on open like plan_init()), their rows read and written in
 * transactions. Nothing here decides who is sampled, who may check,
 * what a checklist holds or how precision is counted: supervise/ (and
 * core/supervise.h's draw and rates) decide, then call these. Implemented
 * by store/supervise.c over store/dbq.h: the same on a SQLite file and a
 * PostgreSQL registry.
 *
 * Errors: 0, or -1 with err ("store", "no_memory"); lookups return 1 for
 * not found. Threads: as struct store.
 */
#ifndef LF_STORE_SUPERVISE_ROWS_H
#define LF_STORE_SUPERVISE_ROWS_H

#include <stddef.h>
#include <stdint.h>

#include "core/region.h"
#include "core/supervise.h"
#include "store/store.h"

#define SUP_ITEMS_MAX		1024	/* bytes of the item list */
#define SUP_VALUE_MAX		512	/* bytes of a value */
enum sup_mode { SUP_VISIT = 1, SUP_PHONE = 2 };	/* 入户复核, 电话复核 */
enum sup_kind { SUP_SURVEY_ITEM = 1, SUP_SERVICE_ITEM = 2 };

struct sup_sample {
	int64_t		 id;
	int		 year;
	char		 region[13];
	struct sup_params prm;
	char		 items[SUP_ITEMS_MAX];	/* codes, comma-separated */
	int		 mode;			/* enum sup_mode */
	char		 due[11];
	char		 created_at[21], created_by[64];
	int64_t		 persons;		/* candidates */
	/* progress */
	int64_t		 tasks, assigned, done, overdue, rechecks;
};

struct sup_task {
	int64_t		 id, sample_id, person_id;
	int		 year;
	char		 uid[STORE_UID_LEN + 1];	/* the person's */
	char		 name[100];			/* the person's */
	char		 region[13];			/* village */
	char		 township[13];
	char		 surveyor[132];		/* 32 characters of UTF-8 */
	char		 survey_by[64], survey_upd_by[64];
	int64_t		 recheck_of;		/* 0 = a first check */
	char		 checker[64];		/* "" = unassigned */
	int		 mode;
	char		 due[11];
	int		 done;
	char		 done_at[21];
	int64_t		 version;
};

/* One line of a checklist or of an answer. */
struct sup_line {
	int		 kind;			/* enum sup_kind */
	char		 ref[40];		/* item code or service item id */
	const struct field *f;			/* survey items */
	char		 recorded[SUP_VALUE_MAX];	/* value as recorded,
							   or the policy code */
	int		 answered;
	int		 ok;
	char		 right[SUP_VALUE_MAX];	/* when wrong */
};

/* Creates SQLite's tables when missing (on every open); nothing on
 * PostgreSQL, whose tables init and the format upgrade make from
 * supervise_schema_sql() (store/pg/pg_super.c). */
int	supervise_init(struct store *s, struct lf_error *err);
/* SQLite's DDL of the three tables, the one definition of their
 * columns. */
const char *supervise_schema_sql(void);

/* Begins a transaction, or a savepoint inside the caller's: 1 when this
 * call owns a transaction, 0 for a savepoint, -1 on error. */
int	supervise_tx_begin(struct store *s, struct lf_error *err);
/* Commits or releases on rc == 0, else rolls back; returns 0 or -1. */
int	supervise_tx_end(struct store *s, int own, int rc,
	    struct lf_error *err);

/* A candidate of a draw: a surveyed active person of the year. */
struct sup_cand {
	int64_t		 id;
	char		 region[13];	/* village */
	char		 town[13];	/* its township */
	char		*surv;		/* surveyor_name ("" when not filled) */
};
/* The year's surveyed active persons in `in`: *out (free with
 * supervise_cands_free()) of *n. */
int	supervise_cands(struct store *s, int year, const struct region *in,
	    struct sup_cand **out, size_t *n, struct lf_error *err);
void	supervise_cands_free(struct sup_cand *c, size_t n);

/* Inserts a sample row (persons: the candidates); *id its id. */
int	supervise_sample_insert(struct store *s, int year,
	    const struct region *in, const struct sup_params *prm,
	    const char *items, int mode, const char *due, int64_t persons,
	    const char *actor, int64_t *id, struct lf_error *err);
/* Inserts the check tasks of sample: for each of the m candidates c[idx[i]]
 * one task, and a second one (recheck_of = the first) when recheck[i];
 * the survey's accounts (created_by, updated_by) are copied in. */
int	supervise_tasks_insert(struct store *s, int64_t sample, int year,
	    const struct sup_cand *c, const size_t *idx,
	    const unsigned char *recheck, size_t m, int mode, const char *due,
	    struct lf_error *err);

/* One sample with its progress. 0, 1 not found. */
int	supervise_sample_get(struct store *s, int64_t id,
	    struct sup_sample *out, struct lf_error *err);
typedef int (*supervise_sample_fn)(void *arg, const struct sup_sample *sm);
/* Samples whose region lies inside `in` (NULL = all) of year (0 = any),
 * newest first. */
int	supervise_samples(struct store *s, const struct region *in, int year,
	    supervise_sample_fn fn, void *arg, struct lf_error *err);

typedef int (*supervise_task_fn)(void *arg, const struct sup_task *t);
/* Tasks of a sample (sample 0 = any), assigned to checker (NULL = any),
 * whose village lies in `in` (NULL = any), by id. */
int	supervise_tasks(struct store *s, int64_t sample, const char *checker,
	    const struct region *in, supervise_task_fn fn, void *arg,
	    struct lf_error *err);
int	supervise_task_get(struct store *s, int64_t id, struct sup_task *out,
	    struct lf_error *err);
/* Writes the task's checker, mode and due (version + 1, assigned by
 * actor now). */
int	supervise_task_assign(struct store *s, int64_t task,
	    const char *checker, int mode, const char *due, const char *actor,
	    struct lf_error *err);
/* Marks an open task done on day `today` (days). */
int	supervise_task_finish(struct store *s, int64_t task, int today,
	    struct lf_error *err);

typedef int (*supervise_line_fn)(void *arg, const struct sup_line *ln);
/* The stored answers of a task, in order (kind, ref, recorded, ok,
 * right; f is not set). */
int	supervise_results(struct store *s, int64_t task, supervise_line_fn fn,
	    void *arg, struct lf_error *err);
/* Stores the answers of a task, each line with final[i], the value a
 * re-check is compared by. */
int	supervise_results_save(struct store *s, int64_t task,
	    const struct sup_line *l, const char *const *final, size_t n,
	    struct lf_error *err);

/* One first check (not a re-check) as the precision counts it. */
struct sup_tally_row {
	const char	*key;		/* group key (see supervise_tally_rows) */
	int		 done;
	const char	*done_day;	/* YYYY-MM-DD, "" when open */
	const char	*due;
	int64_t		 survey_n, survey_ok, plan_n, plan_ok;
	int64_t		 differing;	/* lines its finished re-check answered
					   otherwise (by final) */
};
typedef int (*supervise_tally_row_fn)(void *arg,
	    const struct sup_tally_row *t);
/* The first checks of year inside `in`, ordered by key: the first
 * `digits` digits of the village code, or (by_surveyor) "township|
 * surveyor". */
int	supervise_tally_rows(struct store *s, int year, const struct region *in,
	    int by_surveyor, int digits, supervise_tally_row_fn fn, void *arg,
	    struct lf_error *err);

#endif
