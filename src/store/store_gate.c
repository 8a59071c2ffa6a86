/*
 * store_gate.c - the process's writers in a queue (store_gate.h), and the
 * write transactions that pass through it (store_int.h).
 */
#include "store/store_gate.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>

#include "lib/clock.h"
#include "store/store_int.h"

/* A waiting writer: the queue is a list of these, on their stacks. */
struct waiter {
	struct waiter	*next;
};

static struct {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	pthread_once_t	 once;
	int		 on;
	int		 held;		/* a connection is writing */
	struct waiter	*head, *tail;
} gate = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
	PTHREAD_ONCE_INIT, 0, 0, NULL, NULL };

/* The condition waits on the monotonic clock (a clock step must not
 * cut or stretch a wait). */
static void
gate_init(void)
{
	pthread_condattr_t a;

	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_destroy(&gate.cv);
	pthread_cond_init(&gate.cv, &a);
	pthread_condattr_destroy(&a);
}

void
store_gate_enable(int on)
{
	pthread_once(&gate.once, gate_init);
	pthread_mutex_lock(&gate.mu);
	gate.on = on;
	pthread_mutex_unlock(&gate.mu);
}

/* Takes w out of the queue (it may be anywhere in it). */
static void
unlink_waiter(struct waiter *w)
{
	struct waiter **pp, *prev = NULL;

	for (pp = &gate.head; *pp != NULL; prev = *pp, pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			if (gate.tail == w)
				gate.tail = prev;
			return;
		}
}

/* Waits for this connection's turn: 0, or -1 with err "busy" after
 * STORE_BUSY_MS. */
static int
gate_enter(struct store *s, const char *what, struct lf_error *err)
{
	struct waiter w = { NULL };
	struct timespec until;
	int rc = 0;

	pthread_mutex_lock(&gate.mu);
	if (!gate.on || s->gated) {
		pthread_mutex_unlock(&gate.mu);
		return 0;
	}
	if (gate.tail != NULL)
		gate.tail->next = &w;
	else
		gate.head = &w;
	gate.tail = &w;
	clock_deadline(&until, CLOCK_MONOTONIC, STORE_BUSY_MS * 1000000LL);
	while (rc == 0 && (gate.held || gate.head != &w))
		rc = pthread_cond_timedwait(&gate.cv, &gate.mu, &until);
	if (gate.held || gate.head != &w) {
		unlink_waiter(&w);
		pthread_cond_broadcast(&gate.cv);	/* a new head */
		pthread_mutex_unlock(&gate.mu);
		return lf_error_set(err, "busy", "", "数据库忙, 请稍后重试 "
		    "(database busy in %s: the writers before this one took "
		    "longer than %d ms)", what, STORE_BUSY_MS);
	}
	unlink_waiter(&w);
	gate.held = 1;
	s->gated = 1;
	pthread_mutex_unlock(&gate.mu);
	return 0;
}

void
store_tx_released(struct store *s)
{
	if (s->db != NULL)
		store_hold_wrote(s);
	if (!s->gated || s->db == NULL || !sqlite3_get_autocommit(s->db))
		return;
	pthread_mutex_lock(&gate.mu);
	s->gated = 0;
	gate.held = 0;
	pthread_cond_broadcast(&gate.cv);
	pthread_mutex_unlock(&gate.mu);
}

int
store_tx_immediate(struct store *s, const char *what, struct lf_error *err)
{
	/* inside a transaction BEGIN fails: no turn is taken for it (a
	 * held read snapshot is ended first: store_autocommit()) */
	if (!store_autocommit(s))
		return store_sqlite_exec(s, "BEGIN IMMEDIATE", err);
	if (gate_enter(s, what, err) != 0)
		return -1;
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) ==
	    SQLITE_OK) {
		s->wrote = 1;
		s->tx_serial++;
		return 0;
	}
	if ((sqlite3_errcode(s->db) & 0xff) == SQLITE_BUSY)
		lf_error_set(err, "busy", "", "数据库忙, 请稍后重试 (database "
		    "busy in %s: %s)", what, sqlite3_errmsg(s->db));
	else
		store_sqlite_error(s, what, err);
	store_tx_released(s);
	return -1;
}

int
store_tx_finish(struct store *s, int commit, struct lf_error *err)
{
	int rc = 0;

	if (commit && store_sqlite_exec(s, "COMMIT", err) != 0)
		rc = -1;
	if ((!commit || rc != 0) && !sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	store_tx_released(s);
	return rc;
}
