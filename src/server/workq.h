/*
 * workq.h - the server's workers: a fixed pool of threads that run the
 * slow requests (writes, logins, lists, reports) off the connection
 * threads, behind a bounded queue.
 *
 * libmicrohttpd's threads each serve many connections through one epoll
 * set; a handler that takes milliseconds (a plan build waiting for the
 * write lock, a password hash, a statistics load) would stall every
 * other connection of its thread. So the connection thread routes the
 * request, and when the route is slow it hands the request here and
 * suspends the connection; a worker runs the handler on its own database
 * connection and releases the request (http_release()), which resumes
 * the connection once its audit entries are durable too.
 *
 * Back-pressure: the queue holds at most `cap` requests. workq_submit()
 * refuses one more at once (the caller answers 503 with Retry-After),
 * so under overload clients get a quick, clear answer instead of a
 * timeout, and memory stays bounded whatever the number of connections.
 *
 * The pool is process-wide: workq_start() once, workq_stop() at the end
 * (it runs what is queued, then joins the threads).
 */
#ifndef LF_SERVER_WORKQ_H
#define LF_SERVER_WORKQ_H

#include <stddef.h>

#include "lib/error.h"

/* One job: fn(arg) on a worker thread. */
typedef void (*workq_fn)(void *arg);

/* Starts n threads with a queue of at most cap jobs. 0, or -1 with err
 * (threads that did start are stopped again). */
int	workq_start(int n, size_t cap, struct lf_error *err);
/* Runs every queued job, stops and joins the threads. */
void	workq_stop(void);
/* Queues fn(arg): 0; -1 when the queue is full or the pool is not
 * running (fn is then never called). Never blocks. */
int	workq_submit(workq_fn fn, void *arg);
/* Jobs queued and not yet started (for the log and tests). */
size_t	workq_queued(void);

#endif
