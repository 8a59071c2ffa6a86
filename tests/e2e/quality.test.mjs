// quality.test.mjs - the data-quality findings screens (issue 13) in a real
// browser: the list with its filters and owners, a finding's page with the
// link to its record, and dismissing one, which needs a reason. Every
// screen is checked with axe at 360x640 and 1280x800 (harness screen())
// and for horizontal overflow at 360 px.
//
// The database: a seeded county, last year's plans, then fixtures made to
// trigger rules: items deleted from some plans (应享未享) and one person
// marked deceased with accepted items (死亡仍有在办项目); `liangfu
// quality` finds them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Y, base, sh, newPage, screen, login, addUsers, apiLogin, call,
    start, stop } from './harness.mjs';

const YEAR = Y - 1;
let village;

function sql(db, q) {
	return execFileSync('sqlite3', [db, q], { encoding: 'utf8' }).trim();
}

before(async () => {
	await start(import.meta.url, (db) => {
		sh(['seed', db, '--persons', '400', '--region', '510182',
		    '--years', `${YEAR}-${YEAR}`, '--seed', '13']);
		sh(['plan', db, '--year', String(YEAR)]);
		village = sql(db, `SELECT p.region FROM items i JOIN persons p
		    ON p.id = i.person_id WHERE i.year = ${YEAR} GROUP BY
		    p.region ORDER BY count(*) DESC, p.region LIMIT 1`);
		// 应享未享: the plans of three persons of that village lose
		// their items
		sql(db, `DELETE FROM items WHERE person_id IN (SELECT
		    p.id FROM persons p JOIN plans l ON l.person_id = p.id
		    WHERE p.region = '${village}' AND l.year = ${YEAR}
		    AND EXISTS (SELECT 1 FROM items i WHERE i.plan_id =
		    l.id) ORDER BY p.id LIMIT 3)`);
		// deceased with accepted items still planned
		sql(db, `UPDATE persons SET status = 3 WHERE id = (SELECT
		    person_id FROM items WHERE year = ${YEAR} AND region =
		    ${village} ORDER BY person_id DESC LIMIT 1);
		    UPDATE items SET decision = 1 WHERE person_id = (SELECT id
		    FROM persons WHERE status = 3 ORDER BY id DESC LIMIT 1)`);
		sh(['quality', db, '--year', String(YEAR)]);
		addUsers([['vil', 'village', village],
		    ['cty', 'county', '510182'], ['sup', 'supervisor', '510182']]);
	});
});

after(stop);

// Every element's box within the 360 px viewport.
async function noOverflow(page, what) {
	const bad = await page.evaluate(() => [...document.querySelectorAll(
	    'body *')].filter((e) => {
		const r = e.getBoundingClientRect();

		return r.width > 1 && (r.right > window.innerWidth + 0.5 ||
		    r.left < -0.5);
	}).slice(0, 5).map((e) => e.tagName + '.' + e.className + ' ' +
	    Math.round(e.getBoundingClientRect().right)));

	assert.deepEqual(bad, [], `${what}: elements wider than 360 px`);
}

test('the API lists the fixtures\' findings', async () => {
	const s = await apiLogin('cty');
	const r = await call(s, 'GET', `/findings?year=${YEAR}` +
	    '&status=open&limit=200');

	assert.equal(r.status, 200);
	const rules = new Set(r.body.findings.map((f) => f.rule));

	assert.ok(rules.has('UNMET_POLICY'), [...rules].join(','));
	assert.ok(rules.has('EXIT_ACTIVE'), [...rules].join(','));
});

test('findings list: filters, owners, Chinese names', async () => {
	const page = await newPage();

	await login(page, 'cty');
	await page.click('nav a[href="#/findings"]');
	await page.waitForSelector('ol.findings li');
	assert.match(await page.textContent('ol.findings'), /应享未享/);
	assert.match(await page.textContent('ol.findings'), /乡镇\(街道\)|县/);
	assert.doesNotMatch(await page.textContent('ol.findings'),
	    /UNMET_POLICY|EXIT_ACTIVE/);
	await noOverflow(page, 'findings');
	await screen(page, 'findings');
	// filter: one rule
	await page.selectOption('#fd-rule', 'EXIT_ACTIVE');
	await page.click('form button[type=submit]');
	await page.waitForFunction(() => [...document.querySelectorAll(
	    'ol.findings li')].every((li) => /死亡或迁出/.test(
	    li.textContent)));
	const n = await page.locator('ol.findings li').count();

	assert.ok(n >= 1);
	// filter: dismissed (none yet)
	await page.selectOption('#fd-rule', '');
	await page.selectOption('#fd-status', 'dismissed');
	await page.click('form button[type=submit]');
	await page.waitForSelector('text=没有符合条件的问题');
	await page.context().close();
});

test('a finding: its record, dismiss needs a reason', async () => {
	const page = await newPage();

	await login(page, 'vil');
	await page.goto(base + '/#/findings?rule=UNMET_POLICY');
	await page.waitForSelector('ol.findings li');
	await page.click('ol.findings li a');
	await page.waitForSelector('#fd-reason');
	const link = page.locator('dl.facts a[href^="#/person/"]');

	assert.equal(await link.count(), 1);
	assert.match(await page.textContent('h1'), /应享未享/);
	await noOverflow(page, 'finding');
	await screen(page, 'finding');
	// no reason: refused here, nothing sent
	await page.click('text=排除 (非问题)');
	await page.waitForSelector('[role=alert]');
	assert.match(await page.textContent('[role=alert]'), /理由/);
	await page.fill('#fd-reason', '已核实: 本人书面放弃该项服务');
	await page.click('text=排除 (非问题)');
	await page.waitForSelector('.badge.st-dismissed');
	assert.match(await page.textContent('#fd-hist + ol'),
	    /已核实: 本人书面放弃该项服务/);
	assert.equal(await page.locator('#fd-reason').count(), 0);
	await noOverflow(page, 'finding dismissed');
	await screen(page, 'finding-dismissed');
	// the record link opens the person
	await link.click();
	await page.waitForFunction(() => location.hash.startsWith('#/person/'));
	await page.context().close();
});

test('a supervisor reads findings but cannot decide', async () => {
	const page = await newPage();

	await login(page, 'sup');
	await page.goto(base + '/#/findings');
	await page.waitForSelector('ol.findings li');
	await page.click('ol.findings li a');
	await page.waitForSelector('#fd-hist');
	assert.equal(await page.locator('#fd-reason').count(), 0);
	await page.context().close();
});
