/*
 * inproc.h - a real server inside the fuzz process, for the targets that
 * drive the handlers (fuzz_json, fuzz_query).
 *
 * inproc_start() creates a small database in a fresh /tmp directory (a
 * province administrator "fzadmin", a county user "fzcounty" and a few
 * synthetic persons with a built plan), starts http_serve() on
 * 127.0.0.1:0 in a thread and logs both users in. inproc_send() then sends
 * one request over a new loopback connection and returns the status of
 * the answer. Requests go through everything a client reaches: MHD's
 * parsing, the route table, the session check, the handler, the audit
 * writer.
 *
 * The server runs until the process exits; its directory (a new one
 * under /tmp/liangfu-fuzz-* each run) is removed at exit.
 */
#ifndef LF_FUZZ_INPROC_H
#define LF_FUZZ_INPROC_H

#include <stddef.h>

/* Opaque ids of the seeded persons and an item of the first's plan. */
extern char inproc_uid[3][48];
extern char inproc_item[32];

/* The database file the server serves. */
extern char inproc_db[1024];
/* 1 (the default): a 401 logs the user in again and resends once. */
extern int inproc_relogin;

/* Starts once (later calls return at once). Traps on any failure. */
void	inproc_start(void);

/* Sends method path (already a valid request target) with body (len
 * bytes, may be 0) as user 0 (admin) or 1 (county), with the CSRF header.
 * A 503 "loading" (statsd.h: a year's statistics being loaded, "try
 * again shortly") is retried every 50 ms for up to a minute.
 * Returns the HTTP status, or -1 when no answer came. */
int	inproc_send(const char *method, const char *target, const char *body,
	    size_t len, int user);

/* The last answer, head and body, cut at 1 MiB. */
const char *inproc_answer(void);

#endif
