/*
 * access.c - roles and what they may do (see access.h).
 */
#include "server/access.h"

#include <string.h>

/* What each role may do; scope decides where. */
static const struct {
	const char	*role;
	unsigned char	 may[NACTIONS];	/* READ REVEAL WRITE AUDIT REGION
					   USERS, PLAN: READ WRITE CONFIRM
					   DEPT BATCH, STATS, FEEDBACK */
} roles[] = {
	{ "village",	{ 1, 1, 1, 0, 1, 0,  1, 1, 0, 0, 0, 1, 1 } },
	{ "township",	{ 1, 1, 1, 0, 1, 0,  1, 1, 1, 0, 0, 1, 1 } },
	{ "county",	{ 1, 1, 1, 0, 1, 0,  1, 1, 1, 0, 1, 1 } },
	{ "city",	{ 1, 1, 1, 0, 1, 0,  1, 1, 1, 0, 1, 1 } },
	{ "province",	{ 1, 1, 1, 0, 1, 0,  1, 1, 1, 0, 1, 1 } },
	/* departments see service items only (not survey items) */
	{ "department",	{ 0, 0, 0, 0, 1, 0,  0, 0, 0, 1, 0, 0 } },
	{ "supervisor",	{ 1, 0, 0, 1, 1, 0,  1, 0, 0, 0, 0, 1 } },
	{ "auditor",	{ 0, 0, 0, 1, 0, 0,  0, 0, 0, 0, 0, 0 } },
	{ "admin",	{ 0, 0, 0, 0, 1, 1,  0, 0, 0, 0, 0, 0 } },
};

int
access_role_known(const char *role)
{
	size_t i;

	for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		if (strcmp(roles[i].role, role) == 0)
			return 1;
	return 0;
}

/* 精准监督's actions: who may draw samples and who may check. */
static const struct {
	const char	*role;
	unsigned char	 sample, check;
} supervise_roles[] = {
	{ "village", 0, 1 }, { "township", 0, 1 }, { "county", 1, 1 },
	{ "city", 1, 1 }, { "province", 1, 1 }, { "supervisor", 1, 1 },
};

static int
supervise_allowed(const struct principal *who, enum action a,
    int64_t village12)
{
	size_t i;

	for (i = 0; i < sizeof(supervise_roles) / sizeof(supervise_roles[0]);
	    i++) {
		if (strcmp(supervise_roles[i].role, who->role) != 0)
			continue;
		if (!(a == ACT_SAMPLE ? supervise_roles[i].sample :
		    supervise_roles[i].check))
			return 0;
		return village12 == 0 || region_contains(who->scope,
		    village12);
	}
	return 0;
}

int
access_allowed(const struct principal *who, enum action a, int64_t village12)
{
	size_t i;

	if (who == NULL || who->scope == NULL || a >= NACTIONS)
		return 0;
	if (a == ACT_SAMPLE || a == ACT_CHECK)
		return supervise_allowed(who, a, village12);
	for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
		if (strcmp(roles[i].role, who->role) != 0)
			continue;
		if (!roles[i].may[a])
			return 0;
		return village12 == 0 || region_contains(who->scope,
		    village12);
	}
	return 0;
}
