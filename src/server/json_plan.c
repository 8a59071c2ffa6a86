/*
 * json_plan.c - JSON forms of plans, service items and deliveries, and
 * the item changes a client may send.
 *
 * An item's JSON names its policy (code, Chinese name, 五个一批 batch),
 * its needs as catalog codes with their labels, and the five elements
 * under their own names; amounts are integers in fen.
 *
 * The forms are written once, as text into a buffer with json_out.h's
 * writer (the person page appends them to its own text); the jansson
 * trees the other answers build on are parsed from that text, so both
 * are the same bytes.
 */
#include "server/json_plan.h"

#include <stdint.h>
#include <string.h>

#include "core/dept.h"
#include "server/json_out.h"

/*
 * Fragments: the text of a policy, of a need with its labels and of a
 * department depends only on that row of a fixed table, yet each item
 * wrote it anew (every label checked as UTF-8 and scanned for escapes).
 * Each thread keeps the last text of each row in a small direct-mapped
 * table and copies it; a slot is keyed by the row's address, the table
 * it belongs to (policies, catalog) and its kind. Addresses are a sound
 * key only because the tables stay loaded, unchanged, for the life of the
 * process (the server's app); a caller that frees a table and loads a
 * different one must not rely on this file (a new table at the same
 * address would be mistaken for the old). A text longer than a slot is
 * written every time.
 */
enum frag_kind { FRAG_POLICY, FRAG_NEED, FRAG_DEPT };
#define FRAG_SLOTS	128
#define FRAG_MAX	480

struct frag {
	const void	*row;		/* NULL: empty */
	const void	*table;
	enum frag_kind	 kind;
	unsigned short	 len;
	char		 text[FRAG_MAX];
};

static _Thread_local struct frag frags[FRAG_SLOTS];

static struct frag *
frag_slot(const void *row, enum frag_kind kind)
{
	uintptr_t h = (uintptr_t)row;

	h ^= h >> 7;
	h = h * 31 + (uintptr_t)kind;
	return &frags[h % FRAG_SLOTS];
}

/* Appends the kept text of (row, table, kind): 1 when there was one, 0
 * when not (the caller writes it and calls frag_keep()), -1 on error. */
static int
frag_put(struct buf *b, const void *row, const void *table,
    enum frag_kind kind)
{
	const struct frag *f = frag_slot(row, kind);

	if (f->row != row || f->table != table || f->kind != kind)
		return 0;
	return buf_add(b, f->text, f->len) != 0 ? -1 : 1;
}

/* Keeps what was written to b since from as the text of (row, ...). */
static void
frag_keep(const struct buf *b, size_t from, const void *row,
    const void *table, enum frag_kind kind)
{
	struct frag *f = frag_slot(row, kind);
	size_t n = b->len - from;

	if (n > FRAG_MAX)
		return;
	memcpy(f->text, b->data + from, n);
	f->len = (unsigned short)n;
	f->row = row;
	f->table = table;
	f->kind = kind;
}

/* A text, or null when empty. */
static int
str_or_null(struct buf *b, const char *s)
{
	return s[0] != '\0' ? jout_str(b, s) : buf_adds(b, "null");
}

/* ,"key":text-or-null */
static int
kv_str_or_null(struct buf *b, int *first, const char *key, const char *s)
{
	return jout_key(b, first, key) != 0 || str_or_null(b, s) != 0 ? -1 :
	    0;
}

static int
kv_str(struct buf *b, int *first, const char *key, const char *s)
{
	return jout_key(b, first, key) != 0 || jout_str(b, s) != 0 ? -1 : 0;
}

static int
kv_int(struct buf *b, int *first, const char *key, int64_t v)
{
	return jout_key(b, first, key) != 0 || jout_int(b, v) != 0 ? -1 : 0;
}

/* {"code":..,"label":..,"label_en":..[,key:text]}: a coded state with
 * its words, and a text (null when empty) under key unless key is NULL. */
static int
coded(struct buf *b, int code, const char *zh, const char *en,
    const char *key, const char *text)
{
	int first = 1;

	if (buf_addc(b, '{') != 0 || kv_int(b, &first, "code", code) != 0 ||
	    kv_str(b, &first, "label", zh) != 0 ||
	    kv_str(b, &first, "label_en", en) != 0 ||
	    (key != NULL && kv_str_or_null(b, &first, key, text) != 0))
		return -1;
	return buf_addc(b, '}');
}

/* {"code","label","label_en"} of one need code (f: its field, or NULL
 * for a code the catalog does not have). */
static int
need_out(struct buf *b, const struct catalog *cat, const struct field *f,
    const char *code, size_t n)
{
	size_t from = b->len;
	int first = 1, rc;
	/* kept only when the text is the field's own code */
	int keep = f != NULL && strlen(f->code) == n &&
	    memcmp(f->code, code, n) == 0;

	if (keep && (rc = frag_put(b, f, cat, FRAG_NEED)) != 0)
		return rc < 0 ? -1 : 0;
	if (buf_addc(b, '{') != 0 || jout_key(b, &first, "code") != 0 ||
	    jout_strn(b, code, n) != 0 ||
	    kv_str(b, &first, "label", f ? f->label_zh : "") != 0 ||
	    kv_str(b, &first, "label_en", f ? f->label_en : "") != 0 ||
	    buf_addc(b, '}') != 0)
		return -1;
	if (keep)
		frag_keep(b, from, f, cat, FRAG_NEED);
	return 0;
}

/* [{"code","label","label_en"}] for the comma-separated need codes. */
static int
needs_out(struct buf *b, const struct catalog *cat, const char *needs)
{
	const struct field *f;
	const char *p = needs, *q;
	size_t n;

	if (buf_addc(b, '[') != 0)
		return -1;
	while (*p != '\0') {
		q = strchr(p, ',');
		n = q ? (size_t)(q - p) : strlen(p);
		f = catalog_find(cat, p, n);
		if ((p != needs && buf_addc(b, ',') != 0) ||
		    need_out(b, cat, f, p, n) != 0)
			return -1;
		p += n + (q != NULL);
	}
	return buf_addc(b, ']');
}

static int
policy_out(struct buf *b, const struct policies *ps, const char *code)
{
	const struct policy *p = code[0] ? policy_find(ps, code) : NULL;
	const struct policy_batch_info *bi;
	size_t from = b->len;
	int first = 1, rc;

	if (p == NULL)
		return buf_adds(b, "null");
	if ((rc = frag_put(b, p, ps, FRAG_POLICY)) != 0)
		return rc < 0 ? -1 : 0;
	bi = policy_batch_get(p->batch);
	if (buf_addc(b, '{') != 0 || kv_str(b, &first, "code", p->code) != 0 ||
	    kv_str(b, &first, "name", p->name_zh) != 0 ||
	    kv_str(b, &first, "name_en", p->name_en) != 0 ||
	    kv_str(b, &first, "batch", bi->code) != 0 ||
	    kv_str(b, &first, "batch_name", bi->name_zh) != 0 ||
	    kv_str(b, &first, "batch_name_en", bi->name_en) != 0 ||
	    buf_addc(b, '}') != 0)
		return -1;
	frag_keep(b, from, p, ps, FRAG_POLICY);
	return 0;
}

/* "dept":..,"dept_name":..,"dept_name_en":.. of a responsible party
 * (first: the object's first key is written here) */
static int
dept_out(struct buf *b, int *first, const char *code)
{
	const struct dept *d = dept_find(code);
	size_t from = b->len;
	/* kept only for the first key and the department's own code */
	int rc, keep = *first && d != NULL && strcmp(d->code, code) == 0;

	if (keep && (rc = frag_put(b, d, NULL, FRAG_DEPT)) != 0) {
		*first = 0;
		return rc < 0 ? -1 : 0;
	}
	if (kv_str_or_null(b, first, "dept", code) != 0 ||
	    kv_str(b, first, "dept_name", d ? d->name_zh : "") != 0 ||
	    kv_str(b, first, "dept_name_en", d ? d->name_en : "") != 0)
		return -1;
	if (keep)
		frag_keep(b, from, d, NULL, FRAG_DEPT);
	return 0;
}

/* {"responsible","time","funds","measures","effect"} */
static int
five_out(struct buf *b, const struct plan_item *it)
{
	int f1 = 1, f2 = 1, f3 = 1, f4 = 1;

	if (buf_addc(b, '{') != 0 ||
	    jout_key(b, &f1, "responsible") != 0 || buf_addc(b, '{') != 0 ||
	    dept_out(b, &f2, it->dept) != 0 ||
	    kv_str_or_null(b, &f2, "org", it->org) != 0 ||
	    kv_str_or_null(b, &f2, "contact", it->contact) != 0 ||
	    buf_addc(b, '}') != 0 ||
	    jout_key(b, &f1, "time") != 0 || buf_addc(b, '{') != 0 ||
	    kv_str_or_null(b, &f3, "planned_month", it->planned_month) != 0 ||
	    kv_str_or_null(b, &f3, "actual_date", it->actual_date) != 0 ||
	    buf_addc(b, '}') != 0 ||
	    jout_key(b, &f1, "funds") != 0 || buf_addc(b, '{') != 0 ||
	    kv_int(b, &f4, "planned", it->funds_planned) != 0 ||
	    kv_int(b, &f4, "spent", it->funds_spent) != 0 ||
	    jout_key(b, &f4, "monthly") != 0 ||
	    buf_adds(b, it->monthly ? "true" : "false") != 0 ||
	    buf_addc(b, '}') != 0 ||
	    kv_str_or_null(b, &f1, "measures", it->measures) != 0 ||
	    jout_key(b, &f1, "effect") != 0 ||
	    coded(b, it->effect, plan_effect_zh(it->effect),
	    plan_effect_en(it->effect), "note", it->effect_note) != 0)
		return -1;
	return buf_addc(b, '}');
}

/* The reference of item id, or null when it has none or none can be
 * made; ref gets it ("" for null). */
static int
ref_out(struct buf *b, struct store *s, int64_t id,
    char ref[PLAN_REF_LEN + 1])
{
	struct lf_error err;

	ref[0] = '\0';
	lf_error_clear(&err);
	if (id <= 0 || plan_item_ref(s, id, ref, &err) != 0) {
		ref[0] = '\0';
		return buf_adds(b, "null");
	}
	return jout_str(b, ref);
}

int
jout_item_open(struct buf *b, struct store *s, const struct catalog *cat,
    const struct policies *ps, const struct plan_item *it,
    char ref[PLAN_REF_LEN + 1])
{
	char carried[PLAN_REF_LEN + 1];
	int first = 1;

	return buf_addc(b, '{') != 0 || jout_key(b, &first, "id") != 0 ||
	    ref_out(b, s, it->id, ref) != 0 ||
	    kv_int(b, &first, "year", it->year) != 0 ||
	    kv_int(b, &first, "seq", it->seq) != 0 ||
	    jout_key(b, &first, "policy") != 0 ||
	    policy_out(b, ps, it->policy) != 0 ||
	    jout_key(b, &first, "needs") != 0 ||
	    needs_out(b, cat, it->needs) != 0 ||
	    jout_key(b, &first, "origin") != 0 ||
	    coded(b, it->origin, plan_origin_zh(it->origin),
	    plan_origin_en(it->origin), NULL, NULL) != 0 ||
	    jout_key(b, &first, "decision") != 0 ||
	    coded(b, it->decision, plan_decision_zh(it->decision),
	    plan_decision_en(it->decision), "reason", it->decision_reason) != 0 ||
	    jout_key(b, &first, "five") != 0 || five_out(b, it) != 0 ||
	    jout_key(b, &first, "status") != 0 ||
	    coded(b, it->status, plan_status_zh(it->status),
	    plan_status_en(it->status), "reason", it->status_reason) != 0 ||
	    jout_key(b, &first, "dept_state") != 0 || buf_addc(b, '{') != 0 ||
	    buf_adds(b, "\"code\":") != 0 || jout_int(b, it->dept_state) != 0 ||
	    buf_adds(b, ",\"reason\":") != 0 ||
	    str_or_null(b, it->dept_reason) != 0 || buf_addc(b, '}') != 0 ||
	    jout_key(b, &first, "edited") != 0 ||
	    buf_adds(b, it->edited ? "true" : "false") != 0 ||
	    jout_key(b, &first, "carried_from") != 0 ||
	    ref_out(b, s, it->carried_from, carried) != 0 ||
	    kv_str_or_null(b, &first, "client_id", it->client_id) != 0 ||
	    kv_int(b, &first, "version", it->version) != 0 ||
	    kv_str(b, &first, "updated_at", it->updated_at) != 0 ||
	    kv_str(b, &first, "updated_by", it->updated_by) != 0 ? -1 : 0;
}

int
jout_item(struct buf *b, struct store *s, const struct catalog *cat,
    const struct policies *ps, const struct plan_item *it)
{
	char ref[PLAN_REF_LEN + 1];

	return jout_item_open(b, s, cat, ps, it, ref) != 0 ? -1 :
	    buf_addc(b, '}');
}

int
jout_plan(struct buf *b, const struct plan *p)
{
	static const char *const st[] = { "", "draft", "confirmed",
	    "closed" };
	int first = 1;

	if (buf_addc(b, '{') != 0 || kv_int(b, &first, "id", p->id) != 0 ||
	    kv_int(b, &first, "year", p->year) != 0 ||
	    kv_str(b, &first, "status", p->status >= 1 && p->status <= 3 ?
	    st[p->status] : "") != 0 ||
	    kv_int(b, &first, "version", p->version) != 0 ||
	    kv_str(b, &first, "updated_at", p->updated_at) != 0 ||
	    kv_str(b, &first, "updated_by", p->updated_by) != 0 ||
	    kv_str_or_null(b, &first, "confirmed_at", p->confirmed_at) != 0 ||
	    kv_str_or_null(b, &first, "confirmed_by", p->confirmed_by) != 0)
		return -1;
	return buf_addc(b, '}');
}

int
jout_delivery(struct buf *b, const struct plan_delivery *d,
    const char *item_ref)
{
	int first = 1;

	if (buf_addc(b, '{') != 0 || kv_int(b, &first, "id", d->id) != 0 ||
	    kv_str(b, &first, "item", item_ref) != 0 ||
	    kv_str(b, &first, "date", d->date) != 0 ||
	    kv_int(b, &first, "amount", d->amount) != 0 ||
	    kv_str_or_null(b, &first, "note", d->note) != 0 ||
	    kv_str_or_null(b, &first, "client_id", d->client_id) != 0 ||
	    kv_str(b, &first, "created_at", d->created_at) != 0 ||
	    kv_str(b, &first, "created_by", d->created_by) != 0)
		return -1;
	return buf_addc(b, '}');
}

/* The tree of the text in b (freed), or NULL. */
static json_t *
parsed(struct buf *b, int rc)
{
	json_t *j = rc == 0 ? json_loadb(b->data, b->len, 0, NULL) : NULL;

	buf_free(b);
	return j;
}

/* Cap of the text of one item, plan or delivery. */
#define FORM_MAX	(1u << 20)

json_t *
json_item(struct store *s, const struct catalog *cat,
    const struct policies *ps, const struct plan_item *it)
{
	struct buf b;

	buf_init(&b, FORM_MAX);
	return parsed(&b, jout_item(&b, s, cat, ps, it));
}

json_t *
json_plan(const struct plan *p)
{
	struct buf b;

	buf_init(&b, FORM_MAX);
	return parsed(&b, jout_plan(&b, p));
}

json_t *
json_delivery(const struct plan_delivery *d, const char *item_ref)
{
	struct buf b;

	buf_init(&b, FORM_MAX);
	return parsed(&b, jout_delivery(&b, d, item_ref));
}

/* The fields a change may carry: JSON name, bit, kind, where. */
enum kind { K_STR, K_INT };
static const struct {
	const char	*name;
	unsigned	 bit;
	enum kind	 kind;
	size_t		 off;
} change_fields[] = {
#define S(n, b, m) { n, b, K_STR, offsetof(struct plan_item_change, m) }
#define I(n, b, m) { n, b, K_INT, offsetof(struct plan_item_change, m) }
	I("decision", PI_DECISION, decision),
	S("decision_reason", PI_DECISION, decision_reason),
	S("dept", PI_DEPT, dept), S("org", PI_ORG, org),
	S("contact", PI_CONTACT, contact),
	S("planned_month", PI_MONTH, planned_month),
	S("actual_date", PI_ACTUAL, actual_date),
	I("funds_planned", PI_FUNDS, funds_planned),
	S("measures", PI_MEASURES, measures),
	I("effect", PI_EFFECT, effect), S("effect_note", PI_EFFECT, effect_note),
	I("status", PI_STATUS, status),
	S("status_reason", PI_STATUS, status_reason),
#undef S
#undef I
};

const char *const json_change_names[] = { "decision", "decision_reason",
	"dept", "org", "contact", "planned_month", "actual_date",
	"funds_planned", "measures", "effect", "effect_note", "status",
	"status_reason", NULL };

static int
set_one(struct plan_item_change *c, size_t i, json_t *v,
    struct lf_error *err)
{
	char *at = (char *)c + change_fields[i].off;

	if (change_fields[i].kind == K_STR) {
		if (json_is_null(v)) {
			*(const char **)(void *)at = "";
		} else if (json_is_string(v)) {
			*(const char **)(void *)at = json_string_value(v);
		} else
			return lf_error_set(err, "bad_type",
			    change_fields[i].name, "应为文本 (expected a "
			    "string)");
	} else if (!json_is_integer(v)) {
		return lf_error_set(err, "bad_type", change_fields[i].name,
		    "应为整数 (expected an integer)");
	} else if (change_fields[i].bit == PI_FUNDS) {
		c->funds_planned = json_integer_value(v);
	} else {
		json_int_t x = json_integer_value(v);

		if (x < -1000 || x > 1000)
			return lf_error_set(err, "invalid",
			    change_fields[i].name, "取值无效 (value out of "
			    "range)");
		*(int *)(void *)at = (int)x;
	}
	c->set |= change_fields[i].bit;
	return 0;
}

int
json_to_change(json_t *obj, struct plan_item_change *c, struct lf_error *err)
{
	size_t i;
	json_t *v;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < sizeof(change_fields) / sizeof(change_fields[0]);
	    i++) {
		if ((v = json_object_get(obj, change_fields[i].name)) == NULL)
			continue;
		if (set_one(c, i, v, err) != 0)
			return -1;
	}
	return 0;
}
