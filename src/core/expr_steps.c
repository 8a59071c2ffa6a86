/*
 * expr_steps.c - the compiled program step by step, for column-at-a-time
 * evaluators (expr.h: expr_nsteps and the rest).
 */
#include "core/expr_int.h"

size_t
expr_nsteps(const struct expr *e)
{
	return e->n;
}

size_t
expr_stack(const struct expr *e)
{
	return e->stack;
}

void
expr_step(const struct expr *e, size_t i, struct expr_step *out)
{
	static const enum expr_step_op ops[] = { EXPR_S_TRUE, EXPR_S_FALSE,
		EXPR_S_TEST, EXPR_S_NOT, EXPR_S_AND, EXPR_S_OR,
		EXPR_S_REGION };
	const struct expr_insn *in = &e->code[i];

	out->op = ops[in->op];
	out->age = in->op == OP_TEST && in->field == EXPR_AGE_FIELD;
	out->field = out->age ? in->birth : in->field;
	out->text = in->op == OP_TEST && in->kind == T_STR;
	out->bare = in->op == OP_TEST && in->kind == T_TRUTHY;
}

int
expr_step_holds(const struct expr *e, size_t i, const struct record *r,
    int ref_days)
{
	return expr_test_holds(&e->code[i], r, ref_days);
}

int
expr_step_region(const struct expr_ctx *ctx)
{
	return expr_region_holds(ctx);
}
