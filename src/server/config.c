/*
 * config.c - the server's settings: one table of options (name, type,
 * default, limits, help), read from the [server] section of an INI file.
 */
#include "server/http_int.h"

#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum opt_type { OPT_STR, OPT_INT };

static const struct {
	const char	*name;
	enum opt_type	 type;
	size_t		 offset;
	size_t		 size;		/* strings: buffer size */
	long		 min, max;	/* ints */
	const char	*def;
	const char	*help;
} options[] = {
	{ "listen", OPT_STR, offsetof(struct http_config, listen),
	    sizeof(((struct http_config *)0)->listen), 0, 0, "127.0.0.1:8080",
	    "IPv4 address:port to listen on (port 0: any free port)" },
	{ "web", OPT_STR, offsetof(struct http_config, web),
	    sizeof(((struct http_config *)0)->web), 0, 0, "web",
	    "directory of the web app's files" },
	{ "threads", OPT_INT, offsetof(struct http_config, threads), 0, 0,
	    256, "0", "worker threads, each serving many connections "
	    "(0: one per processor, at least 2)" },
	{ "max_body", OPT_INT, offsetof(struct http_config, max_body), 0,
	    1024, 16 << 20, "1048576", "largest request body in bytes" },
	{ "timeout", OPT_INT, offsetof(struct http_config, timeout), 0, 1,
	    3600, "30", "idle connection timeout in seconds" },
	{ "cache_mib", OPT_INT, offsetof(struct http_config, cache_mib), 0,
	    1, 4096, "8", "SQLite page cache per worker connection, MiB" },
	{ "stats_years", OPT_INT, offsetof(struct http_config, stats_years), 0,
	    1, 10, "1", "years of statistics kept in memory (each about "
	    "0.3 KB a person: 1.1 GiB for the province)" },
	{ "secure_cookies", OPT_INT, offsetof(struct http_config,
	    secure_cookies), 0, 0, 1, "0", "1 behind a TLS front: cookies "
	    "get Secure" },
	/* issue 16: reconciliation rosters (http/recond.h) */
	{ "roster_keep_days", OPT_INT, offsetof(struct http_config,
	    roster_keep_days), 0, 0, 3650, "30", "days a department's roster "
	    "(its ID hashes) is kept after a reconciliation; erased at start "
	    "and every hour after that" },
	/* the request path under load (server/workq.h) */
	{ "workers", OPT_INT, offsetof(struct http_config, workers), 0, 0,
	    256, "0", "threads for slow requests (writes, logins, lists, "
	    "reports), each with its own database connection (0: four per "
	    "processor, at least 4)" },
	{ "queue", OPT_INT, offsetof(struct http_config, queue), 0, 1,
	    1 << 20, "1024", "slow requests waiting for a worker at most; "
	    "more get 503 busy with Retry-After" },
	{ "max_connections", OPT_INT, offsetof(struct http_config,
	    max_connections), 0, 16, 1 << 20, "4096", "open connections at "
	    "most (also bounded by the open-file limit)" },
	/* issue 17: the audit entry of a read (server/auditq.h) */
	{ "audit_sync_ms", OPT_INT, offsetof(struct http_config,
	    audit_sync_ms), 0, 0, 1000, "100", "a read's audit entry is "
	    "written before its answer leaves and synced to disk within this "
	    "many ms (0: synced before the answer, as for writes)" },
	{ "read_hold_ms", OPT_INT, offsetof(struct http_config,
	    read_hold_ms), 0, 0, 1000, "0", "a connection's read snapshot "
	    "is kept between reads for at most this many ms, and ended by any "
	    "write of this server: what another process writes is seen within "
	    "it (0, the default: a snapshot per request; see docs/performance.md: "
	    "a held snapshot lets the log grow under sustained reads)" },
};

#define NOPTIONS (sizeof(options) / sizeof(options[0]))

struct ctx {
	struct http_config	*c;
	char			*err;
	size_t			 errlen;
};

static int
set_option(struct http_config *c, size_t i, const char *value)
{
	char *p = (char *)c + options[i].offset, *end;
	long v;

	if (options[i].type == OPT_STR) {
		if (strlen(value) >= options[i].size)
			return -1;
		memcpy(p, value, strlen(value) + 1);
		return 0;
	}
	v = strtol(value, &end, 10);
	if (*value == '\0' || *end != '\0' || v < options[i].min ||
	    v > options[i].max)
		return -1;
	if (options[i].offset == offsetof(struct http_config, max_body))
		*(size_t *)(void *)p = (size_t)v;
	else
		*(int *)(void *)p = (int)v;
	return 0;
}

/* inih calls this per value; a 0 return makes ini_parse() return the
 * line number, which http_config_load() puts in front of x->err. */
static int
on_value(void *user, const char *section, const char *name,
    const char *value)
{
	struct ctx *x = user;
	size_t i;

	if (strcmp(section, "server") != 0) {
		snprintf(x->err, x->errlen, "unknown section [%s]", section);
		return 0;
	}
	for (i = 0; i < NOPTIONS; i++)
		if (strcmp(options[i].name, name) == 0)
			break;
	if (i == NOPTIONS) {
		snprintf(x->err, x->errlen, "unknown option '%s'", name);
		return 0;
	}
	if (set_option(x->c, i, value) != 0) {
		snprintf(x->err, x->errlen, "%s: bad value (%s)", name,
		    options[i].help);
		return 0;
	}
	return 1;
}

/* threads = 0: one per online processor, at least 2; workers = 0: four
 * per processor. Returns 0. */
static int
pool_size(struct http_config *c)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (c->threads == 0)
		c->threads = n < 2 ? 2 : n > 256 ? 256 : (int)n;
	if (c->workers == 0)
		c->workers = n < 1 ? 4 : n > 64 ? 256 : 4 * (int)n;
	return 0;
}

int
http_config_load(struct http_config *c, const char *file, char *err,
    size_t errlen)
{
	struct ctx x = { c, err, errlen };
	size_t i;
	int rc;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < NOPTIONS; i++)
		set_option(c, i, options[i].def);
	err[0] = '\0';
	if (file == NULL)
		return pool_size(c);
	rc = ini_parse(file, on_value, &x);
	if (rc < 0) {
		snprintf(err, errlen, "%s: cannot read", file);
		return -1;
	}
	if (rc > 0) {
		char why[256];

		snprintf(why, sizeof(why), "%s", err[0] ? err : "syntax error");
		snprintf(err, errlen, "%s:%d: %s", file, rc, why);
		return -1;
	}
	return pool_size(c);
}

int
http_check(const struct http_config *c, const struct catalog *cat,
    const struct regions *rs, char *err, size_t errlen)
{
	struct lf_error e;
	struct store *s;

	lf_error_clear(&e);
	if (store_open_any(c->db, cat, rs, &s, &e) != 0) {
		snprintf(err, errlen, "%s", e.message);
		return -1;
	}
	store_close(s);
	return 0;
}
