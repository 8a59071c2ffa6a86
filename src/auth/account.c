/*
 * account.c - the account rules of users.h: what a new account must
 * hold, disabling and password changes; the rows are users_rows.h's.
 *
 * Argon2 runs before any write, so a slow hash never holds the
 * database's write lock.
 */
#include "auth/users.h"

#include <string.h>
#include <time.h>

#include "auth/auth_int.h"
#include "core/dept.h"
#include "core/region.h"
#include "crypto/password.h"

static const char *const level_zh[] = { "省", "市(州)", "县(市、区)",
	"乡镇(街道)", "村(社区)" };

int
users_login_valid(const char *login)
{
	size_t i, n;

	if (login == NULL)
		return 0;
	n = strnlen(login, USERS_LOGIN_MAX + 1);
	if (n < USERS_LOGIN_MIN || n > USERS_LOGIN_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (strchr("abcdefghijklmnopqrstuvwxyz0123456789_.-",
		    login[i]) == NULL)
			return 0;
	return 1;
}

static int
check_role(const struct user_new *u, const struct users_role **role,
    struct lf_error *err)
{
	*role = users_role_find(u->role);
	if (*role == NULL)
		return lf_error_set(err, "role", "role", "未知角色 (unknown "
		    "role; one of village, township, county, city, province, "
		    "department, supervisor, auditor, admin)");
	if ((*role)->role != USER_DEPARTMENT) {
		if (u->department != NULL && u->department[0] != '\0')
			return lf_error_set(err, "department", "department",
			    "只有部门角色有部门 (only role department takes a "
			    "department)");
		return 0;
	}
	if (u->department == NULL || u->department[0] == '\0')
		return lf_error_set(err, "department", "department", "部门角色"
		    "须指定部门 (role department needs a department)");
	if (dept_find(u->department) == NULL)
		return lf_error_set(err, "department", "department", "未知部门"
		    " (unknown department; a code such as civil, hrss, health, "
		    "cdpf, or its Chinese name)");
	return 0;
}

static int
check_region(const struct store *s, const struct user_new *u,
    const struct users_role *role, struct lf_error *err)
{
	const struct regions *regions = store_regions(s);
	const struct region *r;

	if (regions == NULL)
		return lf_error_set(err, "region", "region", "未加载地区表, "
		    "无法校验地区 (no region table loaded)");
	r = u->region != NULL ? regions_find(regions, u->region) : NULL;
	if (r == NULL)
		return lf_error_set(err, "region", "region", "地区代码不存在 "
		    "(no such region code)");
	if (role->level >= 0 && (int)r->level != role->level)
		return lf_error_set(err, "region", "region", "角色 %s 须对应"
		    "%s级地区 (role %s needs a %s region)", role->code,
		    level_zh[role->level], role->code,
		    region_level_name((enum region_level)role->level));
	return 0;
}

/* The checks of users_add() but the unused login; the password's only
 * when it is set or need_pw. */
static int
check_new(const struct store *s, const struct user_new *u, int need_pw,
    struct lf_error *err)
{
	const struct users_role *role;
	const char *why;

	if (!users_login_valid(u->login))
		return lf_error_set(err, "login", "login", "登录名须为 3 到 32 "
		    "个小写字母、数字或 _ . - (login: 3 to 32 of a-z 0-9 _ . "
		    "-)");
	if (check_role(u, &role, err) != 0 ||
	    check_region(s, u, role, err) != 0)
		return -1;
	if ((need_pw || u->password != NULL) &&
	    password_policy(u->password, &why) != 0)
		return lf_error_set(err, "password", "password", "%s", why);
	return 0;
}

static int
taken(struct lf_error *err)
{
	return lf_error_set(err, "exists", "login", "登录名已被占用 (login "
	    "already taken)");
}

int
users_check(struct store *s, const struct user_new *u, struct lf_error *err)
{
	struct user old;
	int rc;

	if (check_new(s, u, 0, err) != 0)
		return -1;
	rc = users_get(s, u->login, &old, err);
	if (rc == 0)
		return taken(err);
	return rc == 1 ? 0 : -1;
}

static int
hash_failed(struct lf_error *err)
{
	return lf_error_set(err, "crypto", "", "无法计算密码散列 "
	    "(password hashing failed)");
}

int
users_add(struct store *s, const struct user_new *u, struct lf_error *err)
{
	char hash[PASSWORD_HASH_MAX];
	struct user_row_new row;
	int rc;

	if (check_new(s, u, 1, err) != 0)
		return -1;
	if (password_hash(u->password, hash, sizeof(hash)) != 0)
		return hash_failed(err);
	row.login = u->login;
	row.role = u->role;
	row.region = u->region;
	row.department = u->department != NULL && u->department[0] != '\0' ?
	    dept_find(u->department)->code : NULL;
	row.pw_hash = hash;
	row.now = u->now != 0 ? u->now : (int64_t)time(NULL);
	rc = users_rows_insert(s, &row, err);
	explicit_bzero(hash, sizeof(hash));
	return rc == 1 ? taken(err) : rc;
}

static int
not_found(struct lf_error *err)
{
	return lf_error_set(err, "not_found", "login", "没有这个用户 "
	    "(no such user)");
}

int
users_disable(struct store *s, const char *login, struct lf_error *err)
{
	int rc, tx;

	if (login == NULL)
		return not_found(err);
	if (users_rows_tx_begin(s, &tx, err) != 0)
		return -1;
	rc = users_rows_disable(s, login, (int64_t)time(NULL), err);
	if (rc == 1)
		rc = not_found(err);
	if (rc == 0)
		rc = users_rows_revoke_all(s, login, err);
	rc = users_rows_tx_end(s, tx, rc, err);
	if (rc == 0)
		users_revoked();
	return rc;
}

/* The writes of users_passwd(): the hash, no failures, no sessions. */
static int
passwd_rows(struct store *s, const char *login, const char *hash,
    int64_t now, struct lf_error *err)
{
	struct user u;
	int rc;

	rc = users_rows_set_password(s, login, hash, now, err);
	if (rc == 0)
		rc = users_get(s, login, &u, err);
	if (rc == 1)
		rc = not_found(err);
	if (rc == 0)
		rc = users_rows_set_failures(s, u.id, 0, 0, err);
	if (rc == 0)
		rc = users_rows_revoke_all(s, login, err);
	return rc;
}

int
users_passwd(struct store *s, const char *login, const char *newpw,
    struct lf_error *err)
{
	char hash[PASSWORD_HASH_MAX];
	const char *why;
	int rc, tx;

	if (login == NULL)
		return not_found(err);
	if (password_policy(newpw, &why) != 0)
		return lf_error_set(err, "password", "password", "%s", why);
	if (password_hash(newpw, hash, sizeof(hash)) != 0)
		return hash_failed(err);
	rc = users_rows_tx_begin(s, &tx, err);
	if (rc == 0) {
		rc = passwd_rows(s, login, hash, (int64_t)time(NULL), err);
		rc = users_rows_tx_end(s, tx, rc, err);
		if (rc == 0)
			users_revoked();
	}
	explicit_bzero(hash, sizeof(hash));
	return rc;
}
