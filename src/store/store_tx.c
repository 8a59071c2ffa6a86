/*
 * store_tx.c - store_tx_join() and store_tx_leave() (store.h): the
 * transactions of the domain folders' row writes, which work as the plan
 * tables' own (plan_rows.h's plan_tx_begin()); on PostgreSQL store/dbq.h's
 * (a transaction of its own, or a savepoint in the caller's).
 */
#include "store/store.h"

#include "store/dbq.h"
#include "store/plan_rows.h"
#include "store/store_int.h"

int
store_tx_join(struct store *s, int *tx, struct lf_error *err)
{
	enum plan_tx t;

	/* PostgreSQL: a transaction of its own or a savepoint (dbq.h) */
	if (store_is_pg(s))
		return dbq_tx_begin(s, tx, err);
	if (plan_tx_begin(s, &t, err) != 0)
		return -1;
	*tx = (int)t;
	return 0;
}

int
store_tx_leave(struct store *s, int tx, int rc, struct lf_error *err)
{
	if (store_is_pg(s))
		return dbq_tx_end(s, tx, rc, err) != 0 ? -1 : 0;
	return plan_tx_end(s, (enum plan_tx)tx, rc, err);
}
