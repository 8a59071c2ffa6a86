/*
 * pg_read.c - a PostgreSQL survey row as store_read_survey.c reads it
 * (pg_int.h): the items that are not secret one column each (decoded by
 * pg_survey_read(), as the export's cursor and the statistics load do),
 * then each secret item's sealed value (<code>_enc), opened with the
 * person's binding and the year by fieldio_open(), masked by
 * packrec_mask() when asked: the same rules as SQLite's packed record.
 */
#include "store/pg/pg_int.h"
#include "store/store_int.h"
#include "store/dbq.h"

#include <string.h>

int
pg_read_survey_cols(const struct store *s, struct buf *b)
{
	const struct catalog *cat = s->cat;
	size_t i;

	if (pg_survey_cols(cat, "v", b) != 0)
		return -1;
	for (i = 0; i < cat->nfields; i++)
		if (cat->fields[i].secret && buf_addf(b, ", v.%s_enc",
		    cat->fields[i].code) != 0)
			return -1;
	return 0;
}

/* Secret field f's sealed value in column col of q's row into r. */
static int
secret_item(struct store *s, struct dbq *q, int col, const struct field *f,
    struct record *r, const char *bind, int year, int masked,
    struct lf_error *err)
{
	char shown[128];
	const void *v;
	size_t n;
	int bad;

	v = dbq_blob(q, col, &n, &bad);
	if (bad)
		return lf_error_nomem(err);
	if (v == NULL)
		return 0;	/* not answered */
	if (fieldio_open(s, v, n, r, f, bind, year, err) != 0)
		return -1;
	if (!masked)
		return 0;
	packrec_mask(r->str[f->index], shown, sizeof(shown));
	return record_set_str(r, f->index, shown) == 0 ? 0 :
	    lf_error_nomem(err);
}

int
pg_read_survey(struct store *s, struct dbq *q, int col, struct record *r,
    const char *bind, int year, int masked, struct lf_error *err)
{
	const struct catalog *cat = s->cat;
	size_t i;

	if (q->res == NULL || q->row < 0)
		return lf_error_set(err, "internal", "", "没有当前行 (survey: "
		    "no current row)");
	if (pg_survey_read(cat, q->res, q->row, col, r, "-", err) != 0)
		return -1;
	for (i = 0; i < cat->nfields; i++)
		col += !cat->fields[i].secret;
	for (i = 0; i < cat->nfields; i++) {
		if (!cat->fields[i].secret)
			continue;
		if (secret_item(s, q, col++, &cat->fields[i], r, bind, year,
		    masked, err) != 0)
			return -1;
	}
	return 0;
}
