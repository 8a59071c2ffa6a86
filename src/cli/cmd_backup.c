/*
 * cmd_backup.c - liangfu backup DB FILE [--key-out KEYFILE] and liangfu
 * restore FILE DB [--key KEYFILE] [--force].
 *
 * backup copies a database, serving or not, into FILE as one consistent
 * snapshot (store/backup.h) and, before FILE gets its name, opens the
 * copy with the database's key and verifies its audit chain. The key file
 * never goes into FILE: --key-out copies it to a file of its own (mode
 * 0600), to be kept apart from the backup (docs/operations.md).
 *
 * restore replaces DB with FILE (refusing a database a server has open,
 * and any existing one without --force), puts KEYFILE in place as
 * DB.key when given, then opens the result and verifies its audit chain.
 */
#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/audit.h"
#include "store/audit_anchor.h"
#include "store/backup.h"

struct verify_arg {
	struct cli_env	*env;
	const char	*key;		/* the key file to open the copy with */
	int64_t		 entries;	/* audit entries verified */
};

/* Opens path with the key file of arg and checks its audit chain; with
 * anchor set, a good chain's newest entry is written as the database's
 * audit anchor (store/audit_anchor.h), the one a restore starts from. */
static int
verify_audit(const char *path, const char *key, struct cli_env *env,
    int anchor, int64_t *entries, struct lf_error *err)
{
	char link_path[PATH_MAX + 8], real[PATH_MAX];
	int64_t bad = 0;
	struct store *s;
	int rc, linked = 0;

	snprintf(link_path, sizeof(link_path), "%s.key", path);
	if (strcmp(link_path, key) != 0) {
		if (realpath(key, real) == NULL)
			return lf_error_set(err, "keys", "", "%s: %s", key,
			    strerror(errno));
		if (symlink(real, link_path) != 0)
			return lf_error_set(err, "io", "", "%s: %s", link_path,
			    strerror(errno));
		linked = 1;
	}
	rc = store_open(path, env->cat, env->regions, &s, err);
	if (rc == 0) {
		rc = audit_verify(s, &bad, entries, err);
		if (rc == 0 && bad == 0 && anchor)
			rc = audit_anchor_write(s, err);
		store_close(s);
	}
	if (linked)
		unlink(link_path);
	if (rc == 0 && bad != 0)
		rc = lf_error_set(err, "audit_chain", "", "审计链在第 %lld 条"
		    "处断开 (audit chain broken at entry %lld)", (long long)bad,
		    (long long)bad);
	return rc;
}

static int
verify_copy(const char *path, void *p, struct lf_error *err)
{
	struct verify_arg *a = p;

	return verify_audit(path, a->key, a->env, 0, &a->entries, err);
}

/* Copies the file from to a new file to (mode 0600); excl refuses an
 * existing one, else it is replaced atomically. */
static int
copy_key(const char *from, const char *to, int excl, struct lf_error *err)
{
	char buf[8192], tmp[PATH_MAX + 16];
	ssize_t n = 0;
	int in, out, rc = -1;

	snprintf(tmp, sizeof(tmp), "%s.tmp-%ld", to, (long)getpid());
	if ((in = open(from, O_RDONLY)) < 0)
		return lf_error_set(err, "io", "", "%s: %s", from,
		    strerror(errno));
	if ((out = open(excl ? to : tmp, O_WRONLY | O_CREAT | O_EXCL, 0600)) <
	    0) {
		lf_error_set(err, "io", "", "%s: %s", excl ? to : tmp,
		    strerror(errno));
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			n = -1;
			break;
		}
	if (n == 0 && fsync(out) == 0)
		rc = 0;
	if (close(out) != 0)
		rc = -1;
	close(in);
	if (rc == 0 && !excl && rename(tmp, to) != 0)
		rc = -1;
	if (rc != 0) {
		lf_error_set(err, "io", "", "%s: %s", to, strerror(errno));
		unlink(excl ? to : tmp);
	}
	return rc;
}

int
cmd_backup(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key-out", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct store_backup_info info = { 0, 0 };
	struct verify_arg va = { NULL, NULL, 0 };
	const char *key_out = NULL;
	char key[PATH_MAX];
	struct cli_env env;
	struct lf_error err;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'k')
			return cli_usage("backup");
		key_out = optarg;
	}
	if (argc - optind != 2 || (key_out != NULL &&
	    strcmp(key_out, argv[optind + 1]) == 0))
		return cli_usage("backup");
	snprintf(key, sizeof(key), "%s.key", argv[optind]);
	if (cli_env_load(&env) != 0)
		return 1;
	va.env = &env;
	va.key = key;
	lf_error_clear(&err);
	rc = store_backup(argv[optind], argv[optind + 1], verify_copy, &va,
	    &info, &err);
	if (rc == 0 && key_out != NULL)
		rc = copy_key(key, key_out, 1, &err);
	cli_env_free(&env);
	if (rc != 0)
		return cli_fail(&err);
	printf("backup %s: %lld pages, %lld bytes, integrity ok, audit chain "
	    "of %lld entries verified\n", argv[optind + 1],
	    (long long)info.pages, (long long)info.bytes,
	    (long long)va.entries);
	if (key_out != NULL)
		printf("key file copied to %s: keep it apart from the backup\n",
		    key_out);
	else
		printf("the key file %s is not in the backup: keep a copy of "
		    "it apart (--key-out FILE)\n", key);
	return 0;
}

int
cmd_restore(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct store_backup_info info = { 0, 0 };
	const char *key_in = NULL, *db;
	char key[PATH_MAX];
	struct cli_env env;
	struct lf_error err;
	int64_t entries = 0;
	int c, rc, force = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'k')
			key_in = optarg;
		else if (c == 'f')
			force = 1;
		else
			return cli_usage("restore");
	}
	if (argc - optind != 2)
		return cli_usage("restore");
	db = argv[optind + 1];
	snprintf(key, sizeof(key), "%s.key", db);
	if (key_in == NULL && access(key, R_OK) != 0) {
		fprintf(stderr, "liangfu: %s missing: give the backed-up key "
		    "file with --key KEYFILE\n", key);
		return 1;
	}
	if (cli_env_load(&env) != 0)
		return 1;
	lf_error_clear(&err);
	rc = store_restore(argv[optind], db, force, &info, &err);
	if (rc == 0 && key_in != NULL && strcmp(key_in, key) != 0)
		rc = copy_key(key_in, key, 0, &err);
	if (rc == 0)
		rc = verify_audit(db, key, &env, 1, &entries, &err);
	cli_env_free(&env);
	if (rc != 0)
		return cli_fail(&err);
	printf("restored %s from %s: %lld pages, integrity ok, audit chain of "
	    "%lld entries verified\n", db, argv[optind], (long long)info.pages,
	    (long long)entries);
	return 0;
}
