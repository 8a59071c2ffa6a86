/*
 * reply.c - JSON responses and request bodies.
 */
#include "server/http_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "lib/mem.h"
#include "lib/utf8.h"
#include "lib/log.h"

enum MHD_Result
reply_queue(struct req *r, unsigned status, struct MHD_Response *resp)
{
	if (r->resp != NULL) {
		MHD_destroy_response(resp);
		return MHD_NO;
	}
	r->resp = resp;
	r->status = status;
	return MHD_YES;
}

/* The headers every API answer carries. */
static void
api_headers(struct req *r, struct MHD_Response *resp)
{
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Request-Id", r->id);
}

/* Queues resp as a JSON answer; NULL (no memory) gives MHD_NO. */
static enum MHD_Result
queue_json(struct req *r, unsigned status, struct MHD_Response *resp)
{
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type",
	    "application/json; charset=utf-8");
	api_headers(r, resp);
	return reply_queue(r, status, resp);
}

enum MHD_Result
reply_json(struct req *r, unsigned status, json_t *body)
{
	return reply_json_cookie(r, status, body, NULL);
}

enum MHD_Result
reply_json_cookie(struct req *r, unsigned status, json_t *body,
    const char *cookie)
{
	struct MHD_Response *resp;
	char *text = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;

	json_decref(body);
	if (text == NULL)
		return MHD_NO;
	resp = MHD_create_response_from_buffer(strlen(text), text,
	    MHD_RESPMEM_MUST_FREE);
	if (resp == NULL)
		free(text);
	else if (cookie != NULL)
		MHD_add_response_header(resp, "Set-Cookie", cookie);
	return queue_json(r, status, resp);
}

enum MHD_Result
reply_buf(struct req *r, unsigned status, struct buf *b)
{
	struct MHD_Response *resp;
	size_t len = b->len;
	char *text = buf_detach(b);

	if (text == NULL)
		return MHD_NO;
	resp = MHD_create_response_from_buffer_with_free_callback(len, text,
	    mem_free);
	if (resp == NULL)
		mem_free(text);
	return queue_json(r, status, resp);
}

enum MHD_Result
reply_bytes(struct req *r, unsigned status, const char *ctype,
    const char *filename, void *data, size_t len)
{
	struct MHD_Response *resp;
	char disp[160];

	resp = MHD_create_response_from_buffer(len, data,
	    MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(data);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", ctype);
	if (filename != NULL) {
		snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"",
		    filename);
		MHD_add_response_header(resp, "Content-Disposition", disp);
	}
	api_headers(r, resp);
	return reply_queue(r, status, resp);
}

enum MHD_Result
reply_error(struct req *r, unsigned status, const char *code,
    const char *field, const char *fmt, ...)
{
	char msg[512], fld[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(fld, sizeof(fld), "%s", field ? field : "");
	/* JSON strings must be UTF-8: a message cut inside a character, or
	 * a field named by the client's invalid bytes, is cut before them
	 * (else json_pack() fails and the connection drops unanswered) */
	msg[utf8_error_offset(msg, strlen(msg))] = '\0';
	fld[utf8_error_offset(fld, strlen(fld))] = '\0';
	return reply_json(r, status, json_pack("{s:{s:s,s:s,s:s}}", "error",
	    "code", code, "message", msg, "field", fld));
}

/* The HTTP status for a core/store error code. */
static unsigned
status_of(const char *code)
{
	static const struct {
		const char	*code;
		unsigned	 status;
	} map[] = {
		{ "conflict", 409 }, { "no_memory", 503 }, { "store", 500 },
		{ "corrupt", 500 }, { "crypto", 500 }, { "io", 503 },
		{ "keys", 500 }, { "loading", 503 }, { "busy", 503 },
		{ "unavailable", 503 }, { "unsupported", 501 },
	};
	size_t i;

	for (i = 0; code && i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].code, code) == 0)
			return map[i].status;
	return 422;	/* validation: the request was well formed */
}

enum MHD_Result
reply_lf_error(struct req *r, const struct lf_error *err)
{
	unsigned st = status_of(err->code);

	if (st == 503 && strcmp(err->code, "no_memory") != 0)
		return reply_error(r, st, err->code, err->field, "%s",
		    err->message);	/* try again: the message says why */
	if (st >= 500) {
		/* the client gets the request id; the log gets why (masked) */
		log_warnx("request %s: %s: %s", r->id, err->code,
		    err->message);
		return reply_error(r, st, err->code, "", "服务器内部错误 "
		    "(internal error; request id %s)", r->id);
	}
	return reply_error(r, st, err->code ? err->code : "invalid",
	    err->field, "%s", err->message);
}

enum MHD_Result
reply_nomem(struct req *r)
{
	return reply_error(r, 503, "no_memory", "", "%s", LF_ERROR_NOMEM_TEXT);
}

enum MHD_Result
reply_audit_unavailable(struct req *r)
{
	return reply_error(r, 503, "audit", "", "审计日志不可用 (audit log "
	    "unavailable)");
}

int
reply_tmp_open(char path[32])
{
	int fd;

	snprintf(path, 32, "/tmp/liangfu-reply-XXXXXX");
	if ((fd = mkstemp(path)) < 0)
		return -1;
	close(fd);
	return 0;
}

enum MHD_Result
reply_tmp_file(struct req *r, const char *path, int rc, const char *ctype,
    const char *name)
{
	FILE *fp = NULL;
	char *data = NULL;
	long len = -1;

	if (rc == 0 && (fp = fopen(path, "rb")) != NULL &&
	    fseek(fp, 0, SEEK_END) == 0 && (len = ftell(fp)) >= 0 &&
	    fseek(fp, 0, SEEK_SET) == 0 && (data = malloc((size_t)len + 1)) !=
	    NULL && fread(data, 1, (size_t)len, fp) != (size_t)len)
		len = -1;
	if (fp != NULL)
		fclose(fp);
	unlink(path);
	if (rc != 0 || data == NULL || len < 0) {
		free(data);
		return reply_error(r, 500, "io", "", "服务器内部错误 (internal "
		    "error; request id %s)", r->id);
	}
	return reply_bytes(r, 200, ctype, name, data, (size_t)len);
}

enum MHD_Result
reply_not_found(struct req *r)
{
	return reply_error(r, 404, "not_found", "", "未找到 (not found)");
}

static int
allowed_key(const char *key, const char *const *allowed)
{
	for (; *allowed; allowed++)
		if (strcmp(key, *allowed) == 0)
			return 1;
	return 0;
}

int
body_key_safe(const char *key)
{
	char copy[64];
	size_t n = strlen(key);

	if (n == 0 || n >= sizeof(copy) ||
	    strspn(key, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_") != n || (key[0] >= '0' && key[0] <= '9'))
		return 0;
	memcpy(copy, key, n + 1);
	log_mask(copy, n);
	return strcmp(copy, key) == 0;
}

/* What went wrong in a JSON text, in words that hold none of it. */
static const char *
parse_problem(const json_error_t *je)
{
	static const struct {
		enum json_error_code	 code;
		const char		*what;
	} map[] = {
		{ json_error_premature_end_of_input, "意外结束 (unexpected end "
		    "of input)" },
		{ json_error_end_of_input_expected, "多余内容 (text after the "
		    "value)" },
		{ json_error_duplicate_key, "重复的字段 (duplicate field)" },
		{ json_error_invalid_utf8, "无效 UTF-8 (invalid UTF-8)" },
		{ json_error_null_character, "含 NUL 字符 (NUL character)" },
		{ json_error_null_byte_in_key, "字段名含 NUL (NUL in a field "
		    "name)" },
		{ json_error_numeric_overflow, "数值溢出 (number too large)" },
		{ json_error_stack_overflow, "嵌套过深 (nested too deep)" },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].code == json_error_code(je))
			return map[i].what;
	return "语法错误 (syntax error)";
}

int
body_parse(const char *text, size_t len, const char *const *allowed,
    json_t **out, struct lf_error *err)
{
	json_error_t je;
	const char *key;
	json_t *obj, *v;
	int nth = 0;

	*out = NULL;
	if (len == 0)
		return lf_error_set(err, "bad_json", "", "缺少 JSON 请求体 (a "
		    "JSON body is required)");
	if (!utf8_valid(text, len))
		return lf_error_set(err, "bad_utf8", "", "请求体不是有效的 UTF-8 "
		    "(body is not valid UTF-8)");
	obj = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (obj == NULL) {
		/* je.text quotes the input ("near '...'"): never echoed */
		lf_error_set(err, "bad_json", "", "JSON 格式错误, 第 %d 行第 %d "
		    "列: %s (malformed JSON at line %d, column %d)", je.line,
		    je.column, parse_problem(&je), je.line, je.column);
		err->line = je.line > 0 ? (unsigned long)je.line : 0;
		err->column = je.column > 0 ? (unsigned)je.column : 0;
		return -1;
	}
	if (!json_is_object(obj)) {
		json_decref(obj);
		return lf_error_set(err, "bad_json", "", "应为 JSON 对象 "
		    "(expected a JSON object)");
	}
	json_object_foreach(obj, key, v) {
		nth++;
		if (allowed == NULL || allowed_key(key, allowed))
			continue;
		/* a client's key may be anything, an ID number too: named
		 * only when it has the shape of a field name */
		if (body_key_safe(key))
			lf_error_set(err, "unknown_field", key, "未知字段 %s "
			    "(unknown field)", key);
		else
			lf_error_set(err, "unknown_field", "", "第 %d 个字段不是"
			    "有效的字段名 (field %d is not a field name)", nth,
			    nth);
		json_decref(obj);
		return -1;
	}
	*out = obj;
	return 0;
}

/* 1 when the request says its body is JSON: application/json, with
 * parameters or not (any letter case). */
static int
json_content_type(struct req *r)
{
	const char *ct = MHD_lookup_connection_value(r->conn,
	    MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	static const char want[] = "application/json";
	size_t n = sizeof(want) - 1;

	if (ct == NULL)
		return 0;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	if (strncasecmp(ct, want, n) != 0)
		return 0;
	ct += n;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return *ct == '\0' || *ct == ';';
}

json_t *
req_json(struct req *r, const char *const *allowed, enum MHD_Result *res)
{
	struct lf_error err;
	json_t *obj;

	lf_error_clear(&err);
	if (!json_content_type(r)) {
		/* a cross-site form can send only form and text types */
		*res = reply_error(r, 415, "unsupported_media_type", "",
		    "请求体须为 application/json (the body must be "
		    "Content-Type: application/json)");
		return NULL;
	}
	if (body_parse(buf_str(&r->body), r->body.len, allowed, &obj,
	    &err) != 0) {
		*res = reply_error(r, 400, err.code, err.field, "%s",
		    err.message);
		return NULL;
	}
	return obj;
}
