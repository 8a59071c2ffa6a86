// conformance.test.mjs - one rule engine, never two that can disagree.
//
// The survey form evaluates skip rules in the browser with web/app/expr.js,
// a second implementation of the C rule language (core/expr.c). The C
// engine writes the truth: build/e2e/expr_vectors (tests/e2e/expr_vectors.c,
// run by `make test-e2e`) evaluates every ask_if of the catalog, every
// policy's eligibility, every amount rule and a table reaching every
// operator on every item type over about 2 000 synthetic surveys, and
// writes one JSON line per evaluation. Here every line is evaluated with
// expr.js, which must give the same result, and must refuse every
// expression the C compiler refuses.
//
// Environment: EXPR_VECTORS (default build/e2e/expr_vectors.jsonl).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const FILE = resolve(ROOT, process.env.EXPR_VECTORS ||
    'build/e2e/expr_vectors.jsonl');
const { compile } = await import(join(ROOT, 'web/app/expr.js'));

function load() {
	assert.ok(existsSync(FILE), `${FILE} is missing: \`make test-e2e\` ` +
	    'writes it with build/e2e/expr_vectors');
	const lines = readFileSync(FILE, 'utf8').split('\n').filter(Boolean);
	const head = JSON.parse(lines[0]);

	return { head, rows: lines.slice(1).map((l) => JSON.parse(l)) };
}

const { head, rows } = load();
const byCode = Object.fromEntries(head.catalog.fields.map((f) =>
    [f.code, f]));
const srcOf = Object.fromEntries(head.expressions.map((x) =>
    [x.expr, x.src]));

test('the C engine wrote vectors for every catalog rule and policy', () => {
	const tsv = (name) => readFileSync(join(ROOT, 'data', name), 'utf8')
	    .split('\n').slice(1).filter((l) => l && !l.startsWith('#'))
	    .map((l) => l.split('\t'));

	assert.ok(head.persons >= 1000, `only ${head.persons} surveys`);
	// a text met twice is listed once, under its first source
	for (const r of tsv('policies.tsv'))
		assert.ok(srcOf[r[6]], `policy ${r[0]}: ${r[6]}`);
	for (const r of tsv('policy_amounts.tsv').filter((x) => x[2]))
		assert.ok(srcOf[r[2]], `amount of ${r[0]}: ${r[2]}`);
	for (const r of tsv('catalog.tsv').filter((x) => x[8]))
		assert.ok(srcOf[r[8]], `ask_if of ${r[1]}: ${r[8]}`);
	// every expression was evaluated, most of them both ways
	const seen = new Map();

	for (const r of rows)
		if ('result' in r) {
			const s = seen.get(r.expr) || [0, 0];

			s[r.result]++;
			seen.set(r.expr, s);
		}
	for (const x of head.expressions)
		assert.ok(seen.has(x.expr), `no vector for ${x.src}: ${x.expr}`);
	const both = [...seen.values()].filter(([f, t]) => f && t).length;

	assert.ok(both >= seen.size * 0.8, `only ${both} of ${seen.size} ` +
	    'expressions came out both true and false');
});

test('expr.js refuses what the C compiler refuses', () => {
	const refused = rows.filter((r) => r.compiles === false);

	assert.ok(refused.length >= 20);
	for (const r of refused)
		assert.throws(() => compile(r.expr, byCode), Error,
		    `C refuses, expr.js compiles: ${r.expr}`);
});

test('expr.js gives the C engine\'s result on every vector', () => {
	const fns = new Map();
	const bad = [];
	let n = 0;

	for (const r of rows) {
		if (!('result' in r))
			continue;
		let fn = fns.get(r.expr);

		if (!fn) {
			try {
				fn = compile(r.expr, byCode);
			} catch (e) {
				bad.push(`${srcOf[r.expr]}: ${r.expr}: C ` +
				    `compiles it, expr.js says ${e.message}`);
				fn = () => null;
			}
			fns.set(r.expr, fn);
		}
		const got = fn(r.values, r.ref, r.ctx);

		n++;
		if (got !== null && got !== (r.result === 1) && bad.length < 20)
			bad.push(`${srcOf[r.expr]}: ${r.expr} over ` +
			    `${JSON.stringify(r.values)} at ${r.ref}` +
			    `${r.ctx ? ' ' + JSON.stringify(r.ctx) : ''}: ` +
			    `C ${r.result === 1}, expr.js ${got}`);
	}
	assert.ok(n > 10000, `only ${n} vectors`);
	assert.deepEqual(bad, [], `expr.js disagrees with the C engine:\n` +
	    bad.join('\n'));
});
