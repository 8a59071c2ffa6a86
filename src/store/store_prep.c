/*
 * store_prep.c - the database-free half of a put: validation and sealing.
 */
#include "store/store_int.h"

#include <stdio.h>
#include <string.h>

#include "lib/date.h"
#include "lib/mem.h"
#include "core/validate.h"

struct store_prep *
store_prep_new(const struct catalog *cat)
{
	struct store_prep *p = mem_calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	p->blob = mem_calloc(cat->nfields, sizeof(*p->blob));
	p->blen = mem_calloc(cat->nfields, sizeof(*p->blen));
	p->sealed = mem_calloc(cat->nfields, sizeof(*p->sealed));
	p->hash = mem_calloc(cat->nfields, sizeof(*p->hash));
	buf_init(&p->rec, 1 << 20);
	if (p->blob == NULL || p->blen == NULL || p->sealed == NULL ||
	    p->hash == NULL) {
		store_prep_free(p);
		return NULL;
	}
	return p;
}

void
store_prep_free(struct store_prep *p)
{
	if (p == NULL)
		return;
	mem_free(p->blob);
	mem_free(p->blen);
	mem_free(p->sealed);
	mem_free(p->hash);
	buf_free(&p->rec);
	mem_free(p);
}

static int
seal_person(const struct store *s, struct store_prep *p, const char *id,
    struct lf_error *err)
{
	char aad[128];
	int alen = fieldio_aad(aad, sizeof(aad), p->bind, 0, "id_number");

	if (alen < 0 || crypto_seal(s->keys, aad, (size_t)alen, id,
	    strlen(id), p->person_seal, sizeof(p->person_seal),
	    &p->person_seal_len) != 0)
		return lf_error_set(err, "crypto", "id_number", "加密失败 "
		    "(cannot seal the ID number)");
	return 0;
}

/* The person row's columns and a new person's uid: work the writer of a
 * bulk load need not do (it runs on the preparer threads). */
static int
person_cols(const struct store *s, const struct record *r,
    struct store_prep *p, struct lf_error *err)
{
	snprintf(p->pcols.name, sizeof(p->pcols.name), "%s", r->str[s->f_name]);
	p->pcols.gender = (int)r->num[s->f_gender];
	date_format((int)r->num[s->f_birth], p->pcols.birth);
	snprintf(p->pcols.region, sizeof(p->pcols.region), "%s",
	    r->str[s->f_region]);
	if (store_new_uid(p->uid) != 0)
		return lf_error_set(err, "crypto", "", "随机数失败 (no random "
		    "bytes for the person's id)");
	return 0;
}

int
store_prepare(const struct store *s, const struct record *r,
    const struct store_put *put, struct store_prep *p, struct lf_error *err)
{
	struct validate_ctx vc = { s->regions, put->today ? put->today :
	    store_today(), put->year };
	const char *id;
	size_t i;

	if (put->year < 1990 || put->year > 2999)
		return lf_error_set(err, "bad_year", "year", "年度无效 "
		    "(year %d is out of range)", put->year);
	if (put->status < 0 || put->status > PERSON_DECEASED)
		return lf_error_set(err, "bad_status", "status", "人员状态无效 "
		    "(status must be 1, 2 or 3)");
	if (record_validate(r, &vc, err) != 0)
		return -1;
	p->r = r;
	p->put = *put;
	p->reason = NULL;
	p->carry_id = 0;
	p->carry_survey_only = 0;
	snprintf(p->actor, sizeof(p->actor), "%s", put->actor);
	p->put.actor = p->actor;
	id = r->str[s->f_id];
	if (crypto_lookup_hash(s->keys, "id_number", id, strlen(id),
	    p->id_hash) != 0)
		return lf_error_set(err, "crypto", "id_number", "哈希失败 "
		    "(cannot hash the ID number)");
	fieldio_bind_of(p->id_hash, p->bind);
	if (seal_person(s, p, id, err) != 0 || person_cols(s, r, p, err) != 0)
		return -1;
	packrec_mask(id, p->id_masked, sizeof(p->id_masked));
	for (i = 0; i < s->cat->nfields; i++) {
		p->sealed[i].sealed = p->blob[i];
		p->sealed[i].slen = 0;
		if (s->cat->fields[i].secret && r->set[i]) {
			if (fieldio_seal(s, p, &s->cat->fields[i], err) != 0)
				return -1;
			p->sealed[i].slen = p->blen[i];
		}
	}
	buf_reset(&p->rec);
	if (s->pg != NULL)	/* PostgreSQL keeps typed columns (store/pg/) */
		return 0;
	return packrec_encode(s->packs, r, p->sealed, &p->rec, err);
}

void
store_prep_carry(struct store_prep *prep, int64_t person_id, const char *uid,
    int survey_only)
{
	prep->carry_id = person_id;
	snprintf(prep->uid, sizeof(prep->uid), "%s", uid);
	prep->carry_survey_only = survey_only;
}
