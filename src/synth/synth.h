/*
 * synth.h - a synthetic but realistic population of disabled persons.
 *
 * `liangfu seed` fills a database with persons and their yearly surveys
 * made up here. Every survey passes record_validate(): skip rules, required
 * items, exclusive options and every cross-field rule (ID check character,
 * sex and birth date from the ID, certificate number = ID + category +
 * grade, 多重 with two components or more, a contact phone, the
 * householder's ID for 本人, education against literacy, village codes,
 * dates in the survey year and never after today).
 *
 * Persons. Person #index (0, 1, 2, ...) has an identity that depends only
 * on (seed, index): ID number, name, sex, birth date, category, grade and
 * the components of 多重, ethnicity, hukou type, village, household,
 * contacts, education. Yearly items (survey envelope, needs, employment,
 * poverty and subsidies, illness, school...) depend on (seed, index, year);
 * most keep last year's value with a high probability and otherwise draw
 * again, so a person's answers change plausibly from one year to the next.
 * Same seed, same data, bit for bit (no floating-point library calls, no
 * clock, no I/O).
 *
 * Distributions (shared/domain.md section 8, certificate-holder variant):
 * category 肢体 45%, 视力 10%, 听力 10%, 言语 2%, 智力 11%, 精神 11%, 多重
 * 11%; grades 1-4 about 12/18/28/42% (智力 and 精神 lean to 2-3, 听力 to
 * 3-4); ages 0-17 5%, 18-59 50%, 60+ 45% on January 1 of the first year
 * (see synth_set_first_year; later years are older); male 51.6%; hukou 农业
 * about 72% (by village: 社区 mostly 非农业); ethnicity by prefecture (凉山
 * 彝 > 50%, 甘孜 藏 ~80%, 阿坝 藏 ~55% and 羌 ~20%, elsewhere 汉 ~98%);
 * marital status and education by age; about 45% employed among ages
 * 16-59 with the national employment-form shares; 低保 for about 28% of
 * persons, the living subsidy for about 26% (低保 only) and the care
 * subsidy for about 84% of grades 1-2 (about 26% of all); need items
 * correlated with category, grade, age, self-care, school, work and
 * poverty, about 9.3 "yes" per person. Villages weigh by their
 * prefecture's population per village (2020 census), so 甘孜's many small
 * villages do not outweigh 成都; 社区 weigh more than 村.
 * Names are synthetic (common surnames by frequency; Yi and Tibetan names
 * for those ethnicities); phone numbers are random; addresses are made
 * from the village's name ("XX村3组12号", "XX社区5栋2单元301号").
 *
 * ID numbers are unique across the population. A candidate ID that is
 * already taken gets other sequence digits (keeping the sex digit's
 * parity); the set of taken IDs and each person's number of retries are
 * kept in the synth, so the result is reproducible provided every
 * person's first call comes in increasing index order (0, 1, ..., N-1 for
 * the first year; later years may come in any order). Householders who are
 * not themselves in the population get IDs from sequence numbers 900-999,
 * persons from 000-899, so the two never meet.
 *
 * Cost: about 9 microseconds per survey on a 2020s x86 core (a third of
 * it in record_asked() and record_clear()); memory: the village table
 * (~100 bytes a village), 4 to 8 bytes per person index seen and 11 to
 * 21 per ID number taken (about 90 MB for 3.5 million persons).
 *
 * A synth is not thread-safe: one thread per synth. The catalog and the
 * region table must outlive it.
 */
#ifndef LF_CORE_SYNTH_H
#define LF_CORE_SYNTH_H

#include <stdint.h>

#include "core/catalog.h"
#include "lib/error.h"
#include "core/record.h"
#include "core/region.h"

/* Persons per synth: indices 0 .. SYNTH_MAX_PERSONS - 1. */
#define SYNTH_MAX_PERSONS	100000000ULL

struct synth;

/*
 * Prepares a generator for the persons of `scope` (province, city,
 * county, township or village of `rs`; NULL = every village of the table).
 * Persons are spread over the villages inside scope with a fixed
 * pseudo-random weight per village (see above). today_days (days
 * since 1970-01-01) bounds every date; the first survey year defaults to
 * today's year - 7. The catalog must come from data/catalog.tsv or a
 * compatible one: items the generator does not know are filled with a
 * neutral value when required and left empty otherwise.
 *
 * Returns 0 and *out (the caller frees it with synth_free()), or -1 with
 * err (code "bad_argument" for a NULL catalog or region table or a today
 * outside 1900..2999, "no_villages" when scope holds no village,
 * "no_memory") and *out untouched. Nothing is leaked on failure.
 */
int	synth_new(const struct catalog *cat, const struct regions *rs,
	    const struct region *scope, uint64_t seed, int today_days,
	    struct synth **out, struct lf_error *err);

/*
 * Sets the first survey year: every person is born before January 1 of
 * that year, so that each of them can be surveyed in every year from it
 * to today's year, and the age shares above hold on that day (a panel
 * has no babies born during it; later years are older). Must be called
 * before the first synth_person(); the default is today's year - 7.
 * Returns 0, or -1 with err code "bad_year" when year is not in
 * 1950..today's year or persons have already been made.
 */
int	synth_set_first_year(struct synth *sy, int year, struct lf_error *err);

/*
 * Makes every need item drawn from its rule more likely to be "yes": a
 * probability p becomes 1 - (1 - p)^k. k = 1 (the default) keeps the
 * calibrated model, whose plans give about 4.4 service items a person;
 * benches use 3.5 to reach the 9-10 items a person of the speech's
 * 32.5 M item-times (see docs/performance.md). Follow-up needs still
 * follow their gate (a need block's *_need_any item). Must be called
 * before the first synth_person(). Returns 0, or -1 with err code
 * "bad_argument" when k is not within 1..10 or persons have been made.
 */
int	synth_set_need_scale(struct synth *sy, double k, struct lf_error *err);

/*
 * Clears r (which must belong to the synth's catalog) and fills it with
 * person #index's survey for `year`, which must lie between the first
 * year and today's year. Items not asked (ask_if) stay empty; fill_date
 * lies in `year` and not after today.
 *
 * Returns 0, or -1 with err: "bad_year", "bad_index" (index >=
 * SYNTH_MAX_PERSONS), "bad_argument" (record of another catalog),
 * "id_exhausted" (no free ID number near the person's birth date, only
 * with absurd densities), "no_memory". After an error r holds a partial
 * survey (still owned by the caller, free it as usual) and the synth stays
 * usable.
 */
int	synth_person(struct synth *sy, uint64_t index, int year,
	    struct record *r, struct lf_error *err);

/* Frees sy and everything it holds. NULL is a no-op. */
void	synth_free(struct synth *sy);

#endif
