/*
 * audit.h - the append-only, hash-chained audit log.
 *
 * Every read of a person, every write, every login and every refusal is
 * one entry: who (actor, role), when (at), what (action), on what
 * (target_type, target), with what result, from where (client address)
 * and in which request (request_id), plus a short detail. Supervisors and
 * auditors ask it "who looked at this person this year?" with
 * audit_query(). docs/audit.md describes the log for operators.
 *
 * No personal data: an entry names a person only by the opaque person id
 * (store_person.uid), never by ID number, name or phone. audit_append()
 * enforces what it can: a "person" target must be "" or a uid (32
 * lowercase hex digits), and no field may hold a run of 15 or more
 * decimal digits (the shape of an ID number). Keeping names and phone
 * numbers out of `detail` is the caller's job.
 *
 * The chain. Entry n stores prev = hash of entry n-1 (32 zero bytes for
 * the first entry) and
 *
 *	hash = HMAC-SM3(lookup key, "audit" || 0x00 || version (1 byte, 1) ||
 *	    prev (32) || id (8, big-endian) ||
 *	    for each field in the order of struct audit_entry:
 *	        length (4, big-endian) || bytes)
 *
 * through crypto_lookup_hash(keys, "audit", ...). The key lives in the key
 * file, not in the database, so someone who can only write the database
 * cannot forge an entry or rebuild a consistent chain after an edit.
 * audit_verify() recomputes the chain. The newest entries can be cut off
 * without breaking it: keep a copy of audit_head() elsewhere now and then.
 *
 * Backends: the same code on the store's SQLite file and on PostgreSQL
 * (store/dbq.h; docs/postgresql.md, "The audit log"): the same entries,
 * hashes and checks.
 *
 * Append-only: triggers made by audit_init() (on PostgreSQL by init and
 * the owner's upgrade, audit_int.h) abort any UPDATE or DELETE of the
 * table (PostgreSQL: TRUNCATE too) and any INSERT that is not past the
 * newest entry (so INSERT OR REPLACE cannot overwrite one either). They
 * stop mistakes and casual SQL; someone who drops them is caught by the
 * chain instead. On PostgreSQL the app role may only SELECT and INSERT.
 *
 * Transactions. audit_append() works with or without a caller's
 * transaction. Without one it makes its own, in which reading the
 * newest hash and inserting the next entry are atomic against other
 * connections (SQLite: BEGIN IMMEDIATE, retried when the database is
 * busy; PostgreSQL: a transaction-level advisory lock taken before the
 * read, READ COMMITTED). Inside one the entry commits or rolls back with
 * the caller's work. So log refusals and failures after rolling back,
 * not inside the transaction being abandoned; and on SQLite begin
 * transactions that will append with store_begin() (BEGIN IMMEDIATE),
 * or an append may fail "busy".
 *
 * Threads: like the store, from one thread at a time per connection;
 * any number of connections may append at once.
 *
 * Errors: every function returns 0 on success and -1 with err filled. The
 * codes are "invalid" (a field or query parameter refused; err->field
 * names it), "busy" (the database stayed locked), "corrupt" (the newest
 * entry has no valid hash), "crypto", "no_memory" and "store" (any other
 * database error, e.g. audit_init() not run, naming the statement, never
 * a value).
 */
#ifndef LF_STORE_AUDIT_H
#define LF_STORE_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"
#include "store/store.h"

#define AUDIT_HASH_LEN		32
#define AUDIT_FIELD_MAX		128	/* bytes of any field but detail */
#define AUDIT_DETAIL_MAX	256	/* bytes of detail */
#define AUDIT_TIME_LEN		20	/* "2026-11-29T05:30:00Z" */
#define AUDIT_LIMIT_DEFAULT	100
#define AUDIT_LIMIT_MAX		1000

/*
 * One entry as the caller gives it. Strings are borrowed for the call.
 * Every field is valid UTF-8 without control characters and at most
 * AUDIT_FIELD_MAX bytes (detail: AUDIT_DETAIL_MAX).
 */
struct audit_entry {
	const char	*at;		/* "YYYY-MM-DDTHH:MM:SSZ" (UTC);
					   NULL or "" = now */
	const char	*actor;		/* login, or "-"; required */
	const char	*role;		/* [a-z0-9._-]*, may be "" or NULL */
	const char	*action;	/* "person.read", "person.reveal",
					   "survey.write", "session.login",
					   "audit.read", ...: [a-z0-9._-]+ */
	const char	*target_type;	/* "person", "user", "session", ...:
					   [a-z0-9._-]+ */
	const char	*target;	/* opaque id or login; may be "" or
					   NULL */
	const char	*result;	/* "ok", "denied", "not_found",
					   "conflict", "failed", "invalid" */
	const char	*client;	/* IP address; may be "" or NULL */
	const char	*request_id;	/* may be "" or NULL */
	const char	*detail;	/* short text; may be "" or NULL */
};

/* One stored entry. The strings belong to the query and are valid only
 * during the callback. */
struct audit_row {
	int64_t		 id;		/* 1, 2, 3, ... in append order */
	const char	*at;
	const char	*actor;
	const char	*role;
	const char	*action;
	const char	*target_type;
	const char	*target;
	const char	*result;
	const char	*client;
	const char	*request_id;
	const char	*detail;
	unsigned char	 hash[AUDIT_HASH_LEN];	/* zero if the row has none */
};

/*
 * Creates the audit table, its indexes (target_type, target, id),
 * (actor, id), (at) and the append-only triggers when missing (so a
 * dropped trigger comes back); does nothing, and takes no write lock,
 * when they all exist. On SQLite the target index holds the entries
 * that name no person; those that do are indexed behind the log, in
 * the table audit_person (target, id) up to the mark in audit_person_w,
 * filled by audit_person_fill() (rows neither updated nor deleted, the
 * mark only moved on: triggers); a registry made with the full index
 * loses it here and has its person entries filled at once. Atomic: in the caller's transaction when there is
 * one, else in its own. On PostgreSQL the same (with the app role's
 * rights), which only the owner role may do; store_open_any() does not
 * call it there (init and the upgrade make the log).
 */
int	audit_init(struct store *s, struct lf_error *err);

/*
 * SQLite: indexes by person the entries appended since the last fill
 * (audit_init() says how the person entries are indexed behind the log),
 * in a transaction of its own or in the caller's. A query by person
 * sees every entry whether filled or not: filling only makes it
 * cheaper. The server's audit writer fills once a second; nothing on
 * PostgreSQL. 0, or -1 with err ("busy", "store").
 */
int	audit_person_fill(struct store *s, struct lf_error *err);

/*
 * Validates e and appends it as the next entry of the chain. NULL for an
 * optional field is stored as "". On failure nothing is appended and, if
 * the caller has a transaction, it is left as it was (the savepoint is
 * rolled back); an error of SQLite that ends the caller's transaction is
 * reported as such.
 */
int	audit_append(struct store *s, const struct audit_entry *e,
	    struct lf_error *err);

/*
 * A transaction for a group of appends (the server's audit writer),
 * on either backend: the appends inside it commit together and read no
 * head twice from disk. On SQLite a write transaction (BEGIN IMMEDIATE,
 * the writers' turn) or a savepoint inside the caller's; on PostgreSQL a
 * READ COMMITTED transaction (the appenders' lock is taken by the first
 * append and held to its end). audit_group_end() commits when rc is 0,
 * else rolls back; a commit that fails is rolled back too. It returns
 * rc when rc is not 0, else 0 or -1 with err.
 */
int	audit_group_begin(struct store *s, int *tx, struct lf_error *err);
int	audit_group_end(struct store *s, int tx, int rc,
	    struct lf_error *err);

/*
 * Recomputes the whole chain in id order, reading it in pages of
 * entries (never the whole log in memory; an entry appended meanwhile is
 * checked when its page comes, appends come in id order). Sets
 * *count to the number of entries and *first_bad to 0 when every entry's
 * prev is its predecessor's hash and its hash matches its contents, else
 * to the id of the first entry that does not: an edited entry is caught
 * at itself, a deleted or reordered one at the entry that follows the
 * gap, an inserted one at itself (a row with id 0, which audit_append()
 * never makes, is reported as -1). Returns 0 in both cases, -1 only when
 * the log cannot be read. Neither pointer may be NULL.
 */
int	audit_verify(struct store *s, int64_t *first_bad, int64_t *count,
	    struct lf_error *err);

/*
 * The newest entry's id and hash (0 and 32 zero bytes for an empty log).
 * Record them outside the database now and then: a later audit_verify()
 * cannot tell that entries after them were cut off, a comparison can.
 */
int	audit_head(struct store *s, int64_t *id,
	    unsigned char hash[AUDIT_HASH_LEN], struct lf_error *err);

/*
 * Which entries audit_query() returns: all conditions that are set (not
 * NULL) must hold. Times are compared as text against `at`, and may be
 * "YYYY-MM-DD" (midnight UTC) or "YYYY-MM-DDTHH:MM:SSZ"; from is
 * inclusive, to exclusive. action_prefix "person." matches "person.read"
 * and "person.reveal". after_id (>= 0) skips entries up to that id, for
 * paging: pass the last id seen. limit is 1..AUDIT_LIMIT_MAX, 0 meaning
 * AUDIT_LIMIT_DEFAULT. Strings are at most AUDIT_FIELD_MAX bytes.
 */
struct audit_query {
	const char	*target_type;
	const char	*target;
	const char	*actor;
	const char	*from;
	const char	*to;
	const char	*action_prefix;
	int64_t		 after_id;
	int		 limit;
};

typedef int (*audit_row_fn)(void *arg, const struct audit_row *row);

/*
 * Calls fn for each matching entry in id order, at most q->limit times.
 * fn returns 0 to go on; any other value stops the query, which returns
 * it (use positive values to tell them from -1). Returns 0 when the
 * entries ran out or the limit was reached, -1 with err filled on a bad
 * query ("invalid") or a database error.
 */
int	audit_query(struct store *s, const struct audit_query *q,
	    audit_row_fn fn, void *arg, struct lf_error *err);

/*
 * Makes untrusted text (a login typed at the login form, a value from a
 * URL) loggable, for callers that must not lose an entry to a field
 * audit_append() would refuse: copies in (NULL = "") to out, replacing
 * invalid UTF-8 and control characters with '?' and every digit of a run
 * longer than 14 digits with '*' (so no ID number reaches the log), and
 * cuts at a character boundary to fit outlen - 1 bytes and a NUL (pass
 * AUDIT_FIELD_MAX + 1 or AUDIT_DETAIL_MAX + 1 at most to respect the
 * caps; with outlen 0 nothing is written). Returns 1 when anything was
 * replaced or cut, else 0. It does not make a "person" target valid: log
 * "" there when the id is not a uid.
 */
int	audit_clean(const char *in, char *out, size_t outlen);

#endif
