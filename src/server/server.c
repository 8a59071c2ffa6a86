/*
 * server.c - libmicrohttpd glue: threads, request bodies, dispatch,
 * static files, the access log and graceful shutdown.
 */
#include "server/http_int.h"
#include "server/session_cache.h"
#include "store/store_gate.h"
#include "stats/statsd.h"
#include "store/stats_gen.h"
#include "server/recond.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/mem.h"
#include "crypto/crypto.h"
#include "server/auditq.h"
#include "server/session.h"
#include "server/session_self.h"
#include "server/workq.h"
#include "lib/log.h"

static pthread_key_t	store_key;
static pthread_once_t	store_once = PTHREAD_ONCE_INIT;
static _Atomic long	in_flight;

/* The most query parameters, and the longest URI, a request may have
 * (on_uri()): far above what any route takes. */
#define QUERY_ARGS_MAX	32
#define URI_MAX		4096
#define TRIM_MB		64	/* malloc keeps this much free an arena */
#define MMAP_MB		4	/* blocks this large are mapped on their own */
/* on_uri()'s mark in *req_cls for a request whose query it cut. */
static char		query_cut;
static _Atomic unsigned long request_seq;
/* Request ids: a random prefix of this process (letters only, so an id
 * never holds a long run of digits) and a counter, unique across
 * restarts. */
static char		request_prefix[9];

static void
close_store(void *p)
{
	store_close(p);
}

static void
make_key(void)
{
	pthread_key_create(&store_key, close_store);
}

/* This thread's database connection, opened on first use. */
static struct store *
thread_store(const struct app *app, struct lf_error *err)
{
	struct store *s;

	pthread_once(&store_once, make_key);
	if ((s = pthread_getspecific(store_key)) != NULL)
		return s;
	if (http_store_open(app, &s, err) != 0)
		return NULL;
	pthread_setspecific(store_key, s);
	if (store_is_pg(s))	/* one connection per thread: the pool */
		return s;
	/* a GiB of cache per pool connection is too much: the OS page cache serves
	 * what these caches miss */
	if (store_set_cache(s, app->cfg->cache_mib, err) != 0) {
		pthread_setspecific(store_key, NULL);
		store_close(s);
		return NULL;
	}
	/* reads keep their snapshot and page cache between requests,
	 * despite the audit writer's commits (store.h) */
	store_hold_enable(s, app->cfg->read_hold_ms);
	stats_gen_watch(s);	/* statsd: which writes were this server's */
	return s;
}

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
client_address(struct MHD_Connection *c, char *out, size_t len)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c,
	    MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(out, len, "-");
	if (sa != NULL && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
		    out, (socklen_t)len);
	else if (sa != NULL && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6,
		    &((const struct sockaddr_in6 *)sa)->sin6_addr, out,
		    (socklen_t)len);
}

/* Eight random letters a-z for this process's request ids. */
static int
request_id_prefix(void)
{
	unsigned char raw[8];
	size_t i;

	if (crypto_random(raw, sizeof(raw)) != 0)
		return -1;
	for (i = 0; i < sizeof(raw); i++)
		request_prefix[i] = (char)('a' + raw[i] % 26);
	request_prefix[sizeof(raw)] = '\0';
	return 0;
}

/*
 * Requests begun on this thread and not yet completed. When the last one
 * completes the thread may wait for long, and a read snapshot it held
 * would keep the log from being checkpointed (store.h): it is ended.
 */
static _Thread_local int thread_requests;

static void
thread_idle(void)
{
	struct store *s;

	if (thread_requests <= 0 || --thread_requests > 0)
		return;
	pthread_once(&store_once, make_key);
	if ((s = pthread_getspecific(store_key)) != NULL)
		store_hold_drop(s);
}

static struct req *
req_new(const struct app *app, struct MHD_Connection *c, const char *method,
    const char *url)
{
	struct req *r = mem_calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->conn = c;
	r->app = app;
	r->method = method;
	r->url = url;
	r->start_us = now_us();
	buf_init(&r->body, app->cfg->max_body);
	snprintf(r->id, sizeof(r->id), "%s%08lx", request_prefix,
	    (unsigned long)atomic_fetch_add(&request_seq, 1) & 0xffffffffUL);
	client_address(c, r->client, sizeof(r->client));
	atomic_fetch_add(&in_flight, 1);
	thread_requests++;
	return r;
}

/* Content type by extension, for the web app's files. */
static const char *
mime(const char *path)
{
	static const struct {
		const char	*ext;
		const char	*type;
	} types[] = {
		{ ".html", "text/html; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".mjs", "text/javascript; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" },
		{ ".json", "application/json" },
		{ ".webmanifest", "application/manifest+json" },
		{ ".svg", "image/svg+xml" },
		{ ".png", "image/png" },
		{ ".ico", "image/x-icon" },
		{ ".woff2", "font/woff2" },
	};
	const char *dot = strrchr(path, '.');
	size_t i;

	for (i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(dot, types[i].ext) == 0)
			return types[i].type;
	return "application/octet-stream";
}

static void
security_headers(struct MHD_Response *resp)
{
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Content-Security-Policy",
	    "default-src 'self'; script-src 'self'; object-src 'none'; "
	    "frame-ancestors 'none'; base-uri 'none'");
}

/*
 * The web app's own files only: the top directory's files and those
 * under app/ and vendor/, with an extension of the mime() table other
 * than .json (package.json, package-lock.json), and names of letters,
 * digits, . _ - / with no "..", "//" or name starting with a dot. A NUL
 * or an undecodable escape in the URL never reaches here (unescape()).
 * Returns 0 with the file's path in out.
 */
static int
static_path(const struct app *app, const char *url, char *out, size_t len)
{
	static const char *const dirs[] = { "/app/", "/vendor/" };
	const char *p, *dot, *slash;
	size_t i;
	int n, in_dir = 0;

	if (strcmp(url, "/") == 0)
		url = "/index.html";
	if (strstr(url, "..") != NULL || strstr(url, "//") != NULL ||
	    strstr(url, "/.") != NULL)
		return -1;
	for (p = url; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' ||
		    *p == '-' || *p == '/'))
			return -1;
	slash = strrchr(url, '/');
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (strncmp(url, dirs[i], strlen(dirs[i])) == 0)
			in_dir = 1;
	if (slash != url && !in_dir)
		return -1;
	dot = strrchr(url, '.');
	if (dot == NULL || dot < slash || strcmp(dot, ".json") == 0 ||
	    strcmp(mime(url), "application/octet-stream") == 0)
		return -1;
	n = snprintf(out, len, "%s%s", app->cfg->web, url);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static enum MHD_Result
serve_static(struct req *r)
{
	struct MHD_Response *resp;
	struct stat sb;
	char path[2048];
	int fd;

	if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0)
		return reply_error(r, 405, "method_not_allowed", "",
		    "方法不允许 (method not allowed)");
	if (static_path(r->app, r->url, path, sizeof(path)) != 0 ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return reply_error(r, 404, "not_found", "", "未找到 (not found)");
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    (resp = MHD_create_response_from_fd((uint64_t)sb.st_size,
	    fd)) == NULL) {
		close(fd);
		return reply_error(r, 404, "not_found", "", "未找到 (not found)");
	}
	MHD_add_response_header(resp, "Content-Type", mime(path));
	MHD_add_response_header(resp, "Cache-Control", "no-cache");
	security_headers(resp);
	return reply_queue(r, 200, resp);
}

/* Finds the request's route: NULL after answering (413, a static file,
 * 404, 405). */
static const struct route *
route(struct req *r, enum MHD_Result *res)
{
	const struct route *rt;
	char path[512];
	int allowed = 0;
	const char *q;

	if (r->too_big) {
		*res = reply_error(r, 413, "too_large", "", "请求过大 (request "
		    "body larger than %zu bytes)", r->app->cfg->max_body);
		return NULL;
	}
	if (r->too_many_args) {
		*res = reply_error(r, 414, "query_too_long", "", "查询过长 (more "
		    "than %d query parameters, or a URI over %d bytes)",
		    QUERY_ARGS_MAX, URI_MAX);
		return NULL;
	}
	snprintf(path, sizeof(path), "%s", r->url);
	if ((q = strchr(path, '?')) != NULL)
		path[q - path] = '\0';
	if (strncmp(path, "/api/", 5) != 0) {
		*res = serve_static(r);
		return NULL;
	}
	if ((rt = router_match(r, path, &allowed)) == NULL)
		*res = allowed ? reply_error(r, 405, "method_not_allowed", "",
		    "方法不允许 (method not allowed)") : reply_error(r, 404,
		    "not_found", "", "未找到 (no such API path)");
	return rt;
}

/*
 * The routes served on the connection's own thread: short reads that
 * take a fraction of a millisecond (the person page, the search, the
 * session and catalog). Every other route (writes, logins with their
 * password hash, lists, reports, plan builds) runs on a worker
 * (server/workq.h), so that it never stalls the other connections of
 * its thread.
 */
static int
inline_route(const struct route *rt)
{
	static const http_handler fast[] = {
		h_person_get, h_persons_search, h_session_get, h_catalog,
		h_region_children, h_policies, h_self_session,
	};
	size_t i;

	for (i = 0; i < sizeof(fast) / sizeof(fast[0]); i++)
		if (rt->fn == fast[i])
			return 1;
	return 0;
}

static enum MHD_Result route_call(struct req *r, const struct route *rt);

int
http_store_open(const struct app *app, struct store **out,
    struct lf_error *err)
{
	return store_open_any(app->cfg->db, app->cat, app->regions, out, err);
}

/* This thread's connection, connected again when PostgreSQL broke it
 * (store_reconnect()); NULL after answering 503. */
static struct store *
request_store(struct req *r, enum MHD_Result *res)
{
	struct lf_error err;
	struct store *s;

	lf_error_clear(&err);
	if ((s = thread_store(r->app, &err)) == NULL ||
	    store_reconnect(s, &err) != 0) {
		log_warnx("request %s: database: %s", r->id, err.message);
		*res = reply_error(r, 503, "unavailable", "", "数据库不可用, "
		    "请稍后重试 (database unavailable: try again shortly)");
		return NULL;
	}
	return s;
}

/* The route's handler, after its authentication, on this thread. */
static enum MHD_Result
run_route(struct req *r, const struct route *rt)
{
	enum MHD_Result res;

	if (store_location_is_pg(r->app->cfg->db) && !router_on_pg(rt))
		return reply_error(r, 501, "unsupported", "", "PostgreSQL 上尚"
		    "不支持 (%s %s: not on PostgreSQL yet)", rt->method,
		    rt->pattern);
	if ((r->s = request_store(r, &res)) == NULL)
		return res;
	store_set_scope(r->s, NULL, NULL);	/* none until authenticated */
	stats_gen_forget();	/* writes of an earlier request: not applied */
	if (r->reads)
		store_hold_begin(r->s);	/* kept, or a fresh one */
	else
		store_hold_drop(r->s);	/* writes see the newest */
	res = route_call(r, rt);
	store_hold_after(r->s);
	return res;
}

/* The handler, its transactions confined to the authenticated user's
 * region (store_set_scope(): PostgreSQL's row-level security hides
 * every other county's persons, whatever the handler asks); a route
 * without a user runs unscoped (no person-owned row). A self-service
 * route keeps the scope its session check set: the county of the
 * session's person (auth/selfcode.h). */
static enum MHD_Result
scoped(struct req *r, const struct route *rt)
{
	struct lf_error err;
	const char *region = NULL;

	if (rt->auth == AUTH_SELF || rt->auth == AUTH_SELF_CSRF)
		return rt->fn(r);
	lf_error_clear(&err);
	if (r->authed && r->who.scope != NULL)
		region = r->who.scope->code;
	if (store_set_scope(r->s, region, &err) != 0)
		return reply_lf_error(r, &err);
	return rt->fn(r);
}

/* The route's authentication, then its handler. */
static enum MHD_Result
route_call(struct req *r, const struct route *rt)
{
	if (rt->auth == AUTH_SELF || rt->auth == AUTH_SELF_CSRF) {
		enum MHD_Result res;

		/* self-service routes take only the lf_self cookie */
		if (self_require(r, rt->auth == AUTH_SELF_CSRF, &res) != 0)
			return res;
	} else if (rt->auth != AUTH_NONE) {
		enum MHD_Result res;

		if (session_require(r, rt->auth == AUTH_SESSION_CSRF,
		    &res) != 0)
			return res;
	}
	return scoped(r, rt);
}

void
http_hold(struct req *r)
{
	atomic_fetch_add(&r->holds, 1);
}

void
http_release(struct req *r)
{
	if (atomic_fetch_sub(&r->holds, 1) == 1)
		MHD_resume_connection(r->conn);
}

/* Sends the answer the handler left, now that the request's audit entries
 * are durable; a failed gating entry turns it into 503. */
static enum MHD_Result
send_answer(struct req *r)
{
	enum MHD_Result rc;

	if (atomic_load(&r->audit_failed) && r->resp != NULL) {
		MHD_destroy_response(r->resp);
		r->resp = NULL;
		r->result = reply_audit_unavailable(r);
	}
	if (r->result != MHD_YES || r->resp == NULL)
		return MHD_NO;
	if (r->busy)
		MHD_add_response_header(r->resp, "Retry-After", "1");
	rc = MHD_queue_response(r->conn, r->status, r->resp);
	MHD_destroy_response(r->resp);
	r->resp = NULL;
	return rc;
}

/* A slow route's handler, on a worker thread (the connection is
 * suspended meanwhile). */
static void
run_on_worker(void *arg)
{
	struct req *r = arg;

	r->result = run_route(r, r->route);
	/* a worker may wait long for its next request: hold nothing */
	if (r->s != NULL)
		store_hold_drop(r->s);
	http_release(r);
}

/* Hands r to a worker, with a hold of its own; 503 busy when the queue
 * is full. */
static void
offload(struct req *r, const struct route *rt)
{
	r->route = rt;
	http_hold(r);
	if (workq_submit(run_on_worker, r) == 0)
		return;
	atomic_fetch_sub(&r->holds, 1);
	r->busy = 1;
	r->result = reply_error(r, 503, "busy", "", "服务器忙, 请稍后重试 "
	    "(server busy: try again shortly)");
}

/* Runs the handler, here or on a worker. When the worker has it, or
 * audit entries it made are still on their way to disk, the connection
 * is suspended (this thread goes on with other connections) and the last
 * release resumes it: MHD then calls on_request again, which sends the
 * answer. A full worker queue answers 503 busy at once. */
static enum MHD_Result
handle(struct req *r)
{
	const struct route *rt;

	atomic_store(&r->holds, 1);
	rt = route(r, &r->result);
	r->reads = router_reads(rt, r->method);
	if (rt != NULL && inline_route(rt))
		r->result = run_route(r, rt);
	else if (rt != NULL)
		offload(r, rt);
	if (atomic_load(&r->holds) == 1)
		return send_answer(r);
	r->parked = 1;
	MHD_suspend_connection(r->conn);
	http_release(r);
	return MHD_YES;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **req_cls)
{
	struct req *r = *req_cls;
	int cut = (void *)r == (void *)&query_cut;

	(void)version;
	if (r == NULL || cut) {
		*req_cls = NULL;
		if ((r = req_new(cls, c, method, url)) == NULL)
			return MHD_NO;
		r->too_many_args = cut;
		*req_cls = r;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		if (!r->too_big && buf_add(&r->body, upload, *upload_size))
			r->too_big = 1;
		*upload_size = 0;
		return MHD_YES;
	}
	if (r->parked) {
		r->parked = 0;
		return send_answer(r);
	}
	return handle(r);
}

/* Access log: no personal data (paths hold opaque ids only; the query
 * string is left out). */
static void
on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct req *r = *req_cls;
	char path[256];
	size_t n;

	(void)cls;
	(void)c;
	if (r == NULL || (void *)r == (void *)&query_cut) {
		*req_cls = NULL;
		return;
	}
	n = strcspn(r->url, "?");
	snprintf(path, sizeof(path), "%.*s", (int)(n < 200 ? n : 200), r->url);
	log_info("access id=%s client=%s user=%s method=%s path=%s status=%u "
	    "us=%lld%s", r->id, r->client, r->authed ? r->who.login : "-",
	    r->method, path, r->status, (long long)(now_us() - r->start_us),
	    toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted");
	if (r->resp != NULL)
		MHD_destroy_response(r->resp);
	buf_free(&r->body);
	mem_free(r);
	*req_cls = NULL;
	atomic_fetch_sub(&in_flight, 1);
	thread_idle();
}

static int
parse_listen(const char *s, struct sockaddr_in *sa)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	long port;
	char *end;

	if (colon == NULL || (size_t)(colon - s) >= sizeof(host))
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	port = strtol(colon + 1, &end, 10);
	if (*end != '\0' || port < 0 || port > 65535)
		return -1;
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -1;
}

/*
 * A query of many parameters ("?&&&&…") makes libmicrohttpd 0.9.75 run
 * out of its connection pool while it stores them (a record of about 56
 * bytes each, in the same 16 KiB as the request line): it then logs a 431
 * but sends nothing and holds the connection until the idle timeout, so
 * the client waits 30 s for no answer. Called with the request line's URI
 * before libmicrohttpd parses its query, this cuts a query of more than
 * QUERY_ARGS_MAX parameters, or a URI longer than URI_MAX bytes (whose
 * read buffer leaves the pool too little room for the records), to
 * nothing (the query's first byte becomes NUL in libmicrohttpd's own read
 * buffer, where the URI lies) and marks the request, which route() then
 * answers 414. tests/api/test_api_security.c holds both cases.
 */
static void *
on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	char *q = strchr(uri, '?');
	int n = 0;

	(void)cls;
	(void)c;
	if (q == NULL)
		return NULL;
	for (const char *p = q + 1; *p != '\0'; p++)
		if (((*p == '&' || *p == ';') && ++n >= QUERY_ARGS_MAX) ||
		    p - uri >= URI_MAX) {
			q[1] = '\0';
			return &query_cut;
		}
	return NULL;
}

/*
 * URL decoding (libmicrohttpd's own, MHD_http_unescape()), except that a
 * text holding an escaped NUL (%00) is left as it came: decoded, the NUL
 * would cut the path short ("index.html%00.js" would name index.html),
 * while left alone its '%' fails every path check (404).
 */
static size_t
unescape(void *cls, struct MHD_Connection *c, char *uri)
{
	const char *p;

	(void)cls;
	(void)c;
	for (p = strchr(uri, '%'); p != NULL; p = strchr(p + 1, '%'))
		if (p[1] == '0' && p[2] == '0')
			return strlen(uri);
	return MHD_http_unescape(uri);
}

/* libmicrohttpd's own messages go through the log (and its masking). */
static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && msg[n - 1] == '\n')
		msg[--n] = '\0';
	log_warnx("http: %s", msg);
}

/*
 * Connections: as many as the open-file limit allows (raised to its hard
 * limit), less some for the database and the log, at most
 * max_connections. Beyond that libmicrohttpd closes new connections at
 * once rather than letting them wait.
 */
static unsigned
connection_limit(const struct http_config *c)
{
	struct rlimit rl;
	rlim_t room;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return 256;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	room = rl.rlim_cur > 128 ? rl.rlim_cur - 64 - 4 * (rlim_t)(c->threads +
	    c->workers) : 64;
	return room < (rlim_t)c->max_connections ? (unsigned)room :
	    (unsigned)c->max_connections;
}

static struct MHD_Daemon *
start(const struct app *app, struct sockaddr_in *sa)
{
	const struct http_config *c = app->cfg;

	return MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD |
	    MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME,
	    0, NULL, NULL, on_request, (void *)app,
	    /* first, so that libmicrohttpd's messages about the options
	     * after it go through the masking logger too */
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
	    MHD_OPTION_SOCK_ADDR, sa,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)c->threads,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)c->timeout,
	    MHD_OPTION_CONNECTION_LIMIT, connection_limit(c),
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16384,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
	    MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
	    MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL,
	    MHD_OPTION_END);
}

static void
announce(const struct http_config *c, struct MHD_Daemon *d,
    const struct sockaddr_in *sa)
{
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(d,
	    MHD_DAEMON_INFO_BIND_PORT);
	unsigned port = di ? di->port : ntohs(sa->sin_port);
	char host[64];
	FILE *fp;

	inet_ntop(AF_INET, &sa->sin_addr, host, sizeof(host));
	printf("liangfu: serving %s on http://%s:%u/ (%d threads, %d "
	    "workers)\n", c->db, host, port, c->threads, c->workers);
	fflush(stdout);
	if (c->port_file[0] != '\0' && (fp = fopen(c->port_file, "w"))) {
		fprintf(fp, "%u\n", port);
		fclose(fp);
	}
}

/* Stops accepting, lets requests in flight finish (up to 10 s), runs
 * what the workers still hold, stops. */
static void
drain(struct MHD_Daemon *d)
{
	int i;

	MHD_quiesce_daemon(d);
	for (i = 0; i < 1000 && atomic_load(&in_flight) > 0; i++)
		usleep(10000);
	workq_stop();
	MHD_stop_daemon(d);
}

/* Stops what background_start() started (each stop is a no-op for a
 * part that is not running); the workers first: they may audit. */
static void
background_stop(void)
{
	workq_stop();
	recond_stop();
	auditq_stop();
	statsd_stop();
}

/*
 * The threads besides libmicrohttpd's: the audit writer, the statistics
 * loader, the roster eraser and the workers. On PostgreSQL (issue 18)
 * each runs on connections of its own: the audit writer and the roster
 * eraser on one each, the statistics on two (statsd.h: loads, and the
 * notices of changes).
 */
static int
background_start(struct app *app, struct lf_error *err)
{
	const struct http_config *c = app->cfg;

	if (auditq_start(app, err) != 0) {
		log_warnx("audit writer: %s", err->message);
		return -1;
	}
	if (statsd_start(app, c->stats_years, err) != 0) {
		log_warnx("statistics: %s", err->message);
		background_stop();
		return -1;
	}
	if (recond_start(app, c->roster_keep_days, err) != 0) {
		log_warnx("roster eraser: %s", err->message);
		background_stop();
		return -1;
	}
	if (workq_start(c->workers, (size_t)c->queue, err) != 0) {
		log_warnx("workers: %s", err->message);
		background_stop();
		return -1;
	}
	return 0;
}

int
http_serve(const struct http_config *c, const struct catalog *cat,
    const struct regions *rs, const struct policies *ps,
    const struct disaster *dis)
{
	struct app app = { c, cat, rs, ps, dis, NULL };
	struct sockaddr_in sa;
	struct MHD_Daemon *d;
	struct lf_error err;
	sigset_t set;
	int sig;

	if (request_id_prefix() != 0) {
		log_warnx("no random numbers for request ids");
		return -1;
	}
	if (parse_listen(c->listen, &sa) != 0) {
		log_warnx("listen %s: expected IPv4 address:port", c->listen);
		return -1;
	}
	/*
	 * Freed memory stays in the process up to TRIM_MB an arena. A read
	 * transaction that finds the log changed (after every group of audit
	 * entries, docs/audit.md) empties its connection's page cache: its
	 * pages go back to malloc and the next reads allocate them again.
	 * With glibc's default (128 KiB, raised as it sees large blocks
	 * freed) the top of an arena was given back and taken again request
	 * after request (sysmalloc and mprotect, 4 % of the page's CPU
	 * under perf); 10-20 % less CPU a page without that
	 * (docs/performance.md, "the audit path"). Setting it stops glibc
	 * from raising its mmap threshold as it sees blocks freed, so that
	 * is fixed too, at MMAP_MB: blocks below it come from the arenas.
	 */
	mallopt(M_TRIM_THRESHOLD, TRIM_MB * 1024 * 1024);
	mallopt(M_MMAP_THRESHOLD, MMAP_MB * 1024 * 1024);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	lf_error_clear(&err);
	if ((app.sessions = session_cache_new()) == NULL) {
		log_warnx("sessions: out of memory");
		return -1;
	}
	store_gate_enable(1);	/* the workers write in turn: store_gate.h */
	if (background_start(&app, &err) != 0) {
		session_cache_free(app.sessions);
		return -1;
	}
	if ((d = start(&app, &sa)) == NULL) {
		log_warn("cannot listen on %s", c->listen);
		background_stop();
		session_cache_free(app.sessions);
		return -1;
	}
	announce(c, d, &sa);
	sigwait(&set, &sig);
	log_info("signal %d: finishing requests in flight, then stopping",
	    sig);
	drain(d);
	background_stop();
	session_cache_free(app.sessions);
	return 0;
}
