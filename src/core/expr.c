/*
 * expr.c - compile rule-language expressions and run them.
 *
 * The parser is recursive descent over the grammar in expr.h. It emits a
 * flat array of postfix instructions (tests, not, and, or) that
 * expr_eval() runs with a small stack, and beside it a tree of the same
 * tests with and/or chains and derived names kept as written, which only
 * expr_explain() (expr_explain.c) reads; see expr_int.h. Derived names
 * are expanded inline into the postfix code from the table below, so a
 * derived name costs the same as writing its definition out.
 */
#include "core/expr.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/date.h"
#include "core/disaster.h"
#include "core/expr_int.h"
#include "lib/mem.h"

#define MAX_DEPTH	48	/* nesting of parentheses, not and derived */
#define MAX_SET		64	/* values in one { } */
#define AGE_FIELD	EXPR_AGE_FIELD

/* Derived names: an expression over catalog fields, or (def NULL) a value
 * asked of the evaluation context. */
const struct expr_derived expr_derived[] = {
	{ "severe", "重度残疾", "非重度残疾", "severely disabled",
	    "not severely disabled", "disability_grade in {1,2}" },
	{ "dibao", "低保", "非低保", "receives the minimum living guarantee",
	    "no minimum living guarantee",
	    "urban_income_status = 1 or rural_poverty_status = 4"
	    " or social_assistance_received has 1" },
	{ "reg_poor", "建档立卡贫困", "非建档立卡贫困", "registered poor",
	    "not registered poor", "rural_poverty_status in {1,2,3}" },
	{ "valid_card", "持证有效", "未持有效证", "holds a valid card",
	    "no valid card", "card_status = 1" },
	{ "disaster_region", "灾区", "非灾区", "in a disaster area",
	    "not in a disaster area", NULL },
};
const size_t expr_nderived = sizeof(expr_derived) / sizeof(expr_derived[0]);

struct parser {
	const char		*src;
	const char		*p;
	const struct catalog	*cat;
	struct expr		*e;
	struct lf_error		*err;
	int			 depth;
	const char		*in_derived;	/* name being expanded */
};

static int parse_or(struct parser *ps, int *node);

static int
fail(struct parser *ps, const char *code, const char *at, const char *fmt,
    const char *what)
{
	char msg[256];

	snprintf(msg, sizeof(msg), fmt, what);
	lf_error_set(ps->err, code, "", "%s%s%s", msg,
	    ps->in_derived ? " in derived name " : "",
	    ps->in_derived ? ps->in_derived : "");
	ps->err->column = (unsigned)(at - ps->src) + 1;
	return -1;
}

static void
skip_ws(struct parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' ||
	    *ps->p == '\r')
		ps->p++;
}

static size_t
ident_len(const char *p)
{
	size_t n = 0;

	if (!isalpha((unsigned char)p[0]) && p[0] != '_')
		return 0;
	while (isalnum((unsigned char)p[n]) || p[n] == '_')
		n++;
	return n;
}

/* 1 when p starts with keyword kw as a whole word. */
static int
is_word(const char *p, const char *kw)
{
	size_t n = strlen(kw);

	return strncmp(p, kw, n) == 0 && ident_len(p) == n;
}

/* Consumes keyword kw if it stands next as a whole word. */
static int
accept_word(struct parser *ps, const char *kw)
{
	skip_ws(ps);
	if (!is_word(ps->p, kw))
		return 0;
	ps->p += strlen(kw);
	return 1;
}

static int
accept_punct(struct parser *ps, const char *tok)
{
	size_t n = strlen(tok);

	skip_ws(ps);
	if (strncmp(ps->p, tok, n) == 0) {
		ps->p += n;
		return 1;
	}
	return 0;
}

static int
emit(struct parser *ps, const struct expr_insn *in)
{
	struct expr *e = ps->e;

	if (mem_grow(&e->code, &e->cap, e->n + 1, sizeof(*e->code),
	    SIZE_MAX) != 0)
		return fail(ps, "no_memory", ps->p, "%s", LF_ERROR_NOMEM_TEXT);
	e->code[e->n++] = *in;
	return 0;
}

static int
emit_op(struct parser *ps, enum expr_op op)
{
	struct expr_insn in;

	memset(&in, 0, sizeof(in));
	in.op = (unsigned char)op;
	return emit(ps, &in);
}

/* Appends a tree node; its index in *idx. */
static int
new_node(struct parser *ps, enum expr_node_kind kind, int arg, int child,
    int *idx)
{
	struct expr *e = ps->e;
	struct expr_node *nn;

	if (mem_grow(&e->nodes, &e->nodecap, e->nnodes + 1, sizeof(*e->nodes),
	    SIZE_MAX) != 0)
		return fail(ps, "no_memory", ps->p, "%s", LF_ERROR_NOMEM_TEXT);
	nn = &e->nodes[e->nnodes];
	nn->kind = (unsigned char)kind;
	nn->arg = arg;
	nn->child = child;
	nn->next = -1;
	*idx = (int)e->nnodes++;
	return 0;
}

/* Emits op and its leaf node. */
static int
emit_leaf(struct parser *ps, enum expr_op op, enum expr_node_kind kind,
    int arg, int *node)
{
	if (emit_op(ps, op) != 0)
		return -1;
	return new_node(ps, kind, arg, -1, node);
}

/* An integer or quoted text value. */
struct value {
	int		 is_str;
	int64_t		 i;
	char		 s[128];
	const char	*at;
};

static int
parse_value(struct parser *ps, struct value *v)
{
	char *end;
	size_t n;

	skip_ws(ps);
	v->at = ps->p;
	if (*ps->p == '\'') {
		const char *q = strchr(ps->p + 1, '\'');

		if (q == NULL)
			return fail(ps, "expr_syntax", ps->p, "%s",
			    "引号未闭合 (unterminated 'text')");
		n = (size_t)(q - ps->p - 1);
		if (n >= sizeof(v->s))
			return fail(ps, "expr_syntax", ps->p, "%s",
			    "文本过长 (text value too long)");
		memcpy(v->s, ps->p + 1, n);
		v->s[n] = '\0';
		v->is_str = 1;
		ps->p = q + 1;
		return 0;
	}
	if (!isdigit((unsigned char)*ps->p) && !(*ps->p == '-' &&
	    isdigit((unsigned char)ps->p[1])))
		return fail(ps, "expr_syntax", ps->p, "%s",
		    "应为数值或 'text' (expected a number or 'text')");
	errno = 0;
	v->i = strtoll(ps->p, &end, 10);
	if (errno != 0)
		return fail(ps, "expr_syntax", ps->p, "%s",
		    "数值超出范围 (number out of range)");
	v->is_str = 0;
	ps->p = end;
	return 0;
}

static const char *
name_of(const struct expr_insn *in, const struct catalog *cat)
{
	return in->field == AGE_FIELD ? "age" : cat->fields[in->field].code;
}

/* Checks an integer value against the field: options must exist. */
static int
check_value(struct parser *ps, const struct expr_insn *in, struct value *v)
{
	const struct field *f;

	if (in->field == AGE_FIELD) {
		if (v->is_str)
			return fail(ps, "expr_type", v->at, "%s",
			    "age 应与整数比较 (age compares with an integer)");
		return 0;
	}
	f = &ps->cat->fields[in->field];
	if (f->type == FT_DATE && v->is_str) {
		int d;

		if (date_parse(v->s, &d) != 0)
			return fail(ps, "expr_type", v->at, "%s",
			    "日期应为 'YYYY-MM-DD' (date must be 'YYYY-MM-DD')");
		v->i = d;
		v->is_str = 0;
		return 0;
	}
	if (v->is_str)
		return fail(ps, "expr_type", v->at,
		    "%s 不是文本项, 应与整数比较 (not a text item: "
		    "compare with an integer)", f->code);
	if ((f->type == FT_ENUM || f->type == FT_MULTI) &&
	    field_option(f, (int)v->i) == NULL)
		return fail(ps, "expr_type", v->at,
		    "值不是 %s 的选项 (value is not an option of this item)",
		    f->code);
	if (f->type == FT_BOOL && v->i != 0 && v->i != 1)
		return fail(ps, "expr_type", v->at,
		    "%s 是是否项, 只能为 0 或 1 (a bool item is 0 or 1)",
		    f->code);
	return 0;
}

static int
parse_set(struct parser *ps, struct expr_insn *in)
{
	int64_t vals[MAX_SET];
	struct value v;
	size_t n = 0, i;
	int small = 1;

	if (!accept_punct(ps, "{"))
		return fail(ps, "expr_syntax", ps->p, "%s",
		    "应为 '{' (expected '{')");
	do {
		if (n == MAX_SET)
			return fail(ps, "expr_syntax", ps->p, "%s",
			    "集合过大 (too many values in set)");
		if (parse_value(ps, &v) != 0 || check_value(ps, in, &v) != 0)
			return -1;
		vals[n++] = v.i;
		if (v.i < 0 || v.i > 63)
			small = 0;
	} while (accept_punct(ps, ","));
	if (!accept_punct(ps, "}"))
		return fail(ps, "expr_syntax", ps->p, "%s",
		    "应为 ',' 或 '}' (expected ',' or '}')");
	for (i = 0; i < n && small; i++)
		in->mask |= (uint64_t)1 << vals[i];
	if (!small) {
		in->set = mem_alloc(n * sizeof(*in->set));
		if (in->set == NULL)
			return fail(ps, "no_memory", ps->p, "%s",
			    LF_ERROR_NOMEM_TEXT);
		memcpy(in->set, vals, n * sizeof(*in->set));
		in->nset = n;
	}
	return 0;
}

static int
parse_in(struct parser *ps, struct expr_insn *in, enum field_type t)
{
	struct value lo, hi;
	const char *save;

	in->kind = T_IN;
	skip_ws(ps);
	if (*ps->p == '{') {
		if (t == FT_MULTI || t == FT_TEXT || t == FT_ID_NUMBER ||
		    t == FT_PHONE)
			return fail(ps, "expr_type", ps->p,
			    "%s 不能用 in {…} (use has/has_any for multi "
			    "items; in needs a coded or numeric item)",
			    name_of(in, ps->cat));
		return parse_set(ps, in);
	}
	save = ps->p;
	if (t == FT_MULTI || t == FT_TEXT || t == FT_ID_NUMBER ||
	    t == FT_PHONE)
		return fail(ps, "expr_type", save,
		    "%s 不能用范围 A..B (a range needs a numeric, date or coded "
		    "item)", name_of(in, ps->cat));
	if (parse_value(ps, &lo) != 0)
		return -1;
	if (lo.is_str || !accept_punct(ps, ".."))
		return fail(ps, "expr_syntax", save, "%s",
		    "应为 {…} 或 A..B (expected {…} or A..B)");
	if (parse_value(ps, &hi) != 0)
		return -1;
	if (hi.is_str || hi.i < lo.i)
		return fail(ps, "expr_syntax", hi.at, "%s",
		    "范围上限应为不小于下限的整数 (range end must be an "
		    "integer not below its start)");
	in->kind = T_RANGE;
	in->a = lo.i;
	in->b = hi.i;
	return 0;
}

static int
parse_has(struct parser *ps, struct expr_insn *in, int any, const char *name_at)
{
	struct value v;
	const struct field *f = in->field >= 0 ?
	    &ps->cat->fields[in->field] : NULL;

	if (f == NULL || f->type != FT_MULTI)
		return fail(ps, "expr_type", name_at,
		    "has/has_any 只用于多选项 (has needs a multi item, not %s)",
		    name_of(in, ps->cat));
	in->kind = T_HAS_ANY;
	if (any)
		return parse_set(ps, in);
	if (parse_value(ps, &v) != 0 || check_value(ps, in, &v) != 0)
		return -1;
	in->mask = (uint64_t)1 << v.i;
	return 0;
}

static int
parse_cmp_op(struct parser *ps, enum expr_cmp *c)
{
	static const struct {
		const char	*tok;
		enum expr_cmp	 c;
	} ops[] = {
		{ "!=", C_NE }, { "<=", C_LE }, { ">=", C_GE },
		{ "=", C_EQ }, { "<", C_LT }, { ">", C_GT },
	};
	size_t i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (accept_punct(ps, ops[i].tok)) {
			*c = ops[i].c;
			return 1;
		}
	return 0;
}

static int
parse_cmp(struct parser *ps, struct expr_insn *in, enum expr_cmp c)
{
	struct value v;
	const struct field *f = in->field >= 0 ?
	    &ps->cat->fields[in->field] : NULL;

	if (parse_value(ps, &v) != 0)
		return -1;
	in->cmp = (unsigned char)c;
	if (f != NULL && f->type == FT_MULTI)
		return fail(ps, "expr_type", v.at,
		    "%s 是多选项, 请用 has (a multi item: use has)", f->code);
	if (f != NULL && (f->type == FT_ID_NUMBER || f->type == FT_PHONE ||
	    (f->type == FT_TEXT && !v.is_str)))
		return fail(ps, "expr_type", v.at,
		    "%s 不能与数值比较 (an ID, phone or text item cannot be "
		    "compared with a number)", f->code);
	if (v.is_str && f != NULL && (f->type == FT_TEXT)) {
		if (c != C_EQ && c != C_NE)
			return fail(ps, "expr_type", v.at, "%s",
			    "文本只能用 = 或 != (text compares with = or !=)");
		in->kind = T_STR;
		in->str = mem_strdup(v.s);
		if (in->str == NULL)
			return fail(ps, "no_memory", v.at, "%s",
			    LF_ERROR_NOMEM_TEXT);
		return 0;
	}
	if (check_value(ps, in, &v) != 0)
		return -1;
	in->kind = T_CMP;
	in->a = v.i;
	return 0;
}

static int parse_derived(struct parser *ps, size_t d, const char *at,
    int *node);

/* The derived name n bytes at `at`, or -1. */
static int
derived_index(const char *at, size_t n)
{
	size_t i;

	for (i = 0; i < expr_nderived; i++)
		if (strlen(expr_derived[i].name) == n &&
		    strncmp(expr_derived[i].name, at, n) == 0)
			return (int)i;
	return -1;
}

/* Resolves the name n bytes at `at` (age or a catalog field) into in. */
static int
resolve_name(struct parser *ps, const char *at, size_t n,
    struct expr_insn *in)
{
	const struct field *f;
	char name[64];

	if (n == 3 && strncmp(at, "age", 3) == 0) {
		f = catalog_find(ps->cat, "birth_date", 10);
		if (f == NULL || f->type != FT_DATE)
			return fail(ps, "expr_name", at, "%s",
			    "age 需要日期项 birth_date (age needs a date item "
			    "birth_date in the catalog)");
		in->field = AGE_FIELD;
		in->birth = f->index;
		ps->e->birth = f->index;
		return 0;
	}
	f = catalog_find(ps->cat, at, n);
	if (f != NULL) {
		in->field = f->index;
		return 0;
	}
	snprintf(name, sizeof(name), "%.*s", (int)(n < 60 ? n : 60), at);
	return fail(ps, "expr_name", at,
	    "未知名称 %s (unknown name: not a catalog item or derived name)",
	    name);
}

/* What follows a name: an operator and its value, or nothing. */
static int
parse_test_tail(struct parser *ps, struct expr_insn *in, const char *at)
{
	enum expr_cmp c;

	if (accept_word(ps, "has_any"))
		return parse_has(ps, in, 1, at);
	if (accept_word(ps, "has"))
		return parse_has(ps, in, 0, at);
	if (accept_word(ps, "in"))
		return parse_in(ps, in,
		    in->field >= 0 ? ps->cat->fields[in->field].type : FT_INT);
	if (parse_cmp_op(ps, &c))
		return parse_cmp(ps, in, c);
	in->kind = T_TRUTHY;
	return 0;
}

/* name [op value | in ... | has ... | has_any ...] */
static int
parse_name_test(struct parser *ps, int *node)
{
	const char *at = ps->p;
	size_t n = ident_len(ps->p);
	struct expr_insn in;
	int d = derived_index(at, n);

	if (d >= 0) {
		ps->p += n;
		return parse_derived(ps, (size_t)d, at, node);
	}
	memset(&in, 0, sizeof(in));
	in.op = OP_TEST;
	if (resolve_name(ps, at, n, &in) != 0)
		return -1;
	ps->p += n;
	if (parse_test_tail(ps, &in, at) != 0 || emit(ps, &in) != 0) {
		mem_free(in.set);
		mem_free(in.str);
		return -1;
	}
	return new_node(ps, N_TEST, (int)ps->e->n - 1, -1, node);
}

/* Expands derived name d (written at `at`) from its definition. */
static int
parse_derived(struct parser *ps, size_t d, const char *at, int *node)
{
	struct parser sub = *ps;
	int rc, child;

	if (ps->depth >= MAX_DEPTH)
		return fail(ps, "expr_syntax", at, "%s",
		    "嵌套过深 (nested too deeply)");
	if (expr_derived[d].def == NULL)
		return emit_leaf(ps, OP_REGION, N_DERIVED, (int)d, node);
	sub.src = sub.p = expr_derived[d].def;
	sub.in_derived = expr_derived[d].name;
	sub.depth = ps->depth + 1;
	rc = parse_or(&sub, &child);
	skip_ws(&sub);
	if (rc == 0 && *sub.p != '\0')
		rc = fail(&sub, "expr_syntax", sub.p, "%s",
		    "多余的内容 (unexpected text)");
	if (rc == 0)
		rc = new_node(ps, N_DERIVED, (int)d, child, node);
	if (rc != 0)
		ps->err->column = (unsigned)(at - ps->src) + 1;
	return rc;
}

static int
parse_test(struct parser *ps, int *node)
{
	skip_ws(ps);
	if (accept_punct(ps, "(")) {
		if (++ps->depth > MAX_DEPTH)
			return fail(ps, "expr_syntax", ps->p, "%s",
			    "嵌套过深 (nested too deeply)");
		if (parse_or(ps, node) != 0)
			return -1;
		ps->depth--;
		if (!accept_punct(ps, ")"))
			return fail(ps, "expr_syntax", ps->p, "%s",
			    "应为 ')' (expected ')')");
		return 0;
	}
	if (accept_word(ps, "true"))
		return emit_leaf(ps, OP_TRUE, N_TRUE, 0, node);
	if (accept_word(ps, "false"))
		return emit_leaf(ps, OP_FALSE, N_FALSE, 0, node);
	if (ident_len(ps->p) == 0 || is_word(ps->p, "and") ||
	    is_word(ps->p, "or")) {
		if (*ps->p == '\0')
			return fail(ps, "expr_syntax", ps->p, "%s",
			    "表达式不完整 (expression ends too early: "
			    "expected a test)");
		return fail(ps, "expr_syntax", ps->p, "%s",
		    "应为条件 (expected a name, '(' , true or false)");
	}
	return parse_name_test(ps, node);
}

static int
parse_unary(struct parser *ps, int *node)
{
	int child;

	if (!accept_word(ps, "not"))
		return parse_test(ps, node);
	if (++ps->depth > MAX_DEPTH)
		return fail(ps, "expr_syntax", ps->p, "%s",
		    "嵌套过深 (nested too deeply)");
	if (parse_unary(ps, &child) != 0)
		return -1;
	ps->depth--;
	if (emit_op(ps, OP_NOT) != 0)
		return -1;
	return new_node(ps, N_NOT, 0, child, node);
}

/* part (word part)*: postfix "a b op c op", one chain node in the tree. */
static int
parse_chain(struct parser *ps, const char *word, enum expr_op op,
    enum expr_node_kind kind, int (*part)(struct parser *, int *),
    int *node)
{
	int first, last, next;

	if (part(ps, &first) != 0)
		return -1;
	*node = first;
	if (!accept_word(ps, word))
		return 0;
	if (new_node(ps, kind, 0, first, node) != 0)
		return -1;
	last = first;
	do {
		if (part(ps, &next) != 0 || emit_op(ps, op) != 0)
			return -1;
		ps->e->nodes[last].next = next;
		last = next;
	} while (accept_word(ps, word));
	return 0;
}

static int
parse_and(struct parser *ps, int *node)
{
	return parse_chain(ps, "and", OP_AND, N_AND, parse_unary, node);
}

static int
parse_or(struct parser *ps, int *node)
{
	return parse_chain(ps, "or", OP_OR, N_OR, parse_and, node);
}

static size_t
stack_need(const struct expr *e)
{
	size_t i, sp = 0, max = 0;

	for (i = 0; i < e->n; i++) {
		switch (e->code[i].op) {
		case OP_AND:
		case OP_OR:
			sp--;
			break;
		case OP_NOT:
			break;
		default:
			if (++sp > max)
				max = sp;
		}
	}
	return max;
}

int
expr_compile(const char *src, const struct catalog *cat, struct expr **out,
    struct lf_error *err)
{
	struct parser ps;
	struct expr *e;
	int rc = -1;

	e = mem_calloc(1, sizeof(*e));
	if (e == NULL)
		return lf_error_nomem(err);
	e->birth = -1;
	memset(&ps, 0, sizeof(ps));
	ps.src = ps.p = src;
	ps.cat = cat;
	ps.e = e;
	ps.err = err;
	if (parse_or(&ps, &e->root) != 0)
		goto out;
	skip_ws(&ps);
	if (*ps.p != '\0') {
		fail(&ps, "expr_syntax", ps.p, "%s",
		    "应为 and、or 或结尾 (expected and, or or the end)");
		goto out;
	}
	e->stack = stack_need(e);
	*out = e;
	e = NULL;
	rc = 0;
out:
	expr_free(e);
	return rc;
}

void
expr_free(struct expr *e)
{
	size_t i;

	if (e == NULL)
		return;
	for (i = 0; i < e->n; i++) {
		mem_free(e->code[i].set);
		mem_free(e->code[i].str);
	}
	mem_free(e->code);
	mem_free(e->nodes);
	mem_free(e);
}

int
expr_uses_age(const struct expr *e)
{
	return e->birth;
}

void
expr_fields(const struct expr *e, unsigned char *want, size_t nfields)
{
	size_t i;
	int f;

	if (e == NULL)
		return;
	for (i = 0; i < e->n; i++) {
		if (e->code[i].op != OP_TEST)
			continue;
		f = e->code[i].field == AGE_FIELD ? e->code[i].birth :
		    e->code[i].field;
		if (f >= 0 && (size_t)f < nfields)
			want[f] = 1;
	}
	if (e->birth >= 0 && (size_t)e->birth < nfields)
		want[e->birth] = 1;
}

static int
cmp_holds(enum expr_cmp c, int64_t x, int64_t y)
{
	switch (c) {
	case C_EQ: return x == y;
	case C_NE: return x != y;
	case C_LT: return x < y;
	case C_LE: return x <= y;
	case C_GT: return x > y;
	case C_GE: return x >= y;
	}
	return 0;
}

static int
in_set(const struct expr_insn *in, int64_t v)
{
	size_t i;

	if (in->set == NULL)
		return v >= 0 && v <= 63 && ((in->mask >> v) & 1);
	for (i = 0; i < in->nset; i++)
		if (in->set[i] == v)
			return 1;
	return 0;
}

/* The value a test reads, or 0 when the field has none. */
static int
load(const struct expr_insn *in, const struct record *r, int ref_days,
    int64_t *v)
{
	int f = in->field == AGE_FIELD ? in->birth : in->field;

	if (!r->set[f])
		return 0;
	*v = in->field == AGE_FIELD ?
	    date_age((int)r->num[f], ref_days) : r->num[f];
	return 1;
}

/* A bare name: a bool must be true, a multi non-empty, others set. */
static int
truthy(const struct expr_insn *in, const struct record *r, int64_t v)
{
	if (in->field == AGE_FIELD)
		return 1;
	switch (r->cat->fields[in->field].type) {
	case FT_BOOL:
	case FT_MULTI:
		return v != 0;
	default:
		return 1;
	}
}

static inline int
run_test(const struct expr_insn *in, const struct record *r, int ref_days)
{
	int64_t v;

	if (in->kind == T_STR) {
		const char *s = r->set[in->field] ? r->str[in->field] : NULL;

		if (s == NULL)
			return 0;
		return (strcmp(s, in->str) == 0) == (in->cmp == C_EQ);
	}
	if (!load(in, r, ref_days, &v))
		return 0;
	switch (in->kind) {
	case T_TRUTHY:
		return truthy(in, r, v);
	case T_CMP:
		return cmp_holds((enum expr_cmp)in->cmp, v, in->a);
	case T_IN:
		return in_set(in, v);
	case T_RANGE:
		return v >= in->a && v <= in->b;
	case T_HAS_ANY:
		return ((uint64_t)v & in->mask) != 0;
	}
	return 0;
}

int
expr_test_holds(const struct expr_insn *in, const struct record *r,
    int ref_days)
{
	return run_test(in, r, ref_days);
}

int
expr_region_holds(const struct expr_ctx *ctx)
{
	return ctx != NULL &&
	    disaster_find(ctx->disaster, ctx->village, ctx->year) != NULL;
}

/* Runs the postfix code: the fast path of every evaluation. */
static inline int
run(const struct expr *e, const struct record *r, const struct expr_ctx *ctx)
{
	unsigned char st[256];
	size_t i, sp = 0;

	if (e->stack > sizeof(st))
		return 0;
	for (i = 0; i < e->n; i++) {
		const struct expr_insn *in = &e->code[i];

		switch (in->op) {
		case OP_TRUE: st[sp++] = 1; break;
		case OP_FALSE: st[sp++] = 0; break;
		case OP_TEST: st[sp++] = (unsigned char)run_test(in, r,
		    ctx->ref_days); break;
		case OP_NOT: st[sp - 1] = !st[sp - 1]; break;
		case OP_AND: sp--; st[sp - 1] = st[sp - 1] && st[sp]; break;
		case OP_OR: sp--; st[sp - 1] = st[sp - 1] || st[sp]; break;
		case OP_REGION: st[sp++] = (unsigned char)
		    expr_region_holds(ctx); break;
		}
	}
	return sp == 1 ? st[0] : 0;
}

int
expr_eval(const struct expr *e, const struct record *r, int ref_days)
{
	struct expr_ctx ctx = { ref_days, 0, 0, NULL };

	return run(e, r, &ctx);
}

int
expr_eval_ctx(const struct expr *e, const struct record *r,
    const struct expr_ctx *ctx)
{
	static const struct expr_ctx none;

	return run(e, r, ctx != NULL ? ctx : &none);
}
