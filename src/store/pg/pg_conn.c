/*
 * pg_conn.c - libpq connections, commands and errors (pg_int.h).
 */
#include "store/pg/pg_int.h"

#include <stdlib.h>
#include <string.h>

int
pg_location(const char *location)
{
	return location != NULL && (strncmp(location, "postgresql://", 13) ==
	    0 || strncmp(location, "postgres://", 11) == 0);
}

/* The first line of msg, at most len - 1 bytes, into out. */
static void
first_line(const char *msg, char *out, size_t len)
{
	size_t n = msg ? strcspn(msg, "\n") : 0;

	if (n >= len)
		n = len - 1;
	if (n > 0)
		memcpy(out, msg, n);
	out[n] = '\0';
}

int
pg_error(PGconn *c, const PGresult *r, const char *what,
    struct lf_error *err)
{
	char msg[256];
	const char *m = NULL;

	if (r != NULL)
		m = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
	if (m == NULL)
		m = c ? PQerrorMessage(c) : "no connection";
	first_line(m, msg, sizeof(msg));
	if (c == NULL || PQstatus(c) == CONNECTION_BAD)
		return lf_error_set(err, "unavailable", "", "PostgreSQL 连接"
		    "已断开 (%s: the connection to PostgreSQL is lost): %s",
		    what, msg);
	return lf_error_set(err, "store", "", "PostgreSQL 错误 (%s): %s", what,
	    msg);
}

int
pg_connect(const char *url, PGconn **out, struct lf_error *err)
{
	PGconn *c = PQconnectdb(url);
	char msg[256];

	*out = NULL;
	if (c == NULL)
		return lf_error_nomem(err);
	if (PQstatus(c) != CONNECTION_OK) {
		first_line(PQerrorMessage(c), msg, sizeof(msg));
		PQfinish(c);
		return lf_error_set(err, "open", "", "无法连接 PostgreSQL "
		    "(cannot connect): %s", msg);
	}
	*out = c;
	/* dates as ISO text, one time zone, no notices on stderr */
	return pg_exec(c, "SET datestyle = ISO; SET timezone = 'UTC'; "
	    "SET client_min_messages = warning", "session", err);
}

int
pg_exec(PGconn *c, const char *sql, const char *what, struct lf_error *err)
{
	PGresult *r = PQexec(c, sql);
	int rc = 0;

	if (PQresultStatus(r) != PGRES_COMMAND_OK &&
	    PQresultStatus(r) != PGRES_TUPLES_OK)
		rc = pg_error(c, r, what, err);
	PQclear(r);
	return rc;
}

int
pg_query(PGconn *c, const char *sql, int n, const char *const *params,
    PGresult **out, const char *what, struct lf_error *err)
{
	PGresult *r = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);

	*out = NULL;
	if (PQresultStatus(r) != PGRES_TUPLES_OK &&
	    PQresultStatus(r) != PGRES_COMMAND_OK) {
		pg_error(c, r, what, err);
		PQclear(r);
		return -1;
	}
	*out = r;
	return 0;
}

const char *
pg_keyfile(struct lf_error *err)
{
	const char *k = getenv("LIANGFU_KEY_FILE");

	if (k == NULL || *k == '\0') {
		lf_error_set(err, "keys", "", "PostgreSQL 库需要密钥文件: 设置 "
		    "LIANGFU_KEY_FILE (a PostgreSQL location needs the key "
		    "file's path in LIANGFU_KEY_FILE; keys never go into the "
		    "database)");
		return NULL;
	}
	return k;
}

int
pg_copy_send(PGconn *c, const char *copy_sql, const char *data, size_t len,
    const char *what, struct lf_error *err)
{
	PGresult *r = PQexec(c, copy_sql);
	size_t off = 0, n;
	int ok, told = 0;

	if (PQresultStatus(r) != PGRES_COPY_IN) {
		pg_error(c, r, what, err);
		PQclear(r);
		return -1;
	}
	PQclear(r);
	ok = 1;
	while (ok && off < len) {
		n = len - off > (1u << 20) ? (1u << 20) : len - off;
		ok = PQputCopyData(c, data + off, (int)n) == 1;
		off += n;
	}
	if (PQputCopyEnd(c, ok ? NULL : "client failed") != 1)
		ok = 0;
	while ((r = PQgetResult(c)) != NULL) {
		if (PQresultStatus(r) != PGRES_COMMAND_OK && !told) {
			pg_error(c, r, what, err);
			ok = 0;
			told = 1;
		}
		PQclear(r);
	}
	if (!ok && !told)
		return pg_error(c, NULL, what, err);
	return ok ? 0 : -1;
}
