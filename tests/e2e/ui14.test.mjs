// ui14.test.mjs - issue 14's screens in a real browser: the audit screen
// a supervisor can use (search by ID number or name inside their scope,
// entries in words with the masked name, pages, xlsx; the ID number in
// no URL), the what-if screen (figures equal to the API's, scenarios
// saved and compared, xlsx), the village home paged, grouped and
// searchable, a county's busiest villages (GET /plans/villages),
// collapsible sections on the person page, and readable
// chart axes. Every screen() also checks that nothing overflows 360 px
// (harness.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, Y, base, dir, problems, sh, apiLogin, call, newPage, screen,
    login, addUsers, start, stop } from './harness.mjs';

let village, idn, person;

before(async () => {
	await start(import.meta.url, (db) => {
		sh(['seed', db, '--persons', '700', '--region', '510182',
		    '--years', `${Y - 2}-${Y - 1}`, '--seed', '2026']);
		sh(['seed', db, '--persons', '60', '--region', '510183',
		    '--years', `${Y - 1}-${Y - 1}`, '--seed', '7']);
		village = execFileSync('sqlite3', [db, 'SELECT region FROM ' +
		    'persons WHERE region LIKE \'510182%\' GROUP BY region ' +
		    'ORDER BY count(*) DESC, region LIMIT 1'],
		    { encoding: 'utf8' }).trim();
		// a long village list: more than two pages
		sh(['seed', db, '--persons', '50', '--region', village,
		    '--years', `${Y - 1}-${Y - 1}`, '--seed', '8']);
		sh(['plan', db, '--year', String(Y - 1)]);
		// a person of the village: opaque id and ID number (from the
		// export, as a supervisor would have it on paper)
		const csv = join(dir, 's.csv');

		sh(['export', db, '--year', String(Y - 1), '--region', village,
		    csv]);
		const rows = readFileSync(csv, 'utf8').split('\n');

		idn = rows[1].split(',').find((c) => /^\d{17}[\dX]$/.test(c));
		addUsers([['vil', 'village', village],
		    ['twn', 'township', village.slice(0, 9)],
		    ['cty', 'county', '510182'], ['sup', 'supervisor', '510182'],
		    ['sup2', 'supervisor', '510183']]);
	});
	const s = await apiLogin('cty');
	const r = await call(s, 'POST', '/persons/search', { id_number: idn });

	person = r.body.persons[0];
	// entries to page through: the county officer opens the person often
	for (let i = 0; i < 25; i++)
		await call(s, 'GET', '/persons/' + person.id);
});

after(stop);

test('chart axes: figures in 万 / k, few characters', async () => {
	const { shortNum } = await import(join(ROOT, 'web/app/chart.js'));

	assert.equal(shortNum(0, 'zh'), '0');
	assert.equal(shortNum(3000, 'zh'), '3000');
	assert.equal(shortNum(12000, 'zh'), '1.2万');
	assert.equal(shortNum(3500000, 'zh'), '350万');
	assert.equal(shortNum(350000000, 'zh'), '3.5亿');
	assert.equal(shortNum(12000, 'en'), '12k');
	assert.equal(shortNum(3500000, 'en'), '3.5M');
});

test('audit: a supervisor finds a person by ID number, reads pages, ' +
    'downloads xlsx; another county\'s supervisor finds nobody',
    async () => {
	const page = await newPage();
	const urls = [];

	page.on('request', (q) => urls.push(q.url()));
	await login(page, 'sup');
	await page.goto(base + '/#/audit');
	await page.waitForSelector('#a-who');
	await page.fill('#a-who', idn);
	await page.click('form button[type=submit]');
	await page.waitForSelector('.audit-entry');
	const h = await page.textContent('#audit-h');

	assert.match(h, /\*/, 'masked name in the heading');
	assert.ok(!h.includes(person.name), 'no full name');
	const text = await page.textContent('.audit');

	assert.match(text, /查看人员/);
	assert.match(text, /成功/);
	assert.ok(!/person\.read/.test(text), 'no raw action codes');
	assert.match(await page.textContent('.summary'), /第 1 页, 本页 20 条/);
	const first = await page.$$eval('.audit-entry', (l) => l.length);

	assert.equal(first, 20);
	await screen(page, '50-audit-search');
	const before = await page.textContent('.audit');

	await page.click('button:has-text("下一页")');
	await page.waitForFunction(() => /第 2 页/.test(document
	    .querySelector('.summary').textContent));
	assert.notEqual(await page.textContent('.audit'), before);
	await page.click('button:has-text("上一页")');
	await page.waitForFunction(() => /第 1 页/.test(document
	    .querySelector('.summary').textContent));
	assert.equal(await page.textContent('.audit'), before);
	// xlsx of the same query, made by the server
	const [dl] = await Promise.all([page.waitForEvent('download'),
	    page.click('a:has-text("导出 Excel")')]);
	const x = readFileSync(await dl.path());

	assert.equal(x.subarray(0, 2).toString(), 'PK');
	for (const u of urls)
		assert.ok(!u.includes(idn), 'ID number in a URL: ' + u);
	assert.ok(!page.url().includes(idn));
	await page.context().close();
	// the other county's supervisor: nobody
	const p2 = await newPage();

	await login(p2, 'sup2');
	await p2.goto(base + '/#/audit');
	await p2.fill('#a-who', idn);
	await p2.click('form button[type=submit]');
	await p2.waitForSelector('text=您的范围内没有找到此人');
	assert.equal(await p2.locator('.audit-entry').count(), 0);
	await p2.context().close();
	const log = readFileSync(join(dir, 'server.log'), 'utf8');

	assert.ok(!log.includes(idn), 'ID number in the server log');
});

test('audit: by name, several matches to choose from', async () => {
	const page = await newPage();

	await login(page, 'sup');
	await page.goto(base + '/#/audit');
	await page.fill('#a-who', person.name.slice(0, 1));
	await page.click('form button[type=submit]');
	await page.waitForSelector('#audit-found, .audit-entry');
	if (await page.locator('#audit-found').count()) {
		await screen(page, '51-audit-choose');
		await page.click(`.choose button:has-text("${person.id_number}")`);
		await page.waitForSelector('.audit-entry');
	}
	assert.ok(await page.locator('.audit-entry').count() > 0);
	await page.context().close();
});

test('what-if: figures equal the API\'s; scenarios saved, compared, ' +
    'downloaded', async () => {
	const s = await apiLogin('cty');
	const expr = 'severe and age >= 60';
	const api = await call(s, 'POST', '/rules/simulate', { expression: expr,
	    year: Y - 1, region: '510182', amount: 15000, per: 'month' });

	assert.equal(api.status, 200);
	const page = await newPage();

	await login(page, 'cty');
	await page.click('nav a[href="#/whatif"]');
	await page.waitForSelector('#wi-expr');
	// a mistake is shown as one types, with its position
	await page.fill('#wi-expr', 'severe and agee >= 60');
	await page.waitForSelector('#wi-expr-err');
	assert.equal(await page.getAttribute('#wi-expr', 'aria-invalid'),
	    'true');
	await page.fill('#wi-expr', expr);
	await page.fill('#wi-amount', '150');
	await page.selectOption('#wi-per', 'month');
	await page.selectOption('#wi-year', String(Y - 1));
	await page.click('form button[type=submit]');
	await page.waitForSelector('[data-wi=persons]');
	const shown = Number((await page.textContent('[data-wi=persons]'))
	    .replace(/\D/g, ''));

	assert.equal(shown, api.body.persons);
	assert.match(await page.textContent('[data-wi=cost]'),
	    new RegExp((api.body.cost_per_year / 100).toFixed(2)));
	for (const c of api.body.children) {
		const row = page.locator(`tr[data-region="${c.region}"] td`);

		assert.equal(Number((await row.first().textContent())
		    .replace(/\D/g, '')), c.persons, c.region);
	}
	await screen(page, '52-whatif');
	await page.fill('#wi-name', '重度老年 150');
	await page.click('button:has-text("保存方案")');
	await page.fill('#wi-expr', 'severe');
	await page.fill('#wi-amount', '100');
	await page.click('form button[type=submit]');
	await page.waitForFunction((n) => document.querySelector(
	    '[data-wi=persons]').textContent.replace(/\D/g, '') !== String(n),
	    shown);
	await page.fill('#wi-name', '重度 100');
	await page.click('button:has-text("保存方案")');
	await page.waitForSelector('#wi-saved-h');
	for (const box of await page.locator('.wi-pick input').all())
		await box.check();
	await page.waitForSelector('#wi-cmp-t');
	const cmp = await page.textContent('table:has(#wi-cmp-t)');

	assert.match(cmp, /重度老年 150/);
	assert.match(cmp, /重度 100/);
	await page.locator('#wi-saved-h').evaluate((el) =>
	    el.scrollIntoView({ block: 'start' }));
	await screen(page, '53-whatif-compare');
	// kept across a reload (the browser's storage)
	await page.reload();
	await page.waitForSelector('#wi-saved-h');
	assert.equal(await page.locator('.wi-saved > li').count(), 2);
	await page.fill('#wi-expr', expr);
	await page.click('form button[type=submit]');
	await page.waitForSelector('[data-wi=persons]');
	const [dl] = await Promise.all([page.waitForEvent('download'),
	    page.click('button:has-text("下载 Excel")')]);
	const x = readFileSync(await dl.path());

	assert.equal(x.subarray(0, 2).toString(), 'PK');
	await page.context().close();
	// a village worker has no what-if
	const v = await newPage();

	await login(v, 'vil');
	assert.equal(await v.locator('nav a[href="#/whatif"]').count(), 0);
	await v.context().close();
});

test('village home: the list a page at a time, searched by name; ' +
    'drafts grouped by status; why save-for-offline', async () => {
	const s = await apiLogin('cty');
	const all = [];
	let after = '';

	do {
		const r = await call(s, 'GET', `/persons?region=${village}` +
		    `&year=${Y - 1}&limit=200${after ? '&after=' + after : ''}`);

		all.push(...r.body.persons);
		after = r.body.next;
	} while (after);
	const todo = all.filter((p) => p.status === 1);

	assert.ok(todo.length > 40, `${todo.length} persons to survey`);
	const page = await newPage();

	await login(page, 'vil');
	await page.waitForSelector('.summary');
	assert.equal(await page.locator('.person-item').count(), 20);
	const pages = Math.ceil(todo.length / 20);

	assert.match(await page.textContent('.pager'), new RegExp(
	    `第 1 / ${pages} 页`));
	const first = await page.textContent('.person-item .pname');

	await page.click('.pager button:has-text("下一页") >> nth=0');
	await page.waitForFunction((n) => document.querySelector('.pager')
	    .textContent.includes(`第 2 / ${n} 页`), pages);
	assert.notEqual(await page.textContent('.person-item .pname'), first);
	// drafts by status, each a page of at most 20
	const dr = await call(s, 'GET', `/plans?year=${Y - 1}&region=` +
	    `${village}&status=draft&limit=200`);
	const open = dr.body.plans.filter((x) => x.open > 0).length;

	assert.match(await page.textContent('#h-drafts-open'),
	    new RegExp(`\\(${open}\\)`));
	assert.match(await page.textContent('#off-why'),
	    new RegExp(`待调查的 ${todo.length} 人和 \\d+ 份计划`));
	await screen(page, '54-home-village-paged');
	// search: the list and the plans follow
	const name = todo[0].name.slice(0, 2);
	const hits = todo.filter((p) => p.name.includes(name)).length;

	await page.fill('#home-q', name);
	await page.waitForSelector('text=找到');
	assert.match(await page.textContent('[role=status].pmeta'),
	    new RegExp(`找到 ${hits} 人`));
	assert.equal(await page.locator('.person-item').count(),
	    Math.min(hits, 20));
	await page.context().close();
});

test('township home: drafts and overdue by village', async () => {
	const s = await apiLogin('cty');
	const town = village.slice(0, 9);
	const page = await newPage();

	await login(page, 'twn');
	await page.waitForSelector('.regions');
	const dr = await call(s, 'GET', `/plans?year=${Y - 1}&region=` +
	    `${village}&status=draft&limit=200`);
	const row = page.locator(`.regions a[href="#/region/${village}"]`);

	assert.match(await row.textContent(), new RegExp(
	    `草稿 ${dr.body.plans.length} · 逾期 \\d+ 人`));
	// the busiest village first
	assert.equal(await page.getAttribute('.regions li a >> nth=0', 'href'),
	    `#/region/${village}`);
	assert.match(await page.textContent('.hint'), /按村列出/);
	await screen(page, '55-home-township');
	assert.ok(town);
	await page.context().close();
});

test('county home: the busiest villages of the county with their ' +
    'township, a page at a time, counted by the server', async () => {
	const s = await apiLogin('cty');
	const by = new Map();

	for (const y of [Y, Y - 1]) {
		const r = await call(s, 'GET', `/plans/villages?year=${y}` +
		    '&limit=1000');

		assert.equal(r.status, 200);
		assert.equal(r.body.total, r.body.villages.length);
		for (const v of r.body.villages) {
			const x = by.get(v.code) || { ...v, drafts: 0,
			    overdue: 0 };

			x.drafts += v.drafts;
			x.overdue += v.overdue;
			by.set(v.code, x);
		}
	}
	const want = [...by.values()].sort((a, b) => b.drafts + b.overdue -
	    a.drafts - a.overdue || a.code.localeCompare(b.code));

	assert.ok(want.length > 20, `${want.length} villages with work`);
	assert.equal(want[0].code, village, 'the village seeded largest');
	// the server's draft count is the plans list's
	const dr = await call(s, 'GET', `/plans?year=${Y - 1}&region=` +
	    `${village}&status=draft&limit=200`);

	assert.equal(want[0].drafts, dr.body.plans.length);
	const page = await newPage();

	await login(page, 'cty');
	await page.waitForSelector('#h-busiest');
	const hrefs = () => page.$$eval('.busiest li a', (as) =>
	    as.map((a) => a.getAttribute('href')));

	assert.deepEqual(await hrefs(), want.slice(0, 20).map((v) =>
	    '#/region/' + v.code));
	const first = await page.textContent('.busiest li a >> nth=0');

	assert.ok(first.includes(want[0].name), first);
	assert.ok(first.includes(want[0].township.name), first);
	assert.match(first, new RegExp(`草稿 ${want[0].drafts} · 逾期 ` +
	    `${want[0].overdue} 人`));
	const pages = Math.ceil(want.length / 20);

	assert.match(await page.textContent('.busiest .pager'),
	    new RegExp(`第 1 / ${pages} 页`));
	// the township of the busiest village sums its villages
	const town = village.slice(0, 9);
	const sum = want.filter((v) => v.code.startsWith(town));

	assert.match(await page.textContent(`.regions a[href="#/region/` +
	    `${town}"]`), new RegExp(`草稿 ${sum.reduce((n, v) => n +
	    v.drafts, 0)} · 逾期 ${sum.reduce((n, v) => n + v.overdue, 0)} 人`));
	await screen(page, '57-home-county-villages');
	await page.click('.busiest .pager button:has-text("下一页")');
	await page.waitForFunction((n) => document.querySelector(
	    '.busiest .pager').textContent.includes(`第 2 / ${n} 页`), pages);
	assert.deepEqual(await hrefs(), want.slice(20, 40).map((v) =>
	    '#/region/' + v.code));
	// a village of the list leads to its home
	await page.click(`.busiest a[href="#/region/${want[20].code}"]`);
	await page.waitForSelector('.summary');
	await page.context().close();
});

test('person page and survey: sections fold under a summary line',
    async () => {
	const page = await newPage();

	await login(page, 'vil');
	await page.goto(`${base}/#/person/${person.id}`);
	await page.waitForSelector('#h-years');
	const years = page.locator('.timeline > li > details');

	assert.equal(await years.count(), 2);
	assert.equal(await years.first().getAttribute('open'), '');
	assert.equal(await years.nth(1).getAttribute('open'), null);
	assert.match(await years.nth(1).locator('summary').textContent(),
	    new RegExp(`已调查 \\(${Y - 2}-`));
	await years.nth(1).locator('summary').click();
	assert.equal(await years.nth(1).getAttribute('open'), '');
	const tall = await page.evaluate(() => document.documentElement
	    .scrollHeight);

	assert.ok(tall < 6000, `person page ${tall} px`);
	await page.goto(`${base}/#/person/${person.id}/survey/${Y}`);
	await page.waitForSelector('#f-surveyor_name');
	await page.fill('#f-surveyor_name', '测试员');
	await page.check('input[name=survey_method] >> nth=0');
	await page.click('text=下一步');
	// the basic step: groups from the catalog's group column, each
	// folded under a summary line; an error opens its group
	await page.waitForSelector('h2:has-text("基本情况")');
	const basic = page.locator('details.fgroup');

	assert.ok(await basic.count() >= 5, 'basic groups');
	for (const g of await basic.all()) {
		assert.match(await g.locator('summary').textContent(),
		    /^\S+ · \d+ 项, 已填 \d+ 项$/);
		assert.equal(await g.getAttribute('open'), null, 'folded');
	}
	const filled = async () => Number((await basic.first()
	    .locator('summary').textContent()).match(/已填 (\d+) 项/)[1]);

	assert.match(await basic.first().locator('summary').textContent(),
	    /^身份 · 5 项, /);
	const k = await filled();

	assert.ok(k >= 4, `identity items filled: ${k}`);
	assert.equal(await page.isVisible('#f-name'), false);
	const tallBasic = await page.evaluate(() => document.documentElement
	    .scrollHeight);

	assert.ok(tallBasic < 2500, `basic step ${tallBasic} px`);
	await screen(page, '56-survey-basic-grouped');
	await basic.first().locator('summary').click();
	assert.equal(await basic.first().getAttribute('open'), '');
	const name = await page.inputValue('#f-name');

	await page.fill('#f-name', '');
	assert.equal(await filled(), k - 1, 'the summary counts answers');
	await basic.first().locator('summary').click();
	assert.equal(await basic.first().getAttribute('open'), null);
	await page.click('form button[type=submit]');
	await page.waitForSelector('#f-name-err');
	assert.equal(await basic.first().getAttribute('open'), '',
	    'an error opens its group');
	assert.equal(await basic.nth(1).getAttribute('open'), null);
	await screen(page, '56-survey-basic-error');
	await page.fill('#f-name', name);
	assert.equal(await basic.first().getAttribute('open'), '',
	    'fixing it does not fold it away');
	await page.click('text=下一步');
	await page.waitForSelector('h2:has-text("需求")');
	const groups = page.locator('details.fgroup');

	assert.ok(await groups.count() >= 8, 'need groups');
	for (const g of await groups.all())
		assert.match(await g.locator('summary').textContent(),
		    /\d+ 项, 已选 \d+ 项/);
	await screen(page, '56-survey-needs-grouped');
	await page.context().close();
});

test('no CSP violations or script errors on any page', () => {
	assert.deepEqual(problems, []);
});
