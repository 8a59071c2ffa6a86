// whatif.js - 政策测算, what a rule would reach and cost (county and
// higher; loaded when first opened). The officer writes an eligibility
// expression in the rule language (checked as they type by expr.js, the
// browser's copy of the server's engine, with the catalog's item names
// to pick from) and an amount; POST /rules/simulate answers the persons
// for whom it holds in the year's surveys and the yearly cost, by region
// one level down. A scenario can be saved (in this browser's
// localStorage, key "lf.whatif": rules and figures only, no personal
// data) and saved scenarios compared side by side; the current one
// downloads as xlsx (the same call with format "xlsx", made by the
// server).
import { html, useState, useEffect } from '../lib.js';
import { api, apiFile } from '../api.js';
import { t } from '../i18n.js';
import { loadCatalog } from '../catalog.js';
import { compile } from '../expr.js';
import { getState, announce } from '../state.js';
import { Page, Alert, Loading, useAsync, errorText, label } from '../ui.js';
import { money, parseYuan, yuan } from '../items.js';

const STORE = 'lf.whatif';
const MAX_SAVED = 12;
const NAMES_SHOWN = 40;
const DERIVED = ['age', 'severe', 'dibao', 'reg_poor', 'valid_card',
    'disaster_region'];
const PERS = ['month', 'year', 'once'];

const thisYear = () => new Date().getFullYear();

export function loadSaved() {
	try {
		const v = JSON.parse(localStorage.getItem(STORE) || '[]');

		return Array.isArray(v) ? v : [];
	} catch (e) {
		return [];
	}
}

function store(list) {
	localStorage.setItem(STORE, JSON.stringify(list.slice(-MAX_SAVED)));
}

function num(n) {
	return Number(n || 0).toLocaleString(getState().lang === 'en' ?
	    'en-GB' : 'zh-CN');
}

const cost = (fen) => fen === null || fen === undefined ? '—' :
    money(fen);

// What the expression field says now: '' (fine), or the compiler's
// message with its position.
function check(src, cat) {
	if (!cat || !src.trim())
		return '';
	try {
		compile(src, cat.byCode);
		return '';
	} catch (e) {
		return e.message;
	}
}

// The catalog items whose code or label holds q (the names to write).
function Names({ cat, onPick }) {
	const [q, setQ] = useState('');
	const s = q.trim().toLowerCase();
	const all = cat ? cat.fields.filter((f) => f.type !== 'text' &&
	    !f.secret) : [];
	const hits = s ? all.filter((f) => f.code.includes(s) ||
	    label(f).toLowerCase().includes(s)) : all;

	return html`<details class="card names">
		<summary>${t('wi.names', { n: all.length })}</summary>
		<p class="hint">${t('wi.derived', { names: DERIVED.join(', ') })}</p>
		<div class="field">
			<label for="wi-q">${t('wi.find')}</label>
			<input id="wi-q" type="search" value=${q} autocomplete="off"
			    onInput=${(e) => setQ(e.target.value)} />
		</div>
		<ul class="list names-list">${hits.slice(0, NAMES_SHOWN).map((f) =>
		    html`<li key=${f.code}><button type="button" class="link"
		    onClick=${() => onPick(f.code)}><code>${f.code}</code>
		    ${' '}${label(f)}${f.options && f.options.length ? ' (' +
		    f.options.slice(0, 6).map((o) => `${o.code} ${o.label}`)
		    .join(', ') + (f.options.length > 6 ? ', …' : '') + ')' :
		    ''}</button></li>`)}</ul>
		${hits.length > NAMES_SHOWN && html`<p class="hint">${t('wi.more',
		    { n: hits.length - NAMES_SHOWN })}</p>`}
	</details>`;
}

// One scenario's figures by region: a table that stacks on a phone.
function Result({ r }) {
	return html`<section aria-labelledby="wi-res-h" class="wi-result">
		<h2 id="wi-res-h">${t('wi.result', { region: r.region_name,
		    year: r.year })}</h2>
		<ul class="kpis">
			<li class="kpi"><h3>${t('wi.persons')}</h3>
			    <p class="kpi-value" data-wi="persons">${num(r.persons)}</p>
			    <p>${t('wi.ofSurveys', { n: num(r.surveys) })}</p></li>
			<li class="kpi"><h3>${t('wi.cost')}</h3>
			    <p class="kpi-value" data-wi="cost">${cost(
			    r.cost_per_year)}</p></li>
		</ul>
		<div class="table-wrap" role="region" tabindex="0"
		    aria-labelledby="wi-t">
			<table class="data stack">
				<caption id="wi-t">${t('wi.byRegion')}</caption>
				<thead><tr><th scope="col">${t('stats.region')}</th>
				    <th scope="col">${t('wi.persons')}</th>
				    <th scope="col">${t('wi.cost')}</th></tr></thead>
				<tbody>${r.children.map((c) => html`<tr key=${c.region}
				    data-region=${c.region}><th scope="row">${c.name ||
				    c.region}</th>
				    <td data-label=${t('wi.persons')}>${num(c.persons)}</td>
				    <td data-label=${t('wi.cost')}>${cost(
				    c.cost_per_year)}</td></tr>`)}
				</tbody>
			</table>
		</div>
	</section>`;
}

// Saved scenarios side by side: one column pair per scenario.
function Compare({ list }) {
	const regions = new Map();

	for (const s of list)
		for (const c of s.result.children)
			regions.set(c.region, c.name || c.region);
	const cell = (s, code) => s.result.children.find((c) =>
	    c.region === code);
	const codes = [...regions.keys()].sort();

	return html`<div class="table-wrap" role="region" tabindex="0"
	    aria-labelledby="wi-cmp-t">
		<table class="data stack">
			<caption id="wi-cmp-t">${t('wi.compareTable')}</caption>
			<thead><tr><th scope="col">${t('stats.region')}</th>
			    ${list.map((s) => html`<th scope="col" key=${s.id}>
			    ${s.name}</th>`)}</tr></thead>
			<tbody>
				<tr class="total"><th scope="row">${t('stats.total')}</th>
				    ${list.map((s) => html`<td key=${s.id}
				    data-label=${s.name}>${`${num(s.result.persons)} · ${
				    cost(s.result.cost_per_year)}`}</td>`)}</tr>
				${codes.map((code) => html`<tr key=${code}>
				    <th scope="row">${regions.get(code)}</th>
				    ${list.map((s) => {
					const c = cell(s, code);

					return html`<td key=${s.id} data-label=${s.name}>
					    ${c ? `${num(c.persons)} · ${cost(
					    c.cost_per_year)}` : '0'}</td>`;
				    })}</tr>`)}
			</tbody>
		</table>
	</div>`;
}

function Saved({ saved, setSaved, load }) {
	const [pick, setPick] = useState(new Set());
	const chosen = saved.filter((s) => pick.has(s.id));

	function remove(id) {
		const next = saved.filter((s) => s.id !== id);

		store(next);
		setSaved(next);
		pick.delete(id);
		setPick(new Set(pick));
	}
	return html`<section aria-labelledby="wi-saved-h">
		<h2 id="wi-saved-h">${t('wi.saved', { n: saved.length })}</h2>
		<p class="hint">${t('wi.savedHint')}</p>
		<ul class="list wi-saved">${saved.map((s) => html`<li key=${s.id}>
			<label class="wi-pick"><input type="checkbox"
			    checked=${pick.has(s.id)} onChange=${(e) => {
				const n = new Set(pick);

				if (e.target.checked)
					n.add(s.id);
				else
					n.delete(s.id);
				setPick(n);
			    }} /> <strong>${s.name}</strong></label>
			<p class="mono wi-expr">${s.expression}</p>
			<p>${[s.result.region_name, s.year, `${num(s.result.persons)} ${
			    t('wi.personsUnit')}`, cost(s.result.cost_per_year)]
			    .join(' · ')}</p>
			<div class="actions">
				<button type="button" class="small"
				    onClick=${() => load(s)}>${t('wi.load')}</button>
				<button type="button" class="small"
				    onClick=${() => remove(s.id)}>${t('wi.remove')}
				</button>
			</div>
		</li>`)}</ul>
		${chosen.length >= 2 ? html`<${Compare} list=${chosen} />` :
		    saved.length >= 2 && html`<p class="hint">
		    ${t('wi.pickTwo')}</p>`}
	</section>`;
}

function download(blob, name) {
	const a = document.createElement('a');

	a.href = URL.createObjectURL(blob);
	a.download = name;
	document.body.appendChild(a);
	a.click();
	setTimeout(() => {
		URL.revokeObjectURL(a.href);
		a.remove();
	}, 1000);
}

export function WhatIf() {
	const user = getState().user;
	const cat = useAsync(() => loadCatalog(), []);
	const [f, setF] = useState({ expression: 'severe and age >= 60',
	    amount: '100', per: 'month', year: String(thisYear() - 1),
	    name: '' });
	const [res, setRes] = useState(null);
	const [err, setErr] = useState(null);
	const [busy, setBusy] = useState(false);
	const [saved, setSaved] = useState(loadSaved);
	const problem = check(f.expression, cat.data);
	const fen = parseYuan(f.amount);
	const amountBad = f.amount.trim() !== '' && fen === undefined;
	const set = (k) => (e) => setF({ ...f, [k]: e.target.value });

	function body(format) {
		const b = { expression: f.expression, year: Number(f.year),
		    region: user.region };

		if (fen !== undefined) {
			b.amount = fen;
			b.per = f.per;
		}
		if (format)
			b.format = format;
		return b;
	}
	async function run(e) {
		e.preventDefault();
		if (problem || amountBad)
			return;
		setBusy(true);
		setErr(null);
		try {
			const r = await api('POST', '/rules/simulate', body());

			setRes({ ...r, amount: fen, per: f.per });
			announce(t('wi.done', { n: num(r.persons) }));
		} catch (x) {
			setErr(x);
		}
		setBusy(false);
	}
	function save() {
		const s = { id: Date.now().toString(36), name: f.name.trim() ||
		    t('wi.unnamed', { n: saved.length + 1 }), expression:
		    res.expression, amount: res.amount, per: res.per,
		    year: res.year, result: res };
		const next = [...saved, s];

		store(next);
		setSaved(loadSaved());
		setF({ ...f, name: '' });
		announce(t('wi.savedOne', { name: s.name }));
	}
	async function xlsx() {
		setErr(null);
		try {
			download(await apiFile('/rules/simulate', body('xlsx')),
			    'liangfu-simulate.xlsx');
		} catch (x) {
			setErr(x);
		}
	}
	useEffect(() => {
		setSaved(loadSaved());
	}, []);
	const years = [];

	for (let y = thisYear(); y > thisYear() - 6; y--)
		years.push(String(y));
	return html`<${Page} title=${t('wi.title')}>
		<p class="lead">${t('wi.lead')}</p>
		${cat.loading && html`<${Loading} />`}
		<form class="card" noValidate onSubmit=${run}>
			<div class="field">
				<label for="wi-expr">${t('wi.expr')}</label>
				<textarea id="wi-expr" rows="3" spellcheck="false"
				    autocomplete="off" value=${f.expression}
				    aria-invalid=${problem ? 'true' : undefined}
				    aria-describedby=${(problem ? 'wi-expr-err ' : '') +
				    'wi-expr-hint'}
				    onInput=${set('expression')}></textarea>
				${problem && html`<p class="error" id="wi-expr-err">
				    ${problem}</p>`}
				<p class="hint" id="wi-expr-hint">${t('wi.exprHint')}</p>
			</div>
			<${Names} cat=${cat.data} onPick=${(code) => setF({ ...f,
			    expression: (f.expression.trim() ? f.expression.trim() +
			    ' and ' : '') + code + ' ' })} />
			<div class="row">
				<div class="field">
					<label for="wi-amount">${t('wi.amount')}</label>
					<input id="wi-amount" inputmode="decimal"
					    value=${f.amount} onInput=${set('amount')}
					    aria-invalid=${amountBad ? 'true' : undefined}
					    aria-describedby="wi-amount-hint" />
					<p class="hint" id="wi-amount-hint">
					    ${t('hint.money')}</p>
				</div>
				<div class="field">
					<label for="wi-per">${t('wi.per')}</label>
					<select id="wi-per" onChange=${set('per')}>
					    ${PERS.map((p) => html`<option key=${p} value=${p}
					    selected=${f.per === p}>${t('wi.per.' + p)}
					    </option>`)}</select>
				</div>
				<div class="field">
					<label for="wi-year">${t('stats.year')}</label>
					<select id="wi-year" onChange=${set('year')}>
					    ${years.map((y) => html`<option key=${y} value=${y}
					    selected=${f.year === y}>${y}</option>`)}</select>
				</div>
			</div>
			<button type="submit" class="primary" disabled=${busy ||
			    !!problem || amountBad}>${t('wi.run')}</button>
		</form>
		${err && html`<${Alert} kind="error">${errorText(err)}<//>`}
		${res && html`<${Result} r=${res} />
		<div class="card">
			<div class="field">
				<label for="wi-name">${t('wi.name')}</label>
				<input id="wi-name" value=${f.name} maxLength="40"
				    onInput=${set('name')} />
			</div>
			<div class="actions">
				<button type="button" onClick=${save}>${t('wi.save')}
				</button>
				<button type="button" onClick=${xlsx}>${t('wi.xlsx')}
				</button>
			</div>
		</div>`}
		${saved.length > 0 && html`<${Saved} saved=${saved}
		    setSaved=${setSaved} load=${(s) => {
			setF({ ...f, expression: s.expression, amount:
			    s.amount === undefined ? '' : yuan(s.amount),
			    per: s.per || 'month', year: String(s.year) });
			setRes(s.result);
		    }} />`}
	<//>`;
}
