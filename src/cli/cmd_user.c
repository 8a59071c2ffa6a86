/*
 * cmd_user.c - liangfu user add|disable|passwd|list DB ...: platform
 * accounts from the command line (see cmd_user.h), on a SQLite file or a
 * PostgreSQL registry alike (store_open_any(): auth/ and
 * store/users_rows.c run on both).
 *
 * Each verb is a row of the table below: which options it needs and
 * allows, whether it reads a password, and what it does. Everything that
 * can be checked is checked before the password is asked for.
 */
#include "cli/cmd_user.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli.h"
#include "crypto/password.h"
#include "auth/users.h"

enum {
	O_LOGIN = 1, O_ROLE = 2, O_REGION = 4, O_DEPARTMENT = 8
};

struct user_args {
	const char	*db;
	const char	*login;
	const char	*role;
	const char	*region;
	const char	*department;
	unsigned	 given;		/* O_* */
};

/* A line of password input: up to PASSWORD_MAX_BYTES, "\r\n", NUL. */
#define LINE_MAX_BYTES	(PASSWORD_MAX_BYTES + 3)

struct verb {
	const char	*name;
	unsigned	 required;
	unsigned	 allowed;
	int		 reads_pw;
	int		(*check)(struct store *, const struct user_args *,
			    struct lf_error *);
	int		(*run)(struct store *, const struct user_args *,
			    const char *, struct lf_error *);
	const char	*done;		/* printf format, %s = login */
};

static void
fill_new(const struct user_args *a, const char *pw, struct user_new *n)
{
	memset(n, 0, sizeof(*n));
	n->login = a->login;
	n->role = a->role;
	n->region = a->region;
	n->department = a->department;
	n->password = pw;
}

static int
check_add(struct store *s, const struct user_args *a, struct lf_error *err)
{
	struct user_new n;

	fill_new(a, NULL, &n);
	return users_check(s, &n, err);
}

static int
check_exists(struct store *s, const struct user_args *a,
    struct lf_error *err)
{
	struct user u;
	int rc = users_get(s, a->login, &u, err);

	if (rc == 1)
		return lf_error_set(err, "not_found", "login", "没有用户 %s "
		    "(no such user)", a->login);
	return rc;
}

static int
run_add(struct store *s, const struct user_args *a, const char *pw,
    struct lf_error *err)
{
	struct user_new n;

	fill_new(a, pw, &n);
	return users_add(s, &n, err);
}

static int
run_disable(struct store *s, const struct user_args *a, const char *pw,
    struct lf_error *err)
{
	(void)pw;
	return users_disable(s, a->login, err);
}

static int
run_passwd(struct store *s, const struct user_args *a, const char *pw,
    struct lf_error *err)
{
	return users_passwd(s, a->login, pw, err);
}

static int
check_none(struct store *s, const struct user_args *a, struct lf_error *err)
{
	(void)s;
	(void)a;
	(void)err;
	return 0;
}

static int
print_user(void *arg, const struct user *u)
{
	(void)arg;
	printf("%s\t%s\t%s\t%s\t%s\n", u->login,
	    users_role_get(u->role)->code, u->region,
	    u->department[0] != '\0' ? u->department : "-",
	    u->disabled ? "disabled" : "active");
	return 0;
}

/* Every account (of --region: its code starts with it), by login. On
 * PostgreSQL --region also scopes the connection (row-level security:
 * through the app role, only that region's accounts are seen). */
static int
run_list(struct store *s, const struct user_args *a, const char *pw,
    struct lf_error *err)
{
	(void)pw;
	if (a->region != NULL && store_set_scope(s, a->region, err) != 0)
		return -1;
	return users_list(s, a->region, print_user, NULL, err);
}

static const struct verb verbs[] = {
	{ "add", O_LOGIN | O_ROLE | O_REGION,
	    O_LOGIN | O_ROLE | O_REGION | O_DEPARTMENT, 1, check_add, run_add,
	    "已添加用户 %s (user added)\n" },
	{ "disable", O_LOGIN, O_LOGIN, 0, check_exists, run_disable,
	    "已停用用户 %s, 其会话均已注销 (user disabled; sessions "
	    "revoked)\n" },
	{ "passwd", O_LOGIN, O_LOGIN, 1, check_exists, run_passwd,
	    "已修改用户 %s 的密码, 其会话均已注销 (password changed; "
	    "sessions revoked)\n" },
	{ "list", 0, O_REGION, 0, check_none, run_list, NULL },
};

/*
 * Reads one line into buf (len bytes) without its "\n" or "\r\n".
 * 0, or -1 with a message printed (nothing to read, line too long).
 */
static int
read_line(char *buf, size_t len)
{
	size_t n;

	if (fgets(buf, (int)len, stdin) == NULL) {
		fprintf(stderr, "liangfu: 未读到密码 (no password on standard "
		    "input)\n");
		return -1;
	}
	n = strlen(buf);
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	else if (!feof(stdin)) {
		explicit_bzero(buf, len);
		fprintf(stderr, "liangfu: 密码过长 (password too long)\n");
		return -1;
	}
	if (n > 0 && buf[n - 1] == '\r')
		buf[--n] = '\0';
	return 0;
}

/* Prompts on stderr and reads a line from the terminal without echo. */
static int
read_tty(const char *prompt, char *buf, size_t len)
{
	struct termios old, quiet;
	int rc;

	if (tcgetattr(STDIN_FILENO, &old) != 0) {
		perror("liangfu: tcgetattr");
		return -1;
	}
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	fputs(prompt, stderr);
	fflush(stderr);
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) != 0) {
		perror("liangfu: tcsetattr");
		return -1;
	}
	rc = read_line(buf, len);
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	fputc('\n', stderr);
	return rc;
}

/* The password into pw (LINE_MAX_BYTES): from a terminal twice, else one
 * line of standard input. 0 or -1 (printed). */
static int
read_password(char *pw)
{
	char again[LINE_MAX_BYTES];
	int rc = -1;

	if (!isatty(STDIN_FILENO)) {
		if (read_line(pw, LINE_MAX_BYTES) != 0)
			return -1;
	} else if (read_tty("新密码 (new password): ", pw,
	    LINE_MAX_BYTES) != 0 || read_tty("再输入一次 (again): ", again,
	    sizeof(again)) != 0)
		goto out;
	else if (strcmp(pw, again) != 0) {
		fprintf(stderr, "liangfu: 两次输入的密码不一致 (the passwords "
		    "differ)\n");
		goto out;
	}
	if (pw[0] == '\0') {
		fprintf(stderr, "liangfu: 密码不能为空 (empty password)\n");
		goto out;
	}
	rc = 0;
out:
	explicit_bzero(again, sizeof(again));
	if (rc != 0)
		explicit_bzero(pw, LINE_MAX_BYTES);
	return rc;
}

/* Parses argv after the verb into a. 0, or -1 for a usage error. */
static int
parse_args(int argc, char **argv, const struct verb *v, struct user_args *a)
{
	static const struct option opts[] = {
		{ "login", required_argument, NULL, O_LOGIN },
		{ "role", required_argument, NULL, O_ROLE },
		{ "region", required_argument, NULL, O_REGION },
		{ "department", required_argument, NULL, O_DEPARTMENT },
		{ NULL, 0, NULL, 0 }
	};
	const char **slot;
	int c;

	memset(a, 0, sizeof(*a));
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == '?' || ((unsigned)c & v->allowed) == 0 ||
		    (a->given & (unsigned)c) != 0)
			return -1;
		slot = c == O_LOGIN ? &a->login : c == O_ROLE ? &a->role :
		    c == O_REGION ? &a->region : &a->department;
		*slot = optarg;
		a->given |= (unsigned)c;
	}
	if ((a->given & v->required) != v->required || argc - optind != 1)
		return -1;
	a->db = argv[optind];
	return 0;
}

static int
run_verb(struct store *s, const struct verb *v, const struct user_args *a)
{
	char pw[LINE_MAX_BYTES];
	struct lf_error err;
	int rc = 1;

	pw[0] = '\0';
	lf_error_clear(&err);
	if (v->check(s, a, &err) != 0) {
		cli_fail(&err);
		goto out;
	}
	if (v->reads_pw && read_password(pw) != 0)
		goto out;
	if (v->run(s, a, pw, &err) != 0) {
		cli_fail(&err);
		goto out;
	}
	if (v->done != NULL)
		printf(v->done, a->login);
	rc = 0;
out:
	explicit_bzero(pw, sizeof(pw));
	return rc;
}

int
cmd_user(int argc, char **argv)
{
	const struct verb *v = NULL;
	struct user_args a;
	struct cli_env env;
	struct store *s;
	size_t i;
	int rc;

	for (i = 0; argc >= 2 && i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(verbs[i].name, argv[1]) == 0)
			v = &verbs[i];
	if (v == NULL || parse_args(argc - 1, argv + 1, v, &a) != 0)
		return cli_usage("user");
	if (cli_env_load(&env) != 0)
		return 1;
	if (cli_store_open_any(a.db, &env, &s) != 0) {
		cli_env_free(&env);
		return 1;
	}
	rc = run_verb(s, v, &a);
	store_close(s);
	cli_env_free(&env);
	return rc;
}
