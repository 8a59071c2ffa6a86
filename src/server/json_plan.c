/*
 * json_plan.c - JSON forms of plans, service items and deliveries, and
 * the item changes a client may send.
 *
 * An item's JSON names its policy (code, Chinese name, 五个一批 batch),
 * its needs as catalog codes with their labels, and the five elements
 * under their own names; amounts are integers in fen.
 */
#include "server/json_plan.h"

#include <string.h>

#include "core/dept.h"

static json_t *
str_or_null(const char *s)
{
	return s[0] != '\0' ? json_string(s) : json_null();
}

/* [{"code","label"}] for the comma-separated need codes. */
static json_t *
needs_json(const struct catalog *cat, const char *needs)
{
	json_t *a = json_array();
	const struct field *f;
	const char *p = needs, *q;
	size_t n;

	while (*p != '\0') {
		q = strchr(p, ',');
		n = q ? (size_t)(q - p) : strlen(p);
		f = catalog_find(cat, p, n);
		json_array_append_new(a, json_pack("{s:s%,s:s,s:s}", "code", p,
		    n, "label", f ? f->label_zh : "", "label_en", f ?
		    f->label_en : ""));
		p += n + (q != NULL);
	}
	return a;
}

static json_t *
policy_json(const struct policies *ps, const char *code)
{
	const struct policy *p = code[0] ? policy_find(ps, code) : NULL;
	const struct policy_batch_info *b;

	if (p == NULL)
		return json_null();
	b = policy_batch_get(p->batch);
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "code", p->code, "name",
	    p->name_zh, "name_en", p->name_en, "batch", b->code, "batch_name",
	    b->name_zh, "batch_name_en", b->name_en);
}

static json_t *
five_json(const struct plan_item *it)
{
	const struct dept *d = dept_find(it->dept);

	return json_pack("{s:{s:o,s:s,s:s,s:o,s:o},s:{s:o,s:o},s:{s:I,s:I,"
	    "s:b},s:o,s:{s:i,s:s,s:s,s:o}}",
	    "responsible", "dept", str_or_null(it->dept), "dept_name",
	    d ? d->name_zh : "", "dept_name_en", d ? d->name_en : "", "org",
	    str_or_null(it->org), "contact", str_or_null(it->contact),
	    "time", "planned_month", str_or_null(it->planned_month),
	    "actual_date", str_or_null(it->actual_date),
	    "funds", "planned", (json_int_t)it->funds_planned, "spent",
	    (json_int_t)it->funds_spent, "monthly", it->monthly,
	    "measures", str_or_null(it->measures),
	    "effect", "code", it->effect, "label", plan_effect_zh(it->effect),
	    "label_en", plan_effect_en(it->effect), "note",
	    str_or_null(it->effect_note));
}

/* The reference of item id as JSON: a string, or null. */
static json_t *
ref_json(struct store *s, int64_t id)
{
	char ref[PLAN_REF_LEN + 1];
	struct lf_error err;

	lf_error_clear(&err);
	if (id <= 0 || plan_item_ref(s, id, ref, &err) != 0)
		return json_null();
	return json_string(ref);
}

json_t *
json_item(struct store *s, const struct catalog *cat,
    const struct policies *ps, const struct plan_item *it)
{
	return json_pack("{s:o,s:i,s:i,s:o,s:o,s:{s:i,s:s,s:s},s:{s:i,s:s,s:s,"
	    "s:o},s:o,s:{s:i,s:s,s:s,s:o},s:{s:i,s:o},s:b,s:o,s:o,s:I,s:s,s:s}",
	    "id", ref_json(s, it->id), "year", it->year, "seq", it->seq,
	    "policy", policy_json(ps, it->policy),
	    "needs", needs_json(cat, it->needs),
	    "origin", "code", it->origin, "label", plan_origin_zh(it->origin),
	    "label_en", plan_origin_en(it->origin),
	    "decision", "code", it->decision, "label",
	    plan_decision_zh(it->decision), "label_en",
	    plan_decision_en(it->decision), "reason",
	    str_or_null(it->decision_reason),
	    "five", five_json(it),
	    "status", "code", it->status, "label",
	    plan_status_zh(it->status), "label_en",
	    plan_status_en(it->status), "reason",
	    str_or_null(it->status_reason),
	    "dept_state", "code", it->dept_state, "reason",
	    str_or_null(it->dept_reason),
	    "edited", it->edited,
	    "carried_from", ref_json(s, it->carried_from),
	    "client_id", str_or_null(it->client_id),
	    "version", (json_int_t)it->version, "updated_at", it->updated_at,
	    "updated_by", it->updated_by);
}

json_t *
json_plan(const struct plan *p)
{
	static const char *const st[] = { "", "draft", "confirmed",
	    "closed" };

	return json_pack("{s:I,s:i,s:s,s:I,s:s,s:s,s:o,s:o}", "id",
	    (json_int_t)p->id, "year", p->year, "status",
	    p->status >= 1 && p->status <= 3 ? st[p->status] : "",
	    "version", (json_int_t)p->version, "updated_at", p->updated_at,
	    "updated_by", p->updated_by, "confirmed_at",
	    str_or_null(p->confirmed_at), "confirmed_by",
	    str_or_null(p->confirmed_by));
}

json_t *
json_delivery(const struct plan_delivery *d, const char *item_ref)
{
	return json_pack("{s:I,s:s,s:s,s:I,s:o,s:o,s:s,s:s}", "id",
	    (json_int_t)d->id, "item", item_ref, "date",
	    d->date, "amount", (json_int_t)d->amount, "note",
	    str_or_null(d->note), "client_id", str_or_null(d->client_id),
	    "created_at", d->created_at, "created_by", d->created_by);
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
