/*
 * role.h - the roles a platform account may hold, and the region level
 * each needs (auth/users.h says how accounts use them).
 *
 * One static table: the ASCII code stored in the users table, the
 * Chinese name the UI shows and the enum region_level of the region an
 * account of that role holds (-1: a region of any level). Read-only,
 * thread-safe; no function fails.
 */
#ifndef LF_CORE_ROLE_H
#define LF_CORE_ROLE_H

enum user_role {
	USER_VILLAGE,		/* 村(社区)专职委员, region: a village */
	USER_TOWNSHIP,		/* 乡镇(街道) officer, a township */
	USER_COUNTY,		/* 县(市、区) officer, a county */
	USER_CITY,		/* 市(州) officer, a city */
	USER_PROVINCE,		/* 省 officer, the province */
	USER_DEPARTMENT,	/* 部门 officer, any level, with a department */
	USER_SUPERVISOR,	/* 督导, any level */
	USER_AUDITOR,		/* 审计, any level */
	USER_ADMIN,		/* 系统管理员, any level */
	USER_NROLES
};

struct users_role {
	enum user_role	 role;
	const char	*code;		/* ASCII, as stored: "village" */
	const char	*name_zh;	/* "村(社区)专职委员" */
	int		 level;		/* enum region_level, -1 = any */
};

/* The role with this code, or NULL (also for a NULL code). */
const struct users_role	*users_role_find(const char *code);
/* The role's entry; r < USER_NROLES. */
const struct users_role	*users_role_get(enum user_role r);

#endif
