/*
 * test_json_plan.c - the JSON forms of items, plans and deliveries
 * (server/json_plan.h), written once as text: byte for byte what the
 * jansson forms the API answered with before (the literals below were
 * dumped from them: key order, nulls, escapes, labels), the same text as
 * a tree, and the person page's plans in the order the store hands them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "server/json_plan.h"
#include "store/store.h"
#include "testutil.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/* "@ID@" and "@CARRIED@" stand for the item's references. */
static const char *const want_items[] = {
	"{\"id\":\"@ID@\",\"year\":2025,\"seq\":1,\"policy\":{\"code\":\"RE"
	    "HAB_BASIC\",\"name\":\"基本康复服务\",\"name_en\":\"Basic re"
	    "habilitation services\",\"batch\":\"MEDICAL\",\"batch_name\":\"医"
	    "疗救助一批\",\"batch_name_en\":\"Medical assistance\"},\"need"
	    "s\":[{\"code\":\"rehab_need_any\",\"label\":\"是否需要康复"
	    "服务\",\"label_en\":\"Needs any rehabilitation service\"},{\"cod"
	    "e\":\"rehab_home_guidance\",\"label\":\"社区/居家康复指导"
	    "需求\",\"label_en\":\"Community/home rehabilitation guidance\"}]"
	    ",\"origin\":{\"code\":1,\"label\":\"政策匹配\",\"label_en\":\""
	    "proposed by a policy\"},\"decision\":{\"code\":0,\"label\":\"待"
	    "定\",\"label_en\":\"open\",\"reason\":null},\"five\":{\"responsib"
	    "le\":{\"dept\":\"health\",\"dept_name\":\"卫健\",\"dept_name_en"
	    "\":\"Health commission\",\"org\":null,\"contact\":null},\"time\":{"
	    "\"planned_month\":\"2025-03\",\"actual_date\":null},\"funds\":{\"p"
	    "lanned\":120000,\"spent\":0,\"monthly\":false},\"measures\":null,"
	    "\"effect\":{\"code\":0,\"label\":\"\",\"label_en\":\"\",\"note\":n"
	    "ull}},\"status\":{\"code\":1,\"label\":\"计划中\",\"label_en\":"
	    "\"planned\",\"reason\":null},\"dept_state\":{\"code\":0,\"reason\""
	    ":null},\"edited\":false,\"carried_from\":null,\"client_id\":null,"
	    "\"version\":1,\"updated_at\":\"2025-01-02T03:04:05Z\",\"updated_by"
	    "\":\"cli:root\"}",
	"{\"id\":\"@ID@\",\"year\":2025,\"seq\":2,\"policy\":null,\"needs\""
	    ":[{\"code\":\"zz_not_a_code\",\"label\":\"\",\"label_en\":\"\"}],"
	    "\"origin\":{\"code\":2,\"label\":\"手工添加\",\"label_en\":\"a"
	    "dded by hand\"},\"decision\":{\"code\":2,\"label\":\"不采纳\","
	    "\"label_en\":\"rejected\",\"reason\":\"已有 \\\"同类\\\" 服"
	    "务\\\\重复\\n第二行\\t\\u0001\"},\"five\":{\"responsible\":{"
	    "\"dept\":null,\"dept_name\":\"\",\"dept_name_en\":\"\",\"org\":\""
	    "锦江区残联 / 康复科\",\"contact\":\"王老师\"},\"time\":"
	    "{\"planned_month\":null,\"actual_date\":\"2025-05-06\"},\"funds\":"
	    "{\"planned\":0,\"spent\":3500,\"monthly\":true},\"measures\":\"每"
	    "月上门   一次\",\"effect\":{\"code\":2,\"label\":\"部分"
	    "落实\",\"label_en\":\"partly delivered\",\"note\":\"部分\"}},"
	    "\"status\":{\"code\":4,\"label\":\"未完成\",\"label_en\":\"not "
	    "done\",\"reason\":\"本人外出\"},\"dept_state\":{\"code\":2,\"r"
	    "eason\":\"不属本部门\"},\"edited\":true,\"carried_from\":\"@C"
	    "ARRIED@\",\"client_id\":\"c-0001\",\"version\":2,\"updated_at\":\""
	    "2025-02-02T03:04:05Z\",\"updated_by\":\"worker1\"}",
	"{\"id\":\"@ID@\",\"year\":2025,\"seq\":3,\"policy\":null,\"needs\""
	    ":[],\"origin\":{\"code\":3,\"label\":\"上年结转\",\"label_en\""
	    ":\"carried from last year\"},\"decision\":{\"code\":1,\"label\":\""
	    "采纳\",\"label_en\":\"accepted\",\"reason\":null},\"five\":{\"re"
	    "sponsible\":{\"dept\":\"nodept\",\"dept_name\":\"\",\"dept_name_en"
	    "\":\"\",\"org\":null,\"contact\":null},\"time\":{\"planned_month\""
	    ":null,\"actual_date\":null},\"funds\":{\"planned\":0,\"spent\":0,"
	    "\"monthly\":false},\"measures\":null,\"effect\":{\"code\":1,\"labe"
	    "l\":\"已落实\",\"label_en\":\"delivered\",\"note\":null}},\"sta"
	    "tus\":{\"code\":3,\"label\":\"已完成\",\"label_en\":\"done\",\""
	    "reason\":null},\"dept_state\":{\"code\":1,\"reason\":null},\"edite"
	    "d\":false,\"carried_from\":null,\"client_id\":null,\"version\":3,"
	    "\"updated_at\":\"2025-03-02T03:04:05Z\",\"updated_by\":\"u\"}",
};
static const char *const want_plans[] = {
	"{\"id\":7,\"year\":2024,\"status\":\"draft\",\"version\":3,\"updat"
	    "ed_at\":\"2025-02-01T00:00:00Z\",\"updated_by\":\"worker\\\"1\",\""
	    "confirmed_at\":null,\"confirmed_by\":null}",
	"{\"id\":8,\"year\":2025,\"status\":\"confirmed\",\"version\":3,\"u"
	    "pdated_at\":\"2025-02-01T00:00:00Z\",\"updated_by\":\"worker\\\"1"
	    "\",\"confirmed_at\":\"2025-02-01T00:00:00Z\",\"confirmed_by\":\"to"
	    "wn1\"}",
};
/* the deliveries of an item whose reference is REF_ITEM */
#define REF_ITEM	"REFREFREFREFREFREFREFREFREFREFRE"
static const char *const want_deliveries[] = {
	"{\"id\":100,\"item\":\"REFREFREFREFREFREFREFREFREFREFRE\",\"date\""
	    ":\"2025-06-10\",\"amount\":0,\"note\":null,\"client_id\":null,\"cr"
	    "eated_at\":\"2025-06-10T08:00:00Z\",\"created_by\":\"worker1\"}",
	"{\"id\":101,\"item\":\"REFREFREFREFREFREFREFREFREFREFRE\",\"date\""
	    ":\"2025-06-11\",\"amount\":3500,\"note\":\"轮椅\\t一台 \\\"A\\"
	    "\"\",\"client_id\":\"d-1\",\"created_at\":\"2025-06-10T08:00:00Z\""
	    ",\"created_by\":\"worker1\"}",
};

/* Item k of the fixtures: every kind of value each form may carry. */
static void
item_fixture(int k, struct plan_item *it)
{
	memset(it, 0, sizeof(*it));
	it->id = 41 + k;
	it->plan_id = 7;
	it->person_id = 3;
	it->year = 2025;
	snprintf(it->region, sizeof(it->region), "510104001001");
	it->seq = k + 1;
	it->version = 1 + k;
	snprintf(it->updated_at, sizeof(it->updated_at),
	    "2025-0%d-02T03:04:05Z", k + 1);
	switch (k) {
	case 0:	/* proposed by a rule, nothing filled in */
		snprintf(it->policy, sizeof(it->policy), "REHAB_BASIC");
		snprintf(it->needs, sizeof(it->needs),
		    "rehab_need_any,rehab_home_guidance");
		it->origin = ORIGIN_RULE;
		it->decision = DECISION_PROPOSED;
		snprintf(it->dept, sizeof(it->dept), "health");
		snprintf(it->planned_month, sizeof(it->planned_month),
		    "2025-03");
		it->funds_planned = 120000;
		it->status = ITEM_PLANNED;
		snprintf(it->updated_by, sizeof(it->updated_by), "cli:root");
		break;
	case 1:	/* manual, rejected, texts to escape, carried */
		snprintf(it->needs, sizeof(it->needs), "zz_not_a_code");
		it->origin = ORIGIN_MANUAL;
		it->decision = DECISION_REJECTED;
		snprintf(it->decision_reason, sizeof(it->decision_reason),
		    "已有 \"同类\" 服务\\重复\n第二行\t\x01");
		snprintf(it->org, sizeof(it->org), "锦江区残联 / 康复科");
		snprintf(it->contact, sizeof(it->contact), "王老师");
		snprintf(it->actual_date, sizeof(it->actual_date),
		    "2025-05-06");
		it->funds_planned = 0;
		it->funds_spent = 3500;
		it->monthly = 1;
		snprintf(it->measures, sizeof(it->measures),
		    "每月上门 \u2028 一次");
		it->effect = EFFECT_PARTIAL;
		snprintf(it->effect_note, sizeof(it->effect_note), "部分");
		it->status = ITEM_NOT_DONE;
		snprintf(it->status_reason, sizeof(it->status_reason),
		    "本人外出");
		it->dept_state = DEPT_RETURNED;
		snprintf(it->dept_reason, sizeof(it->dept_reason), "不属本部门");
		it->edited = 1;
		it->carried_from = 9;
		snprintf(it->client_id, sizeof(it->client_id), "c-0001");
		snprintf(it->updated_by, sizeof(it->updated_by), "worker1");
		break;
	default:	/* an unknown policy and department, accepted */
		snprintf(it->policy, sizeof(it->policy), "NO_SUCH_POLICY");
		it->origin = ORIGIN_CARRIED;
		it->decision = DECISION_ACCEPTED;
		snprintf(it->dept, sizeof(it->dept), "nodept");
		it->effect = EFFECT_DONE;
		it->status = ITEM_DONE;
		it->dept_state = DEPT_ACCEPTED;
		snprintf(it->updated_by, sizeof(it->updated_by), "u");
		break;
	}
}

static void
plan_fixture(int k, struct plan *p)
{
	memset(p, 0, sizeof(*p));
	p->id = 7 + k;
	p->person_id = 3;
	p->year = 2024 + k;
	p->status = k == 0 ? PLAN_DRAFT : PLAN_CONFIRMED;
	p->version = 3;
	snprintf(p->created_at, sizeof(p->created_at), "2025-01-01T00:00:00Z");
	snprintf(p->created_by, sizeof(p->created_by), "cli:root");
	snprintf(p->updated_at, sizeof(p->updated_at), "2025-02-01T00:00:00Z");
	snprintf(p->updated_by, sizeof(p->updated_by), "worker\"1");
	if (k != 0) {
		snprintf(p->confirmed_at, sizeof(p->confirmed_at),
		    "2025-02-01T00:00:00Z");
		snprintf(p->confirmed_by, sizeof(p->confirmed_by), "town1");
	}
}

static void
delivery_fixture(int k, struct plan_delivery *d)
{
	memset(d, 0, sizeof(*d));
	d->id = 100 + k;
	d->item_id = 42;
	snprintf(d->date, sizeof(d->date), "2025-06-1%d", k);
	d->amount = k == 0 ? 0 : 3500;
	if (k != 0) {
		snprintf(d->note, sizeof(d->note), "轮椅\t一台 \"A\"");
		snprintf(d->client_id, sizeof(d->client_id), "d-1");
	}
	snprintf(d->created_at, sizeof(d->created_at), "2025-06-10T08:00:00Z");
	snprintf(d->created_by, sizeof(d->created_by), "worker1");
}

struct fx {
	char		 dir[TU_DIR_MAX];
	char		 db[TU_DB_MAX];
	struct store	*s;
	struct policies	*ps;
};

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	struct lf_error err;

	fx->s = tu_store_new(fx->dir, fx->db, "j.db");
	if (policies_load_embedded(tu_catalog(), &fx->ps, &err) != 0)
		fail_msg("policies: %s", err.message);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	store_close(fx->s);
	policies_free(fx->ps);
	tu_rmdir(fx->dir);
	free(fx);
	tu_env_free();
	return 0;
}

/* want with "@ID@" and "@CARRIED@" replaced by the references of id and
 * carried (none: "null" stays as the literal has it). */
static char *
expand(const char *want, struct store *s, int64_t id, int64_t carried)
{
	char ref[PLAN_REF_LEN + 1], cref[PLAN_REF_LEN + 1];
	char *out = malloc(strlen(want) + 2 * PLAN_REF_LEN + 1), *o = out;
	struct lf_error err;

	assert_int_equal(plan_item_ref(s, id, ref, &err), 0);
	if (carried > 0)
		assert_int_equal(plan_item_ref(s, carried, cref, &err), 0);
	while (*want != '\0') {
		if (strncmp(want, "@ID@", 4) == 0) {
			o += sprintf(o, "%s", ref);
			want += 4;
		} else if (strncmp(want, "@CARRIED@", 9) == 0) {
			o += sprintf(o, "%s", cref);
			want += 9;
		} else
			*o++ = *want++;
	}
	*o = '\0';
	return out;
}

/* The tree's compact text (j consumed). */
static char *
dumped(json_t *j)
{
	char *s;

	assert_non_null(j);
	s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return s;
}

static void
test_items(void **state)
{
	struct fx *fx = *state;
	char ref[PLAN_REF_LEN + 1], *want, *tree;
	struct plan_item it;
	struct buf b;
	int k;

	for (k = 0; k < (int)nitems(want_items); k++) {
		item_fixture(k, &it);
		want = expand(want_items[k], fx->s, it.id, it.carried_from);
		buf_init(&b, 1u << 20);
		assert_int_equal(jout_item(&b, fx->s, tu_catalog(), fx->ps,
		    &it), 0);
		assert_string_equal(buf_str(&b), want);
		/* open: the same text without its '}', and the reference */
		buf_reset(&b);
		assert_int_equal(jout_item_open(&b, fx->s, tu_catalog(),
		    fx->ps, &it, ref), 0);
		assert_int_equal(b.len, strlen(want) - 1);
		assert_memory_equal(b.data, want, b.len);
		assert_int_equal(strlen(ref), PLAN_REF_LEN);
		assert_non_null(strstr(want, ref));
		tree = dumped(json_item(fx->s, tu_catalog(), fx->ps, &it));
		assert_string_equal(tree, want);
		free(tree);
		buf_free(&b);
		free(want);
	}
}

static void
test_plans_deliveries(void **state)
{
	struct plan_delivery d;
	struct plan p;
	struct buf b;
	char *tree;
	int k;

	(void)state;
	for (k = 0; k < (int)nitems(want_plans); k++) {
		plan_fixture(k, &p);
		buf_init(&b, 4096);
		assert_int_equal(jout_plan(&b, &p), 0);
		assert_string_equal(buf_str(&b), want_plans[k]);
		tree = dumped(json_plan(&p));
		assert_string_equal(tree, want_plans[k]);
		free(tree);
		buf_free(&b);
	}
	for (k = 0; k < (int)nitems(want_deliveries); k++) {
		delivery_fixture(k, &d);
		buf_init(&b, 4096);
		assert_int_equal(jout_delivery(&b, &d, REF_ITEM), 0);
		assert_string_equal(buf_str(&b), want_deliveries[k]);
		tree = dumped(json_delivery(&d, REF_ITEM));
		assert_string_equal(tree, want_deliveries[k]);
		free(tree);
		buf_free(&b);
	}
}

/* A text that is not UTF-8, or a full buffer: -1 (the tree form NULL). */
static void
test_refused(void **state)
{
	struct fx *fx = *state;
	struct plan_item it;
	struct plan_delivery d;
	struct buf b;

	item_fixture(1, &it);
	snprintf(it.measures, sizeof(it.measures), "bad \xff byte");
	buf_init(&b, 1u << 20);
	assert_int_equal(jout_item(&b, fx->s, tu_catalog(), fx->ps, &it), -1);
	assert_null(json_item(fx->s, tu_catalog(), fx->ps, &it));
	buf_free(&b);
	delivery_fixture(1, &d);
	buf_init(&b, 40);
	assert_int_equal(jout_delivery(&b, &d, REF_ITEM), -1);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_items, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plans_deliveries, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
