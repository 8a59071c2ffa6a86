/*
 * dept.c - the department table.
 */
#include "core/dept.h"

#include <string.h>

static const struct dept depts[] = {
	{ "civil", "民政", "Civil affairs" },
	{ "hrss", "人社", "Human resources and social security" },
	{ "health", "卫健", "Health commission" },
	{ "medins", "医保", "Healthcare security" },
	{ "edu", "教育", "Education" },
	{ "housing", "住建", "Housing and urban-rural development" },
	{ "agri", "农业农村", "Agriculture and rural affairs" },
	{ "cdpf", "残联", "Disabled persons' federation" },
	{ "justice", "司法", "Justice" },
	{ "culture", "文旅", "Culture and tourism" },
	{ "ndrc", "发改", "Development and reform" },
	{ "emergency", "应急", "Emergency management" },
	{ "finance", "财政", "Finance" },
};

#define NDEPTS	(sizeof(depts) / sizeof(depts[0]))

const struct dept *
dept_find(const char *code_or_name)
{
	size_t i;

	if (code_or_name == NULL)
		return NULL;
	for (i = 0; i < NDEPTS; i++)
		if (strcmp(depts[i].code, code_or_name) == 0 ||
		    strcmp(depts[i].name_zh, code_or_name) == 0)
			return &depts[i];
	return NULL;
}

const struct dept *
dept_get(size_t i)
{
	return i < NDEPTS ? &depts[i] : NULL;
}

size_t
dept_count(void)
{
	return NDEPTS;
}
