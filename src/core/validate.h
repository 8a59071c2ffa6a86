/*
 * validate.h - full validation of one survey record against the catalog.
 *
 * In catalog order, each item's skip rule (ask_if) decides whether it is
 * asked; an item not asked must be empty, an asked required item must be
 * filled, a multi item's exclusive "none" code stands alone. Then the
 * cross-field rules of the catalog's prose run, from the table in
 * validate.c: ID number against sex and birth date, certificate number
 * against ID, category and grade, components of 多重 disability, at least
 * one contact phone, the householder's ID for 本人, education against
 * literacy, regions that exist at village level, dates not in the future.
 * A rule whose items the catalog lacks is skipped.
 *
 * Returns 0, or -1 with err naming the first item at fault (err->field is
 * its code) and why. Thread-safe for distinct records.
 */
#ifndef LF_CORE_VALIDATE_H
#define LF_CORE_VALIDATE_H

#include "lib/error.h"
#include "core/record.h"
#include "core/region.h"

struct validate_ctx {
	const struct regions	*regions;
	int			 today;		/* days since 1970-01-01 */
	int			 year;		/* survey year; 0 = unchecked */
};

int	record_validate(const struct record *r, const struct validate_ctx *ctx,
	    struct lf_error *err);
/* The date skip rules compute age at: fill_date when set, else today. */
int	record_ref_date(const struct record *r, int today);
/* 1 when field f is asked for this record (its ask_if holds). */
int	record_asked(const struct record *r, const struct field *f, int ref);

#endif
