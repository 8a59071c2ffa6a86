/*
 * satisf.c - ratings and the satisfaction rate (satisf.h).
 */
#include "core/satisf.h"

#include <string.h>

#include "lib/mem.h"

static const struct {
	const char	*code;
	const char	*zh;
	const char	*num;
} ratings[] = {
	{ "", "", "" },
	{ "satisfied", "满意", "1" },
	{ "basic", "基本满意", "2" },
	{ "unsatisfied", "不满意", "3" },
};

int
satisf_rating_parse(const char *s)
{
	int i;

	if (s == NULL)
		return 0;
	for (i = SATISF_SATISFIED; i <= SATISF_UNSATISFIED; i++)
		if (strcmp(s, ratings[i].code) == 0 ||
		    strcmp(s, ratings[i].zh) == 0 ||
		    strcmp(s, ratings[i].num) == 0)
			return i;
	return 0;
}

const char *
satisf_rating_code(int rating)
{
	return rating >= 1 && rating <= 3 ? ratings[rating].code : "";
}

const char *
satisf_rating_zh(int rating)
{
	return rating >= 1 && rating <= 3 ? ratings[rating].zh : "";
}

int
satisf_item_rateable(int decision, int status)
{
	return decision == 1 && (status == 2 || status == 3);
}

int
satisf_plan_rateable(int status)
{
	return status == 2 || status == 3;
}

int64_t
satisf_rated(const struct satisf_count *c)
{
	return c->satisfied + c->basic + c->unsatisfied;
}

int64_t
satisf_rate_bp(const struct satisf_count *c)
{
	int64_t n = satisf_rated(c);

	if (n <= 0)
		return -1;
	return ((c->satisfied + c->basic) * 20000 + n) / (2 * n);
}

void
satisf_count_add(struct satisf_count *c, int rating, int is_item, int64_t n)
{
	if (rating == SATISF_SATISFIED)
		c->satisfied += n;
	else if (rating == SATISF_BASIC)
		c->basic += n;
	else if (rating == SATISF_UNSATISFIED)
		c->unsatisfied += n;
	else
		return;
	if (is_item)
		c->items += n;
	else
		c->plans += n;
}

void
satisf_table_free(struct satisf_table *t)
{
	if (t == NULL)
		return;
	mem_free(t->rows);
	t->rows = NULL;
	t->n = 0;
}
