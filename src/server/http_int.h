/*
 * http_int.h - private to http/: one request, the route table, replies.
 */
#ifndef LF_HTTP_HTTP_INT_H
#define LF_HTTP_HTTP_INT_H

#include <jansson.h>
#include <microhttpd.h>
#include <stdatomic.h>
#include <stdint.h>

#include "lib/buf.h"
#include "core/disaster.h"
#include "core/policy.h"
#include "plan/plan.h"
#include "server/http.h"
#include "store/store.h"

/* What the server shares with every handler (read-only once running). */
struct session_cache;

struct app {
	const struct http_config *cfg;
	const struct catalog	*cat;
	const struct regions	*regions;
	const struct policies	*policies;
	const struct disaster	*disaster;	/* may be NULL */
	struct session_cache	*sessions;	/* may be NULL: none kept */
};

/* Who is asking: filled from a valid session. */
struct principal {
	int64_t			 user_id;
	char			 login[64];
	char			 role[16];	/* village, township, ... */
	char			 region[13];
	char			 department[16];
	const struct region	*scope;		/* the user's region */
	char			 csrf[80];
	char			 token[80];	/* the session cookie */
};

#define HTTP_MAX_PARAMS	4

/* A self-service session (session_self.h): one person, via one code. */
struct self_who {
	int64_t			 session_id;
	int64_t			 code_id;
	int64_t			 person_id;
	char			 csrf[80];
	char			 token[80];	/* the lf_self cookie */
};

struct req {
	struct MHD_Connection	*conn;
	const struct app	*app;
	struct store		*s;		/* this thread's connection */
	const char		*method;
	const char		*url;
	struct buf		 body;
	int			 too_big;
	int			 too_many_args;	/* query cut (server.c) */
	char			 id[20];	/* request id */
	char			 client[64];
	char			 params[HTTP_MAX_PARAMS][80];
	size_t			 nparams;
	int			 authed;
	struct principal	 who;
	struct self_who		 self;		/* AUTH_SELF routes only */
	unsigned		 status;	/* for the access log */
	int64_t			 start_us;
	/* The answer waits here until every audit entry of the request is
	 * durable (server.c): holds counts the handler (1 while it runs)
	 * and each entry not yet committed; the writer thread drops its
	 * holds, and the last one resumes the parked connection. */
	struct MHD_Response	*resp;
	_Atomic int		 holds;
	_Atomic int		 audit_failed;	/* a gating entry failed */
	int			 parked;	/* connection suspended */
	enum MHD_Result		 result;	/* the handler's */
	const struct route	*route;		/* run on a worker (server.c) */
	int			 busy;		/* 503: the workers' queue full */
	int			 reads;		/* only reads: its audit entries
						   are AUDITQ_WRITTEN (auditq.h) */
};

typedef enum MHD_Result (*http_handler)(struct req *r);

/* What a route requires before its handler runs. */
enum route_auth {
	AUTH_NONE,		/* anyone (login, catalog) */
	AUTH_SESSION,		/* a valid session */
	AUTH_SESSION_CSRF,	/* a valid session and the CSRF header */
	AUTH_SELF,		/* a self-service session (session_self.h) */
	AUTH_SELF_CSRF		/* the same and its CSRF header */
};

struct route {
	const char	*method;
	const char	*pattern;	/* "/api/v1/persons/{}" */
	http_handler	 fn;
	enum route_auth	 auth;
};

/* The route for method and path, with path parameters in r->params;
 * NULL and *allowed set when the path exists for other methods only. */
const struct route *router_match(struct req *r, const char *path,
	    int *method_allowed);
/* 1 when a request of route rt (NULL: none matched) with this method
 * only reads: a GET, or a search whose value is sent in a POST body to
 * keep it out of URLs and logs. Its audit entries are then written
 * before the answer and synced within audit_sync_ms (auditq.h). */
int	router_reads(const struct route *rt, const char *method);
/* 1 when the route runs on a PostgreSQL registry (router.c's list); the
 * others answer 501 "unsupported" there. */
int	router_on_pg(const struct route *rt);
/* Opens a connection of the server's registry (SQLite file or
 * PostgreSQL: store_open_any()), for a request thread, the audit writer
 * or the statistics loader; the caller closes it. 0, or -1 with err. */
struct store;
int	http_store_open(const struct app *app, struct store **out,
	    struct lf_error *err);
/* Every route, in table order (for the OpenAPI check). */
const struct route *router_routes(size_t *n);

/* Replies. Each sets the request's answer and returns its MHD result;
 * the server sends it once every audit entry of the request is durable.
 * reply_queue() takes over resp (MHD_NO, resp destroyed, when the request
 * already has an answer); the others build one. */
enum MHD_Result	reply_queue(struct req *r, unsigned status,
		    struct MHD_Response *resp);
enum MHD_Result	reply_json(struct req *r, unsigned status, json_t *body);
/* The same with a Set-Cookie header (cookie NULL: none). */
enum MHD_Result	reply_json_cookie(struct req *r, unsigned status,
		    json_t *body, const char *cookie);
/* A JSON text already written into b; b is emptied (its bytes go to the
 * answer). */
enum MHD_Result	reply_buf(struct req *r, unsigned status, struct buf *b);
/* A file: data (malloc'd; freed by the reply) of type ctype, offered for
 * download as filename (ASCII; NULL = inline). */
enum MHD_Result	reply_bytes(struct req *r, unsigned status, const char *ctype,
		    const char *filename, void *data, size_t len);
enum MHD_Result	reply_error(struct req *r, unsigned status, const char *code,
		    const char *field, const char *fmt, ...)
		    __attribute__((format(printf, 5, 6)));
enum MHD_Result	reply_lf_error(struct req *r, const struct lf_error *err);
/* 404 for a person outside the caller's scope or missing: the same. */
enum MHD_Result	reply_not_found(struct req *r);
/* 503 "no_memory" with the one out-of-memory wording (lib/error.h). */
enum MHD_Result	reply_nomem(struct req *r);
/* 503 "audit": the audit entry of a read could not be written, so the
 * data it guards is not sent. */
enum MHD_Result	reply_audit_unavailable(struct req *r);
/* A file made for one answer (a report, a workbook): reply_tmp_open()
 * creates an empty temporary file and puts its name in path; 0, or -1.
 * reply_tmp_file() answers 200 with its bytes (ctype, download name) when
 * rc is 0 and it can be read, else 500; it removes the file either way. */
int		reply_tmp_open(char path[32]);
enum MHD_Result	reply_tmp_file(struct req *r, const char *path, int rc,
		    const char *ctype, const char *name);

/* Parses a request body: valid UTF-8, one JSON object, no duplicate
 * keys, only keys in `allowed` (NULL-terminated; NULL = any). 0 with *out
 * (caller json_decref()s it), or -1 with err (code bad_json, bad_utf8 or
 * unknown_field). No I/O: the fuzz target drives it directly. */
int		 body_parse(const char *text, size_t len,
		    const char *const *allowed, json_t **out,
		    struct lf_error *err);
/* 1 when a client's JSON key may be shown in an error: the shape of a
 * field name ([A-Za-z_][A-Za-z0-9_]*, at most 63 bytes) and nothing
 * log_mask() would hide. Others are named by position only. */
int		 body_key_safe(const char *key);
/* The request body as a JSON object, or NULL after replying 415 (the
 * Content-Type is not application/json) or 400. Fields
 * not in `allowed` (NULL-terminated) are refused. */
json_t		*req_json(struct req *r, const char *const *allowed,
		    enum MHD_Result *result);

/* The answer's hold for something on its way (server.c): http_hold()
 * before handing r to another thread, http_release() from there when it
 * is done; the answer leaves after the last release. */
void		 http_hold(struct req *r);
void		 http_release(struct req *r);

/* Handlers (one file per resource). */
enum MHD_Result	h_session_login(struct req *r);
enum MHD_Result	h_session_logout(struct req *r);
enum MHD_Result	h_session_get(struct req *r);
enum MHD_Result	h_catalog(struct req *r);
enum MHD_Result	h_openapi(struct req *r);
enum MHD_Result	h_region_children(struct req *r);
enum MHD_Result	h_persons_search(struct req *r);
enum MHD_Result	h_persons_list(struct req *r);
enum MHD_Result	h_person_create(struct req *r);
enum MHD_Result	h_person_get(struct req *r);
enum MHD_Result	h_person_reveal(struct req *r);
enum MHD_Result	h_survey_put(struct req *r);
enum MHD_Result	h_audit(struct req *r);
enum MHD_Result	h_users_list(struct req *r);
enum MHD_Result	h_users_add(struct req *r);
enum MHD_Result	h_users_disable(struct req *r);
enum MHD_Result	h_users_password(struct req *r);
enum MHD_Result	h_plan_get(struct req *r);
enum MHD_Result	h_plan_build(struct req *r);
enum MHD_Result	h_plan_item_add(struct req *r);
enum MHD_Result	h_plan_confirm(struct req *r);
enum MHD_Result	h_plan_reopen(struct req *r);
enum MHD_Result	h_item_get(struct req *r);
enum MHD_Result	h_item_patch(struct req *r);
enum MHD_Result	h_item_accept(struct req *r);
enum MHD_Result	h_item_return(struct req *r);
enum MHD_Result	h_item_deliver(struct req *r);
enum MHD_Result	h_inbox(struct req *r);
enum MHD_Result	h_policies(struct req *r);
enum MHD_Result	h_rules_check(struct req *r);
enum MHD_Result	h_rules_simulate(struct req *r);
enum MHD_Result	h_plans_build(struct req *r);
enum MHD_Result	h_plans_list(struct req *r);
enum MHD_Result	h_plans_villages(struct req *r);	/* h_plan_villages.c */
enum MHD_Result	h_stats(struct req *r);
/* self-service and feedback (h_self.c, h_feedback.c) */
enum MHD_Result	h_self_login(struct req *r);
enum MHD_Result	h_self_session(struct req *r);
enum MHD_Result	h_self_logout(struct req *r);
enum MHD_Result	h_self_page(struct req *r);
enum MHD_Result	h_self_feedback(struct req *r);
enum MHD_Result	h_selfcode_issue(struct req *r);
enum MHD_Result	h_selfcode_list(struct req *r);
enum MHD_Result	h_selfcode_revoke(struct req *r);
enum MHD_Result	h_feedback_get(struct req *r);
enum MHD_Result	h_feedback_add(struct req *r);
struct feedback;
/* A rating as JSON (h_feedback.c); its item by the item's opaque
 * reference (store/plan.h), null for the plan; with_actor adds the
 * worker's login or the code it came through. */
json_t	*http_feedback_json(struct req *r, const struct feedback *f,
	    int with_actor);
/* Every rating of the person's year, oldest first (history included);
 * NULL with err on a store error. */
json_t	*http_feedback_list(struct req *r, int64_t person_id, int year,
	    int with_actor, struct lf_error *err);
/* Parses a rating request {item, rating, note} into in (strings point
 * into body). 0, or -1 with err naming the field. */
struct feedback_new;
int	 http_feedback_parse(struct req *r, json_t *body,
	    struct feedback_new *in,
	    struct lf_error *err);
/* The answer to a rating recorded (out, as asked in in) on the person
 * with opaque id uid, by a worker or through a code: audited as
 * feedback.add "year=Y item=I rating=R", then 201 with the rating
 * (http_feedback_json(), with_actor as given). */
enum MHD_Result	http_feedback_added(struct req *r, const char *uid,
	    const struct feedback_new *in, const struct feedback *out,
	    int with_actor);
/* 精准监督 (h_supervise.c, issue 13) */
enum MHD_Result	h_samples_create(struct req *r);
enum MHD_Result	h_samples_list(struct req *r);
enum MHD_Result	h_sample_get(struct req *r);
enum MHD_Result	h_checks_mine(struct req *r);
enum MHD_Result	h_check_get(struct req *r);
enum MHD_Result	h_check_assign(struct req *r);
enum MHD_Result	h_check_record(struct req *r);
enum MHD_Result	h_precision(struct req *r);
/* issue 13: data-quality findings (h_findings.c) */
enum MHD_Result	h_findings_list(struct req *r);
enum MHD_Result	h_findings_rules(struct req *r);
enum MHD_Result	h_finding_get(struct req *r);
enum MHD_Result	h_finding_resolve(struct req *r);
enum MHD_Result	h_finding_dismiss(struct req *r);
/* issue 16 */
enum MHD_Result	h_recon_tasks(struct req *r);
enum MHD_Result	h_recon_close(struct req *r);
enum MHD_Result	h_budget(struct req *r);
enum MHD_Result	h_supply_items(struct req *r);
enum MHD_Result	h_supply_gaps(struct req *r);
enum MHD_Result	h_supply_list(struct req *r);
enum MHD_Result	h_supply_stock_put(struct req *r);
enum MHD_Result	h_supply_stock_import(struct req *r);
enum MHD_Result	h_supply_issue(struct req *r);

/* Today's year and month in China (UTC+8; store_today()); either may be
 * NULL. */
void	 http_china_date(int *year, int *month);
/* The month before which a committed, unfinished item of year is overdue
 * (13: the year is past, 1: it is to come). */
int	 http_overdue_before(int year);
/* Reads the query string: values[i] gets the value of names[i]
 * (NULL-terminated; values must have as many slots, set to NULL by the
 * caller). -1 when the query holds a name not in names. */
int	 http_query_args(struct req *r, const char *const *names,
	    const char **values);
/* A query-string number: def when s is NULL, lo - 1 when s is not a
 * whole number in lo..hi (the caller refuses that). */
long	 http_query_num(const char *s, long def, long lo, long hi);
/*
 * The prologue of a plan list (GET /plans, /plans/villages): refuses a
 * caller whose role may not read plans (403, audited as `action`),
 * then reads the query (names[] into a[], as http_query_args; names[0]
 * must be "year") and the year (this year in China when not given, 1989
 * when not 1990..2999). Returns 0 with *year and a[] set (*bad is 1
 * when the query holds an unknown name), or -1 with *res the refusal
 * for the handler to return.
 */
int	 http_plans_query(struct req *r, const char *action,
	    const char *const *names, const char **a, int *year, int *bad,
	    enum MHD_Result *res);
/* The region a query names within the caller's scope (the scope itself
 * when code is NULL); NULL when unknown, outside the scope or above it. */
const struct region *http_scope_region(const struct req *r,
	    const char *code);
/* The year of a path ("/persons/{id}/plans/2025"): 1990..2999, else 0. */
int	 http_path_year(const char *s);
/* A caller whose role may not do what it asked: audits action on
 * target_type as denied with why, and answers 403 "forbidden" with
 * message (a constant, Chinese then English). */
enum MHD_Result	http_audit_refuse(struct req *r, const char *action,
	    const char *target_type, const char *why, const char *message);
/* The person summary of lists and pages (ID number masked). */
json_t	*http_person_json(const struct req *r, const struct store_person *p);
/* 1 when uid has the form of an opaque person id. */
int	 http_valid_uid(const char *uid);
/* The person with opaque id uid if the caller may do action a (enum
 * action of access.h) on them: 0; else 1 after auditing audit_action
 * (missing and out of scope look the same), -1 on a store error. */
int	 http_load_person(struct req *r, const char *uid, int a,
	    const char *audit_action, struct store_person *p,
	    struct lf_error *err);

/* The person of the path's first parameter ({id}) for action a, as
 * http_load_person(): 0; else 1 with the answer queued in *res (404 for
 * a missing person or one outside the caller's scope, or the store's
 * error). http_path_person_year() also reads the year of the second
 * parameter into *year: 400 bad_year when it is not 1990..2999. */
int	 http_path_person(struct req *r, int a, const char *audit_action,
	    struct store_person *p, enum MHD_Result *res);
int	 http_path_person_year(struct req *r, int a, const char *audit_action,
	    struct store_person *p, int *year, enum MHD_Result *res);

/* Every year's plan of the person with its items and their deliveries
 * (the person page's chain need -> item -> delivery -> effect), as a JSON
 * array appended to b: [{"year","plan","items":[{...,"deliveries"}]}].
 * -1 with err on a store error, or when b is full. */
int	 http_person_plans(struct req *r, const struct store_person *p,
	    struct buf *b, struct lf_error *err);

/* JSON forms of records (catalog codes as names). */
json_t	*json_from_record(const struct record *r, int mask_secrets);
/* Fills rec from a JSON object of catalog codes; unknown names and wrong
 * types are errors naming the field. */
int	 json_to_record(json_t *obj, struct record *rec, struct lf_error *err);
/* "510***********1234" */
void	 json_mask(const char *s, char *out, size_t outlen);

/* ---- finding persons for a search screen (psearch.c) ---- */
typedef int (*http_found_fn)(void *arg, const struct store_person *p);
/* Finds the persons body names by exactly one of "id_number",
 * "certificate_no" (exact, keyed hash) or "name" (prefix, up to 50,
 * optional "region" inside the caller's), calling fn for each one the
 * caller may do action a (enum action) on; *by says which key was used.
 * 0, or -1 with err naming the body field (never its value). */
int	 http_person_find(struct req *r, json_t *body, int a,
	    http_found_fn fn, void *arg, const char **by,
	    struct lf_error *err);
/* Adds person p to list as a search screen shows it: 0, or not 0 to end
 * the search. */
typedef int (*http_person_add_fn)(struct req *r, json_t *list,
	    const struct store_person *p);
/* The answer of a search screen (after its access check): the persons
 * body names (http_person_find() for action a), each added to the list
 * by add, audited as audit_action with "by=KEY matches=N" through
 * http_audit_gate(); 200 {"persons": [...]}, the search's error, or 503
 * when the entry cannot be written. Takes body (released here). */
enum MHD_Result	http_person_search_audited(struct req *r,
	    const char *audit_action, json_t *body, int a,
	    http_person_add_fn add);
/* A name as lists for supervisors show it: "张*华", "李*", "欧**明". */
void	 http_mask_name(const char *name, char *out, size_t outlen);
enum MHD_Result	h_audit_persons(struct req *r);

/* ---- an audit entry's detail in words (api/audit_detail.c) ---- */
struct supply;
struct recon_kinds;
struct audit_detail {
	struct req		*r;
	struct supply		*supply;	/* loaded on first need */
	struct recon_kinds	*kinds;
	int			 supply_tried, kinds_tried;
};
void	 audit_detail_begin(struct audit_detail *d, struct req *r);
void	 audit_detail_end(struct audit_detail *d);
/* The detail as a person reads it, in Chinese and English: regions by
 * name, codes by their words, a code without words hidden (it stays in
 * the machine field). Never fails. */
void	 audit_detail_words(struct audit_detail *d, const char *detail,
	    char *zh, size_t nzh, char *en, size_t nen);
/* A role's words ("village" -> 村级工作人员), NULL when unknown. */
const char *audit_role_words(const char *role, int en);

#endif
