/*
 * expr_int.h - the compiled form of an expression, shared by expr.c
 * (compile and evaluate) and expr_explain.c. Not for other modules.
 *
 * A compiled expression holds one meaning in two forms:
 *  - code: flat postfix instructions that expr_eval() runs with a small
 *    stack. Derived names are expanded inline, so a derived name costs the
 *    same as writing its definition out. This is the fast path.
 *  - nodes: a tree over the same test instructions that keeps and/or
 *    chains, "not" and derived names as written. Only expr_explain() walks
 *    it, so the tree never slows evaluation down.
 */
#ifndef LF_CORE_EXPR_INT_H
#define LF_CORE_EXPR_INT_H

#include <stddef.h>
#include <stdint.h>

#include "core/expr.h"

#define EXPR_AGE_FIELD	(-2)	/* insn.field for the derived name age */

enum expr_op { OP_TRUE, OP_FALSE, OP_TEST, OP_NOT, OP_AND, OP_OR, OP_REGION };
enum expr_kind { T_TRUTHY, T_CMP, T_IN, T_RANGE, T_HAS_ANY, T_STR };
enum expr_cmp { C_EQ, C_NE, C_LT, C_LE, C_GT, C_GE };

struct expr_insn {
	unsigned char	 op;		/* enum expr_op */
	unsigned char	 kind;		/* OP_TEST: enum expr_kind */
	unsigned char	 cmp;		/* T_CMP, T_STR: enum expr_cmp */
	int		 field;		/* catalog index or EXPR_AGE_FIELD */
	int		 birth;		/* EXPR_AGE_FIELD: index of birth_date */
	int64_t		 a, b;		/* cmp value; range bounds */
	uint64_t	 mask;		/* has_any; in-set of small values */
	int64_t		*set;		/* in-set when some value is outside
					   0..63 */
	size_t		 nset;
	char		*str;		/* text comparison */
};

/* Tree nodes. child and next are node indices, -1 for none: the children
 * of an and/or chain are child, child's next, and so on. */
enum expr_node_kind { N_TRUE, N_FALSE, N_TEST, N_NOT, N_AND, N_OR, N_DERIVED };

struct expr_node {
	unsigned char	 kind;		/* enum expr_node_kind */
	int		 arg;		/* N_TEST: index into code;
					   N_DERIVED: index into
					   expr_derived[] */
	int		 child;		/* N_DERIVED: -1 when the value comes
					   from the context */
	int		 next;
};

struct expr {
	struct expr_insn	*code;
	size_t			 n, cap;
	size_t			 stack;		/* evaluation stack needed */
	struct expr_node	*nodes;
	size_t			 nnodes, nodecap;
	int			 root;
	int			 birth;		/* birth_date index when age is
						   used, else -1 */
};

/* Derived names. def is an expression over catalog fields, or NULL for
 * a name whose value comes from the evaluation context. */
struct expr_derived {
	const char	*name;
	const char	*zh;		/* Chinese name */
	const char	*zh_not;	/* Chinese for "not name" */
	const char	*en, *en_not;	/* English words for people */
	const char	*def;
};

extern const struct expr_derived	expr_derived[];
extern const size_t			expr_nderived;

/* The value of one OP_TEST instruction (1 or 0). */
int	expr_test_holds(const struct expr_insn *in, const struct record *r,
	    int ref_days);
/* The value of disaster_region in ctx (NULL: 0). */
int	expr_region_holds(const struct expr_ctx *ctx);

#endif
