/*
 * cmd_audit.c - liangfu audit verify DB: the audit chain and its anchor.
 *
 * Exit status 0 when every entry matches the chain and the anchor file
 * (store/audit_anchor.h), 1 when an entry is bad, entries are missing or
 * the anchor is damaged (the first bad entry is named), 2 for usage.
 */
#include "cli/cli.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "store/audit_anchor.h"

/* Prints what c says; returns the exit status. */
static int
report(const struct audit_check *c, FILE *fp)
{
	if (c->problem == NULL) {
		fprintf(fp, "liangfu: audit log ok: %" PRId64 " entries, chain "
		    "intact%s", c->count, c->anchor == 1 ? ", " : "\n");
		if (c->anchor == 1)
			fprintf(fp, "head matches the anchor (entry %" PRId64
			    ")\n", c->anchor_id);
		if (c->anchor == 0)
			fprintf(fp, "liangfu: no anchor file: a cut of the "
			    "newest entries cannot be seen (the server writes "
			    "it)\n");
		return 0;
	}
	fprintf(fp, "liangfu: audit log BAD: %s", c->problem);
	if (c->first_bad > 0)
		fprintf(fp, "; first bad entry: %" PRId64, c->first_bad);
	fprintf(fp, " (%" PRId64 " entries, newest %" PRId64 ", anchor %"
	    PRId64 ")\n", c->count, c->newest, c->anchor_id);
	return 1;
}

int
cli_audit_verify(const char *db, struct cli_env *env)
{
	struct audit_check c;
	struct lf_error err;
	struct store *s;
	int rc;

	if (cli_store_open_any(db, env, &s) != 0)
		return 1;
	lf_error_clear(&err);
	if (audit_check(s, &c, &err) != 0)
		rc = cli_fail(&err);
	else
		rc = report(&c, stdout);
	store_close(s);
	return rc;
}

int
cmd_audit(int argc, char **argv)
{
	struct cli_env env;
	int rc;

	if (argc != 3 || strcmp(argv[1], "verify") != 0)
		return cli_usage("audit");
	if (cli_env_load(&env) != 0)
		return 1;
	rc = cli_audit_verify(argv[2], &env);
	cli_env_free(&env);
	return rc;
}
