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
 * (defined as expressions over catalog fields in expr.c's table), and
 * disaster_region (the person's village lies in a disaster area for the
 * year: asked of the evaluation context, false without one). A test on a
 * field with no value is false ("not" then negates as usual).
 *
 * Expressions are compiled once against a catalog: unknown names, a value
 * that is not an option of an enum, a type that does not fit the operator
 * are refused with the byte position (err->column, 1-based) and what was
 * expected. A compiled expression is immutable and may be evaluated from
 * many threads at once.
 */
#ifndef LF_CORE_EXPR_H
#define LF_CORE_EXPR_H

#include "lib/buf.h"
#include "core/catalog.h"
#include "lib/error.h"
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

/*
 * What an evaluation may need beyond the record. village is the person's
 * 12-digit village code (0 = unknown), year the survey year; disaster may
 * be NULL (then disaster_region is false).
 */
struct disaster;
struct expr_ctx {
	int			 ref_days;	/* age is computed at this date */
	int			 year;
	int64_t			 village;
	const struct disaster	*disaster;
};

/* As expr_eval(), with a context (NULL: ref_days 0, no region). */
int	expr_eval_ctx(const struct expr *e, const struct record *r,
	    const struct expr_ctx *ctx);

enum expr_lang { EXPR_EN, EXPR_ZH };

/*
 * Evaluates e like expr_eval_ctx() and appends to b why it came out so, in
 * English or Chinese, naming the tests that decided it with the values the
 * record holds:
 *   holds:     "severe (disability_grade 2) and valid_card (card_status 1)"
 *              "重度残疾(残疾等级 2(二级)) 且 持证有效(残疾人证状态 1(有效))"
 *   fails:     "age 67 not in 16..59", "年龄 67 不在 16..59 之内"
 *              "not reg_poor (no value for rural_poverty_status)"
 *              "非建档立卡贫困(贫困与建档立卡情况 未填写)" for unset items
 * The text is a list of facts, each true of the record, joined by " and "
 * (" 且 "); a test states the relation that is true ("disability_grade
 * 2 >= 2" when "disability_grade < 2" fails), so "not" adds no words.
 * An "and" that holds names every part, one that fails only the first part
 * that failed; an "or" that holds names the first part that held, one that
 * fails every part. A derived name is named as itself with the values it
 * rests on, not expanded ("not dibao (...)", Chinese "非低保(...)"). Field
 * names are catalog codes in English and the catalog's Chinese labels in
 * Chinese; the record's option codes are followed by their label in
 * Chinese ("残疾类别 4(肢体残疾)"). Secret items show "***".
 * Returns 1 or 0 (the result), or -1 when b is full or memory runs out.
 */
int	expr_explain(const struct expr *e, const struct record *r,
	    const struct expr_ctx *ctx, enum expr_lang lang, struct buf *b);

/* Index of the catalog field `birth_date` used for age, or -1; the
 * catalog computes it once. */
int	expr_uses_age(const struct expr *e);

/* Marks in want[0..nfields) (want[i] = 1) every catalog field e reads,
 * birth_date when it uses age; derived names count as their definitions.
 * Marks nothing for NULL. A reader that decodes only these evaluates e
 * as over the whole record. */
void	expr_fields(const struct expr *e, unsigned char *want,
	    size_t nfields);

/*
 * The compiled program, for evaluators that run it a column at a time
 * over many persons (stats/stats_whatif.h) with the same meaning as
 * expr_eval_ctx(): expr_nsteps() steps in postfix order, each a constant
 * (pushes 1 or 0), a test of one field (pushes whether it holds), "not"
 * (negates the top), "and" / "or" (pop two, push the result), or
 * disaster_region (pushes expr_eval_ctx()'s value for the context).
 * Derived names are already expanded. The result is the one value left.
 */
enum expr_step_op { EXPR_S_TRUE, EXPR_S_FALSE, EXPR_S_TEST, EXPR_S_NOT,
	EXPR_S_AND, EXPR_S_OR, EXPR_S_REGION };
struct expr_step {
	enum expr_step_op op;
	int		 field;		/* EXPR_S_TEST: the catalog field read
					   (birth_date for age) */
	int		 age;		/* the test reads age at ref_days */
	int		 text;		/* it compares the field's text */
	int		 bare;		/* a bare name: set (bool true, multi
					   non-empty) */
};
size_t	expr_nsteps(const struct expr *e);
void	expr_step(const struct expr *e, size_t i, struct expr_step *out);
/* Whether test step i holds for r at ref_days: exactly the test
 * expr_eval_ctx() runs (a field with no value fails). */
int	expr_step_holds(const struct expr *e, size_t i, const struct record *r,
	    int ref_days);
/* The value of disaster_region in ctx (NULL: 0). */
int	expr_step_region(const struct expr_ctx *ctx);
/* Evaluation stack the program needs. */
size_t	expr_stack(const struct expr *e);

#endif
