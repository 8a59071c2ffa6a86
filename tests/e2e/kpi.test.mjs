// kpi.test.mjs - issue 14, points 1, 3, 4, 9 and 10 in the browser and
// over HTTP:
//   - GET /api/v1/openapi.json (data/openapi.json) is served without a
//     session, and real answers of the server, recorded here route by
//     route, validate against its schemas with a real JSON-schema
//     validator (ajv, JSON Schema 2020-12, the dialect of OpenAPI 3.1):
//     every operation of the description, the routes of feedback and
//     self-service (a code issued, a self session opened with the revealed
//     ID's last six), spot checks (a sample drawn, a task assigned to the
//     supervisor and recorded), precision, findings (after `liangfu
//     quality` on three emptied plans), the audit search, supply (stock by
//     JSON and CSV, gaps, the list, an issue to a confirmed plan),
//     reconciliation (after `liangfu reconcile` with an empty dibao
//     roster) and budgets;
//   - the dashboard shows 入库 against the region's target
//     (data/targets.tsv) and the draft plans; a draft plan carries a 草稿
//     badge on the person page and the plan page;
//   - the 五个一批 batches carry the speech's names, the same in the web
//     app's strings and the server's policy table;
//   - proposals come with measures and the yearly figure; reasons read
//     as labels.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import { start, stop, sh, addUsers, apiLogin, call, base, newPage, login,
    screen, PW, Y } from './harness.mjs';

let village;

before(async () => {
	await start(import.meta.url, (db) => {
		sh(['seed', db, '--persons', '300', '--region', '510182',
		    '--years', `${Y - 1}-${Y}`, '--seed', '14']);
		sh(['plan', db, '--year', String(Y)]);
		village = execFileSync('sqlite3', [db, `SELECT region FROM
		    persons WHERE status = 1 GROUP BY region ORDER BY count(*)
		    DESC, region LIMIT 1`], { encoding: 'utf8' }).trim();
		// findings (GET /findings...): a seeded year is clean, so
		// three plans outside the test's village lose their items
		// (应享未享) for `liangfu quality` to find
		execFileSync('sqlite3', [db, `DELETE FROM items WHERE person_id
		    IN (SELECT p.id FROM persons p JOIN plans l ON l.person_id =
		    p.id WHERE p.region <> '${village}' AND l.year = ${Y} AND
		    EXISTS (SELECT 1 FROM items i WHERE i.plan_id = l.id)
		    ORDER BY p.id LIMIT 3)`]);
		sh(['quality', db, '--year', String(Y)]);
		// reconciliation tasks (GET /recon/tasks): an empty dibao
		// roster, so whoever the year's plans give 低保 is not on it
		const roster = db.replace(/[^/]*$/, 'dibao.csv');

		writeFileSync(roster, '身份证号,姓名,保障起始日期\n');
		sh(['reconcile', db, '--roster', roster, '--kind', 'dibao',
		    '--year', String(Y)]);
		addUsers([['sup', 'supervisor', '510182']]);
		addUsers([['vil', 'village', village],
		    ['cty', 'county', '510182'], ['aud', 'auditor', '51'],
		    ['civ', 'department', '510182', 'civil'],
		    ['adm', 'admin', '510182']]);
	});
});

after(async () => {
	await stop();
});

// --- OpenAPI ----------------------------------------------------------------

// an ID number (GB 11643) beside id: sequence digits 15-16 changed, the sex
// digit kept, the MOD 11-2 check digit recomputed
const newId = (id) => {
	const seq = String((Number(id.slice(14, 16)) + 37) % 100)
	    .padStart(2, '0');
	const body = id.slice(0, 14) + seq + id[16];
	const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
	const sum = [...body].reduce((a, c, i) => a + Number(c) * w[i], 0);

	return body + '10X98765432'[sum % 11];
};
const esc = (s) => encodeURIComponent(s.replace(/~/g, '~0')
    .replace(/\//g, '~1'));

test('openapi.json: served without a session, real answers validate ' +
    'against its schemas', async () => {
	const r = await fetch(base + '/api/v1/openapi.json');

	assert.equal(r.status, 200);
	assert.match(r.headers.get('content-type'), /application\/json/);
	const doc = await r.json();

	assert.equal(doc.openapi, '3.1.0');
	const ajv = new Ajv2020({ strict: false, allErrors: true });

	ajv.addSchema(doc, 'oa');
	const seen = new Set();
	// validates an answer against the operation's schema of that status
	const check = (method, path, res) => {
		const op = doc.paths[path] && doc.paths[path][method];

		assert.ok(op, `${method} ${path} is described`);
		assert.ok(op.responses[String(res.status)],
		    `${method} ${path}: answer ${res.status} is described ` +
		    JSON.stringify(res.body).slice(0, 300));
		const v = ajv.getSchema(`oa#/paths/${esc(path)}/${method}/` +
		    `responses/${res.status}/content/application~1json/schema`);

		assert.ok(v, `schema of ${method} ${path} ${res.status}`);
		assert.ok(v(res.body), `${method} ${path}: ` +
		    JSON.stringify(v.errors, null, 1) + '\n' +
		    JSON.stringify(res.body).slice(0, 400));
		seen.add(`${method} ${path}`);
	};
	const errSchema = ajv.getSchema('oa#/components/schemas/Error');
	// a login, raw
	const lr = await fetch(base + '/api/v1/session', { method: 'POST',
	    headers: { 'Content-Type': 'application/json' },
	    body: JSON.stringify({ login: 'vil', password: PW }) });

	check('post', '/api/v1/session', { status: lr.status,
	    body: await lr.json() });
	const vil = await apiLogin('vil');
	const cty = await apiLogin('cty');
	const aud = await apiLogin('aud');
	const civ = await apiLogin('civ');
	const adm = await apiLogin('adm');
	const get = async (s, path, tmpl) => {
		const res = await call(s, 'GET', path);

		check('get', tmpl, res);
		return res.body;
	};
	const send = async (s, method, path, tmpl, body) => {
		const res = await call(s, method.toUpperCase(), path, body);

		check(method, tmpl, res);
		return res.body;
	};
	const bad = await call(vil, 'GET', '/persons/nonesuch');

	assert.equal(bad.status, 404);
	assert.ok(errSchema(bad.body), 'an error answer is an Error');
	// item ids are references, never row numbers
	const itemRef = ajv.getSchema('oa#/components/schemas/ItemRef');

	assert.ok(!itemRef(17) && !itemRef('17'), 'a row id is no item id');

	await get(vil, '/session', '/api/v1/session');
	check('get', '/api/v1/catalog', { status: 200, body: await (await
	    fetch(base + '/api/v1/catalog')).json() });
	check('get', '/api/v1/openapi.json', { status: 200, body: doc });
	const pol = await get(vil, '/policies', '/api/v1/policies');
	await get(cty, '/regions/510182/children',
	    '/api/v1/regions/{code}/children');
	const page = await get(vil, `/persons?region=${village}&year=${Y}`,
	    '/api/v1/persons');
	const person = page.persons[0];
	const id = person.id;

	await send(vil, 'post', '/persons/search', '/api/v1/persons/search',
	    { name: person.name.slice(0, 1), region: village });
	const full = await get(vil, `/persons/${id}`, '/api/v1/persons/{id}');
	await send(vil, 'post', `/persons/${id}/reveal`,
	    '/api/v1/persons/{id}/reveal');
	const yr = full.years.find((y) => y.year === Y);

	await send(vil, 'put', `/persons/${id}/surveys/${Y}`,
	    '/api/v1/persons/{id}/surveys/{year}', { version: yr.version,
	    values: yr.survey });
	let plan = await get(vil, `/persons/${id}/plans/${Y}`,
	    '/api/v1/persons/{id}/plans/{year}');

	plan = await send(vil, 'post', `/persons/${id}/plans/${Y}/build`,
	    '/api/v1/persons/{id}/plans/{year}/build');
	const manual = (await send(vil, 'post', `/persons/${id}/plans/${Y}/items`,
	    '/api/v1/persons/{id}/plans/{year}/items', { policy: 'SUB_CARE',
	    dept: 'civil', measures: '按月发放', planned_month:
	    `${Y}-01`, funds_planned: 96000 })).item;
	for (const it of plan.items.filter((x) => x.decision.code === 0))
		await send(vil, 'patch', `/items/${it.id}`,
		    '/api/v1/items/{id}', { version: it.version, decision: 1 });
	await get(vil, `/items/${manual.id}`, '/api/v1/items/{id}');
	plan = await get(vil, `/persons/${id}/plans/${Y}`,
	    '/api/v1/persons/{id}/plans/{year}');
	plan = await send(cty, 'post', `/persons/${id}/plans/${Y}/confirm`,
	    '/api/v1/persons/{id}/plans/{year}/confirm',
	    { version: plan.plan.version });
	const inbox = await get(civ, `/inbox?year=${Y}`, '/api/v1/inbox');
	const mine = inbox.items.find((x) => x.id === manual.id);

	assert.ok(mine, 'the civil-affairs item reached the inbox');
	const acc = (await send(civ, 'post', `/items/${mine.id}/accept`,
	    '/api/v1/items/{id}/accept', { version: mine.version })).item;
	const del = (await send(civ, 'post', `/items/${mine.id}/deliveries`,
	    '/api/v1/items/{id}/deliveries', { date: `${Y}-01-15`,
	    amount: 8000, note: '一月', client_id: 'e2e-kpi-1' })).item;

	assert.ok(acc.version < del.version);
	// feedback and self-service (while the plan is confirmed and the
	// item delivered)
	const fb = `/api/v1/persons/{id}/plans/{year}/feedback`;

	await send(vil, 'post', `/persons/${id}/plans/${Y}/feedback`, fb,
	    { item: mine.id, rating: 'satisfied', note: '好' });
	await get(vil, `/persons/${id}/plans/${Y}/feedback`, fb);
	const code = await send(vil, 'post', `/persons/${id}/self-codes`,
	    '/api/v1/persons/{id}/self-codes', { valid_days: 3 });
	await get(vil, `/persons/${id}/self-codes`,
	    '/api/v1/persons/{id}/self-codes');
	const idn = (await call(vil, 'POST', `/persons/${id}/reveal`)).body;
	const idm = JSON.stringify(idn).match(/"id_number":"([0-9X]{18})"/);

	assert.ok(idm, 'the revealed ID number');
	const sl = await fetch(base + '/api/v1/self/session', { method: 'POST',
	    headers: { 'Content-Type': 'application/json' },
	    body: JSON.stringify({ code: code.code, last6: idm[1].slice(-6) }) });
	const slb = await sl.json();

	check('post', '/api/v1/self/session', { status: sl.status, body: slb });
	const me = { cookie: sl.headers.get('set-cookie').split(';')[0],
	    csrf: slb.csrf };

	await get(me, '/self/session', '/api/v1/self/session');
	const mypage = await get(me, '/self', '/api/v1/self');

	assert.ok(mypage.years.length > 0);
	await send(me, 'post', '/self/feedback', '/api/v1/self/feedback',
	    { year: Y, rating: 'basic' });
	await send(me, 'delete', '/self/session', '/api/v1/self/session');
	await send(vil, 'post', `/self-codes/${code.id}/revoke`,
	    '/api/v1/self-codes/{codeid}/revoke');
	await send(civ, 'post', `/items/${mine.id}/return`,
	    '/api/v1/items/{id}/return', { version: del.version,
	    reason: '测试退回' });
	await send(cty, 'post', `/persons/${id}/plans/${Y}/reopen`,
	    '/api/v1/persons/{id}/plans/{year}/reopen',
	    { version: plan.plan.version });
	await get(vil, `/plans?year=${Y}`, '/api/v1/plans');
	await get(cty, `/plans/villages?year=${Y}&region=510182`,
	    '/api/v1/plans/villages');
	await get(cty, `/stats?year=${Y}`, '/api/v1/stats');
	await send(vil, 'post', '/rules/check', '/api/v1/rules/check',
	    { expression: 'severe and valid_card', values: { disability_grade:
	    1, card_status: 1 }, year: Y });
	await send(cty, 'post', '/rules/simulate', '/api/v1/rules/simulate',
	    { expression: 'severe', year: Y, region: '510182', amount: 8000,
	    per: 'month' });
	await send(cty, 'post', '/plans/build', '/api/v1/plans/build',
	    { year: Y, region: village });
	await get(aud, `/audit?person=${id}`, '/api/v1/audit');
	await get(adm, '/users', '/api/v1/users');
	await send(adm, 'post', '/users', '/api/v1/users', { login: 'newvil',
	    role: 'village', region: village, password: PW + 'x' });
	await send(adm, 'put', '/users/newvil/password',
	    '/api/v1/users/{login}/password', { password: PW + 'y' });
	await send(adm, 'post', '/users/newvil/disable',
	    '/api/v1/users/{login}/disable');
	// a new person: the first person's survey, revealed in full, with
	// another sequence number in the ID (same sex digit, new check digit)
	// and the certificate number following it
	const nid = newId(idm[1]);
	const vals = { ...yr.survey, ...idn, id_number: nid };

	if (vals.disability_card_no)
		vals.disability_card_no = nid + vals.disability_card_no.slice(18);
	if (vals.householder_id_number === idm[1])
		vals.householder_id_number = nid;
	const born = await send(vil, 'post', '/persons', '/api/v1/persons',
	    { year: Y, values: vals });

	assert.match(born.id, /^[0-9a-f]{32}$/, 'a new person registered');
	await send(aud, 'post', '/audit/persons', '/api/v1/audit/persons',
	    { name: person.name.slice(0, 1), region: village });
	// spot checks: a sample of the county, a task assigned and recorded
	const smp = await send(cty, 'post', '/samples', '/api/v1/samples',
	    { year: Y, region: '510182', rate: 0.05, seed: '7' });

	await get(cty, `/samples?year=${Y}`, '/api/v1/samples');
	const full_smp = await get(cty, `/samples/${smp.id}`,
	    '/api/v1/samples/{id}');
	const task = full_smp.tasks.find((x) => x.recheck_of === 0);

	await send(cty, 'post', `/checks/${task.id}/assign`,
	    '/api/v1/checks/{id}/assign', { checker: 'sup',
	    version: task.version });
	const sup = await apiLogin('sup');

	await get(sup, '/checks', '/api/v1/checks');
	const ct = await get(sup, `/checks/${task.id}`, '/api/v1/checks/{id}');

	await send(sup, 'post', `/checks/${task.id}`, '/api/v1/checks/{id}', {
	    items: ct.lines.filter((l) => l.kind === 'survey').map((l) =>
	    ({ code: l.code, ok: true })),
	    services: ct.lines.filter((l) => l.kind === 'service').map((l) =>
	    ({ item: l.item, ok: true })) });
	await get(cty, `/precision?year=${Y}`, '/api/v1/precision');
	// findings of `liangfu quality`
	const fl = await get(cty, `/findings?year=${Y}&limit=5`,
	    '/api/v1/findings');

	assert.ok(fl.findings.length >= 2, 'liangfu quality found something');
	await get(cty, '/findings/rules', '/api/v1/findings/rules');
	const f0 = fl.findings[0];

	await get(cty, `/findings/${f0.id}`, '/api/v1/findings/{id}');
	await send(cty, 'post', `/findings/${f0.id}/dismiss`,
	    '/api/v1/findings/{id}/dismiss', { reason: '核实无误',
	    version: f0.version });
	await send(cty, 'post', `/findings/${fl.findings[1].id}/resolve`,
	    '/api/v1/findings/{id}/resolve', { reason: '已整改' });
	// reconciliation tasks of `liangfu reconcile`
	const rt = await get(cty, '/recon/tasks?open=1&limit=5',
	    '/api/v1/recon/tasks');

	assert.ok(rt.tasks.length > 0, 'liangfu reconcile made tasks');
	await send(cty, 'post', `/recon/tasks/${rt.tasks[0].id}/close`,
	    '/api/v1/recon/tasks/{id}/close', { reason: '已核实' });
	// budget scenarios
	await send(cty, 'post', '/budget', '/api/v1/budget', { year: Y,
	    region: '510182', scenarios: [{ name: '护理补贴', expression:
	    'severe', policy: 'SUB_CARE', amount: 8000, per: 'month' }] });
	// supply: devices, stock by JSON and by CSV, gaps, the list, an issue
	await get(cty, '/supply/items', '/api/v1/supply/items');
	await send(cty, 'put', '/supply/stock', '/api/v1/supply/stock',
	    { year: Y, rows: [{ county: '510182', item: 'wheelchair',
	    quantity: 5 }] });
	const imp = await fetch(base + '/api/v1/supply/stock/import', {
	    method: 'POST', headers: { Cookie: cty.cookie, 'X-CSRF-Token':
	    cty.csrf, 'Content-Type': 'text/csv' }, body:
	    `区县代码,物品,年度,数量\n510182,crutch,${Y},4\n` });

	check('post', '/api/v1/supply/stock/import', { status: imp.status,
	    body: await imp.json() });
	await get(cty, `/supply/gaps?year=${Y}&region=510182`,
	    '/api/v1/supply/gaps');
	const dl = await get(cty, `/supply/list?year=${Y}&county=510182&` +
	    'item=wheelchair', '/api/v1/supply/list');
	const first = dl.list.find((x) => x.allocated);

	assert.ok(first, 'a wheelchair allocated');
	// the issue needs a confirmed plan: decide and confirm it first
	let fp = (await call(cty, 'GET', `/persons/${first.person}/plans/${Y}`))
	    .body;

	for (const it of fp.items.filter((x) => x.decision.code === 0))
		assert.equal((await call(cty, 'PATCH', `/items/${it.id}`,
		    { version: it.version, decision: 1 })).status, 200);
	fp = (await call(cty, 'GET', `/persons/${first.person}/plans/${Y}`))
	    .body;
	assert.equal((await call(cty, 'POST', `/persons/${first.person}/` +
	    `plans/${Y}/confirm`, { version: fp.plan.version })).status, 200);
	const iss = await send(cty, 'post', '/supply/issue',
	    '/api/v1/supply/issue', { person: first.person, item:
	    'wheelchair', year: Y, date: `${Y}-02-01` });

	assert.match(iss.item, /^[a-p]{32}$/, 'the item by its reference');
	// a draft again, as the dashboard test below expects of the plans
	fp = (await call(cty, 'GET', `/persons/${first.person}/plans/${Y}`))
	    .body;
	assert.equal((await call(cty, 'POST', `/persons/${first.person}/` +
	    `plans/${Y}/reopen`, { version: fp.plan.version })).status, 200);
	await send(vil, 'delete', '/session', '/api/v1/session');
	// what the run reached, against what the description lists
	const all = Object.entries(doc.paths).flatMap(([p, ops]) =>
	    Object.keys(ops).map((m) => `${m} ${p}`));
	const missed = all.filter((x) => !seen.has(x));

	console.log(`openapi: ${seen.size} of ${all.length} operations ` +
	    `validated on real answers; not reached: ${missed.join(', ')}`);
	assert.deepEqual(missed, [], 'every operation validated on a real ' +
	    'answer');
	// point 10: the speech's names, in the server and the web app alike
	const { STRINGS } = await import('../../web/app/i18n.js').catch(
	    () => ({ STRINGS: null }));
	const names = Object.fromEntries(pol.batches.map((b) =>
	    [b.code, b.name]));

	assert.equal(names.PROD_EMPLOY, '扶持发展生产和就业一批');
	assert.equal(names.SOCIAL_SEC, '社会保障兜底一批');
	assert.equal(names.EDUCATION, '发展教育一批');
	assert.equal(names.MEDICAL, '医疗救助一批');
	assert.equal(names.RELOCATE, '移民搬迁安置一批');
	assert.equal(names.DISASTER, '灾后重建帮扶一批');
	if (STRINGS)
		for (const [c, n] of Object.entries(names))
			assert.equal(STRINGS.zh['batch.' + c], n, c);
});

// --- the dashboard, drafts ---------------------------------------------------

test('dashboard: 入库 against the target and the drafts; 草稿 badges; ' +
    'proposals with measures and yearly funds', async () => {
	const cty = await apiLogin('cty');
	const st = (await call(cty, 'GET', `/stats?year=${Y}`)).body;
	const k = st.kpi.region;

	// the demo county's target row exists for the years data/targets.tsv
	// covers (2019..2026)
	if (Y <= 2026)
		assert.ok(k.reg_target > 0, 'a target for 510182');
	assert.equal(k.reg_target_bp, k.reg_target > 0 ?
	    Math.floor(k.registered * 10000 / k.reg_target) : 0);
	assert.ok(k.plans_draft > 0, 'the built plans are drafts');
	assert.equal(k.overdue, 0, 'no item of a draft is overdue');
	const page = await newPage();

	await login(page, 'cty');
	await page.click('a:has-text("统计分析")');
	await page.waitForSelector('[data-progress=reg_target_bp]');
	const want = k.reg_target > 0 ? (k.reg_target_bp / 100).toFixed(1) +
	    '%' : '—';

	assert.equal((await page.textContent(
	    '[data-progress=reg_target_bp]')).trim(), want);
	assert.equal((await page.textContent('[data-progress=plans_draft]'))
	    .trim(), k.plans_draft.toLocaleString('zh-CN'));
	await page.locator('.kpi-progress').scrollIntoViewIfNeeded();
	await screen(page, '61-stats-target');
	// a draft plan: the 草稿 badge on the plan page, measures and funds
	const vil = await apiLogin('vil');
	const plans = (await call(vil, 'GET', `/plans?year=${Y}&status=draft`))
	    .body.plans;

	assert.ok(plans.length > 0);
	const pid = plans.find((p) => p.items > 0).person.id;
	const view = (await call(vil, 'GET', `/persons/${pid}/plans/${Y}`))
	    .body;

	for (const it of view.items.filter((x) => x.origin.code === 1)) {
		assert.ok(it.five.measures, `${it.policy.code}: measures`);
		assert.ok(it.five.funds.planned > 0, `${it.policy.code}: funds`);
		assert.ok(it.five.effect.note, `${it.policy.code}: effect`);
	}
	for (const u of view.unmet)
		assert.doesNotMatch(u.why + u.why_en, /[a-z]+_[a-z_]+|\{/,
		    'a reason in labels');
	const vp = await newPage();

	await login(vp, 'vil');
	await vp.goto(base + `/#/person/${pid}/plan/${Y}`);
	await vp.waitForSelector('.lead .badge-draft');
	assert.equal((await vp.textContent('.lead .badge-draft')).trim(),
	    '草稿');
	assert.match(await vp.textContent('main'), /年度资金 [\d,]+\.\d\d 元/);
	await screen(vp, '62-plan-draft-badge');
	await vp.goto(base + `/#/person/${pid}`);
	await vp.waitForSelector('.plan-line .badge-draft');
});
