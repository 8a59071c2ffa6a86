/*
 * fuzz_expr.c - libFuzzer target for the rule language (core/expr.h):
 * the input, as text, is compiled against the catalog; a compiled rule is
 * evaluated over a few synthetic persons with a disaster table and
 * explained in both languages. Checks what the header promises: an error
 * names a position inside the text (or just past it), and an explanation
 * comes out as the evaluation does.
 *
 *   make fuzz       build with clang, run each target for FUZZ_SECONDS
 *   make test       replays fuzz/corpus/expr under ASan+UBSan (replay.c)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/disaster.h"
#include "lib/embedded.h"
#include "core/expr.h"
#include "lib/mem.h"
#include "synth/synth.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NPERSONS	4

static struct catalog *cat;
static struct regions *regs;
static struct disaster *dis;
static struct record *recs[NPERSONS];
static int64_t villages[NPERSONS];

static void
load(void)
{
	struct embedded_file f;
	struct lf_error err;
	struct synth *sy;
	size_t i;

	if (cat != NULL)
		return;
	if (embedded_get("data/catalog.tsv", &f) != 0 ||
	    catalog_parse(f.data, f.len, f.name, &cat, &err) != 0 ||
	    embedded_get("data/regions-sichuan.tsv", &f) != 0 ||
	    regions_parse(f.data, f.len, f.name, &regs, &err) != 0 ||
	    embedded_get("data/disaster_regions.tsv", &f) != 0 ||
	    disaster_parse(f.data, f.len, f.name, &dis, &err) != 0 ||
	    synth_new(cat, regs, NULL, 11, 20786, &sy, &err) != 0)
		__builtin_trap();
	for (i = 0; i < NPERSONS; i++) {
		const struct field *hf = catalog_find(cat, "hukou_region",
		    strlen("hukou_region"));

		if ((recs[i] = record_new(cat)) == NULL ||
		    synth_person(sy, i * 97, 2026, recs[i], &err) != 0)
			__builtin_trap();
		villages[i] = hf != NULL ? recs[i]->num[hf->index] : 0;
	}
	synth_free(sy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lf_error err;
	struct expr *e;
	struct buf b;
	char *src;
	size_t i;
	int v, x;

	if (size > 4096)
		return 0;
	load();
	if ((src = mem_alloc(size + 1)) == NULL)
		return 0;
	memcpy(src, data, size);
	src[size] = '\0';
	lf_error_clear(&err);
	if (expr_compile(src, cat, &e, &err) != 0) {
		if (err.code == NULL || err.column < 1 ||
		    (size_t)err.column > strlen(src) + 1)
			__builtin_trap();
		mem_free(src);
		return 0;
	}
	for (i = 0; i < NPERSONS; i++) {
		struct expr_ctx ctx = { 20786 - (int)i * 400, 2026,
		    villages[i], i & 1 ? dis : NULL };

		v = expr_eval_ctx(e, recs[i], &ctx);
		buf_init(&b, 1 << 20);
		x = expr_explain(e, recs[i], &ctx, i & 1 ? EXPR_ZH : EXPR_EN,
		    &b);
		if ((v != 0 && v != 1) || (x != -1 && x != v))
			__builtin_trap();
		buf_free(&b);
	}
	expr_free(e);
	mem_free(src);
	return 0;
}
