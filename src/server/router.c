/*
 * router.c - the route table: every API path, its handler and what it
 * requires, in one place.
 */
#include "server/http_int.h"

#include <string.h>

static const struct route routes[] = {
	{ "POST", "/api/v1/session", h_session_login, AUTH_NONE },
	{ "GET", "/api/v1/session", h_session_get, AUTH_SESSION },
	{ "DELETE", "/api/v1/session", h_session_logout, AUTH_SESSION_CSRF },
	{ "GET", "/api/v1/catalog", h_catalog, AUTH_NONE },
	{ "GET", "/api/v1/regions/{}/children", h_region_children,
	    AUTH_SESSION },
	{ "GET", "/api/v1/persons", h_persons_list, AUTH_SESSION },
	{ "POST", "/api/v1/persons", h_person_create, AUTH_SESSION_CSRF },
	{ "POST", "/api/v1/persons/search", h_persons_search,
	    AUTH_SESSION_CSRF },
	{ "GET", "/api/v1/persons/{}", h_person_get, AUTH_SESSION },
	{ "POST", "/api/v1/persons/{}/reveal", h_person_reveal,
	    AUTH_SESSION_CSRF },
	{ "PUT", "/api/v1/persons/{}/surveys/{}", h_survey_put,
	    AUTH_SESSION_CSRF },
	{ "GET", "/api/v1/persons/{}/plans/{}", h_plan_get, AUTH_SESSION },
	{ "POST", "/api/v1/persons/{}/plans/{}/build", h_plan_build,
	    AUTH_SESSION_CSRF },
	{ "POST", "/api/v1/persons/{}/plans/{}/items", h_plan_item_add,
	    AUTH_SESSION_CSRF },
	{ "POST", "/api/v1/persons/{}/plans/{}/confirm", h_plan_confirm,
	    AUTH_SESSION_CSRF },
	{ "POST", "/api/v1/persons/{}/plans/{}/reopen", h_plan_reopen,
	    AUTH_SESSION_CSRF },
	{ "GET", "/api/v1/items/{}", h_item_get, AUTH_SESSION },
	{ "PATCH", "/api/v1/items/{}", h_item_patch, AUTH_SESSION_CSRF },
	{ "POST", "/api/v1/items/{}/accept", h_item_accept, AUTH_SESSION_CSRF },
	{ "POST", "/api/v1/items/{}/return", h_item_return, AUTH_SESSION_CSRF },
	{ "POST", "/api/v1/items/{}/deliveries", h_item_deliver,
	    AUTH_SESSION_CSRF },
	{ "GET", "/api/v1/inbox", h_inbox, AUTH_SESSION },
	{ "GET", "/api/v1/policies", h_policies, AUTH_SESSION },
	{ "POST", "/api/v1/rules/check", h_rules_check, AUTH_SESSION_CSRF },
	{ "POST", "/api/v1/rules/simulate", h_rules_simulate,
	    AUTH_SESSION_CSRF },
	{ "POST", "/api/v1/plans/build", h_plans_build, AUTH_SESSION_CSRF },
	{ "GET", "/api/v1/plans", h_plans_list, AUTH_SESSION },
	/* issue 14: drafts and overdue items by village */
	{ "GET", "/api/v1/plans/villages", h_plans_villages, AUTH_SESSION },
	{ "GET", "/api/v1/stats", h_stats, AUTH_SESSION },
	{ "GET", "/api/v1/audit", h_audit, AUTH_SESSION },
	/* issue 14: the audit screen's person search */
	{ "POST", "/api/v1/audit/persons", h_audit_persons,
	    AUTH_SESSION_CSRF },
	{ "GET", "/api/v1/users", h_users_list, AUTH_SESSION },
	{ "POST", "/api/v1/users", h_users_add, AUTH_SESSION_CSRF },
	{ "POST", "/api/v1/users/{}/disable", h_users_disable,
	    AUTH_SESSION_CSRF },
	{ "PUT", "/api/v1/users/{}/password", h_users_password,
	    AUTH_SESSION_CSRF },
	/* feedback and self-service (h_feedback.c, h_self.c) */
	{ "GET", "/api/v1/persons/{}/plans/{}/feedback", h_feedback_get,
	    AUTH_SESSION },
	{ "POST", "/api/v1/persons/{}/plans/{}/feedback", h_feedback_add,
	    AUTH_SESSION_CSRF },
	{ "POST", "/api/v1/persons/{}/self-codes", h_selfcode_issue,
	    AUTH_SESSION_CSRF },
	{ "GET", "/api/v1/persons/{}/self-codes", h_selfcode_list,
	    AUTH_SESSION },
	{ "POST", "/api/v1/self-codes/{}/revoke", h_selfcode_revoke,
	    AUTH_SESSION_CSRF },
	{ "POST", "/api/v1/self/session", h_self_login, AUTH_NONE },
	{ "GET", "/api/v1/self/session", h_self_session, AUTH_SELF },
	{ "DELETE", "/api/v1/self/session", h_self_logout, AUTH_SELF_CSRF },
	{ "GET", "/api/v1/self", h_self_page, AUTH_SELF },
	{ "POST", "/api/v1/self/feedback", h_self_feedback, AUTH_SELF_CSRF },
	/* 精准监督 (h_supervise.c, issue 13) */
	{ "POST", "/api/v1/samples", h_samples_create, AUTH_SESSION_CSRF },
	{ "GET", "/api/v1/samples", h_samples_list, AUTH_SESSION },
	{ "GET", "/api/v1/samples/{}", h_sample_get, AUTH_SESSION },
	{ "GET", "/api/v1/checks", h_checks_mine, AUTH_SESSION },
	{ "GET", "/api/v1/checks/{}", h_check_get, AUTH_SESSION },
	{ "POST", "/api/v1/checks/{}", h_check_record, AUTH_SESSION_CSRF },
	{ "POST", "/api/v1/checks/{}/assign", h_check_assign,
	    AUTH_SESSION_CSRF },
	{ "GET", "/api/v1/precision", h_precision, AUTH_SESSION },
	/* issue 13: data-quality findings */
	{ "GET", "/api/v1/findings", h_findings_list, AUTH_SESSION },
	{ "GET", "/api/v1/findings/rules", h_findings_rules, AUTH_SESSION },
	{ "GET", "/api/v1/findings/{}", h_finding_get, AUTH_SESSION },
	{ "POST", "/api/v1/findings/{}/resolve", h_finding_resolve,
	    AUTH_SESSION_CSRF },
	{ "POST", "/api/v1/findings/{}/dismiss", h_finding_dismiss,
	    AUTH_SESSION_CSRF },
	/* issue 16: reconciliation tasks (h_recon.c) */
	{ "GET", "/api/v1/recon/tasks", h_recon_tasks, AUTH_SESSION },
	{ "POST", "/api/v1/recon/tasks/{}/close", h_recon_close,
	    AUTH_SESSION_CSRF },
	{ "POST", "/api/v1/budget", h_budget, AUTH_SESSION_CSRF },
	{ "GET", "/api/v1/supply/items", h_supply_items, AUTH_SESSION },
	{ "GET", "/api/v1/supply/gaps", h_supply_gaps, AUTH_SESSION },
	{ "GET", "/api/v1/supply/list", h_supply_list, AUTH_SESSION },
	{ "PUT", "/api/v1/supply/stock", h_supply_stock_put,
	    AUTH_SESSION_CSRF },
	{ "POST", "/api/v1/supply/stock/import", h_supply_stock_import,
	    AUTH_SESSION_CSRF },
	{ "POST", "/api/v1/supply/issue", h_supply_issue, AUTH_SESSION_CSRF },
	/* issue 14: the API's own description (data/openapi.json) */
	{ "GET", "/api/v1/openapi.json", h_openapi, AUTH_NONE },
};

/*
 * The routes that run on PostgreSQL (docs/postgresql.md, "serve"): those
 * whose store functions all run there. On a PostgreSQL registry every
 * other route answers 501 "unsupported" before it authenticates or
 * touches the store (server.c, run_route()). Add a route here when each
 * store function it calls runs on PostgreSQL and a test runs it there.
 */
static const http_handler on_pg[] = {
	h_session_login, h_session_get, h_session_logout,
	h_catalog, h_openapi, h_region_children, h_policies,
	h_persons_list, h_persons_search, h_person_get,
	/* feedback and self-service (branch pgfeed) */
	h_feedback_get, h_feedback_add, h_selfcode_issue, h_selfcode_list,
	h_selfcode_revoke, h_self_login, h_self_session, h_self_logout,
	h_self_page, h_self_feedback,
	/* reconciliation tasks and the stock (tests/pg/recon_serve.sh) */
	h_recon_tasks, h_recon_close, h_supply_items, h_supply_stock_put,
	h_supply_stock_import,
	/* statistics, accounts, audit and rules (tests/pg/statsd.sh) */
	h_stats, h_users_list, h_users_add, h_users_disable,
	h_users_password, h_audit, h_audit_persons, h_rules_check,
	h_rules_simulate,
	/* spot checks and findings (branch pgsuper) */
	h_samples_create, h_samples_list, h_sample_get, h_checks_mine,
	h_check_get, h_check_record, h_check_assign, h_precision,
	h_findings_list, h_findings_rules, h_finding_get, h_finding_resolve,
	h_finding_dismiss,
	/* single person and survey writes, reveal (tests/pg/single.sh) */
	h_person_create, h_survey_put, h_person_reveal,
	/* plans, items and deliveries (branch pgplanw) */
	h_plan_get, h_plan_build, h_plan_item_add, h_plan_confirm,
	h_plan_reopen, h_item_get, h_item_patch, h_item_accept,
	h_item_return, h_item_deliver, h_inbox, h_plans_list,
	h_plans_villages,
};

int
router_on_pg(const struct route *rt)
{
	size_t i;

	for (i = 0; rt != NULL && i < sizeof(on_pg) / sizeof(on_pg[0]); i++)
		if (rt->fn == on_pg[i])
			return 1;
	return 0;
}

int
router_reads(const struct route *rt, const char *method)
{
	if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
		return 1;
	return rt != NULL && (rt->fn == h_persons_search ||
	    rt->fn == h_audit_persons);
}

const struct route *
router_routes(size_t *n)
{
	*n = sizeof(routes) / sizeof(routes[0]);
	return routes;
}

/* Matches path against pattern; "{}" takes one segment of [A-Za-z0-9_-]
 * (at most 79 bytes) into r->params. */
static int
match(struct req *r, const char *pattern, const char *path)
{
	size_t n = 0, len;

	while (*pattern && *path) {
		if (strncmp(pattern, "{}", 2) == 0) {
			len = strcspn(path, "/");
			if (len == 0 || len >= sizeof(r->params[0]) ||
			    n == HTTP_MAX_PARAMS ||
			    strspn(path, "abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") < len ||
			    strncmp(path, "..", 2) == 0)
				return 0;
			memcpy(r->params[n], path, len);
			r->params[n++][len] = '\0';
			path += len;
			pattern += 2;
			continue;
		}
		if (*pattern++ != *path++)
			return 0;
	}
	if (*pattern != '\0' || *path != '\0')
		return 0;
	r->nparams = n;
	return 1;
}

const struct route *
router_match(struct req *r, const char *path, int *method_allowed)
{
	size_t i;

	*method_allowed = 0;
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (!match(r, routes[i].pattern, path))
			continue;
		if (strcmp(routes[i].method, r->method) == 0)
			return &routes[i];
		*method_allowed = 1;
	}
	return NULL;
}
