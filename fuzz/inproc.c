/*
 * inproc.c - see inproc.h.
 */
#include "fuzz/inproc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "synth/synth.h"
#include "server/http.h"
#include "store/store.h"
#include "auth/users.h"

#define PASSWORD	"Fuzz-Sichuan-2026"
#define YEAR		2026

char inproc_uid[3][48];
char inproc_item[32];
char inproc_db[1024];
int inproc_relogin = 1;

static struct cli_env env;
static char dir[] = "/tmp/liangfu-fuzz-XXXXXX";
static struct http_config cfg;
static int port;
static char token[2][160], csrf[2][160];
static const char *const logins[2] = { "fzadmin", "fzcounty" };

static void
die(const char *what, const char *msg)
{
	fprintf(stderr, "inproc: %s: %s\n", what, msg ? msg : "");
	__builtin_trap();
}

static void
populate(const char *db)
{
	static const struct {
		const char *login, *role, *region;
	} users[2] = {
		{ "fzadmin", "province", "51" },
		{ "fzcounty", "county", "510104" },
	};
	struct store_put put = { YEAR, 0, "cli:fuzz", 0, 0 };
	struct store_put_result res;
	struct lf_error err;
	struct synth *sy;
	struct record *r;
	struct store *s;
	size_t i;

	lf_error_clear(&err);
	if (store_create(db, env.cat, &err) != 0 ||
	    store_open(db, env.cat, env.regions, &s, &err) != 0)
		die("store", err.message);
	for (i = 0; i < 2; i++) {
		struct user_new u = { users[i].login, users[i].role,
		    users[i].region, NULL, PASSWORD, 0 };

		if (users_add(s, &u, &err) != 0)
			die("users_add", err.message);
	}
	if (synth_new(env.cat, env.regions, regions_find(env.regions,
	    "510104"), 7, store_today(), &sy, &err) != 0 ||
	    (r = record_new(env.cat)) == NULL)
		die("synth", err.message);
	for (i = 0; i < 12; i++) {
		if (synth_person(sy, i, YEAR, r, &err) != 0 ||
		    store_survey_put(s, r, &put, &res, &err) != 0)
			die("person", err.message);
		if (i < 3)
			snprintf(inproc_uid[i], sizeof(inproc_uid[i]), "%s",
			    res.uid);
	}
	record_free(r);
	synth_free(sy);
	store_close(s);
}

static void *
serve(void *arg)
{
	(void)arg;
	http_serve(&cfg, env.cat, env.regions, env.policies, env.disaster);
	return NULL;
}

/* Answers land here (cut at its size): the client allocates nothing, so
 * an allocation-failure sweep (tests/rel/test_rel_alloc.c) fails only the
 * server's allocations. */
static char answer[1 << 20];

/*
 * The harness's own logins come from another loopback address (127.0.0.2)
 * than the fuzzed requests (127.0.0.1): fuzzed wrong passwords make the
 * server refuse further logins from their address for 15 minutes
 * (session.c's rate limits), which must not stop the harness from logging
 * in again after a fuzzed request ended its session.
 */
static int harness_source;

/*
 * libFuzzer's -timeout runs an interval timer whose SIGALRM handler is
 * installed without SA_RESTART: a blocking connect(), write() or read()
 * of this client returns EINTR when the tick falls inside it. Each call
 * is resumed (the server's threads block SIGALRM, so the tick always
 * lands on the fuzzing thread, where libFuzzer checks its timeout).
 */
static int
connect_all(int fd, const struct sockaddr_in *sa)
{
	struct pollfd p = { fd, POLLOUT, 0 };
	socklen_t len = sizeof(int);
	int e = 0;

	if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0)
		return 0;
	if (errno != EINTR)
		return -1;
	while (poll(&p, 1, -1) < 0)	/* the connection goes on */
		if (errno != EINTR)
			return -1;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) != 0 || e != 0)
		return -1;
	return 0;
}

static int
write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* One exchange; the answer in `answer` (NUL-terminated, maybe cut). */
static int
exchange(const char *req, size_t reqlen, const char *body, size_t len)
{
	struct sockaddr_in sa, src;
	struct timeval tv = { 600, 0 };
	size_t got = 0;
	ssize_t n;
	int fd, status = -1;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return -1;
	if (harness_source) {
		memset(&src, 0, sizeof(src));
		src.sin_family = AF_INET;
		src.sin_addr.s_addr = htonl(INADDR_LOOPBACK + 1);
		if (bind(fd, (struct sockaddr *)&src, sizeof(src)) != 0) {
			close(fd);
			return -1;
		}
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect_all(fd, &sa) != 0 || write_all(fd, req, reqlen) != 0 ||
	    write_all(fd, body, len) != 0) {
		close(fd);
		return -1;
	}
	while (got + 1 < sizeof(answer)) {
		n = read(fd, answer + got, sizeof(answer) - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	answer[got] = '\0';
	if (got > 12 && strncmp(answer, "HTTP/1.", 7) == 0)
		status = (int)strtol(answer + 9, NULL, 10);
	return status;
}

static int
request(const char *method, const char *target, const char *body,
    size_t len, int user)
{
	char head[8192];
	int n;

	if (user >= 0)
		n = snprintf(head, sizeof(head), "%s %s HTTP/1.1\r\nHost: "
		    "127.0.0.1\r\nConnection: close\r\nContent-Type: "
		    "application/json\r\nContent-Length: %zu\r\nCookie: "
		    "lf_session=%s\r\nX-CSRF-Token: %s\r\n\r\n", method,
		    target, len, token[user], csrf[user]);
	else
		n = snprintf(head, sizeof(head), "%s %s HTTP/1.1\r\nHost: "
		    "127.0.0.1\r\nConnection: close\r\nContent-Type: "
		    "application/json\r\nContent-Length: %zu\r\n\r\n", method,
		    target, len);
	if (n < 0 || (size_t)n >= sizeof(head))
		return -1;
	return exchange(head, (size_t)n, body, len);
}

/* The JSON body of the last answer, or NULL. */
static json_t *
body_json(void)
{
	const char *p = strstr(answer, "\r\n\r\n");

	return p ? json_loads(p + 4, 0, NULL) : NULL;
}

static void
login(int user)
{
	char body[128];
	const char *c, *e;
	json_t *j;
	int n;

	n = snprintf(body, sizeof(body), "{\"login\":\"%s\",\"password\":"
	    "\"%s\"}", logins[user], PASSWORD);
	harness_source = 1;
	n = request("POST", "/api/v1/session", body, (size_t)n, -1);
	harness_source = 0;
	if (n != 200)
		die("login", answer);
	if ((c = strstr(answer, "lf_session=")) == NULL)
		die("login", "no cookie");
	c += strlen("lf_session=");
	e = c + strcspn(c, ";\r\n");
	snprintf(token[user], sizeof(token[user]), "%.*s", (int)(e - c), c);
	if ((j = body_json()) == NULL || !json_is_string(json_object_get(j,
	    "csrf")))
		die("login", "no csrf");
	snprintf(csrf[user], sizeof(csrf[user]), "%s",
	    json_string_value(json_object_get(j, "csrf")));
	json_decref(j);
}

/* Builds the first person's plan and keeps one of its item ids. */
static void
plan(void)
{
	char target[160];
	json_t *j, *it;

	snprintf(target, sizeof(target), "/api/v1/persons/%s/plans/%d/build",
	    inproc_uid[0], YEAR);
	if (request("POST", target, "{}", 2, 1) / 100 != 2)
		die("plan build", answer);
	j = body_json();
	it = json_array_get(json_object_get(j, "items"), 0);
	if (json_is_integer(json_object_get(it, "id")))
		snprintf(inproc_item, sizeof(inproc_item), "%lld",
		    (long long)json_integer_value(json_object_get(it, "id")));
	else if (json_is_string(json_object_get(it, "id")))
		snprintf(inproc_item, sizeof(inproc_item), "%s",
		    json_string_value(json_object_get(it, "id")));
	else
		snprintf(inproc_item, sizeof(inproc_item), "1");
	json_decref(j);
}

/* At exit: the run's directory goes (the server thread dies with the
 * process). */
static void
cleanup(void)
{
	static const char *const names[] = { "fuzz.db", "fuzz.db-wal",
	    "fuzz.db-shm", "fuzz.db-journal", "fuzz.db.key", "port" };
	char path[sizeof(dir) + 32];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
}

void
inproc_start(void)
{
	char err[256];
	sigset_t alrm, old;
	pthread_t t;
	FILE *fp;
	int i, rc;

	if (port != 0)
		return;
	if (mkdtemp(dir) == NULL || cli_env_load(&env) != 0 ||
	    cli_env_rules(&env) != 0)
		die("setup", dir);
	atexit(cleanup);
	if (http_config_load(&cfg, NULL, err, sizeof(err)) != 0)
		die("config", err);
	snprintf(cfg.db, sizeof(cfg.db), "%s/fuzz.db", dir);
	snprintf(cfg.listen, sizeof(cfg.listen), "127.0.0.1:0");
	snprintf(cfg.web, sizeof(cfg.web), "web");
	snprintf(cfg.port_file, sizeof(cfg.port_file), "%s/port", dir);
	cfg.threads = 2;
	cfg.timeout = 0;	/* a starved fuzz run must not cut answers off */
	snprintf(inproc_db, sizeof(inproc_db), "%s", cfg.db);
	populate(cfg.db);
	/* the server's threads (this one's mask, inherited) never take
	 * libFuzzer's SIGALRM */
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &alrm, &old);
	rc = pthread_create(&t, NULL, serve, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		die("thread", "");
	pthread_detach(t);
	for (i = 0; i < 400 && port == 0; i++) {
		usleep(25000);
		if ((fp = fopen(cfg.port_file, "r")) != NULL) {
			if (fscanf(fp, "%d", &port) != 1)
				port = 0;
			fclose(fp);
		}
	}
	if (port == 0)
		die("server", "did not start");
	login(0);
	login(1);
	plan();
}

int
inproc_send(const char *method, const char *target, const char *body,
    size_t len, int user)
{
	int status, tries;

	status = request(method, target, body, len, user);
	if (status == 401 && inproc_relogin) {	/* a fuzzed request ended
						   the session */
		login(user);
		status = request(method, target, body, len, user);
	}
	/* a year's statistics being (re)loaded: "try again shortly" */
	for (tries = 0; tries < 1200 && status == 503 && strstr(answer,
	    "\"code\":\"loading\"") != NULL; tries++) {
		usleep(50000);
		status = request(method, target, body, len, user);
	}
	return status;
}

const char *
inproc_answer(void)
{
	return answer;
}
