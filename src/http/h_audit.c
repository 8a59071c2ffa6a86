/*
 * h_audit.c - GET /api/v1/audit: who read, changed or was refused what.
 *
 * Supervisors and auditors only. ?person=ID (a person in the caller's
 * region), ?user=LOGIN, ?from=&to= (ISO times), ?after=ID&limit=N for
 * paging. Without a person filter the caller must hold the province.
 * Reading the audit log is itself audited.
 */
#include "http/access.h"
#include "http/session.h"

#include <stdlib.h>
#include <string.h>

#include "store/audit.h"

static int
add_row(void *arg, const struct audit_row *a)
{
	json_t *list = arg;

	return json_array_append_new(list, json_pack("{s:I,s:s,s:s,s:s,s:s,"
	    "s:s,s:s,s:s,s:s,s:s,s:s}", "id", (json_int_t)a->id, "at", a->at,
	    "actor", a->actor, "role", a->role, "action", a->action,
	    "target_type", a->target_type, "target", a->target, "result",
	    a->result, "client", a->client, "request_id", a->request_id,
	    "detail", a->detail));
}

static const char *
arg(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND,
	    name);
}

/* The person filter must name a person the caller may see. */
static int
person_in_scope(struct req *r, const char *uid, struct lf_error *err)
{
	struct store_person p;
	int rc;

	if (strlen(uid) != STORE_UID_LEN ||
	    strspn(uid, "0123456789abcdef") != STORE_UID_LEN)
		return 1;
	if ((rc = store_person_by_uid(r->s, uid, &p, err)) != 0)
		return rc;
	return access_allowed(&r->who, ACT_AUDIT_READ, strtoll(p.region, NULL,
	    10)) ? 0 : 1;
}

enum MHD_Result
h_audit(struct req *r)
{
	struct audit_query q;
	struct lf_error err;
	const char *person = arg(r, "person"), *after = arg(r, "after");
	const char *limit = arg(r, "limit");
	json_t *list;
	int rc;

	memset(&q, 0, sizeof(q));
	lf_error_clear(&err);
	if (!access_allowed(&r->who, ACT_AUDIT_READ, 0)) {
		http_audit(r, "audit.read", "audit", "", "denied", "role");
		return reply_error(r, 403, "forbidden", "", "无权查看审计日志 "
		    "(your role cannot read the audit log)");
	}
	if (person != NULL) {
		if ((rc = person_in_scope(r, person, &err)) != 0) {
			if (rc < 0)
				return reply_lf_error(r, &err);
			http_audit(r, "audit.read", "audit", "", "denied",
			    "person outside scope or unknown");
			return reply_not_found(r);
		}
		q.target_type = "person";
		q.target = person;
	} else if (r->who.scope->level != RL_PROVINCE) {
		return reply_error(r, 400, "bad_request", "person", "请指定 "
		    "person (name a person: only province-wide users query "
		    "the whole log)");
	}
	q.actor = arg(r, "user");
	q.from = arg(r, "from");
	q.to = arg(r, "to");
	q.after_id = after ? strtoll(after, NULL, 10) : 0;
	q.limit = limit ? (int)strtol(limit, NULL, 10) : AUDIT_LIMIT_DEFAULT;
	list = json_array();
	if (audit_query(r->s, &q, add_row, list, &err) != 0) {
		json_decref(list);
		return err.code && strcmp(err.code, "store") != 0 ?
		    reply_error(r, 400, err.code, err.field, "%s", err.message) :
		    reply_lf_error(r, &err);
	}
	http_audit(r, "audit.read", person ? "person" : "audit",
	    person ? person : "", "ok", "");
	return reply_json(r, 200, json_pack("{s:o}", "entries", list));
}
