/*
 * http.h - the platform over HTTP: a JSON API under /api/v1 and the web
 * app's files, served by libmicrohttpd.
 *
 * One server process; a small pool of connection threads (one per
 * processor by default), each serving many connections through epoll and
 * holding its own database connection. The short reads (the person page,
 * the search, the session) run on the connection's thread; every other
 * route runs on a worker (server/workq.h: four per processor by default,
 * behind a bounded queue; a full queue answers 503 busy with
 * Retry-After), so a slow handler (a plan build waiting for the write
 * lock, a login's password hash, a statistics load) holds up no other
 * connection. Audit entries go to one writer thread, and the connection
 * is suspended (the thread goes on with others) until they are durable,
 * so no thread waits for an fsync. Every request passes
 * one route table (router.c) naming its handler and the permission it
 * needs, and one access decision (access.c). Errors are JSON:
 * {"error":{"code","message","field"}} with a fitting status.
 *
 * Shutdown: SIGTERM or SIGINT stop accepting, let requests in flight
 * finish, then close the database connections.
 */
#ifndef LF_HTTP_HTTP_H
#define LF_HTTP_HTTP_H

#include <stddef.h>

#include "core/catalog.h"
#include "core/region.h"

struct http_config {
	char		 db[1024];	/* database path */
	char		 listen[128];	/* "127.0.0.1:8080"; port 0 = any */
	char		 web[1024];	/* directory of the web app */
	int		 threads;	/* pool size; 0 in the file = one per
					   processor (at least 2) */
	size_t		 max_body;	/* bytes of a request body */
	int		 timeout;	/* idle connection timeout, seconds */
	int		 secure_cookies; /* behind TLS: cookies get Secure */
	int		 cache_mib;	/* SQLite cache per connection */
	int		 stats_years;	/* years of statistics in memory */
	char		 port_file[1024]; /* write the bound port here */
	int		 roster_keep_days; /* rosters erased after (recond.h) */
	int		 workers;	/* threads for slow requests; 0 in the
					   file = four per processor */
	int		 queue;		/* slow requests waiting at most */
	int		 max_connections; /* open connections at most */
	int		 audit_sync_ms;	/* reads' audit entries synced within
					   (auditq.h); 0 = before the answer */
	int		 read_hold_ms;	/* a read snapshot kept at most (store.h,
					   "Held read snapshots"); 0 = off */
};

/* Defaults, then the [server] section of an INI file (NULL = none).
 * 0, or -1 with a message naming file:line and the key. */
int	http_config_load(struct http_config *c, const char *file, char *err,
	    size_t errlen);

/* Checks the configuration and the database, then returns (serve --check):
 * 0 when both are usable, -1 with a message. */
int	http_check(const struct http_config *c, const struct catalog *cat,
	    const struct regions *rs, char *err, size_t errlen);

/* Serves until SIGTERM/SIGINT. Prints the URL once listening. 0 or -1. */
struct policies;
struct disaster;
int	http_serve(const struct http_config *c, const struct catalog *cat,
	    const struct regions *rs, const struct policies *ps,
	    const struct disaster *dis);

#endif
