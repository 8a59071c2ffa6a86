// unit.test.mjs - the web app's logic without a browser: the skip-rule
// evaluator (web/app/expr.js) against a table and against every ask_if of
// data/catalog.tsv, the values the form sends (catalog.js), masks, and
// that every text the app shows exists in both languages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { compile, age } = await import(join(ROOT, 'web/app/expr.js'));
const { effective, askedSet, mask, sameValue, formatValue, yuan,
    parseYuan } = await import(join(ROOT, 'web/app/catalog.js'));
const { STRINGS } = await import(join(ROOT, 'web/app/i18n.js'));

// The catalog as GET /api/v1/catalog gives it, read from the TSV.
function catalog() {
	const lines = readFileSync(join(ROOT, 'data/catalog.tsv'), 'utf8')
	    .split('\n').filter(Boolean);
	const head = lines[0].split('\t');
	const col = (row, name) => row[head.indexOf(name)] || '';
	const fields = lines.slice(1).map((l) => {
		const r = l.split('\t');
		const type = col(r, 'type');
		const opts = ['enum', 'multi'].includes(type) ?
		    col(r, 'options').split('|').map((o) => {
			const [c, label] = o.split('=');

			return { code: Number(c), text: c, label };
		    }) : [];
		const scale = /scale=(\d+)/.exec(col(r, 'options'));

		return {
			code: col(r, 'code'), section: col(r, 'section'),
			label: col(r, 'label_zh'), label_en: col(r, 'label_en'),
			type, options: opts, required: col(r, 'required') === 'y',
			ask_if: col(r, 'ask_if'),
			exclusive: col(r, 'exclusive') === '' ? -1 :
			    Number(col(r, 'exclusive')),
			min: 0, max: 0, scale: scale ? Number(scale[1]) : 0
		};
	});
	const byCode = Object.fromEntries(fields.map((f) => [f.code, f]));

	for (const f of fields)
		f.asked = compile(f.ask_if, byCode);
	return { fields, byCode, sections: ['envelope', 'basic', 'need']
	    .map((s) => ({ code: s, fields: fields.filter((f) =>
	    f.section === s) })) };
}

const CAT = catalog();
const REF = '2026-06-30';

const rows = [
	// expression, values, expected
	['', {}, true],
	['true', {}, true],
	['false', {}, false],
	['not false', {}, true],
	['survey_method = 4', { survey_method: 4 }, true],
	['survey_method = 4', { survey_method: 1 }, false],
	['survey_method = 4', {}, false],
	['not survey_method = 4', {}, true],
	['survey_method != 4', {}, false],
	['disability_grade <= 2', { disability_grade: 2 }, true],
	['disability_grade < 2', { disability_grade: 2 }, false],
	['disability_grade >= 3', { disability_grade: 3 }, true],
	['disability_grade > 3', { disability_grade: 3 }, false],
	['disability_category in {5,6}', { disability_category: 6 }, true],
	['disability_category in {5,6}', { disability_category: 4 }, false],
	['age in 16..59', { birth_date: '1966-07-01' }, true],	// 59
	['age in 16..59', { birth_date: '1966-06-30' }, false],	// 60 today
	['age in 16..59', { birth_date: '2010-06-30' }, true],	// 16 today
	['age in 16..59', { birth_date: '2010-07-01' }, false],	// 15
	['age in 16..59', {}, false],
	['age <= 6', { birth_date: '2020-01-01' }, true],
	['in_welfare_institution', { in_welfare_institution: true }, true],
	['in_welfare_institution', { in_welfare_institution: false }, false],
	['not in_welfare_institution', {}, true],
	['hukou_type = 2 and not in_welfare_institution',
	    { hukou_type: 2, in_welfare_institution: false }, true],
	['hukou_type = 2 and not in_welfare_institution',
	    { hukou_type: 2, in_welfare_institution: true }, false],
	['rehab_service_received has 6', { rehab_service_received: [1, 6] },
	    true],
	['rehab_service_received has 6', { rehab_service_received: [1] },
	    false],
	['rehab_service_received has 6', { rehab_service_received: [] },
	    false],
	['rehab_service_received has_any {1,2}',
	    { rehab_service_received: [2] }, true],
	['rehab_service_received', { rehab_service_received: [2] }, true],
	['rehab_service_received', { rehab_service_received: [] }, false],
	['a_or_b_is_no_name_here or true', null, 'throws'],
	['severe', { disability_grade: 1 }, true],
	['severe', { disability_grade: 3 }, false],
	['dibao', { social_assistance_received: [1] }, true],
	['dibao', { rural_poverty_status: 4 }, true],
	['dibao', { urban_income_status: 2 }, false],
	['reg_poor', { rural_poverty_status: 3 }, true],
	['valid_card', { card_status: 1 }, true],
	['disaster_region', {}, false],
	['name = \'张三\'', { name: '张三' }, true],
	['name != \'张三\'', { name: '李四' }, true],
	['fill_date >= \'2026-01-01\'', { fill_date: '2026-03-01' }, true],
	['fill_date < \'2026-01-01\'', { fill_date: '2026-03-01' }, false],
	['gps_lat > 30000000', { gps_lat: '30.923221' }, true],
	['(survey_method = 1 or survey_method = 2) and not employed = 2',
	    { survey_method: 2, employed: 1 }, true],
	['survey_method = 1 or survey_method = 2 and employed = 2',
	    { survey_method: 1, employed: 1 }, true],	// and binds tighter
	['survey_method =', null, 'throws'],
	['(survey_method = 1', null, 'throws'],
	['survey_method = 1 survey_method', null, 'throws'],
	['survey_method in {1,', null, 'throws'],
	['age in 3..', null, 'throws'],
	['survey_method has 1', null, 'throws'],
	['survey_method # 1', null, 'throws'],
	['and', null, 'throws']
];

test('skip rules: the table', () => {
	for (const [src, values, want] of rows) {
		if (want === 'throws') {
			assert.throws(() => compile(src, CAT.byCode), Error, src);
			continue;
		}
		assert.equal(compile(src, CAT.byCode)(values, REF), want,
		    `${src} over ${JSON.stringify(values)}`);
	}
});

test('skip rules: every ask_if of the catalog compiles', () => {
	const n = CAT.fields.filter((f) => f.ask_if).length;

	assert.ok(n > 50, `only ${n} skip rules`);
	for (const f of CAT.fields)
		assert.doesNotThrow(() => compile(f.ask_if, CAT.byCode),
		    f.code);
});

test('age: whole years, birthdays and Feb 29', () => {
	for (const [b, at, want] of [
		['2000-02-29', '2001-02-28', 0], ['2000-02-29', '2001-03-01', 1],
		['1990-06-30', '2026-06-30', 36], ['1990-07-01', '2026-06-30', 35],
		['2026-07-01', '2026-06-30', -1], ['', '2026-06-30', -1]
	])
		assert.equal(age(b, at), want, `${b} at ${at}`);
});

test('effective values: items not asked are left out, in chains', () => {
	const v = {
		survey_method: 1, lost_reason: 2, hukou_type: 1,
		in_welfare_institution: true, rural_poverty_status: 1,
		illness_two_weeks: false, illness_treated: false,
		untreated_reason: [1], fill_date: REF, name: '',
		employed: 2, employment_form: 3, unknown_item: 1
	};
	const e = effective(CAT, v);

	assert.equal(e.lost_reason, undefined);
	assert.equal(e.rural_poverty_status, undefined);
	assert.equal(e.illness_treated, undefined);	// illness_two_weeks no
	assert.equal(e.untreated_reason, undefined);
	assert.equal(e.employment_form, undefined);
	assert.equal(e.name, undefined);		// empty is unset
	assert.equal(e.unknown_item, undefined);
	assert.equal(e.survey_method, 1);
	const asked = askedSet(CAT, { ...v, survey_method: 4 });

	assert.ok(asked.has('lost_reason'));
	assert.ok(!askedSet(CAT, v).has('lost_reason'));
	// a chain: edu_preschool needs edu_need_any, which needs age 3..24
	const kid = { birth_date: '2022-01-01', fill_date: REF,
	    edu_need_any: true, edu_preschool: true };

	assert.equal(effective(CAT, kid).edu_preschool, true);
	assert.equal(effective(CAT, { ...kid, birth_date: '1990-01-01' })
	    .edu_preschool, undefined);
});

test('masks and comparisons as the server masks', () => {
	assert.equal(mask('510182196703130811'), '510***********0811');
	assert.equal(mask('13741502997'), '137****2997');
	assert.equal(mask('0281234'), '*******');
	assert.ok(sameValue('510***********0811', '510182196703130811'));
	assert.ok(!sameValue('510***********0812', '510182196703130811'));
	assert.ok(sameValue([1, 2], [2, 1]));
	assert.ok(!sameValue([1], [1, 2]));
	assert.ok(sameValue(undefined, []));
	assert.ok(!sameValue(1, undefined));
	assert.ok(sameValue(false, false));
	assert.ok(!sameValue(false, true));
	const f = CAT.byCode.rehab_service_received;

	assert.equal(formatValue(CAT.byCode.survey_method, 4, '是', '否'),
	    '失访');
	assert.equal(formatValue(f, [], '是', '否'), '—');
	assert.equal(formatValue(CAT.byCode.literate, false, '是', '否'), '否');
});

test('fen and yuan: one converter, exact both ways', () => {
	const rows = [	// fen, plain, grouped
		[0, '0.00', '0.00'], [5, '0.05', '0.05'], [72000, '720.00',
		'720.00'], [189670, '1896.70', '1,896.70'], [-150, '-1.50',
		'-1.50'], [123456789012, '1234567890.12', '1,234,567,890.12'],
	];

	for (const [fen, plain, grouped] of rows) {
		assert.equal(yuan(fen), plain);
		assert.equal(yuan(fen, true), grouped);
		if (fen >= 0 && fen < 1e11)
			assert.equal(parseYuan(grouped), fen);
	}
	assert.equal(formatValue({ type: 'money' }, 1005), '10.05');
	assert.equal(parseYuan('80.5'), 8050);
	assert.equal(parseYuan(' 1，200 '), 120000);
	for (const bad of ['', 'x', '1.234', '-5', '1e3', '1234567890'])
		assert.equal(parseYuan(bad), undefined, bad);
});

test('every text shown exists in Chinese and English', () => {
	const dir = join(ROOT, 'web/app');
	const files = [...readdirSync(dir).filter((f) => f.endsWith('.js'))
	    .map((f) => join(dir, f)), ...readdirSync(join(dir, 'screens'))
	    .map((f) => join(dir, 'screens', f))];
	const used = new Set();

	for (const f of files)
		for (const m of readFileSync(f, 'utf8')
		    .matchAll(/\bt\('([^']+)'[,)]/g))
			used.add(m[1]);
	assert.ok(used.size > 100, `only ${used.size} texts found`);
	for (const k of used) {
		assert.ok(k in STRINGS.zh, `zh lacks ${k}`);
		assert.ok(k in STRINGS.en, `en lacks ${k}`);
	}
	assert.deepEqual(Object.keys(STRINGS.en).sort(),
	    Object.keys(STRINGS.zh).sort());
});
