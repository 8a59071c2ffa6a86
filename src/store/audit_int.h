/*
 * audit_int.h - private to store/audit*.c: the audit entry's fields,
 * declared once (cols[], audit_fields.c) for the column order, the chain
 * order and the checks, and the checks audit.c shares with
 * audit_fields.c.
 */
#ifndef LF_STORE_AUDIT_INT_H
#define LF_STORE_AUDIT_INT_H

#include <stddef.h>

#include "lib/error.h"
#include "store/audit.h"

#define AUDIT_NFIELDS	10

/* Field indexes, in the order of audit_cols[]. */
enum {
	AF_AT, AF_ACTOR, AF_ROLE, AF_ACTION, AF_TTYPE, AF_TARGET, AF_RESULT,
	AF_CLIENT, AF_REQID, AF_DETAIL
};

enum audit_kind {
	AK_TIME,	/* "YYYY-MM-DDTHH:MM:SSZ" */
	AK_WORD,	/* [a-z0-9._-] */
	AK_TEXT,	/* UTF-8 without control characters */
	AK_RESULT	/* ok, denied, not_found, conflict, failed, invalid */
};

struct audit_col {
	const char	*name;
	size_t		 eoff;		/* in struct audit_entry */
	size_t		 roff;		/* in struct audit_row */
	enum audit_kind	 kind;
	int		 required;
	size_t		 max;		/* bytes */
};

extern const struct audit_col audit_cols[AUDIT_NFIELDS];

/* 1 when v (len bytes) is valid UTF-8 without control characters. */
int	audit_text_ok(const char *v, size_t len);
/* 1 when v is "YYYY-MM-DDTHH:MM:SSZ", or with allow_date "YYYY-MM-DD". */
int	audit_time_ok(const char *v, size_t len, int allow_date);
/* Gathers e's fields into v and len (a missing time becomes now, which
 * must outlive v), checked as audit.h says: 0, or -1 with err
 * ("invalid", err->field naming the field). */
int	audit_collect(const struct audit_entry *e,
	    char now[AUDIT_TIME_LEN + 1], const char *v[AUDIT_NFIELDS],
	    size_t len[AUDIT_NFIELDS], struct lf_error *err);

/* Appends to b the PostgreSQL DDL of the audit table, its indexes, its
 * append-only triggers and the app role's rights (SELECT and INSERT
 * only); every statement may run again (store/pg/pg_schema.c: at init
 * and in the owner role's upgrade). 0, or -1 when b is full. */
struct buf;
int	audit_pg_schema_sql(struct buf *b);

#endif
