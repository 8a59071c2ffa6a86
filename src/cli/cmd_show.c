/*
 * cmd_show.c - liangfu show DB --id-number N: one person, every year's
 * survey (items with their labels) and the change history.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <string.h>

#include "lib/buf.h"
#include "core/idcard.h"
#include "lib/date.h"

static const char *const status_names[] = { "?", "在册", "迁出", "死亡" };

/* "510182101204 四川省成都市彭州市…村" */
static void
print_region(const struct regions *rs, const char *code, struct buf *b)
{
	const struct region *r = regions_find(rs, code);
	const struct region *chain[5];
	int n = 0;

	buf_adds(b, code);
	for (; r != NULL && n < 5; r = r->parent >= 0 ? &rs->v[r->parent] :
	    NULL)
		chain[n++] = r;
	if (n > 0)
		buf_addc(b, ' ');
	while (n-- > 0)
		buf_adds(b, chain[n]->name);
}

static void
print_value(const struct record *r, const struct field *f,
    const struct regions *rs, struct buf *b)
{
	const struct field_option *o;
	size_t i;

	buf_reset(b);
	if (f->type == FT_REGION)
		print_region(rs, r->str[f->index], b);
	else if (f->type == FT_ENUM &&
	    (o = field_option(f, (int)r->num[f->index])))
		buf_addf(b, "%s %s", o->code_text, o->label);
	else if (f->type == FT_MULTI) {
		for (i = 0; i < f->noptions; i++)
			if ((r->num[f->index] >> f->options[i].code) & 1)
				buf_addf(b, "%s%s %s", b->len ? "; " : "",
				    f->options[i].code_text,
				    f->options[i].label);
	} else
		record_format_value(r, f, b);
}

static const char *
section_name(enum field_section s)
{
	return s == SEC_ENVELOPE ? "调查信息 (envelope)" : s == SEC_BASIC ?
	    "基础信息 (basic items)" : "需求信息 (need items)";
}

static void
print_survey(const struct record *r, const struct regions *rs, int year,
    int64_t version)
{
	const struct catalog *cat = r->cat;
	struct buf b;
	size_t i;
	int section = -1;

	buf_init(&b, 8192);
	printf("\n== %d 年调查 (survey %d, version %lld) ==\n", year, year,
	    (long long)version);
	for (i = 0; i < cat->nfields; i++) {
		const struct field *f = &cat->fields[i];

		if (!r->set[i])
			continue;
		if ((int)f->section != section) {
			section = (int)f->section;
			printf("-- %s\n", section_name(f->section));
		}
		print_value(r, f, rs, &b);
		printf("  %s (%s): %s\n", f->label_zh, f->code, buf_str(&b));
	}
	buf_free(&b);
}

static int
print_change(void *arg, const struct store_change *c)
{
	(void)arg;
	if (c->year)
		printf("  %s %s %d 年调查第 %lld 版被修改 (survey %d v%lld "
		    "changed): %s\n", c->at, c->actor, c->year,
		    (long long)c->version, c->year, (long long)c->version,
		    c->changes);
	else
		printf("  %s %s 人员信息第 %lld 版被修改 (person v%lld "
		    "changed): %s\n", c->at, c->actor, (long long)c->version,
		    (long long)c->version, c->changes);
	return 0;
}

static int
show(struct store *s, struct cli_env *env, const char *idnum)
{
	struct idcard_info info;
	struct idcard_error ie;
	struct store_person p;
	struct lf_error err;
	struct record *r;
	int years[64], rc;
	size_t n, i;
	int64_t version;

	if (idcard_parse(idnum, 2 * 365 * 1000, &info, &ie) != 0) {
		fprintf(stderr, "liangfu: --id-number: %s\n", ie.message);
		return 1;
	}
	lf_error_clear(&err);
	rc = store_person_by_idnum(s, info.id, &p, &err);
	if (rc == 0 && store_person_open_id(s, &p, &err) != 0)
		rc = -1;
	if (rc != 0) {
		if (rc == 1)
			fprintf(stderr, "liangfu: 查无此人 (no person with "
			    "that ID number)\n");
		return rc < 0 ? cli_fail(&err) : 1;
	}
	printf("%s  %s  %s  出生 %s  户籍 %s  状态 %s  (person %s, "
	    "version %lld, updated %s by %s)\n", p.name, p.id_number,
	    p.gender == 1 ? "男" : "女", p.birth_date, p.region,
	    status_names[p.status >= 1 && p.status <= 3 ? p.status : 0], p.uid,
	    (long long)p.version, p.updated_at, p.updated_by);
	if (store_survey_years(s, p.id, years, 64, &n, &err) != 0 ||
	    (r = record_new(env->cat)) == NULL)
		return err.code ? cli_fail(&err) : 1;
	for (i = 0; i < n; i++) {
		if (store_survey_get(s, p.id, years[i], r, &version, &err)) {
			record_free(r);
			return cli_fail(&err);
		}
		print_survey(r, env->regions, years[i], version);
	}
	record_free(r);
	printf("\n== 修改记录 (history) ==\n");
	return store_history(s, p.id, print_change, NULL, &err) != 0 ?
	    cli_fail(&err) : 0;
}

int
cmd_show(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "id-number", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *idnum = NULL;
	struct cli_env env;
	struct store *s;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'i')
			return cli_usage("show");
		idnum = optarg;
	}
	if (idnum == NULL || argc - optind != 1)
		return cli_usage("show");
	if (cli_env_load(&env) != 0)
		return 1;
	/* PostgreSQL too: every read below runs there (run it as the
	 * owner role: it takes no region, and unscoped the app role sees
	 * no one) */
	if (cli_store_open_any(argv[optind], &env, &s) != 0) {
		cli_env_free(&env);
		return 1;
	}
	rc = show(s, &env, idnum);
	store_close(s);
	cli_env_free(&env);
	return rc;
}
