/*
 * expr.h - the eligibility and skip-rule language.
 *
 *   expr   := or
 *   or     := and ("or" and)*
 *   and    := unary ("and" unary)*
 *   unary  := "not" unary | test
 *   test   := "(" expr ")" | "true" | "false"
 *           | name                          bool set and true; multi
 *                                           non-empty; others: set
 *           | name op value                 op: = != < <= > >=
 *           | name "in" "{" value ("," value)* "}"
 *           | name "in" INT ".." INT        inclusive range
 *           | name "has" value              multi holds the code
 *           | name "has_any" "{" value ("," value)* "}"
 *   value  := INT | 'text'
 *
 * Names are catalog fields or derived names: age (whole years at the
 * reference date, from birth_date), severe, dibao, reg_poor, valid_card
 * (defined as expressions over catalog fields in expr.c's table). A test
 * on a field with no value is false ("not" then negates as usual).
 *
 * Expressions are compiled once against a catalog: unknown names, a value
 * that is not an option of an enum, a type that does not fit the operator
 * are refused with the byte position (err->column, 1-based) and what was
 * expected. A compiled expression is immutable and may be evaluated from
 * many threads at once.
 */
#ifndef LF_CORE_EXPR_H
#define LF_CORE_EXPR_H

#include "core/catalog.h"
#include "core/error.h"
#include "core/record.h"

struct expr;

/* Compiles src. The catalog must outlive the expression. On error -1 and
 * err (code "expr_syntax" or "expr_name" or "expr_type", column = position).
 * The caller frees *out with expr_free(). */
int	expr_compile(const char *src, const struct catalog *cat,
	    struct expr **out, struct lf_error *err);
void	expr_free(struct expr *e);

/* Evaluates e over r; `ref_days` is the date at which age is computed.
 * Returns 1 (holds) or 0. */
int	expr_eval(const struct expr *e, const struct record *r, int ref_days);

/* Index of the catalog field `birth_date` used for age, or -1; the
 * catalog computes it once. */
int	expr_uses_age(const struct expr *e);

#endif
