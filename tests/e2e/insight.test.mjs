// insight.test.mjs - the 智慧量服 screens (issue 16) in the browser:
// need-supply matching (gaps, stock entry, a county's distribution list,
// issuing from it), reconciliation tasks (closing one with a reason) and
// budgets by government level (two scenarios side by side). Each screen
// passes axe at 360x640 and 1280x800 and no element passes the right
// edge of a 360 px phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Y, sh, apiLogin, call, newPage, screen, login, addUsers, start,
    stop, problems } from './harness.mjs';

const COUNTY = '510104';

before(async () => {
	await start(import.meta.url, (db) => {
		sh(['seed', db, '--persons', '300', '--region', COUNTY,
		    '--years', `${Y - 1}-${Y}`, '--seed', '16']);
		sh(['plan', db, '--year', String(Y)]);
		addUsers([['cty', 'county', COUNTY], ['vil', 'village',
		    COUNTY + '017001']]);
		// a death roster of three registered persons: three tasks
		const ids = execFileSync('sqlite3', [db, 'SELECT uid FROM ' +
		    'persons ORDER BY id LIMIT 3'], { encoding: 'utf8' });
		assert.equal(ids.trim().split('\n').length, 3);
		const csv = join(db + '-export.csv');

		sh(['export', db, '--year', String(Y), csv]);
		const lines = execFileSync('head', ['-4', csv],
		    { encoding: 'utf8' }).replace(/^\uFEFF/, '').split('\n');
		const head = lines[0].split(',');
		const ci = head.indexOf('公民身份号码');
		const ni = head.indexOf('姓名');
		const roster = ['身份证号,姓名,死亡日期', ...lines.slice(1, 4)
		    .map((l) => l.split(',')).map((f) =>
		    `${f[ci]},${f[ni]},${Y}-01-15`)].join('\n') + '\n';

		writeFileSync(db + '-death.csv', roster);
		sh(['reconcile', db, '--roster', db + '-death.csv', '--kind',
		    'death', '--year', String(Y)]);
	});
});

after(async () => {
	await stop();
	assert.deepEqual(problems, []);
});

// No element's box passes the right edge of the 360 px viewport.
async function noOverflow(page, what) {
	await page.setViewportSize({ width: 360, height: 640 });
	const bad = await page.evaluate(() => [...document.querySelectorAll(
	    'body *')].filter((e) => {
		const r = e.getBoundingClientRect();

		return r.width > 0 && r.right > 360.5;
	}).slice(0, 5).map((e) => e.tagName + '.' + e.className + ' ' +
	    Math.round(e.getBoundingClientRect().right)));

	assert.deepEqual(bad, [], what + ': elements past 360 px');
}

test('need-supply matching: gaps, stock entry, the list, issuing',
    async () => {
	const page = await newPage();
	const s = await apiLogin('cty');

	// stock of 5 wheelchairs through the API (the screen enters crutches)
	const r = await call(s, 'PUT', '/supply/stock', { year: Y, rows: [{
	    county: COUNTY, item: 'wheelchair', quantity: 5 }] });

	assert.equal(r.status, 200);
	await login(page, 'cty');
	await page.goto(page.url().split('#')[0] + '#/supply');
	await page.waitForSelector('.ins-cards .ins-card');
	const gaps = (await call(s, 'GET', `/supply/gaps?year=${Y}`)).body;
	const wc = gaps.totals.find((x) => x.item === 'wheelchair');

	assert.equal(wc.stock, 5);
	assert.equal(wc.gap, Math.max(wc.demand - 5, 0));
	if (wc.gap > 0)
		assert.match(await page.textContent('main'),
		    new RegExp(`轮椅缺${wc.gap}台`));
	await noOverflow(page, 'supply');
	await screen(page, 'ins-supply');

	// stock entered on screen
	await page.fill('#st-county', COUNTY);
	await page.selectOption('#st-item', 'crutch');
	await page.fill('#st-qty', '7');
	await page.click('form.card button[type=submit]');
	await page.waitForSelector('.alert-ok');
	const st = (await call(s, 'GET', `/supply/gaps?year=${Y}`)).body
	    .totals.find((x) => x.item === 'crutch');
	assert.equal(st.stock, 7);

	// the wheelchair list: ranked, the first five may be served
	await page.goto(page.url().split('#')[0] +
	    `#/supply?county=${COUNTY}&item=wheelchair`);
	await page.waitForSelector('#dl-h');
	const list = (await call(s, 'GET', `/supply/list?year=${Y}&county=` +
	    `${COUNTY}&item=wheelchair`)).body;
	for (let i = 1; i < list.list.length; i++)
		assert.ok(list.list[i - 1].priority >= list.list[i].priority);
	assert.equal(list.list.filter((p) => p.allocated).length,
	    Math.min(5, list.list.length));
	await noOverflow(page, 'list');
	await screen(page, 'ins-supply-list');
	// issuing from a draft plan is refused with the reason shown
	if (list.list.length > 0) {
		await page.click('.ins-list button');
		await page.waitForSelector('.alert');
	}
	await page.context().close();
});

test('reconciliation: open tasks, closing one with a reason', async () => {
	const page = await newPage();
	const s = await apiLogin('cty');
	const before = (await call(s, 'GET', '/recon/tasks?open=1')).body;

	assert.equal(before.tasks.length, 3);
	assert.ok(before.tasks.every((x) => x.finding === 'disagree' &&
	    x.kind === 'death' && x.county === COUNTY));
	await login(page, 'cty');
	await page.goto(page.url().split('#')[0] + '#/recon');
	await page.waitForSelector('.ins-card');
	await noOverflow(page, 'recon');
	await screen(page, 'ins-recon');
	const id = 'rc-' + before.tasks[0].id;

	// a reason is required
	await page.click(`form:has(#${id}) button`);
	await page.waitForSelector('.alert-error');
	await page.fill('#' + id, '已核实: 公安名单有误');
	await page.click(`form:has(#${id}) button`);
	await page.waitForFunction(() => document.querySelectorAll(
	    '.ins-card').length === 2);
	const after = (await call(s, 'GET', '/recon/tasks?open=0')).body;

	assert.equal(after.tasks.length, 1);
	assert.equal(after.tasks[0].close_reason, '已核实: 公安名单有误');
	// a village worker may not see them
	const v = await apiLogin('vil');

	assert.equal((await call(v, 'GET', '/recon/tasks')).status, 403);
	await page.context().close();
});

test('budgets: two scenarios, shares by level, projection', async () => {
	const page = await newPage();

	await login(page, 'cty');
	await page.goto(page.url().split('#')[0] + '#/budget');
	await page.waitForSelector('#bs-0-expr');
	await page.fill('#bs-0-name', '现行护理补贴');
	await page.fill('#bs-0-expr', 'severe');
	await page.fill('#bs-0-pol', 'SUB_CARE');
	await page.fill('#bs-0-amt', '80');
	await page.fill('#bs-1-name', '扩面到三级');
	await page.fill('#bs-1-expr', 'disability_grade <= 3');
	await page.fill('#bs-1-pol', 'SUB_CARE');
	await page.fill('#bs-1-amt', '80');
	await page.click('button.primary');
	await page.waitForSelector('.ins-cards .ins-card');
	const s = await apiLogin('cty');
	const r = (await call(s, 'POST', '/budget', { year: Y, scenarios: [
	    { name: 'a', expression: 'severe', policy: 'SUB_CARE',
	    amount: 8000 }] })).body.scenarios[0];
	const y0 = r.years[0];

	// 成都 SUB_CARE shares 50/20/30 (data/budget_shares.tsv)
	assert.equal(y0.cost, y0.persons * 96000);
	assert.equal(y0.province, y0.cost / 2);
	assert.equal(y0.province + y0.city + y0.county, y0.cost);
	assert.equal(r.years.length, 4);
	await noOverflow(page, 'budget');
	await page.locator('.ins-cards').scrollIntoViewIfNeeded();
	await screen(page, 'ins-budget');
	await page.context().close();
});
