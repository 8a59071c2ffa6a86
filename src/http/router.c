/*
 * router.c - the route table: every API path, its handler and what it
 * requires, in one place.
 */
#include "http/http_int.h"

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
	{ "GET", "/api/v1/audit", h_audit, AUTH_SESSION },
	{ "GET", "/api/v1/users", h_users_list, AUTH_SESSION },
	{ "POST", "/api/v1/users", h_users_add, AUTH_SESSION_CSRF },
	{ "POST", "/api/v1/users/{}/disable", h_users_disable,
	    AUTH_SESSION_CSRF },
	{ "PUT", "/api/v1/users/{}/password", h_users_password,
	    AUTH_SESSION_CSRF },
};

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
