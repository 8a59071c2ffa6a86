/*
 * json_out.h - JSON written straight into a buffer, for the answers read
 * most often (the person page, the search).
 *
 * Building a jansson tree of a survey's ~140 values and dumping it costs
 * an allocation per value; these functions append the same text to a
 * struct buf instead. The output is byte for byte what json_dumps(...,
 * JSON_COMPACT) gives for the tree the jansson forms build (key order,
 * escapes, number format), so clients see no difference;
 * tests/unit/test_json_out.c compares the two.
 *
 * Every function appends to b and returns 0, or -1 when b's cap or memory
 * is exhausted or a string is not valid UTF-8 (jansson refuses those
 * too); b then holds a partial text the caller must discard.
 */
#ifndef LF_HTTP_JSON_OUT_H
#define LF_HTTP_JSON_OUT_H

#include <jansson.h>
#include <stdint.h>

#include "lib/buf.h"
#include "core/record.h"
#include "core/region.h"
#include "store/store.h"

/* A JSON string: quoted, with jansson's escapes. */
int	jout_str(struct buf *b, const char *s);
/* The same for the len bytes at s (no NUL among them). */
int	jout_strn(struct buf *b, const char *s, size_t len);
/* "key": with a leading comma unless *first (which it clears). key is a
 * name written in the code or a catalog code (ASCII, nothing jansson
 * would escape: the catalog refuses any other code): it is copied as it
 * is, in one append. */
int	jout_key(struct buf *b, int *first, const char *key);
int	jout_int(struct buf *b, int64_t v);
/* A jansson value, compact (for the parts still built as trees). */
int	jout_json(struct buf *b, const json_t *j);
/* json_from_record(r, mask_secrets) as text. */
int	jout_record(struct buf *b, const struct record *r, int mask_secrets);
/* The same with tmp (a buf with a cap of at least 4096) as scratch for
 * text values, so that a caller writing many records allocates it once;
 * tmp's contents are overwritten. */
int	jout_record_tmp(struct buf *b, const struct record *r,
	    int mask_secrets, struct buf *tmp);
/* http_person_json() as text: the person summary, ID number masked;
 * regions gives the village's name. */
int	jout_person(struct buf *b, const struct regions *regions,
	    const struct store_person *p);

#endif
