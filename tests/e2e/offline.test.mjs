// offline.test.mjs - a village worker takes plans offline (issue 14,
// point 6): "save for offline" keeps the confirmed plans with items still
// to deliver; with the network switched off (context.setOffline) the
// worker records an item's outcome (delivered, date, note) and rates the
// plan; both wait in the outbox, shown under their item as waiting; when
// the network returns they are sent, and the server has them. A change
// made offline to an item that someone changed meanwhile is refused in
// words, shown as a conflict under the item and in the outbox, and the
// server keeps the other change. Every screen() checks axe and 360 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Y, base, problems, sh, apiLogin, call, newPage, screen, login,
    addUsers, start, stop } from './harness.mjs';

const YR = Y - 1;
let village, P, A, B;

async function planOf(s, id) {
	const r = await call(s, 'GET', `/persons/${id}/plans/${YR}`);

	assert.equal(r.status, 200, JSON.stringify(r.body));
	return r.body;
}

before(async () => {
	await start(import.meta.url, (db) => {
		sh(['seed', db, '--persons', '120', '--region', '510182',
		    '--years', `${YR}-${YR}`, '--seed', '11']);
		village = execFileSync('sqlite3', [db, 'SELECT region FROM ' +
		    'persons GROUP BY region ORDER BY count(*) DESC, region ' +
		    'LIMIT 1'], { encoding: 'utf8' }).trim();
		sh(['plan', db, '--year', String(YR)]);
		addUsers([['vil', 'village', village],
		    ['cty', 'county', '510182']]);
	});
	// a plan of the village with two items or more, every proposal
	// accepted by the worker, confirmed by the county
	const vil = await apiLogin('vil');
	const cty = await apiLogin('cty');
	const drafts = await call(vil, 'GET', `/plans?region=${village}` +
	    `&year=${YR}&status=draft&limit=200`);

	assert.equal(drafts.status, 200, JSON.stringify(drafts.body));
	const pick = drafts.body.plans.find((p) => p.items >= 2);

	assert.ok(pick, 'a draft plan with two items');
	P = pick.person;
	for (const it of (await planOf(vil, P.id)).items) {
		const r = await call(vil, 'PATCH', `/items/${it.id}`,
		    { version: it.version, decision: 1 });

		assert.equal(r.status, 200, JSON.stringify(r.body));
	}
	const v = await planOf(cty, P.id);
	const c = await call(cty, 'POST', `/persons/${P.id}/plans/${YR}/confirm`,
	    { version: v.plan.version });

	assert.equal(c.status, 200, JSON.stringify(c.body));
	[A, B] = (await planOf(vil, P.id)).items;
});

after(stop);

const card = (page, it) => page.locator(`article[aria-labelledby="it-h-${
    it.id}"]`);

// Records the outcome of item it on the open plan page: done, on date.
async function outcome(page, it, date, note) {
	const c = card(page, it);

	await c.locator('button:has-text("记录落实情况")').click();
	await page.fill(`#i${it.id}-actual_date`, date);
	await page.selectOption(`#i${it.id}-status`, '3');
	// the status re-renders the form: type the note once that has
	// settled, and submit only what the page shows
	const box = page.locator(`#i${it.id}-effect_note`);

	for (let i = 0; i < 5 && await box.inputValue() !== note; i++) {
		await page.waitForTimeout(100 * i);
		await box.fill(note);
	}
	assert.equal(await box.inputValue(), note);
	await c.locator('button[type=submit]').click();
}

test('offline: a worker records a delivery and a rating, synced when the ' +
    'network returns; a change to an item changed meanwhile is refused ' +
    'in words', async () => {
	const page = await newPage();
	const ctx = page.context();
	const vil = await apiLogin('vil');
	const day = `${YR}-11-20`;

	await login(page, 'vil');
	const save = page.locator('.offline-box button');

	await save.waitFor();
	assert.match(await page.textContent('#off-why'), /离线时可记录落实情况/);
	await save.click();
	await page.waitForSelector('.offline-box .alert-ok');
	await ctx.setOffline(true);
	try {
		await page.evaluate((h) => { location.hash = h; },
		    `#/person/${P.id}/plan/${YR}`);
		await page.waitForSelector('.alert:has-text("保存在本机的计划")');
		// item A delivered, offline
		await outcome(page, A, day, '轮椅已送到家');
		await card(page, A).locator('.waiting .st-queued').waitFor();
		assert.match(await card(page, A).locator('.waiting')
		    .textContent(), /已完成/);
		// item B too, while someone changes B on the server
		await outcome(page, B, day, '离线记录');
		await card(page, B).locator('.waiting .st-queued').waitFor();
		// the plan's rating
		await page.check('input[name=fb-plan][value=satisfied]');
		await page.click('form:has(input[name=fb-plan]) button[type=submit]');
		await page.waitForSelector('.waiting:has-text("满意")');
		assert.equal(await page.textContent('nav .badge'), '3');
		await page.evaluate(() => window.scrollTo(0, 0));
		await screen(page, 'offline-plan-waiting');
		const nowB = (await call(vil, 'GET', `/items/${B.id}`)).body.item;
		const r = await call(vil, 'PATCH', `/items/${B.id}`,
		    { version: nowB.version, effect_note: '他人已修改' });

		assert.equal(r.status, 200, JSON.stringify(r.body));
		const got = (await call(vil, 'GET', `/items/${A.id}`)).body.item;

		assert.notEqual(got.status.code, 3, 'nothing sent yet');
	} finally {
		await ctx.setOffline(false);
	}
	// no button pressed: the 'online' event sends them; A and the rating
	// go through, B is refused and stays as a conflict
	await card(page, A).locator('.waiting').waitFor({ state: 'detached' });
	await card(page, B).locator('.waiting .st-conflict').waitFor();
	assert.match(await card(page, B).locator('.waiting').textContent(),
	    /服务器未接受/);
	await page.waitForSelector('.alert:has-text("已同步到服务器")');
	const a = (await call(vil, 'GET', `/items/${A.id}`)).body.item;

	assert.equal(a.status.code, 3, 'delivered on the server');
	assert.equal(a.five.time.actual_date, day);
	assert.equal(a.five.effect.note, '轮椅已送到家');
	const b = (await call(vil, 'GET', `/items/${B.id}`)).body.item;

	assert.equal(b.five.effect.note, '他人已修改', 'the other change kept');
	const fb = await call(vil, 'GET', `/persons/${P.id}/plans/${YR}/feedback`);

	assert.deepEqual(fb.body.feedback.filter((f) => f.item === null &&
	    f.superseded_by === null).map((f) => f.rating), ['satisfied']);
	// the page now shows A as the server has it
	assert.match(await card(page, A).textContent(), /已完成/);
	await card(page, B).scrollIntoViewIfNeeded();
	await screen(page, 'offline-plan-conflict');
	// the outbox says it in words and leads back to the item
	await page.click('nav a[href="#/outbox"]');
	await page.waitForSelector('.ob-conflict');
	assert.match(await page.textContent('.ob-conflict'), /离线记录/);
	await page.waitForSelector('.ob-conflict a:has-text("重新查看这个项目")');
	await screen(page, 'offline-outbox-conflict');
	await ctx.close();
	assert.deepEqual(problems, []);
});
