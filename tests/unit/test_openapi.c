/*
 * test_openapi.c - data/openapi.json (served as GET /api/v1/openapi.json)
 * describes exactly the routes of src/server/router.c: every route has its
 * path and method in the description, and the description lists no route
 * the server lacks. Path parameters ({id}, {year}...) match the route
 * table's "{}". Each operation has a 2xx answer with a JSON schema, and
 * every $ref names a schema of components.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "lib/embedded.h"
#include "server/http_int.h"

static json_t *doc;

/* "/api/v1/persons/{id}/plans/{year}" -> "/api/v1/persons/{}/plans/{}" */
static void
pattern_of(const char *path, char *out, size_t len)
{
	size_t o = 0;

	while (*path != '\0' && o + 3 < len) {
		if (*path == '{') {
			memcpy(out + o, "{}", 2);
			o += 2;
			path += strcspn(path, "}");
			if (*path == '}')
				path++;
			continue;
		}
		out[o++] = *path++;
	}
	out[o] = '\0';
}

static void
lower(const char *s, char *out, size_t len)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < len; i++)
		out[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
	out[i] = '\0';
}

/* The description's operation for a route, or NULL. */
static json_t *
operation(const struct route *rt)
{
	json_t *paths = json_object_get(doc, "paths"), *item;
	const char *path;
	char pat[256], m[16];

	lower(rt->method, m, sizeof(m));
	json_object_foreach(paths, path, item) {
		pattern_of(path, pat, sizeof(pat));
		if (strcmp(pat, rt->pattern) == 0)
			return json_object_get(item, m);
	}
	return NULL;
}

static void
test_every_route_described(void **state)
{
	const struct route *rt;
	size_t n, i;

	(void)state;
	rt = router_routes(&n);
	assert_true(n > 20);
	for (i = 0; i < n; i++)
		if (operation(&rt[i]) == NULL)
			fail_msg("openapi.json lacks %s %s", rt[i].method,
			    rt[i].pattern);
}

static void
test_no_route_invented(void **state)
{
	json_t *paths = json_object_get(doc, "paths"), *item, *opv;
	const struct route *rt;
	const char *path, *m;
	char pat[256], up[16];
	size_t n, i, k, ops = 0;
	int found;

	(void)state;
	rt = router_routes(&n);
	json_object_foreach(paths, path, item) {
		pattern_of(path, pat, sizeof(pat));
		json_object_foreach(item, m, opv) {
			for (k = 0; m[k] != '\0' && k + 1 < sizeof(up); k++)
				up[k] = (char)(m[k] >= 'a' && m[k] <= 'z' ?
				    m[k] - 32 : m[k]);
			up[k] = '\0';
			found = 0;
			for (i = 0; i < n; i++)
				found |= strcmp(rt[i].pattern, pat) == 0 &&
				    strcmp(rt[i].method, up) == 0;
			if (!found)
				fail_msg("openapi.json lists %s %s, which "
				    "the server lacks", up, path);
			ops++;
		}
	}
	assert_int_equal(ops, n);
}

/* Every $ref below v names a schema of components. */
static void
check_refs(json_t *v, json_t *schemas)
{
	const char *k, *ref;
	json_t *c;
	size_t i;

	if (json_is_object(v)) {
		ref = json_string_value(json_object_get(v, "$ref"));
		if (ref != NULL) {
			if (strncmp(ref, "#/components/schemas/", 21) != 0 ||
			    json_object_get(schemas, ref + 21) == NULL)
				fail_msg("dangling $ref %s", ref);
		}
		json_object_foreach(v, k, c)
			check_refs(c, schemas);
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, c)
			check_refs(c, schemas);
	}
}

static void
test_shape(void **state)
{
	json_t *schemas, *paths = json_object_get(doc, "paths"), *item, *o;
	const char *path, *m, *code;
	json_t *r;
	int ok;

	(void)state;
	assert_string_equal(json_string_value(json_object_get(doc,
	    "openapi")), "3.1.0");
	schemas = json_object_get(json_object_get(doc, "components"),
	    "schemas");
	assert_non_null(schemas);
	check_refs(doc, schemas);
	json_object_foreach(paths, path, item) {
		json_object_foreach(item, m, o) {
			ok = 0;
			json_object_foreach(json_object_get(o, "responses"),
			    code, r)
				ok |= code[0] == '2' && json_object_get(
				    json_object_get(json_object_get(r,
				    "content"), "application/json"),
				    "schema") != NULL;
			if (!ok)
				fail_msg("%s %s: no 2xx JSON answer", m, path);
		}
	}
}

static int
setup(void **state)
{
	struct embedded_file f;
	json_error_t je;

	(void)state;
	assert_int_equal(embedded_get("data/openapi.json", &f), 0);
	doc = json_loadb(f.data, f.len, JSON_REJECT_DUPLICATES, &je);
	if (doc == NULL)
		fail_msg("data/openapi.json:%d: %s", je.line, je.text);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	json_decref(doc);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_route_described),
		cmocka_unit_test(test_no_route_invented),
		cmocka_unit_test(test_shape),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
