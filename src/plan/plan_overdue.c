/*
 * plan_overdue.c - the month before which an item is overdue
 * (plan/plan.h).
 */
#include "plan/plan.h"

int
plan_overdue_before(int year, int today_year, int today_month)
{
	if (today_year > year)
		return 13;
	return today_year < year ? 1 : today_month;
}
