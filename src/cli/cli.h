/*
 * cli.h - what the subcommands share: the command table entry, loading
 * the embedded catalog and regions, opening a store, the CSV layout.
 *
 * Every cmd_* function takes (argc, argv) as getopt sees them (argv[0] is
 * the subcommand), prints its own errors on stderr, and returns the exit
 * status: 0 success, 1 failure, 2 usage error.
 */
#ifndef LF_CLI_CLI_H
#define LF_CLI_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "core/catalog.h"
#include "core/disaster.h"
#include "core/policy.h"
#include "core/region.h"
#include "store/store.h"

struct cli_command {
	const char	*name;
	int		(*run)(int argc, char **argv);
	const char	*args;		/* usage after the name */
	const char	*help;		/* one line */
};

int	cmd_init(int argc, char **argv);
int	cmd_seed(int argc, char **argv);
int	cmd_import(int argc, char **argv);
int	cmd_export(int argc, char **argv);
int	cmd_show(int argc, char **argv);
int	cmd_serve(int argc, char **argv);
int	cmd_user(int argc, char **argv);
int	cmd_plan(int argc, char **argv);
int	cmd_stats(int argc, char **argv);
int	cmd_migrate(int argc, char **argv);
int	cmd_feedback(int argc, char **argv);
/* 精准监督 (issue 13): spot-check samples and synthetic demo checks */
int	cmd_supervise(int argc, char **argv);
int	cmd_seed_checks(int argc, char **argv);
int	cmd_quality(int argc, char **argv);
int	cmd_audit(int argc, char **argv);
/* Checks the audit chain of the database at db and its anchor, and
 * prints the result on stdout (cmd_audit.c; serve --check too); returns
 * the exit status (0 all well, 1 a problem or an error, printed). */
struct cli_env;
int	cli_audit_verify(const char *db, struct cli_env *env);
int	cmd_reconcile(int argc, char **argv);	/* issue 16 */
int	cmd_backup(int argc, char **argv);
int	cmd_restore(int argc, char **argv);

/* Prints "usage: liangfu NAME ARGS" for the named command; returns 2. */
int	cli_usage(const char *name);

struct cli_env {
	struct catalog	*cat;
	struct regions	*regions;	/* Sichuan, to village level */
	struct regions	*counties;	/* China, to county level */
	struct policies	*policies;	/* after cli_env_rules() */
	struct disaster	*disaster;	/* after cli_env_rules() */
};

/* Loads the catalog and region tables built into the binary. 0 or -1
 * (printed). */
int	cli_env_load(struct cli_env *env);
void	cli_env_free(struct cli_env *env);
/* Loads the policy table, its amounts and the disaster areas (after
 * cli_env_load). 0 or -1 (printed). */
int	cli_env_rules(struct cli_env *env);
/* cli_env_load() then cli_env_rules(); nothing is left loaded on
 * failure. 0 or -1 (printed). */
int	cli_env_load_rules(struct cli_env *env);
/* The region of a --region option (code NULL: *out NULL, all): 0, or -1
 * (printed: "--region CODE: 未知区划代码") for a code not in env's
 * regions. */
int	cli_region(const struct cli_env *env, const char *code,
	    const struct region **out);
/* In a getopt loop, the --year Y (1990..2999) and --region CODE options
 * of the commands over one year: 1 when c is 'y' with a good year or 'r'
 * (arg stored in *year or *region), else 0 (the caller's to judge). */
int	cli_opt_year_region(int c, const char *arg, long long *year,
	    const char **region);
/* cli_env_load(), cli_env_rules() too when rules is not 0, then
 * cli_region() for code: 0 with env loaded and *out set (NULL for a NULL
 * code), or -1 (printed) with nothing left loaded. */
int	cli_env_region(struct cli_env *env, int rules, const char *code,
	    const struct region **out);
/* Runs the data-quality rules (quality/findings_batch.h) over year inside
 * region (NULL = all) after a bulk write, as a single write's re-check
 * does, adding to *opened and *closed; loads the rules (and the policy
 * rules when not loaded yet). 0 or -1 (printed). */
/* Exit status of a bulk command whose write is committed but whose
 * re-check then failed: the write stands, the findings are not current
 * (cli_recheck_failed() says so and how to redo them). */
#define CLI_EXIT_RECHECK	3
int	cli_recheck_failed(const char *db, int year_lo, int year_hi);
int	cli_findings_recheck(struct store *s, struct cli_env *env, int year,
	    const char *region, int64_t *opened, int64_t *closed);
/* Opens the database at path. 0 or -1 (printed). */
int	cli_store_open(const char *path, struct cli_env *env,
	    struct store **out);
/* The same, for commands that also run on PostgreSQL (store_open_any). */
int	cli_store_open_any(const char *path, struct cli_env *env,
	    struct store **out);
/* "cli:<login>" for history records; static storage. */
const char *cli_actor(void);
/* Prints "liangfu: <message>" for err on stderr; returns 1. */
int	cli_fail(const struct lf_error *err);

/*
 * migrate_file.c: the new SQLite file of `liangfu migrate URL TO.db` when
 * TO.db does not exist. cli_migrate_file_make() refuses (printed, 1) a
 * leftover TO.db.part or TO.db.part.key, an unset or unreadable
 * LIANGFU_KEY_FILE, or a TO.db.key that is not the same bytes; else makes
 * TO.db.part by store_create() (as liangfu init) with TO.db.part.key a
 * copy of LIANGFU_KEY_FILE (mode 0600), and gives its path in part
 * (len >= 4096): 0. After a committed copy, with every store on it
 * closed, cli_migrate_file_keep() links TO.db.part.key to TO.db.key
 * (when that does not exist) and TO.db.part to TO.db (never over an
 * existing TO.db), then removes the .part names: 0, or 1 printed (TO.db
 * not made). cli_migrate_file_drop() removes TO.db.part, its key file
 * and SQLite's side files (after a failure).
 */
int	cli_migrate_file_make(const char *dst, struct cli_env *env,
	    char *part, size_t len);
int	cli_migrate_file_keep(const char *dst, const char *part);
void	cli_migrate_file_drop(const char *part);

#endif
