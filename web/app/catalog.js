// catalog.js - the survey catalog (GET /api/v1/catalog), kept in IndexedDB
// for offline forms, with its skip rules compiled by expr.js.
import { api, OfflineError } from './api.js';
import { compile } from './expr.js';
import * as idb from './idb.js';

let cached = null;

function build(fields) {
	const byCode = {};

	for (const f of fields)
		byCode[f.code] = f;
	for (const f of fields) {
		try {
			f.asked = compile(f.ask_if, byCode);
		} catch (e) {
			// the server compiled it; ask the item and let the
			// server's validation decide
			console.warn(`ask_if of ${f.code}: ${e.message}`);
			f.asked = () => true;
		}
	}
	return {
		fields, byCode,
		sections: ['envelope', 'basic', 'need'].map((s) => ({
			code: s, fields: fields.filter((f) => f.section === s)
		}))
	};
}

// The catalog: from the server, else the copy kept offline.
export async function loadCatalog() {
	if (cached)
		return cached;
	let data;

	try {
		data = await api('GET', '/catalog');
		await idb.put('meta', data, 'catalog').catch(() => {});
	} catch (e) {
		if (!(e instanceof OfflineError))
			throw e;
		data = await idb.get('meta', 'catalog');
		if (!data)
			throw e;
	}
	cached = build(data.fields);
	return cached;
}

export function isSet(v) {
	return v !== undefined && v !== null && v !== '' &&
	    !(Array.isArray(v) && v.length === 0);
}

export function today() {
	const d = new Date();
	const p = (n) => String(n).padStart(2, '0');

	return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

// The values the server will see: an item whose skip rule does not hold
// is left out, and rules are evaluated over what is left (repeated until
// nothing changes, as a left-out item can turn off another rule). Age is
// computed at fill_date, else today, as the server does.
export function effective(cat, values) {
	let cur = {};

	for (const [k, v] of Object.entries(values))
		if (isSet(v) && cat.byCode[k])
			cur[k] = v;
	for (let pass = 0; pass < 10; pass++) {
		const ref = /^\d{4}-\d{2}-\d{2}$/.test(cur.fill_date || '') ?
		    cur.fill_date : today();
		const next = {};
		let changed = false;

		for (const f of cat.fields) {
			if (!(f.code in cur))
				continue;
			if (f.asked(cur, ref))
				next[f.code] = cur[f.code];
			else
				changed = true;
		}
		cur = next;
		if (!changed)
			break;
	}
	return cur;
}

// The items asked for these values (shown in the form).
export function askedSet(cat, values) {
	const eff = effective(cat, values);
	const ref = /^\d{4}-\d{2}-\d{2}$/.test(eff.fill_date || '') ?
	    eff.fill_date : today();
	const asked = new Set();

	for (const f of cat.fields)
		if (f.asked(eff, ref))
			asked.add(f.code);
	return asked;
}

// An option's label, by code, in the page's language (options_en).
export function optionLabel(f, code) {
	const o = (f.options || []).find((x) => x.code === code);
	const en = typeof document !== 'undefined' &&
	    document.documentElement.lang === 'en';

	return o ? (en && o.label_en ? o.label_en : o.label) : String(code);
}

// Amounts travel in fen and show in yuan: 72000 -> "720.00", grouped
// (thousands commas) 189670 -> "1,896.70". Integer arithmetic, exact.
export function yuan(fen, grouped = false) {
	const n = Number(fen) || 0;
	const a = Math.abs(n);
	const whole = Math.floor(a / 100);

	return `${n < 0 ? '-' : ''}${grouped ? whole.toLocaleString('en-GB') :
	    whole}.${String(a % 100).padStart(2, '0')}`;
}

// Typed yuan ("720", "720.5", "1,896.70") -> fen; undefined when not an
// amount (at most 9 digits of yuan, 2 of fen).
export function parseYuan(s) {
	const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(String(s ?? '').trim()
	    .replace(/[,，\s]/g, ''));

	if (!m || m[1].length > 9)
		return undefined;
	return Number(m[1]) * 100 + Number((m[2] || '').padEnd(2, '0'));
}

// A value as text for reading (lists, the person page, conflicts).
export function formatValue(f, v, yes, no) {
	if (!isSet(v))
		return '—';
	switch (f.type) {
	case 'enum':
		return optionLabel(f, v);
	case 'multi':
		return v.map((c) => optionLabel(f, c)).join('、');
	case 'bool':
		return v ? yes : no;
	case 'money':
		return yuan(v);
	default:
		return String(v);
	}
}

// Masks like the server's json_mask(): first 3 and last 4 characters of
// 11 or more kept, everything else '*'.
export function mask(s) {
	s = String(s);
	const n = s.length;

	return [...s].map((c, i) => n >= 11 && (i < 3 || i >= n - 4) ? c :
	    '*').join('');
}

export function isMasked(v) {
	return typeof v === 'string' && v.includes('*');
}

// Two values alike, a masked one matching the other's mask.
export function sameValue(a, b) {
	if (!isSet(a) && !isSet(b))
		return true;
	if (!isSet(a) || !isSet(b))
		return false;
	if (Array.isArray(a) && Array.isArray(b))
		return a.length === b.length &&
		    [...a].sort().every((x, i) => x === [...b].sort()[i]);
	if (isMasked(a) && !isMasked(b))
		return a === mask(b);
	if (isMasked(b) && !isMasked(a))
		return b === mask(a);
	return a === b;
}
