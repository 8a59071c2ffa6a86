/*
 * main.c - liangfu's entry point: the subcommand table and dispatch.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const struct cli_command commands[] = {
	{ "init", cmd_init, "DB",
	    "create a new database and its key file DB.key" },
	{ "seed", cmd_seed, "DB --persons N [--region CODE] "
	    "[--years 2019-2023] [--seed S] [--need-scale K]",
	    "fill DB with a synthetic population (creates DB if needed)" },
	{ "import", cmd_import, "DB FILE.csv [--skip-bad REJECTS.csv] "
	    "[--encoding auto|utf-8|gb18030]",
	    "import surveys from CSV, all rows or none" },
	{ "export", cmd_export, "DB --year Y [--region CODE] "
	    "[--items] FILE.csv",
	    "export a year's surveys, or with --items its service items, as "
	    "CSV (UTF-8 with BOM)" },
	{ "plan", cmd_plan, "DB --year Y [--region CODE]",
	    "build or refresh the year's 一人一策 draft plans from the surveys"
	    " (idempotent)" },
	{ "stats", cmd_stats, "DB --year Y [--region CODE] "
	    "[--filter ITEM=C1,C2 ...] [--xlsx FILE] [--json FILE] "
	    "[--csv FILE]",
	    "the year's statistics (全项统计) of a region: KPI, services, need "
	    "vs supply and every catalog item; without a file, the KPI table" },
	{ "show", cmd_show, "DB --id-number N",
	    "show one person with every year and the change history" },
	{ "serve", cmd_serve, "DB [--listen 127.0.0.1:8080] [--config FILE] "
	    "[--web DIR] [--check] [--port-file FILE]",
	    "serve the JSON API and the web app" },
	{ "user", cmd_user, "add|disable|passwd DB --login L [--role ROLE "
	    "--region CODE [--department CODE]] | list DB [--region CODE]",
	    "manage accounts (the password is read from standard input)" },
	/* feedback and self-service (cmd_feedback.c) */
	{ "feedback", cmd_feedback, "code DB --id-number N [--days D] | "
	    "demo DB --year Y [--region CODE] [--persons N] [--seed S]",
	    "issue a one-time self-service code for a person; or, for "
	    "synthetic demo databases only, confirm, deliver and rate plans" },
	/* 精准监督 (issue 13) */
	{ "supervise", cmd_supervise, "DB --year Y --region CODE --rate R "
	    "[--min-per-surveyor N] [--recheck R] [--seed S] [--due DATE] "
	    "[--mode visit|phone] [--items CODE,...] [--checkers LOGIN,...] | "
	    "DB --list [--year Y] [--region CODE] | DB --tasks ID | "
	    "DB --precision --year Y [--region CODE]",
	    "draw a stratified spot-check sample, list samples or a sample's "
	    "tasks, or show the three precision rates with 95% intervals" },
	{ "seed-checks", cmd_seed_checks, "DB --sample ID [--right R] "
	    "[--seed S]",
	    "SYNTHETIC check answers for a sample's assigned tasks (demos "
	    "only, like seed)" },
	/* issue 13: data-quality findings */
	{ "quality", cmd_quality, "DB --year Y [--region CODE] [--json FILE]",
	    "run the data-quality rules over the year and keep the findings "
	    "current (idempotent)" },
	/* issue 15: audit verification */
	{ "audit", cmd_audit, "verify DB",
	    "check the audit log's chain and its anchor; names the first bad "
	    "entry, exit status 1 when there is one" },
	/* issue 16: reconciliation with other departments' rosters */
	{ "reconcile", cmd_reconcile, "DB --roster FILE --kind "
	    "dibao|medical|school|death [--year Y] [--region CODE] "
	    "[--encoding auto|utf-8|gb18030] [--json OUT]",
	    "compare a department's roster with the registry (应享未享 / "
	    "不应享而享); each finding becomes a task" },
	/* issue 18: SQLite to PostgreSQL */
	{ "migrate", cmd_migrate, "FROM.db postgresql://... [--verify]",
	    "copy the persons, surveys, plans and items of a SQLite registry "
	    "into an empty PostgreSQL one (LIANGFU_KEY_FILE = FROM's key "
	    "file), then compare row counts and checksums; --verify only "
	    "compares" },
	/* backup and restore (issue 15) */
	{ "backup", cmd_backup, "DB FILE [--key-out KEYFILE]",
	    "copy DB, serving or not, into FILE as one consistent snapshot, "
	    "checked (integrity, audit chain); the key file only with "
	    "--key-out, to a file of its own" },
	{ "restore", cmd_restore, "FILE DB [--key KEYFILE] [--force]",
	    "replace DB with the backup FILE (never a database in use; an "
	    "existing one only with --force), then verify it" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void
print_help(FILE *fp)
{
	size_t i;

	fprintf(fp, "liangfu - 量体裁衣式残疾人服务平台 (tailor-made services "
	    "for disabled persons)\n\nusage: liangfu COMMAND ARGS\n\n");
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(fp, "  %-7s %s\n          %s\n", commands[i].name,
		    commands[i].args, commands[i].help);
	fprintf(fp, "\n'liangfu COMMAND --help' shows one command's usage.\n");
}

int
cli_usage(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			fprintf(stderr, "usage: liangfu %s %s\n  %s\n", name,
			    commands[i].args, commands[i].help);
	return 2;
}

int
main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		print_help(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		print_help(stdout);
		return 0;
	}
	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, argv[1]) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "liangfu: unknown command '%s'\n", argv[1]);
	print_help(stderr);
	return 2;
}
