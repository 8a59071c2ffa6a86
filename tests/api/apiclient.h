/*
 * apiclient.h - what the API tests share: a server on an ephemeral port
 * (the sanitizer build of liangfu on api_db) and requests to it with
 * libcurl.
 */
#ifndef LF_TESTS_APICLIENT_H
#define LF_TESTS_APICLIENT_H

#include <jansson.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/buf.h"

struct store;

#define PASSWORD "Sichuan-2026-test"

/* Set by the test before api_start_server(): a temporary directory and
 * the database in it. api_base is set by api_start_server(). */
extern char api_dir[64], api_db[128], api_base[64];
extern pid_t api_server;
/* When not NULL, one more header line sent with every request. */
extern const char *api_extra_header;
/* When not NULL, the Content-Type of request bodies (else
 * application/json). */
extern const char *api_content_type;
/* When not 0, the byte length of request bodies (a binary body such as an
 * .xlsx workbook); else the body is a C string. */
extern size_t api_body_len;
/* When not NULL, the local address requests come from (127.0.0.2, ...):
 * another client to the server. */
extern const char *api_source;

struct resp {
	long		 status;
	struct buf	 body;
	char		 cookie[128];
	char		 request_id[64];	/* X-Request-Id */
	json_t		*json;		/* NULL when the body is not JSON */
};

struct who {
	char	token[160];
	char	csrf[160];
};

/* One request; body may be NULL; w may be NULL (no session). Free the
 * response with api_done(). */
void	api_call(struct resp *r, const char *method, const char *path,
	    const char *body, const struct who *w, int with_csrf);
void	api_done(struct resp *r);
/* The error code of an error reply, or NULL. */
const char *api_err_code(const struct resp *r);
/* Logs in with PASSWORD; fails the test otherwise. */
void	api_login(struct who *w, const char *login);
/* Starts `liangfu serve api_db` and waits for its port. */
void	api_start_server(void);
/* SIGTERM, then checks the server exited 0 (else prints its log). */
int	api_stop_server(void);
/* A test group's start: libcurl, a temporary api_dir, api_db named
 * dbname in it (the caller fills it, then api_start_server()). */
void	api_group_begin(const char *dbname);
/* Its end: stops the server (-1 when it did not exit cleanly), removes
 * api_dir, frees the test environment and libcurl. */
int	api_group_end(void);

/* ---- fixtures: the test database the server is started on ---------- */

/* A user of a test group, added with PASSWORD (dept NULL unless the role
 * is department). */
struct api_user {
	const char	*login, *role, *region, *dept;
};
#define API_NELEMS(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * PostgreSQL (issue 18): with LIANGFU_TEST_PG_URL set (the owner role's
 * URL of tests/pg/pg.sh's throwaway server), api_group_begin() makes a
 * database of the group's own (LIANGFU_TEST_PG_ADMIN_URL: a role that
 * may create databases; api_group_end() drops it), api_store_new()
 * inits it as the owner role, and api_db is the URL the server is
 * started on: LIANGFU_TEST_PG_WEB_URL's role (the app role, so that
 * row-level security applies) when set, else the owner's. LIANGFU_KEY_
 * FILE is set to a key file in api_dir. api_on_pg(): 1 then.
 * api_owner_db(): the location to open the store at from the test (the
 * owner's URL on PostgreSQL, api_db on SQLite).
 *
 * Routes not on PostgreSQL yet answer 501 "unsupported" there (server/
 * router.c's list): api_missing(r) is 1 for such an answer on
 * PostgreSQL (and notes its message, which names the route), 0
 * otherwise; api_skip_missing() then skips the running test (cmocka's
 * skip()), printing every route noted, so that no test passes without
 * its checks. Both do nothing on SQLite.
 */
int	 api_on_pg(void);
const char *api_owner_db(void);
int	 api_missing(const struct resp *r);
void	 api_skip_missing(void);

/* Creates api_db and opens it for the caller to fill; fails the test on
 * error. */
struct store *api_store_new(void);
/* Seeds the two counties the groups test scope with, 510104 (锦江区) and
 * 510105 (青羊区): n104 and n105 persons surveyed in year, seeds s104 and
 * s105 (tu_seed_county), in one transaction. */
void	api_seed_counties(struct store *s, uint64_t n104, uint64_t s104,
	    uint64_t n105, uint64_t s105, int year);
/* Adds the n users and closes s: the database is ready to serve. */
void	api_store_done(struct store *s, const struct api_user *u, size_t n);
/* cmocka group teardown: api_group_end(). */
int	api_group_teardown(void **state);
/* GET path as w (NULL: no session); fails the test unless the status is
 * want. The reply's JSON (the caller json_decref()s it; NULL when none). */
json_t	*api_get_json(const struct who *w, const char *path, long want);

#endif
