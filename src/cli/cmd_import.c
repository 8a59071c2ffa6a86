/*
 * cmd_import.c - liangfu import DB FILE.csv [--skip-bad REJECTS.csv]
 *                [--encoding auto|utf-8|gb18030]
 *
 * DB may be a PostgreSQL location (docs/postgresql.md): the same import
 * (bulk/import.c, store_prepare() and store_write()) writes there; the
 * data-quality findings have no tables there yet, so their re-check is
 * skipped and said so.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <string.h>
#include <unistd.h>

#include "bulk/import.h"
#include "io/csv.h"

static int
parse_encoding(const char *s, int *enc)
{
	if (strcmp(s, "auto") == 0)
		*enc = CSV_ENC_AUTO;
	else if (strcmp(s, "utf-8") == 0 || strcmp(s, "utf8") == 0)
		*enc = CSV_ENC_UTF8;
	else if (strcmp(s, "gb18030") == 0 || strcmp(s, "gbk") == 0)
		*enc = CSV_ENC_GB18030;
	else
		return -1;
	return 0;
}

static int64_t opened, closed;

/* The data-quality rules over what the import wrote, year by year, as a
 * single write re-checks its person (findings_batch: one pass, batched). */
static int
recheck(struct store *s, struct cli_env *env, const struct import_stats *st)
{
	int y;

	opened = closed = 0;
	for (y = st->year_lo; y != 0 && y <= st->year_hi; y++)
		if (cli_findings_recheck(s, env, y, st->region, &opened,
		    &closed) != 0)
			return -1;
	return 0;
}

int
cmd_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "skip-bad", required_argument, NULL, 's' },
		{ "encoding", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct import_opts o = { NULL, NULL, CSV_ENC_AUTO, 1, 0, NULL, NULL };
	struct import_stats st;
	struct cli_env env;
	struct lf_error err;
	struct store *s;
	int c, rc, rc2 = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 's')
			o.rejects = optarg;
		else if (c != 'e' || parse_encoding(optarg, &o.encoding) != 0)
			return cli_usage("import");
	}
	if (argc - optind != 2)
		return cli_usage("import");
	o.path = argv[optind + 1];
	o.actor = cli_actor();
	if (cli_env_load(&env) != 0)
		return 1;
	o.counties = env.counties;
	if (cli_store_open_any(argv[optind], &env, &s) != 0) {
		cli_env_free(&env);
		return 1;
	}
	lf_error_clear(&err);
	rc = import_csv(s, env.cat, &o, &st, &err);
	if (rc == 0 && recheck(s, &env, &st) != 0)
		rc2 = 1;
	store_close(s);
	cli_env_free(&env);
	if (rc == 0 && st.unknown_id_region > 0)
		fprintf(stderr, "liangfu: warning: %llu ID numbers have an "
		    "address code that is not in the national county list "
		    "(codes of abolished counties stay valid; check them), "
		    "the first on line %lu\n",
		    (unsigned long long)st.unknown_id_region,
		    st.unknown_id_line);
	if (rc != 0) {
		cli_fail(&err);
		fprintf(stderr, "liangfu: nothing was imported\n");
		return 1;
	}
	fprintf(stderr, "liangfu: %llu rows: %llu new persons, %llu new "
	    "surveys, %llu updated, %llu unchanged, %llu rejected%s%s\n",
	    (unsigned long long)st.rows, (unsigned long long)st.new_persons,
	    (unsigned long long)st.new_surveys, (unsigned long long)st.updated,
	    (unsigned long long)st.unchanged, (unsigned long long)st.rejected,
	    st.rejected ? " -> " : "", st.rejected ? o.rejects : "");
	if (rc2 != 0)
		return cli_recheck_failed(argv[optind], st.year_lo, st.year_hi);
	if (st.year_lo != 0)
		fprintf(stderr, "liangfu: data-quality findings %lld opened, "
		    "%lld closed (%d..%d%s%s)\n", (long long)opened,
		    (long long)closed, st.year_lo, st.year_hi,
		    st.region[0] ? ", region " : "", st.region);
	return 0;
}
