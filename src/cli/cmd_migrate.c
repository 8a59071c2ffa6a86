/*
 * cmd_migrate.c - liangfu migrate FROM TO [--verify]
 *
 * Copies the persons and surveys (every year), the history, the plans
 * and the items of registry FROM into TO, one a SQLite file and the
 * other a PostgreSQL URL, either way, in one transaction of TO that
 * compares both sides before it commits (a failure or a difference
 * leaves TO as it was): store_copy.h. TO must hold none of those rows.
 * The key files must be the same: the SQLite file's (FROM.db.key or
 * TO.db.key) and LIANGFU_KEY_FILE, the PostgreSQL side's. A SQLite TO
 * that does not exist is made as `liangfu init` makes one, its key file
 * a copy of LIANGFU_KEY_FILE, and appears only once the copy committed
 * (migrate_file.c). It prints the row counts and checksums of both
 * sides table by table and exits 1 naming the first table that differs.
 * --verify only compares (after a copy, to find damage). The other
 * tables are not copied (docs/postgresql.md).
 */
#include "cli/cli.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/progress.h"
#include "store/store_copy.h"

static int
refuse(const char *msg)
{
	fprintf(stderr, "liangfu: migrate: %s\n", msg);
	return 1;
}

/* 1 when FROM is PostgreSQL (TO SQLite), 0 the other way. */
static int back;

static void
print_sums(const struct store_sum *a, const struct store_sum *b)
{
	static const char *const name[2] = { "SQLite", "PostgreSQL" };
	int i;

	for (i = 0; i < STORE_NSUMS; i++)
		printf("%-8s %s %" PRId64 " rows %016" PRIx64 "  %s %" PRId64
		    " rows %016" PRIx64 "\n", store_sum_tables[i], name[back],
		    a[i].rows, a[i].sum, name[!back], b[i].rows, b[i].sum);
}

/* The sums of both sides, printed; 1 naming the first table that
 * differs. */
static int
verify(struct store *from, struct store *to)
{
	struct store_sum a[STORE_NSUMS], b[STORE_NSUMS];
	struct lf_error err;
	const char *what;
	int bad;

	lf_error_clear(&err);
	if (store_copy_sums(from, a, &err) != 0 ||
	    store_copy_sums(to, b, &err) != 0)
		return cli_fail(&err);
	print_sums(a, b);
	if ((bad = store_copy_compare(a, b, &what)) < 0)
		return 0;
	fprintf(stderr, "liangfu: migrate: 表 %s 不一致 (table %s differs: "
	    "%s)\n", store_sum_tables[bad], store_sum_tables[bad], what);
	return 1;
}

static void
tick(void *arg, int64_t done)
{
	progress_update(arg, (uint64_t)done);
}

static int
copy(struct store *from, struct store *to)
{
	static const char *const filled[] = { "persons", "surveys", "history",
	    "plans", "items" };
	struct progress *bar;
	struct lf_error err;
	struct store_sum a[STORE_NSUMS], b[STORE_NSUMS];
	int64_t rows[STORE_NSUMS], n;
	int i, rc;

	lf_error_clear(&err);
	for (i = 0; i < (int)(sizeof(filled) / sizeof(filled[0])); i++) {
		if (store_count(to, filled[i], &n, &err) != 0)
			return cli_fail(&err);
		if (n > 0) {
			fprintf(stderr, "liangfu: migrate: 目标库不为空 (the "
			    "target already holds %s; migrate copies into an "
			    "empty registry made by liangfu init)\n", filled[i]);
			return 1;
		}
	}
	if (store_count(from, "surveys", &n, &err) != 0)
		return cli_fail(&err);
	bar = progress_start("迁移 migrate", (uint64_t)n);
	rc = store_copy_registry(from, to, tick, bar, rows, a, b, &err);
	progress_done(bar);
	if (rc != 0) {
		if (err.code != NULL && strcmp(err.code, "mismatch") == 0)
			print_sums(a, b);
		fprintf(stderr, "liangfu: migrate: nothing was written "
		    "(rolled back)\n");
		return cli_fail(&err);
	}
	print_sums(a, b);
	fprintf(stderr, "liangfu: migrate: copied in one transaction:");
	for (i = 0; i < STORE_NSUMS; i++)
		fprintf(stderr, " %" PRId64 " %s", rows[i], store_sum_tables[i]);
	fprintf(stderr, "\n");
	return 0;
}

static int
run(const char *src, const char *dst, int only_verify, struct cli_env *env)
{
	struct store *from = NULL, *to = NULL;
	int rc = 1;

	if (cli_store_open_any(src, env, &from) != 0 ||
	    cli_store_open_any(dst, env, &to) != 0)
		goto out;
	if (!store_copy_keys_same(from, to)) {
		rc = refuse(back ? "密钥不同 (the key file in LIANGFU_KEY_FILE "
		    "is not TO's key file TO.db.key: the copied values would "
		    "not open)" : "密钥不同 (the key file in LIANGFU_KEY_FILE is "
		    "not the source's: set it to the SQLite database's key "
		    "file)");
		goto out;
	}
	rc = only_verify ? verify(from, to) : copy(from, to);
out:
	if (to != NULL)
		store_close(to);
	if (from != NULL)
		store_close(from);
	return rc;
}

static int
exists(const char *path)
{
	struct stat sb;

	return lstat(path, &sb) == 0;
}

/* PostgreSQL into a SQLite file made for the copy, kept only when the
 * copy committed (migrate_file.c). */
static int
into_new(const char *src, const char *dst, struct cli_env *env)
{
	char part[4096];
	int rc;

	if (cli_migrate_file_make(dst, env, part, sizeof(part)) != 0)
		return 1;
	if ((rc = run(src, part, 0, env)) == 0 &&
	    (rc = cli_migrate_file_keep(dst, part)) == 0)
		fprintf(stderr, "liangfu: migrate: created %s and key file "
		    "%s.key (the keys of LIANGFU_KEY_FILE)\n", dst, dst);
	if (rc != 0) {
		cli_migrate_file_drop(part);
		fprintf(stderr, "liangfu: migrate: %s not created\n", dst);
	}
	return rc;
}

int
cmd_migrate(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "verify", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct cli_env env;
	int c, only_verify = 0, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'v')
			return cli_usage("migrate");
		only_verify = 1;
	}
	if (argc - optind != 2)
		return cli_usage("migrate");
	back = store_location_is_pg(argv[optind]);
	if (back && store_location_is_pg(argv[optind + 1]))
		return refuse("两端均为 PostgreSQL (FROM and TO are both "
		    "PostgreSQL: migrate copies between a SQLite file and a "
		    "PostgreSQL database)");
	if (!back && !store_location_is_pg(argv[optind + 1]))
		return refuse("目标库须为 PostgreSQL (TO must be a "
		    "postgresql:// URL when FROM is a SQLite file: SQLite to "
		    "SQLite is what liangfu backup does)");
	if (cli_env_load(&env) != 0)
		return 1;
	rc = back && !only_verify && !exists(argv[optind + 1]) ?
	    into_new(argv[optind], argv[optind + 1], &env) :
	    run(argv[optind], argv[optind + 1], only_verify, &env);
	cli_env_free(&env);
	return rc;
}
