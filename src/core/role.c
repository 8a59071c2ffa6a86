/*
 * role.c - the table of account roles (role.h).
 */
#include "core/role.h"

#include <stddef.h>
#include <string.h>

#include "core/region.h"

static const struct users_role roles[USER_NROLES] = {
	{ USER_VILLAGE, "village", "村(社区)专职委员", RL_VILLAGE },
	{ USER_TOWNSHIP, "township", "乡镇(街道)工作人员", RL_TOWNSHIP },
	{ USER_COUNTY, "county", "县(市、区)工作人员", RL_COUNTY },
	{ USER_CITY, "city", "市(州)工作人员", RL_CITY },
	{ USER_PROVINCE, "province", "省级工作人员", RL_PROVINCE },
	{ USER_DEPARTMENT, "department", "部门工作人员", -1 },
	{ USER_SUPERVISOR, "supervisor", "督导人员", -1 },
	{ USER_AUDITOR, "auditor", "审计人员", -1 },
	{ USER_ADMIN, "admin", "系统管理员", -1 },
};

const struct users_role *
users_role_find(const char *code)
{
	size_t i;

	for (i = 0; code != NULL && i < USER_NROLES; i++)
		if (strcmp(roles[i].code, code) == 0)
			return &roles[i];
	return NULL;
}

const struct users_role *
users_role_get(enum user_role r)
{
	return &roles[r];
}
