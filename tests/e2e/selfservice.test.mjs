// selfservice.test.mjs - feedback and self-service (开放量服) in the
// browser: a village worker records a rating on the plan page and issues
// a one-time code (slip and SMS text); the person opens /self.html with
// the code and the last six of the ID number (a wrong entry is refused
// without echoing it), reads their own plan and rates an item and the
// plan; the ratings reach the statistics. Every screen: axe at 360x640
// and 1280x800, nothing wider than a 360 px phone, no CSP report.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Y, base, problems, sh, apiLogin, call, listAll, newPage, screen,
    login, addUsers, start, stop, db } from './harness.mjs';

const YEAR = Y - 1;
let village, person, code, last6;

before(async () => {
	await start(import.meta.url, (file) => {
		sh(['seed', file, '--persons', '300', '--region', '510182',
		    '--years', `${YEAR}-${YEAR}`, '--seed', '13']);
		sh(['plan', file, '--year', String(YEAR)]);
		village = execFileSync('sqlite3', [file, `SELECT region FROM
		    items WHERE year = ${YEAR} GROUP BY region ORDER BY
		    count(*) DESC, region LIMIT 1`], { encoding: 'utf8' })
		    .trim();
		addUsers([['vil', 'village', village],
		    ['town', 'township', village.slice(0, 9)],
		    ['cty', 'county', '510182']]);
	});
});

after(async () => {
	await stop();
	assert.deepEqual(problems, []);
});

// Nothing on the page reaches past the phone's 360 px.
async function fits(page, what) {
	const wide = await page.evaluate(() => [...document.querySelectorAll(
	    'body *')].filter((el) => {
		const r = el.getBoundingClientRect();

		return r.width > 1 && r.height > 1 &&
		    (r.right > 360.5 || r.left < -0.5);
	    }).map((el) => el.tagName + '.' + el.className).slice(0, 5));

	assert.deepEqual(wide, [], `${what}: wider than 360 px`);
}

async function shot(page, name) {
	await page.setViewportSize({ width: 360, height: 640 });
	await fits(page, name);
	await screen(page, name);
}

// A person of the village with a confirmed plan and one item done.
async function preparePerson() {
	const vil = await apiLogin('vil'), cty = await apiLogin('cty');
	const persons = await listAll(cty, village, YEAR);

	for (const p of persons) {
		const v = (await call(cty, 'GET',
		    `/persons/${p.id}/plans/${YEAR}`)).body;

		if (!v.plan || v.items.length < 2)
			continue;
		for (const it of v.items)
			if (it.decision.code === 0)
				assert.equal((await call(vil, 'PATCH',
				    `/items/${it.id}`, { version: it.version,
				    decision: 1 })).status, 200);
		const plan = (await call(cty, 'GET',
		    `/persons/${p.id}/plans/${YEAR}`)).body;
		const c = await call(cty, 'POST',
		    `/persons/${p.id}/plans/${YEAR}/confirm`,
		    { version: plan.plan.version });

		assert.equal(c.status, 200, JSON.stringify(c.body));
		const it = c.body.items[0];
		const d = await call(vil, 'PATCH', `/items/${it.id}`,
		    { version: it.version, status: 3 });

		assert.equal(d.status, 200, JSON.stringify(d.body));
		last6 = (await call(cty, 'POST', `/persons/${p.id}/reveal`))
		    .body.id_number.slice(-6);
		return { id: p.id, name: p.name, item: it };
	}
	throw new Error('no person with a plan of two items');
}

test('worker: rates a delivered item and issues a code', async () => {
	person = await preparePerson();
	const page = await newPage();

	await login(page, 'vil');
	await page.goto(`${base}/#/person/${person.id}/plan/${YEAR}`);
	const sec = page.locator('section[aria-labelledby=h-fb]');

	await sec.waitFor();
	const card = sec.locator('.card').nth(1);	// the delivered item

	await card.locator('label:has-text("基本满意") input').check();
	await card.locator('input[id$=-note]').fill('上门及时');
	await card.locator('button:has-text("保存评价")').click();
	await sec.locator('.alert-ok').waitFor();
	await card.locator('p:has-text("最新评价: 基本满意")').waitFor();
	await sec.evaluate((el) => el.scrollIntoView());
	await shot(page, 'fb1-worker-rating');
	// the code: shown once, with a slip and the SMS text
	await sec.locator('button:has-text("生成验证码")').click();
	const slip = sec.locator('.slip-code');

	await slip.waitFor();
	code = (await slip.textContent()).trim();
	assert.match(code, /^[2-9A-HJ-NP-Z]{5}-[2-9A-HJ-NP-Z]{5}$/);
	assert.match(await sec.locator('#sms-text').inputValue(),
	    new RegExp(`验证码:${code}`));
	await slip.evaluate((el) => el.scrollIntoView({ block: 'center' }));
	await shot(page, 'fb2-code-slip');
	await page.context().close();
});

test('person: opens the own plan with the code and rates', async () => {
	const page = await newPage();

	await page.goto(`${base}/self.html`);
	await page.locator('#self-code').waitFor();
	await shot(page, 'self1-enter');
	// a wrong last six: refused, and the answer echoes nothing typed
	const wrong = (last6[0] === '9' ? '0' : String(Number(last6[0]) +
	    1)) + last6.slice(1);

	await page.fill('#self-code', code.toLowerCase());
	await page.fill('#self-last6', wrong);
	await page.click('button[type=submit]');
	const err = page.locator('#self-err');

	await err.waitFor();
	assert.match(await err.textContent(), /不正确/);
	assert.ok(!(await err.textContent()).includes(wrong));
	assert.ok(!(await err.textContent()).includes(code));
	await page.fill('#self-last6', last6);
	await page.click('button[type=submit]');
	await page.locator('h2:has-text("您好")').waitFor();
	assert.match(await page.textContent('h2.self-who'),
	    new RegExp(person.name));
	// the delivered item has the worker's rating and a form
	const item = page.locator('.self-item').filter({ has:
	    page.locator('form') }).first();

	await item.waitFor();
	await shot(page, 'self2-plan');
	await item.locator('label:has-text("满意") >> nth=0').click();
	await item.locator('textarea').fill('服务很好');
	await item.locator('button:has-text("评价")').click();
	await page.locator('[role=status]:has-text("谢谢")').waitFor();
	await item.locator('.self-yours:has-text("满意")').waitFor();
	// the plan as well
	const planForm = page.locator('.self-year .card form').last();

	await planForm.locator('label:has-text("基本满意") input').check();
	await planForm.locator('button[type=submit]').click();
	await page.locator('.self-year > .self-yours').waitFor();
	await item.evaluate((el) => el.scrollIntoView());
	await shot(page, 'self3-rated');
	// keyboard: the rating radios are reachable and labelled
	assert.ok(await page.locator('fieldset legend:has-text("满意吗")')
	    .count() > 0);
	await page.click('button:has-text("退出")');
	await page.locator('#self-code').waitFor();
	await page.context().close();
	// audited as the code; counted in the statistics
	const actors = execFileSync('sqlite3', [db, `SELECT count(*) FROM
	    audit WHERE actor LIKE 'self-service via code #%' AND action =
	    'feedback.add' AND result = 'ok'`], { encoding: 'utf8' }).trim();

	assert.equal(actors, '2');
	const cty = await apiLogin('cty');
	let st;

	for (let i = 0; i < 100; i++) {
		st = await call(cty, 'GET',
		    `/stats?year=${YEAR}&region=${village}`);
		if (st.status !== 503)
			break;
		await new Promise((r) => setTimeout(r, 100));
	}
	assert.equal(st.status, 200);
	const s = st.body.satisfaction.region;

	// the worker's 基本满意 superseded by the person's 满意, and the plan
	assert.equal(s.rated, 2);
	assert.equal(s.satisfied, 1);
	assert.equal(s.basic, 1);
	assert.equal(s.rate_bp, 10000);
});
