// guide.test.mjs - run after every browser test file: the user guide
// (docs/guide/README.md) shows only screenshots that the run took, and
// each is in docs/guide/img/. The screens of each file are in
// build/e2e/screens/FILE.json (harness.mjs writes them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { GUIDE, SCREENS, guideShots } from './harness.mjs';

test('the user guide shows only screenshots this run takes', () => {
	const taken = new Set();

	for (const f of readdirSync(SCREENS))
		for (const name of JSON.parse(readFileSync(join(SCREENS, f),
		    'utf8')))
			taken.add(name);
	for (const name of guideShots()) {
		assert.ok(taken.has(name), `docs/guide: ${name}.png is ` +
		    'not a screen of this run');
		assert.ok(existsSync(join(GUIDE, 'img', name + '.png')),
		    `docs/guide/img/${name}.png is missing`);
	}
});
