// harness.mjs - what every browser test file shares: its own server on a
// seeded database in a temporary directory (ephemeral port), the API from
// node as another user, headless chromium pages, axe-core checks and the
// screenshots the user guide shows.
//
// A test file calls world.start({ seed, users }) in before() and
// world.stop() in after(); the live bindings base, db, dir and browser are
// then set. screen(page, name) checks a screen with axe at 360x640 and
// 1280x800 and photographs it at 360x640 into build/e2e/screenshots/
// (and, with UPDATE_GUIDE set, over docs/guide/img/ when the guide shows
// it). Every file's screen names go to build/e2e/screens/FILE.json so that
// guide.test.mjs, run after all of them, checks the guide against the
// whole run.
//
// Environment: LIANGFU (the binary, default ./liangfu), CHROMIUM (default
// /usr/bin/chromium), UPDATE_GUIDE.
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync,
    readFileSync, rmSync, closeSync, unlinkSync, writeFileSync }
    from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = dirname(fileURLToPath(import.meta.url));

export const ROOT = resolve(HERE, '../..');
export const BIN = resolve(ROOT, process.env.LIANGFU || 'liangfu');
export const WEB = join(ROOT, 'web');
export const SHOTS = join(ROOT, 'build/e2e/screenshots');
export const SCREENS = join(ROOT, 'build/e2e/screens');
export const GUIDE = join(ROOT, 'docs/guide');
export const UPDATE_GUIDE = !!process.env.UPDATE_GUIDE;
export const PW = 'E2e-only-pass-2026';
export const Y = new Date().getFullYear();
export const PHONE = { width: 360, height: 640 };
export const DESKTOP = { width: 1280, height: 800 };
const AXE = readFileSync(join(HERE, 'node_modules/axe-core/axe.min.js'),
    'utf8');

// Set by start(); read through the live bindings.
export let dir, db, base, browser, server, port;
export const problems = [];	// CSP reports and page errors, all pages
export const screens = [];	// the screens this file checked

let fileName = 'unknown';

// --- server ---------------------------------------------------------------

export function sh(args, input) {
	return execFileSync(BIN, args, { input, encoding: 'utf8' });
}

// Starts `liangfu serve` on db; listen '127.0.0.1:0' takes a free port.
export async function startServer(listen) {
	const portFile = join(dir, 'port');
	const log = openSync(join(dir, 'server.log'), 'a');

	if (existsSync(portFile))
		unlinkSync(portFile);
	server = spawn(BIN, ['serve', db, '--listen', listen, '--port-file',
	    portFile, '--web', WEB], { stdio: ['ignore', log, log] });
	closeSync(log);
	for (let i = 0; i < 200; i++) {
		if (existsSync(portFile)) {
			const p = readFileSync(portFile, 'utf8').trim();

			if (p) {
				port = Number(p);
				base = `http://127.0.0.1:${port}`;
				return port;
			}
		}
		if (server.exitCode !== null)
			break;
		await new Promise((r) => setTimeout(r, 50));
	}
	throw new Error('server did not start: ' +
	    readFileSync(join(dir, 'server.log'), 'utf8'));
}

export async function stopServer() {
	const exited = once(server, 'exit');

	server.kill('SIGTERM');
	const [code] = await exited;

	assert.equal(code, 0, 'server exit status');
}

// The API from node, as another user would use it at the same time.
export async function apiLogin(login) {
	const r = await fetch(base + '/api/v1/session', { method: 'POST',
	    headers: { 'Content-Type': 'application/json' },
	    body: JSON.stringify({ login, password: PW }) });

	assert.equal(r.status, 200, 'login ' + login);
	return { cookie: r.headers.get('set-cookie').split(';')[0],
	    csrf: (await r.json()).csrf };
}

export async function call(s, method, path, body) {
	const r = await fetch(base + '/api/v1' + path, { method, headers: {
	    Cookie: s.cookie, 'X-CSRF-Token': s.csrf,
	    'Content-Type': 'application/json' },
	    body: body === undefined ? undefined : JSON.stringify(body) });

	return { status: r.status, body: await r.json() };
}

export async function listAll(s, region, year) {
	const out = [];
	let after = '';

	for (;;) {
		const r = await call(s, 'GET', `/persons?region=${region}` +
		    `&year=${year}&limit=200${after ? '&after=' + after : ''}`);

		assert.equal(r.status, 200);
		out.push(...r.body.persons);
		if (!r.body.next)
			return out;
		after = r.body.next;
	}
}

// Adds accounts: [login, role, region] or [login, role, region, dept].
export function addUsers(users) {
	for (const [login, role, region, dept] of users)
		sh(['user', 'add', db, '--login', login, '--role', role,
		    '--region', region, ...(dept ? ['--department', dept] : [])],
		    PW + '\n');
}

// --- the world of one test file ---------------------------------------------

// file: import.meta.url of the test file. prepare(db): fills the database
// (seed, plan, users) before the server starts.
export async function start(file, prepare) {
	fileName = basename(fileURLToPath(file)).replace(/\.test\.mjs$/, '');
	mkdirSync(SHOTS, { recursive: true });
	mkdirSync(SCREENS, { recursive: true });
	if (UPDATE_GUIDE)
		mkdirSync(join(GUIDE, 'img'), { recursive: true });
	dir = mkdtempSync(join(tmpdir(), `liangfu-e2e-${fileName}-`));
	db = join(dir, 'e2e.db');
	await prepare(db);
	await startServer('127.0.0.1:0');
	browser = await chromium.launch({ executablePath: process.env.CHROMIUM ||
	    '/usr/bin/chromium', args: ['--no-sandbox', '--lang=zh-CN'] });
}

export async function stop() {
	if (browser)
		await browser.close();
	if (server && server.exitCode === null)
		await stopServer();
	if (dir)
		rmSync(dir, { recursive: true, force: true });
	writeFileSync(join(SCREENS, fileName + '.json'),
	    JSON.stringify(screens));
	console.log(`screens checked: ${screens.length} (${screens.join(', ')})`);
}

// --- browser --------------------------------------------------------------

export async function newPage(viewport = PHONE) {
	const ctx = await browser.newContext({ viewport,
	    locale: 'zh-CN', serviceWorkers: 'allow' });
	const page = await ctx.newPage();

	page.setDefaultTimeout(15000);
	page.on('console', (m) => {
		if (/Content Security Policy|Refused to/i.test(m.text()))
			problems.push('CSP: ' + m.text());
	});
	page.on('pageerror', (e) => problems.push('page error: ' + e.message));
	return page;
}

export async function axe(page, what) {
	if (!(await page.evaluate(() => typeof window.axe !== 'undefined')))
		await page.evaluate(AXE);
	const v = await page.evaluate(async () => (await window.axe.run(
	    document, { runOnly: { type: 'tag', values: ['wcag2a',
	    'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa',
	    'best-practice'] } })).violations.map((x) => ({ id: x.id,
	    impact: x.impact, help: x.help, nodes: x.nodes.slice(0, 3)
	    .map((n) => n.target.join(' ') + ': ' + n.failureSummary) })));

	assert.deepEqual(v, [], `axe, ${what}:\n${JSON.stringify(v, null, 1)}`);
}

// The screenshots the user guide shows: its links to img/NAME.png.
export function guideShots() {
	const md = readFileSync(join(GUIDE, 'README.md'), 'utf8');

	return new Set([...md.matchAll(/\]\(img\/([\w-]+)\.png\)/g)]
	    .map((m) => m[1]));
}

const guided = UPDATE_GUIDE ? guideShots() : new Set();

// Elements that stick out of a phone's width: every visible element's box
// must lie within 0..360 px and the page must not scroll sideways. A
// scroll container of its own (overflow-x auto) does not excuse its
// content: sideways scrolling is what the check forbids. Only what an
// overflow-hidden ancestor clips, and visually hidden helpers (1x1 px),
// are skipped.
export async function overflow(page) {
	return page.evaluate((W) => {
		const out = [];
		const de = document.documentElement;

		if (de.scrollWidth > W)
			out.push(`document scrollWidth ${de.scrollWidth}`);
		const clipped = (el) => {
			for (let a = el.parentElement; a && a !== document.body;
			    a = a.parentElement) {
				const ox = getComputedStyle(a).overflowX;

				if (ox === 'hidden' || ox === 'clip')
					return true;
			}
			return false;
		};
		for (const el of document.body.querySelectorAll('*')) {
			const r = el.getBoundingClientRect();

			if (r.width <= 1 || r.height <= 1)
				continue;
			const cs = getComputedStyle(el);

			if (cs.visibility === 'hidden' || cs.display === 'none')
				continue;
			if (r.left >= -0.5 && r.right <= W + 0.5)
				continue;
			if (clipped(el))
				continue;
			const id = el.tagName.toLowerCase() + (el.id ? '#' +
			    el.id : '') + (el.className && typeof el.className
			    === 'string' ? '.' + el.className.trim()
			    .replace(/\s+/g, '.') : '');

			out.push(`${id} ${Math.round(r.left)}..` +
			    `${Math.round(r.right)}: ` + (el.textContent || '')
			    .trim().slice(0, 40));
			if (out.length >= 8)
				break;
		}
		return out;
	}, PHONE.width);
}

// A screen: no horizontal overflow at 360x640, axe at phone and desktop
// size, a phone-size screenshot.
export async function screen(page, name) {
	await page.waitForTimeout(150);	// let focus and live regions settle
	await page.setViewportSize(PHONE);
	await page.waitForTimeout(50);	// let charts follow the new size
	const over = await overflow(page);

	assert.deepEqual(over, [], `${name}: elements overflow 360 px`);
	await page.screenshot({ path: join(SHOTS, name + '.png') });
	if (guided.has(name))
		copyFileSync(join(SHOTS, name + '.png'),
		    join(GUIDE, 'img', name + '.png'));
	await axe(page, name + ' at 360x640');
	await page.setViewportSize(DESKTOP);
	await axe(page, name + ' at 1280x800');
	await page.setViewportSize(PHONE);
	screens.push(name);
}

export async function login(page, user) {
	await page.goto(base + '/');
	await page.fill('#login', user);
	await page.fill('#password', PW);
	await page.click('form button[type=submit]');
	await page.waitForSelector('nav');
}
