/*
 * test_bulk.c - the three-stage bulk pipeline: input order survives the
 * parallel preparers, failed slots skip preparing, and a stop from any
 * stage ends the run with its slot's error and every thread joined; the
 * reading pipeline's slots carry sealed values and an output buffer;
 * a writer's ahead sees each batch, in order, before it is consumed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "bulk/bulk.h"
#include "testutil.h"

struct run {
	uint64_t	 n;		/* slots to produce */
	uint64_t	 next;		/* producer */
	uint64_t	 fail_every;	/* producer marks these failed */
	uint64_t	 fatal_produce;	/* producer stops here (n = never) */
	uint64_t	 fatal_prepare;	/* a preparer stops here */
	uint64_t	 stop_consume;	/* the consumer stops here */
	atomic_ulong	 prepared;
	uint64_t	 consumed, failed_seen, expect;
	int		 order_ok, prepared_failed;
};

static int
produce(void *arg, struct bulk_slot *s)
{
	struct run *r = arg;

	if (r->next == r->n)
		return 0;
	s->index = r->next++;
	s->year = 0;
	if (s->index == r->fatal_produce) {
		lf_error_set(&s->err, "boom", "", "producer stops at %llu",
		    (unsigned long long)s->index);
		return -1;
	}
	if (r->fail_every && s->index % r->fail_every == 0) {
		s->failed = 1;
		lf_error_set(&s->err, "bad", "", "bad row %llu",
		    (unsigned long long)s->index);
	}
	return 1;
}

static int
prepare(void *arg, struct bulk_slot *s)
{
	struct run *r = arg;

	if (s->failed)
		r->prepared_failed = 1;
	if (s->index == r->fatal_prepare) {
		lf_error_set(&s->err, "boom", "", "preparer stops at %llu",
		    (unsigned long long)s->index);
		return -1;
	}
	s->year = 2024;		/* proof it was prepared */
	atomic_fetch_add(&r->prepared, 1);
	return 0;
}

static int
consume(void *arg, struct bulk_slot *s)
{
	struct run *r = arg;

	if (s->index != r->expect++)
		r->order_ok = 0;
	if (s->failed)
		r->failed_seen++;
	else if (s->year != 2024)
		r->order_ok = 0;	/* consumed before being prepared */
	if (s->index == r->stop_consume) {
		lf_error_set(&s->err, "stop", "", "consumer stops at %llu",
		    (unsigned long long)s->index);
		return -1;
	}
	r->consumed++;
	return 0;
}

static void
init(struct run *r, uint64_t n)
{
	memset(r, 0, sizeof(*r));
	r->n = n;
	r->fatal_produce = r->fatal_prepare = r->stop_consume = n;
	r->order_ok = 1;
}

static int
go(struct run *r, struct lf_error *err)
{
	lf_error_clear(err);
	return bulk_run(tu_catalog(), produce, prepare, r, consume, r, err);
}

static void
test_order_kept(void **state)
{
	struct run r;
	struct lf_error err;

	(void)state;
	init(&r, 100000);
	r.fail_every = 7;
	assert_int_equal(go(&r, &err), 0);
	assert_true(r.order_ok);
	assert_int_equal(r.expect, 100000);
	assert_int_equal(r.consumed, 100000);
	assert_int_equal(r.failed_seen, (100000 + 6) / 7);
	assert_int_equal(atomic_load(&r.prepared), 100000 - (100000 + 6) / 7);
	assert_false(r.prepared_failed);
}

static void
test_empty_and_exact_batches(void **state)
{
	static const uint64_t sizes[] = { 0, 1, 255, 256, 257, 2048, 2049 };
	struct run r;
	struct lf_error err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		init(&r, sizes[i]);
		assert_int_equal(go(&r, &err), 0);
		assert_true(r.order_ok);
		assert_int_equal(r.consumed, sizes[i]);
	}
}

/* A stop from each stage: the run fails with that slot's message, and
 * everything before it, and nothing after, was consumed in order. */
static void
test_stops(void **state)
{
	static const struct {
		int		 stage;		/* 0 produce, 1 prepare, 2 consume */
		uint64_t	 at;
		const char	*message;
	} rows[] = {
		{ 0, 3000, "producer stops at 3000" },
		{ 1, 4321, "preparer stops at 4321" },
		{ 2, 777, "consumer stops at 777" },
		{ 0, 0, "producer stops at 0" },
		{ 1, 0, "preparer stops at 0" },
	};
	struct run r;
	struct lf_error err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		init(&r, 50000);
		*(rows[i].stage == 0 ? &r.fatal_produce : rows[i].stage == 1 ?
		    &r.fatal_prepare : &r.stop_consume) = rows[i].at;
		assert_int_equal(go(&r, &err), -1);
		assert_string_equal(err.message, rows[i].message);
		assert_int_equal(r.consumed, rows[i].at);
		assert_true(r.order_ok);
		/* the producer was told to stop: it did not run to the end */
		assert_true(r.next < 50000);
	}
}

/* Reading: each slot's output is formatted on a preparer (which finds
 * sealed values and an empty-or-stale out, and no prep) and consumed in
 * input order. */
static int
prepare_out(void *arg, struct bulk_slot *s)
{
	struct run *r = arg;

	if (s->sealed == NULL || s->prep != NULL)
		r->prepared_failed = 1;
	buf_reset(&s->out);
	return buf_addf(&s->out, "row %llu\n", (unsigned long long)s->index);
}

static int
consume_out(void *arg, struct bulk_slot *s)
{
	struct run *r = arg;
	char want[32];

	snprintf(want, sizeof(want), "row %llu\n",
	    (unsigned long long)r->expect++);
	if (s->out.len != strlen(want) ||
	    memcmp(s->out.data, want, s->out.len) != 0)
		r->order_ok = 0;
	r->consumed++;
	return 0;
}

/* ahead: every batch, in order, before any of its slots is consumed,
 * every slot prepared (or failed); stops at the call stop_ahead. */
struct ahead_run {
	struct run	 r;
	uint64_t	 seen, calls, stop_ahead;
	int		 ok;
};

static int
ahead(void *arg, struct bulk_slot *slots, size_t n, struct lf_error *err)
{
	struct ahead_run *a = arg;
	size_t i;

	if (a->calls++ == a->stop_ahead)
		return lf_error_set(err, "stop", "", "ahead stops");
	for (i = 0; i < n; i++) {
		if (slots[i].index != a->seen++ || a->r.expect != slots[0].index
		    || (!slots[i].failed && slots[i].year != 2024))
			a->ok = 0;
	}
	return 0;
}

static int
consume_ahead(void *arg, struct bulk_slot *s)
{
	return consume(&((struct ahead_run *)arg)->r, s);
}

static void
test_ahead(void **state)
{
	struct ahead_run a;
	struct lf_error err;

	(void)state;
	memset(&a, 0, sizeof(a));
	init(&a.r, 3000);
	a.r.fail_every = 5;
	a.ok = 1;
	a.stop_ahead = 1000;
	lf_error_clear(&err);
	assert_int_equal(bulk_run_ahead(tu_catalog(), produce, prepare, &a.r,
	    ahead, consume_ahead, &a, &err), 0);
	assert_true(a.ok);
	assert_true(a.r.order_ok);
	assert_int_equal(a.seen, 3000);
	assert_int_equal(a.r.consumed, 3000);
	assert_true(a.calls > 1);
	/* a stop from ahead: that batch is not consumed */
	memset(&a, 0, sizeof(a));
	init(&a.r, 3000);
	a.ok = 1;
	a.stop_ahead = 2;
	lf_error_clear(&err);
	assert_int_equal(bulk_run_ahead(tu_catalog(), produce, prepare, &a.r,
	    ahead, consume_ahead, &a, &err), -1);
	assert_string_equal(err.code, "stop");
	assert_int_equal(a.r.consumed, a.seen);
	assert_true(a.seen > 0 && a.seen < 3000);
}

static void
test_read_slots(void **state)
{
	struct run r;
	struct lf_error err;

	(void)state;
	init(&r, 20000);
	lf_error_clear(&err);
	assert_int_equal(bulk_run_read(tu_catalog(), produce, prepare_out, &r,
	    consume_out, &r, &err), 0);
	assert_true(r.order_ok);
	assert_false(r.prepared_failed);
	assert_int_equal(r.consumed, 20000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_kept),
		cmocka_unit_test(test_empty_and_exact_batches),
		cmocka_unit_test(test_stops),
		cmocka_unit_test(test_ahead),
		cmocka_unit_test(test_read_slots),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	tu_env_free();
	return rc;
}
