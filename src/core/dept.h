/*
 * dept.h - the government departments that deliver service items.
 *
 * One table: an ASCII code (stored in the database and in accounts) and
 * the Chinese short name used by data/policies.tsv and the UI. Static,
 * read-only, thread-safe.
 */
#ifndef LF_CORE_DEPT_H
#define LF_CORE_DEPT_H

#include <stddef.h>

struct dept {
	const char	*code;		/* ASCII: "civil" */
	const char	*name_zh;	/* "民政" */
	const char	*name_en;	/* "Civil affairs" */
};

/* The department with this ASCII code or Chinese name, or NULL. */
const struct dept	*dept_find(const char *code_or_name);
/* The i-th department (i < dept_count()), in table order. */
const struct dept	*dept_get(size_t i);
size_t			 dept_count(void);

#endif
