/*
 * auditq.c - the audit writer thread (see auditq.h).
 */
#include "server/auditq.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/mem.h"
#include "lib/log.h"
#include "store/audit_anchor.h"
#include "store/store_ckpt.h"

#define NSTR	10	/* string fields of struct audit_entry */
#define GROUP_MAX	64	/* entries a group waits for at most */
#define GROUP_WAIT_US	500	/* how long a group waits to fill */
/* Between the checkpoints of the writer's log: each group rewrites the
 * log's newest pages and a random leaf of the person index per entry, and
 * a checkpoint copies each page once however often it changed (at 50 ms,
 * the default, the checkpoint thread cost 12-14 us a page request, at
 * 500 ms 8-9 us: docs/performance.md, "the audit path"). */
#define CKPT_MS		500

/* One queued entry: the entry, its strings copied into text[], and who to
 * tell. One allocation; freed by the writer after the callback. */
struct pending {
	struct audit_entry	 e;
	enum auditq_kind	 kind;
	auditq_done_fn		 done;
	void			*arg;
	int			 rc;
	struct lf_error		 err;
	struct pending		*next;
	char			 text[];
};

static struct {
	pthread_mutex_t	 mu;
	pthread_cond_t	 work;		/* writer: entries are waiting */
	struct pending	*head, *tail;
	struct store	*s;
	struct store_ckpt *ck;		/* checkpoints, off the writer */
	pthread_t	 thread;
	int		 running;
	int		 stop;
	int64_t		 sync_ns;	/* reads synced within; 0: at commit */
	int		 unsynced;	/* commits not yet synced */
	int64_t		 unsynced_at;	/* CLOCK_MONOTONIC ns of the first */
} q = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, NULL,
    NULL, NULL, 0, 0, 0, 0, 0, 0 };

/*
 * The chain's head goes to the anchor file after every commit
 * (store/audit_anchor.h), and to the log every ANCHOR_LOG_EVERY entries.
 * When the log did not match its anchor at start, the anchor is left as
 * it was (frozen): overwriting it would hide a cut. An operator checks
 * with `liangfu audit verify` and moves the anchor file aside.
 *
 * When the anchor cannot be read or written (a failing disk), the entries
 * are still committed and acknowledged: the anchor then lags the log,
 * which `audit verify` accepts (it names an older entry, never a missing
 * one). The writer says so in the log and, while it has no open anchor,
 * tries the whole start again (check, then write) after a commit at
 * most once a second, so a passing fault heals; the check comes first
 * so that a log cut while the anchor was unreadable is still seen.
 */
#define ANCHOR_LOG_EVERY	1000

#define ANCHOR_SYNC_NS	1000000000LL	/* fdatasync the anchor at most this often */

static int	anchor_frozen;
static int64_t	anchor_tried;		/* CLOCK_MONOTONIC ns of the last start */
static int64_t	anchor_logged;
static int	anchor_fd = -1;		/* the anchor, rewritten in place */
static int64_t	anchor_synced;		/* CLOCK_MONOTONIC ns of the last sync */

/* After a commit: the anchor rewritten in place (a pwrite, no sync: see
 * audit_anchor_put()), synced when the last sync is a second old. */
static void	anchor_start(void);

static void
anchor(void)
{
	unsigned char hash[AUDIT_HASH_LEN];
	struct lf_error err;
	int64_t id, now;

	lf_error_clear(&err);
	if (!anchor_frozen && anchor_fd < 0 &&
	    clock_mono_ns() - anchor_tried >= ANCHOR_SYNC_NS)
		anchor_start();
	if (anchor_frozen || anchor_fd < 0)
		return;
	if (audit_anchor_put(q.s, anchor_fd, &err) != 0) {
		log_warnx("audit anchor: %s", err.message);
		return;
	}
	now = clock_mono_ns();
	if (now - anchor_synced >= ANCHOR_SYNC_NS) {
		if (fdatasync(anchor_fd) != 0)
			log_warn("audit anchor: sync");
		anchor_synced = now;
	}
	if (audit_head(q.s, &id, hash, &err) == 0 &&
	    id / ANCHOR_LOG_EVERY != anchor_logged / ANCHOR_LOG_EVERY) {
		anchor_logged = id;
		log_info("audit head id=%lld hash=%02x%02x%02x%02x%02x%02x%02x"
		    "%02x...", (long long)id, hash[0], hash[1], hash[2],
		    hash[3], hash[4], hash[5], hash[6], hash[7]);
	}
}

/* At start: is the log still what the anchor says? */
static void
anchor_start(void)
{
	struct audit_check c;
	struct lf_error err;

	memset(&c, 0, sizeof(c));
	lf_error_clear(&err);
	anchor_tried = clock_mono_ns();
	if (audit_anchor_check(q.s, &c, &err) != 0) {
		log_warnx("audit anchor: %s", err.message);
		return;
	}
	anchor_logged = c.newest;
	if (c.problem == NULL) {
		if (audit_anchor_open(q.s, &anchor_fd, &err) != 0)
			log_warnx("audit anchor: %s", err.message);
		anchor_synced = clock_mono_ns();
		return;
	}
	anchor_frozen = 1;
	log_warnx("AUDIT LOG DOES NOT MATCH ITS ANCHOR: %s (first bad entry "
	    "%lld, newest %lld, anchor %lld); the anchor is kept as it is: "
	    "run liangfu audit verify", c.problem, (long long)c.first_bad,
	    (long long)c.newest, (long long)c.anchor_id);
}

/*
 * The entries naming a person are indexed behind the log (audit.h,
 * audit_person_fill()): at most once every FILL_NS after a commit, and
 * when the writer stops, in a transaction of their own. A failed fill is
 * logged and done by the next one; queries see every entry meanwhile.
 */
#define FILL_NS	1000000000LL

static int64_t	filled_at;	/* CLOCK_MONOTONIC ns of the last fill */

static void
person_fill(int now)
{
	struct lf_error err;
	int64_t t = clock_mono_ns();

	if (!now && t - filled_at < FILL_NS)
		return;
	filled_at = t;
	lf_error_clear(&err);
	if (audit_person_fill(q.s, &err) != 0)
		log_warnx("audit log: person index: %s", err.message);
}

/*
 * Appends a batch in one transaction; sets each entry's rc. The log's
 * checkpoints run on a thread of their own (store_ckpt.h): done by the
 * commit that crosses wal_autocheckpoint pages, as SQLite does by
 * default, they made every answer waiting for this writer also wait for
 * the copy of the log into the database and its two fsyncs. When the log
 * has grown large all the same, it is restarted here, between batches.
 */
/*
 * The batch's transaction. PostgreSQL: a connection a restart broke is
 * seen only when used; it is replaced and the begin tried once more, so
 * that the first batch after a restart is written, not refused.
 */
static int
group_begin(int *tx, struct lf_error *err)
{
	if (store_reconnect(q.s, err) == 0 &&
	    audit_group_begin(q.s, tx, err) == 0)
		return 0;
	if (!store_is_pg(q.s))
		return -1;
	lf_error_clear(err);
	return store_reconnect(q.s, err) == 0 &&
	    audit_group_begin(q.s, tx, err) == 0 ? 0 : -1;
}

static void
write_batch(struct pending *batch)
{
	struct lf_error err;
	struct pending *p;
	int ok, tx;

	lf_error_clear(&err);
	if (store_ckpt_restart(q.ck, 0, &err) != 0) {
		log_warnx("audit log: checkpoint: %s", err.message);
		lf_error_clear(&err);
	}
	ok = group_begin(&tx, &err) == 0;
	for (p = batch; p != NULL; p = p->next) {
		lf_error_clear(&p->err);
		if (!ok) {
			p->err = err;
			p->rc = -1;
			continue;
		}
		p->rc = audit_append(q.s, &p->e, &p->err);
	}
	if (!ok)
		return;
	if (audit_group_end(q.s, tx, 0, &err) != 0) {
		for (p = batch; p != NULL; p = p->next) {
			p->rc = -1;
			p->err = err;
		}
		return;
	}
	person_fill(0);
}

/*
 * Deferred durability (auditq.h): with sync_ns > 0 the writer's
 * connection commits without syncing the WAL; a commit is then in the
 * kernel's hands, which is what a read's answer waits for. sync() makes
 * every commit so far durable with one fdatasync of the WAL, and is done
 * before the answers of a batch holding an AUDITQ_DURABLE entry, and for
 * reads within sync_ns of their commit (the writer wakes up for it when
 * nothing else comes). Only then is the anchor written: it names the
 * newest entry, which is durable now.
 */
static int
sync_log(struct lf_error *err)
{
	if (store_sync_log(q.s, err) != 0) {
		/* not acknowledged as durable; tried again after sync_ns */
		q.unsynced_at = clock_mono_ns();
		return -1;
	}
	q.unsynced = 0;
	anchor();
	return 0;
}

/* After a committed batch: syncs it when it holds an entry that must be
 * durable before its answer (a failed sync then fails the batch), else
 * counts it as unsynced. */
static void
settle(struct pending *batch)
{
	struct lf_error err;
	struct pending *p;
	int durable = 0, ok = 0;

	for (p = batch; p != NULL; p = p->next) {
		ok |= p->rc == 0;
		durable |= p->rc == 0 && p->kind == AUDITQ_DURABLE;
	}
	if (!ok)
		return;
	if (q.unsynced++ == 0)
		q.unsynced_at = clock_mono_ns();
	if (!durable)
		return;
	lf_error_clear(&err);
	if (sync_log(&err) == 0)
		return;
	log_warnx("audit log: %s", err.message);
	for (p = batch; p != NULL; p = p->next)
		if (p->rc == 0) {
			p->rc = -1;
			p->err = err;
		}
}

/* Syncs reads committed sync_ns ago or more (all when stopping). */
static void
sync_due(void)
{
	struct lf_error err;

	if (q.unsynced == 0 || (!q.stop && clock_mono_ns() - q.unsynced_at <
	    q.sync_ns))
		return;
	lf_error_clear(&err);
	if (sync_log(&err) != 0)
		log_warnx("audit log: read entries not yet on disk: %s",
		    err.message);
}

/* Waits for entries, or until the unsynced reads are due; under q.mu. */
static void
wait_work(void)
{
	struct timespec ts;
	int64_t due;

	while (q.head == NULL && !q.stop) {
		if (q.unsynced == 0) {
			pthread_cond_wait(&q.work, &q.mu);
			continue;
		}
		/* the condition variable runs on CLOCK_REALTIME */
		due = q.sync_ns - (clock_mono_ns() - q.unsynced_at);
		if (due <= 0)
			return;
		clock_deadline(&ts, CLOCK_REALTIME, due);
		if (pthread_cond_timedwait(&q.work, &q.mu, &ts) != 0)
			return;
	}
}

/* Tells every entry of a committed (or failed) batch, then frees it. */
static void
finish_batch(struct pending *batch)
{
	struct pending *p, *next;

	for (p = batch; p != NULL; p = next) {
		next = p->next;
		p->done(p->arg, p->rc, &p->err);
		mem_free(p);
	}
}

/* Entries queued, counting up to GROUP_MAX; under q.mu. */
static size_t
queued(void)
{
	const struct pending *p;
	size_t n = 0;

	for (p = q.head; p != NULL && n < GROUP_MAX; p = p->next)
		n++;
	return n;
}

/*
 * Under concurrent load (the last group held more than one entry), lets
 * the group fill for GROUP_WAIT_US before writing it, as PostgreSQL's
 * commit_delay does: one commit and one fsync then serve more requests,
 * which costs each of them at most that wait and saves the CPU of the
 * commits it spares. A lone request is written at once. The writer sleeps
 * outside the lock, so submitters do not wake it entry by entry. Under
 * q.mu (released while sleeping).
 */
static void
gather(size_t last_group)
{
	struct timespec ts = { 0, GROUP_WAIT_US * 1000L };

	if (last_group < 2 || q.stop || queued() >= GROUP_MAX)
		return;
	pthread_mutex_unlock(&q.mu);
	nanosleep(&ts, NULL);
	pthread_mutex_lock(&q.mu);
}

static void *
writer(void *arg)
{
	struct pending *batch;
	size_t last = 0;

	(void)arg;
	pthread_setname_np(pthread_self(), "lf-audit");
	pthread_mutex_lock(&q.mu);
	for (;;) {
		wait_work();
		if (q.head == NULL) {
			pthread_mutex_unlock(&q.mu);
			sync_due();
			pthread_mutex_lock(&q.mu);
			if (q.stop && q.head == NULL)
				break;
			continue;
		}
		gather(last);
		last = queued();
		batch = q.head;
		q.head = q.tail = NULL;
		pthread_mutex_unlock(&q.mu);
		write_batch(batch);
		if (q.sync_ns > 0) {
			settle(batch);
			finish_batch(batch);
			sync_due();
		} else {
			/* every commit synced: answers first, the anchor
			 * only has to follow the commit */
			finish_batch(batch);
			anchor();
		}
		pthread_mutex_lock(&q.mu);
	}
	pthread_mutex_unlock(&q.mu);
	return NULL;
}

/* Lets go of what the writer holds, in order: the anchor file, the
 * checkpoint thread, the connection (each may be absent). */
static void
release(void)
{
	if (anchor_fd >= 0)
		close(anchor_fd);
	anchor_fd = -1;
	store_ckpt_stop(q.ck);
	q.ck = NULL;
	store_close(q.s);
	q.s = NULL;
}

int
auditq_start(const struct app *app, struct lf_error *err)
{
	/* PostgreSQL too: its commits are durable (synchronous_commit), the
	 * SQLite log's sync and checkpoints are skipped (no-ops there) */
	if (store_open_any(app->cfg->db, app->cat, app->regions, &q.s,
	    err) != 0)
		return -1;
	q.sync_ns = (int64_t)app->cfg->audit_sync_ms * 1000000LL;
	/* what it writes stales no read snapshot (store.h): only the
	 * audit screens read it, and they end theirs first */
	store_hold_quiet(q.s);
	if ((q.sync_ns > 0 && store_sync_deferred(q.s, 1, err) != 0) ||
	    (!store_is_pg(q.s) && store_ckpt_start(q.s, &q.ck, err) != 0)) {
		release();
		return -1;
	}
	store_ckpt_period(q.ck, CKPT_MS);
	q.unsynced = 0;
	q.stop = 0;
	filled_at = 0;
	anchor_frozen = 0;
	anchor_start();
	if (pthread_create(&q.thread, NULL, writer, NULL) != 0) {
		release();
		return lf_error_set(err, "thread", "", "cannot start the audit "
		    "writer");
	}
	q.running = 1;
	return 0;
}

void
auditq_stop(void)
{
	if (!q.running)
		return;
	pthread_mutex_lock(&q.mu);
	q.stop = 1;
	pthread_cond_signal(&q.work);
	pthread_mutex_unlock(&q.mu);
	pthread_join(q.thread, NULL);
	person_fill(1);
	if (anchor_fd >= 0) {
		struct lf_error err;

		/* the last anchor, synced (and whole, by rename) */
		lf_error_clear(&err);
		if (audit_anchor_write(q.s, &err) != 0)
			log_warnx("audit anchor: %s", err.message);
	}
	release();
	q.running = 0;
}

/* The entry's string fields, in order, as pointers into e. */
static const char **
field(struct audit_entry *e, size_t i)
{
	const char **f[NSTR] = { &e->at, &e->actor, &e->role, &e->action,
	    &e->target_type, &e->target, &e->result, &e->client,
	    &e->request_id, &e->detail };

	return f[i];
}

/* A pending entry holding copies of e's strings (NULL stays NULL). */
static struct pending *
pending_new(const struct audit_entry *e)
{
	struct audit_entry src = *e;
	struct pending *p;
	size_t i, len = 0, n;
	char *at;

	for (i = 0; i < NSTR; i++)
		len += *field(&src, i) ? strlen(*field(&src, i)) + 1 : 0;
	if ((p = mem_calloc(1, sizeof(*p) + len)) == NULL)
		return NULL;
	at = p->text;
	for (i = 0; i < NSTR; i++) {
		if (*field(&src, i) == NULL)
			continue;
		n = strlen(*field(&src, i)) + 1;
		memcpy(at, *field(&src, i), n);
		*field(&p->e, i) = at;
		at += n;
	}
	return p;
}

int
auditq_submit(const struct audit_entry *e, enum auditq_kind kind,
    auditq_done_fn done, void *arg, struct lf_error *err)
{
	struct pending *p = pending_new(e);

	if (p == NULL)
		return lf_error_nomem(err);
	p->kind = kind;
	p->done = done;
	p->arg = arg;
	pthread_mutex_lock(&q.mu);
	if (!q.running || q.stop) {
		pthread_mutex_unlock(&q.mu);
		mem_free(p);
		return lf_error_set(err, "unavailable", "", "audit writer not "
		    "running");
	}
	if (q.tail != NULL)
		q.tail->next = p;
	else
		q.head = p;
	q.tail = p;
	pthread_cond_signal(&q.work);
	pthread_mutex_unlock(&q.mu);
	return 0;
}
