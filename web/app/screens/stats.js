// stats.js - the statistics dashboard (统计分析; loaded when first opened,
// ECharts with it through chart.js). For a year, a region inside the
// user's and a set of filters (GET /stats): the key indicators against
// their targets, the parts below target first; disability categories and
// grades by region; 五个一批; need vs supply; each department's services
// and funds. Tables carry the figures (caption, th scope); a chart beside
// most of them only helps the eye. The same query downloads as xlsx or
// CSV, and lists the persons behind the figures (GET /persons, which
// keeps to the user's scope).
//
// The query lives in the route, #/stats?year=&region=&f=ITEM=C1,C2&f=...,
// so the breadcrumb, the back button and a shared link show the same
// view. A region's name in a table opens its parts, down to a village;
// the breadcrumb leads back up.
import { html, useState, useEffect, useRef } from '../lib.js';
import { api, query } from '../api.js';
import { t } from '../i18n.js';
import { loadCatalog, yuan } from '../catalog.js';
import { getState, announce } from '../state.js';
import { Page, Alert, Loading, useAsync, errorText, fmtTime, label, go }
    from '../ui.js';
import { PersonItem } from './common.js';
import { Chart, barOption, summaryOf } from '../chart.js';

// Items the filter form offers: enum items, which the persons list can
// apply too.
const FILTERS = ['disability_grade', 'disability_category', 'gender'];
const LEVELS = [2, 4, 6, 9, 12];	// region code lengths, province..village
const YEARS = 6;			// the year picker goes back this far
const NEED_TOP = 10;			// needs in the need vs supply chart
const MAX_COMBOS = 24;			// persons list: queries per page
const PAGE = 200;

// KPI cards: the rate (or count), what it is taken over.
const KPIS = [
	{ code: 'entry_rate_bp', key: 'entry', num: 'surveyed',
	    den: 'registered' },
	{ code: 'coverage_bp', key: 'coverage', num: 'covered',
	    den: 'valid_card' },
	{ code: 'completion_bp', key: 'completion', num: 'items_done',
	    den: 'items_committed' },
	{ code: 'overdue', key: 'overdue', num: 'overdue',
	    den: 'items_committed' }
];
const DENOM = Object.fromEntries(KPIS.map((k) => [k.code, k.den]));

const thisYear = () => new Date().getFullYear();

// ---- the query in the route ------------------------------------------

function readQuery(q) {
	const y = Number(q.get('year'));

	return {
		year: Number.isInteger(y) && y >= 1990 && y <= 2999 ? y :
		    thisYear(),
		region: q.get('region') || getState().user.region,
		f: q.getAll('f').filter((x) => /^\w+=[^=]+$/.test(x))
	};
}

function params(s, extra = {}) {
	const p = new URLSearchParams({ year: s.year, region: s.region });

	for (const f of s.f)
		p.append('f', f);
	for (const [k, v] of Object.entries(extra))
		p.set(k, v);
	return p.toString();
}

const statsHash = (s) => '#/stats?' + params(s);
const personsHash = (s) => '#/stats/persons?' + params(s);
const splitSpec = (spec) => [spec.slice(0, spec.indexOf('=')),
    spec.slice(spec.indexOf('=') + 1).split(',').filter(Boolean)];

// ---- numbers ---------------------------------------------------------

function num(n) {
	return Number(n || 0).toLocaleString(getState().lang === 'en' ?
	    'en-GB' : 'zh-CN');
}

function pct(bp) {
	return (Number(bp || 0) / 100).toFixed(1) + '%';
}

// A value by its column's code: fen, basis points or a count.
function fmt(code, v) {
	if (/(planned|spent)$/.test(code))
		return yuan(v, true);
	return code.endsWith('_bp') ? pct(v) : num(v);
}

// ---- region names, for the breadcrumb --------------------------------

const names = new Map();

function remember(d) {
	names.set(d.region.code, d.region.name);
	for (const [c, r] of Object.entries(d.kpi.children))
		names.set(c, r.name);
}

async function nameOf(code) {
	if (!names.has(code)) {
		try {
			const n = await api('GET', `/regions/${code}/children`);

			names.set(code, n.name);
		} catch (e) {
			return code;
		}
	}
	return names.get(code);
}

// The regions from the user's down to code.
function chain(code) {
	const top = getState().user.region.length;

	return LEVELS.filter((n) => n >= top && n <= code.length)
	    .map((n) => code.slice(0, n));
}

async function load(s) {
	const [cat, d] = await Promise.all([loadCatalog().catch(() => null),
	    api('GET', '/stats?' + params(s))]);

	remember(d);
	const crumbs = await Promise.all(chain(d.region.code).map(
	    async (code) => ({ code, name: await nameOf(code) })));

	return { cat, d, crumbs };
}

// ---- tables ----------------------------------------------------------

// cols [{key, label, fmt?}]; rows [{code, name, href?, tag?, cls?, v,
// bad?: Set of keys}]; total: the 合计 row's values (or none).
function Table({ id, caption, head, cols, rows, total }) {
	const cell = (c, v, bad) => html`<td class=${bad ? 'below' : undefined}
	    data-label=${c.label}>
	    ${(c.fmt || ((x) => fmt(c.key, x)))(v[c.key])}${bad &&
	    html`<span class="sr-only"> (${t('stats.below')})</span>`}</td>`;

	return html`<div class="table-wrap" role="region" tabindex="0"
	    aria-labelledby=${id}>
		<table class="data stack">
			<caption id=${id}>${caption}</caption>
			<thead><tr><th scope="col">${head}</th>
			    ${cols.map((c) => html`<th scope="col" key=${c.key}>
			    ${c.label}</th>`)}</tr></thead>
			<tbody>
				${total && html`<tr class="total"><th scope="row">
				    ${t('stats.total')}</th>${cols.map((c) =>
				    cell(c, total, false))}</tr>`}
				${rows.map((r) => html`<tr key=${r.code}
				    class=${r.cls}><th scope="row">${r.href ?
				    html`<a href=${r.href}>${r.name}</a>` : r.name}
				    ${r.tag && html` <span class="tag tag-below">
				    ${r.tag}</span>`}</th>${cols.map((c) =>
				    cell(c, r.v, r.bad && r.bad.has(c.key)))}</tr>`)}
			</tbody>
		</table>
	</div>`;
}

// The rows of a by-region table: the parts of the region (a village's
// table has itself as its only part: left out), in code order unless
// first says which go first.
function regionRows(table, s, here, first = []) {
	const rest = Object.keys(table.children).sort()
	    .filter((c) => !first.includes(c));

	return [...first, ...rest].filter((c) => c !== here &&
	    table.children[c]).map((c) => ({ code: c,
	    name: table.children[c].name, v: table.children[c],
	    href: statsHash({ ...s, region: c }) }));
}

// The column groups of a table whose columns are "GROUP.sub".
function groups(table) {
	const out = [];

	for (const c of table.columns) {
		const g = c.code.slice(0, c.code.lastIndexOf('.'));

		if (!out.length || out[out.length - 1].code !== g)
			out.push({ code: g, label: c.label.split('·')[0] });
	}
	return out;
}

// One row per group, with the region's values under the sub-codes.
function groupRows(table, subs, nameOf) {
	return groups(table).map((g) => ({ code: g.code, name: nameOf(g),
	    v: Object.fromEntries(subs.map((x) => [x,
	    table.region[`${g.code}.${x}`]])) }));
}

const subCols = (subs) => subs.map((x) => ({ key: x,
    label: t('stats.col.' + x) }));

function Section({ id, title, children }) {
	return html`<section aria-labelledby=${id} class="stats-part">
		<h2 id=${id}>${title}</h2>
		${children}
	</section>`;
}

// ---- the key indicators ----------------------------------------------

function KpiCard({ x, v, target }) {
	const has = target !== undefined && v[x.den] > 0;
	const met = has && v[x.code] >= target;

	return html`<li class=${'kpi' + (has && !met ? ' kpi-below' : '')}>
		<h3>${t('stats.kpi.' + x.key)}</h3>
		<p class="kpi-value" data-kpi=${x.code}>${fmt(x.code, v[x.code])}</p>
		<p>${t(`stats.kpi.${x.key}Of`, { n: num(v[x.num]),
		    d: num(v[x.den]) })}</p>
		<p>${target === undefined ? t('stats.noTarget') :
		    t('stats.target', { v: pct(target) })}${has && ' · '}${has &&
		    html`<strong class=${met ? 'st-met' : 'st-below'}>${met ?
		    t('stats.met') : t('stats.below')}</strong>`}</p>
	</li>`;
}

// 入库 against the region's registration target (data/targets.tsv), and
// the plans still in draft (their items are never overdue).
function Progress({ v }) {
	const has = v.reg_target > 0;

	return html`<li class="kpi kpi-progress">
		<h3 id="k-regtarget">${t('stats.regTarget')}</h3>
		<p class="kpi-value" data-progress="reg_target_bp">${has ?
		    pct(v.reg_target_bp) : '—'}</p>
		${has && html`<progress aria-labelledby="k-regtarget"
		    max="10000" value=${Math.min(v.reg_target_bp, 10000)}>
		    ${pct(v.reg_target_bp)}</progress>`}
		<p>${has ? t('stats.regTargetOf', { n: num(v.registered),
		    d: num(v.reg_target) }) : t('stats.noRegTarget')}</p>
	</li>
	<li class="kpi">
		<h3>${t('stats.drafts')}</h3>
		<p class="kpi-value" data-progress="plans_draft">${num(
		    v.plans_draft)}</p>
		<p>${t('stats.draftsOf', { open: num(v.items_open),
		    firm: num(v.plans_confirmed) })}</p>
	</li>`;
}

// The keys of row v that miss their target.
function misses(v, targets) {
	return new Set(Object.keys(targets).filter((k) => k in v &&
	    v[DENOM[k]] > 0 && v[k] < targets[k]));
}

function Kpis({ d, s }) {
	const k = d.kpi;
	const cols = k.columns.map((c) => ({ key: c.code,
	    label: t('stats.kcol.' + c.code) }));
	const below = new Set(k.below_target);
	const rows = regionRows(k, s, d.region.code, k.below_target)
	    .map((r) => below.has(r.code) ? { ...r, cls: 'row-below',
	    tag: t('stats.below'), bad: misses(r.v, k.targets) } : r);

	return html`<${Section} id="h-kpi" title=${t('stats.kpi')}>
		<ul class="kpis">${KPIS.map((x) => html`<${KpiCard} key=${x.code}
		    x=${x} v=${k.region} target=${k.targets[x.code]} />`)}
		    <${Progress} v=${k.region} /></ul>
		${rows.length > 0 && html`<p>${below.size ?
		    t('stats.belowList', { n: below.size }) : t('stats.allMet')}
		    ${' '}${t('stats.drillHint')}</p>`}
		<${Table} id="t-kpi" caption=${t('stats.kpiTable')}
		    head=${t('stats.region')} cols=${cols} rows=${rows}
		    total=${k.region} />
	<//>`;
}

// ---- by item: categories, grades -------------------------------------

function ItemPart({ d, s, cat, code, title, id }) {
	const tb = d.items[code];

	if (!tb)
		return null;
	const cols = tb.columns.map((c) => ({ key: c.code,
	    label: c.code === 'empty' ? t('stats.empty') : c.label }));
	const shown = cols.filter((c) => c.key !== 'empty' ||
	    tb.region.empty > 0);
	const series = [{ name: title, values: shown.map((c) =>
	    tb.region[c.key]) }];
	const field = cat && cat.byCode[code];
	const what = field ? label(field) : tb.label;

	return html`<${Section} id=${id} title=${title}>
		<${Chart} option=${barOption(shown.map((c) => c.label), series)}
		    summary=${summaryOf(what, shown.map((c) => c.label), series)} />
		<${Table} id=${'t-' + code} caption=${t('stats.byRegion',
		    { what })} head=${t('stats.region')} cols=${cols}
		    rows=${regionRows(tb, s, d.region.code)} total=${tb.region} />
	<//>`;
}

// ---- services: 五个一批, departments ----------------------------------

const SERVICE = ['persons', 'items', 'done', 'planned', 'spent'];

function batchName(g) {
	const k = 'batch.' + g.code;
	const s = t(k);

	return s === k ? g.label : s;
}

function deptName(g) {
	const k = 'dept.' + g.code;
	const s = t(k);

	return s === k ? g.label : s;
}

function Batches({ d }) {
	const tb = d.services.batch;
	const rows = groupRows(tb, SERVICE, batchName);
	const names = rows.map((r) => r.name);
	const series = [{ name: t('stats.col.persons'),
	    values: rows.map((r) => r.v.persons) }];

	return html`<${Section} id="h-batch" title=${t('stats.batch')}>
		<${Chart} option=${barOption(names, series)}
		    summary=${summaryOf(t('stats.batch'), names, series)} />
		<${Table} id="t-batch" caption=${t('stats.batchTable')}
		    head=${t('stats.batchHead')} cols=${subCols(SERVICE)}
		    rows=${rows} />
	<//>`;
}

function Depts({ d }) {
	const tb = d.services.dept;

	return html`<${Section} id="h-dept" title=${t('stats.dept')}>
		<${Table} id="t-dept" caption=${t('stats.deptTable')}
		    head=${t('stats.deptHead')} cols=${subCols(SERVICE)}
		    rows=${groupRows(tb, SERVICE, deptName)} />
	<//>`;
}

// ---- need vs supply --------------------------------------------------

const NEED = ['need', 'met', 'done', 'gap'];

function Needs({ d, cat }) {
	const tb = d.need_supply;
	const all = groupRows(tb, NEED, (g) => cat && cat.byCode[g.code] ?
	    label(cat.byCode[g.code]) : g.label);
	const rows = all.filter((r) => r.v.need > 0 || r.v.met > 0);
	// the "any need of this kind" questions are met by no item of their
	// own: left out of the chart, which compares specific needs
	const top = rows.filter((r) => !r.code.endsWith('_need_any'))
	    .sort((a, b) => b.v.need - a.v.need).slice(0, NEED_TOP);
	const names = top.map((r) => r.name);
	const series = ['need', 'met', 'gap'].map((x) => ({
	    name: t('stats.col.' + x), values: top.map((r) => r.v[x]) }));
	const title = t('stats.needTop', { n: top.length });

	return html`<${Section} id="h-need" title=${t('stats.need')}>
		${top.length > 0 && html`<h3 class="chart-title">${title}</h3>
		<${Chart} tall option=${barOption(names, series)}
		    summary=${summaryOf(t('stats.need'), names, series)} />`}
		<${Table} id="t-need" caption=${t('stats.needTable')}
		    head=${t('stats.needHead')} cols=${subCols(NEED)}
		    rows=${rows} />
		${all.length > rows.length && html`<p class="hint">
		    ${t('stats.needZero', { n: all.length - rows.length })}</p>`}
	<//>`;
}

// ---- the query form --------------------------------------------------

function optionsOf(d, code) {
	const tb = d.items[code];

	return tb ? tb.columns.filter((c) => c.code !== 'empty') : [];
}

function filterText(d, cat) {
	if (!d.filters.length)
		return t('stats.noFilter');
	return t('stats.filtered', { what: d.filters.map((f) => {
		const field = cat && cat.byCode[f.item];

		return `${field ? label(field) : f.label} = ${f.labels.join('、')}`;
	}).join('; ') });
}

function QueryForm({ s, d, cat }) {
	const [year, setYear] = useState(String(s.year));
	const [sel, setSel] = useState(() => Object.fromEntries(s.f
	    .map(splitSpec).map(([k, c]) => [k, new Set(c)])));
	const years = [];

	for (let y = thisYear(); y > thisYear() - YEARS; y--)
		years.push(y);
	if (!years.includes(s.year))
		years.push(s.year);

	function toggle(item, code, on) {
		const next = new Set(sel[item] || []);

		if (on)
			next.add(code);
		else
			next.delete(code);
		setSel({ ...sel, [item]: next });
	}
	function submit(e) {
		e.preventDefault();
		const f = s.f.filter((x) => !FILTERS.includes(splitSpec(x)[0]));

		for (const item of FILTERS) {
			const c = [...(sel[item] || [])].sort((a, b) => a - b);

			if (c.length)
				f.push(`${item}=${c.join(',')}`);
		}
		go(statsHash({ year: Number(year), region: s.region, f }));
	}
	return html`<details class="card query" open=${s.f.length > 0}>
		<summary>${t('stats.query')}</summary>
		<form onSubmit=${submit} noValidate>
			<div class="field year">
				<label for="st-year">${t('stats.year')}</label>
				<select id="st-year" onChange=${(e) =>
				    setYear(e.target.value)}>${years.map((y) =>
				    html`<option key=${y} value=${y}
				    selected=${String(y) === year}>${y}</option>`)}
				</select>
			</div>
			<p class="hint" id="st-f-hint">${t('stats.filterHint')}</p>
			${FILTERS.map((item) => {
				const opts = optionsOf(d, item);
				const field = cat && cat.byCode[item];

				return opts.length > 0 && html`<fieldset key=${item}
				    class="choices inline" aria-describedby="st-f-hint">
					<legend>${field ? label(field) :
					    d.items[item].label}</legend>
					${opts.map((o) => html`<label key=${o.code}>
						<input type="checkbox" name=${item}
						    value=${o.code} checked=${!!(sel[item] &&
						    sel[item].has(o.code))}
						    onChange=${(e) => toggle(item, o.code,
						    e.target.checked)} />
						${o.label}
					</label>`)}
				</fieldset>`;
			})}
			<div class="actions">
				<button type="submit" class="primary">
				    ${t('stats.apply')}</button>
				${s.f.length > 0 && html`<a class="button"
				    href=${statsHash({ ...s, f: [] })}>
				    ${t('stats.clear')}</a>`}
			</div>
		</form>
	</details>`;
}

// ---- the dashboard ---------------------------------------------------

function Crumbs({ crumbs, s }) {
	return html`<nav class="crumbs" aria-label=${t('stats.crumbs')}><ol>
		${crumbs.map((c, i) => html`<li key=${c.code}>${i ===
		    crumbs.length - 1 ? html`<span aria-current="page">
		    ${c.name}</span>` : html`<a href=${statsHash({ ...s,
		    region: c.code })}>${c.name}</a>`}</li>`)}
	</ol></nav>`;
}

function Body({ data, s }) {
	const { d, cat, crumbs } = data;
	const file = '/api/v1/stats?';
	const leaf = Object.keys(d.kpi.children).every((c) =>
	    c === d.region.code);

	return html`
		<${Crumbs} crumbs=${crumbs} s=${s} />
		<p class="lead">${t('stats.asOf', { year: d.year,
		    time: fmtTime(d.as_of) })} · ${filterText(d, cat)}</p>
		<div class="actions">
			<a class="button small" href=${file + params(s,
			    { format: 'xlsx' })} download>${t('stats.download')}</a>
			<a class="button small" href=${file + params(s,
			    { format: 'csv' })} download>${t('stats.csv')}</a>
			<a class="button small" href=${personsHash(s)}>
			    ${t('stats.persons')}</a>
		</div>
		<${QueryForm} key=${params(s)} s=${s} d=${d} cat=${cat} />
		${leaf && html`<p class="hint">${t('stats.village')}</p>`}
		<${Kpis} d=${d} s=${s} />
		<div class="stats-grid">
			<${ItemPart} d=${d} s=${s} cat=${cat} id="h-cat"
			    code="disability_category" title=${t('stats.categories')} />
			<${ItemPart} d=${d} s=${s} cat=${cat} id="h-grade"
			    code="disability_grade" title=${t('stats.grades')} />
			<${Batches} d=${d} />
			<${Depts} d=${d} />
		</div>
		<${Needs} d=${d} cat=${cat} />
	`;
}

export function Stats({ query: q }) {
	const s = readQuery(q);
	const key = params(s);
	const { loading, error, data } = useAsync(() => load(s), [key]);
	const d = data && data.d;
	const shown = useRef('');

	// a new year or filter keeps the title (and the focus): say it
	useEffect(() => {
		if (!d)
			return;
		if (shown.current)
			announce(t('stats.updated', { region: d.region.name,
			    year: d.year }));
		shown.current = key;
	}, [d]);
	return html`<${Page} wide title=${d ? `${t('stats.title')} · ${
	    d.region.name}` : t('stats.title')}>
		${loading && html`<${Loading} />`}
		${error && html`<${Alert} kind="error">${errorText(error)}<//>`}
		${data && html`<${Body} data=${data} s=${s} />`}
	<//>`;
}

// ---- the persons behind the figures ----------------------------------

// The list API takes one value per item: a filter of several codes is
// asked once per code (and several such filters once per combination),
// the answers merged. Only enum, multi and bool items can be asked so.
function combos(specs, cat) {
	let out = [{}];

	for (const spec of specs) {
		const [item, codes] = splitSpec(spec);
		const f = cat.byCode[item];

		if (!f || !['enum', 'multi', 'bool'].includes(f.type))
			return { problem: t('stats.list.cannot', { what: f ?
			    label(f) : item }) };
		out = out.flatMap((c) => codes.map((v) => ({ ...c, [item]: v })));
	}
	if (out.length > MAX_COMBOS)
		return { problem: t('stats.list.tooMany', { n: out.length }) };
	return { list: out };
}

function specText(specs, cat) {
	if (!specs.length)
		return t('stats.noFilter');
	return t('stats.filtered', { what: specs.map((spec) => {
		const [item, codes] = splitSpec(spec);
		const f = cat.byCode[item];

		if (!f)
			return spec;
		const one = (c) => f.type === 'bool' ? (c === '1' ? t('yes') :
		    t('no')) : (f.options.find((o) => String(o.code) === c) ||
		    { label: c }).label;

		return `${label(f)} = ${codes.map(one).join('、')}`;
	}).join('; ') });
}

// The next page of every combination that has one.
async function pages(s, st) {
	const seen = new Map(st.list.map((p) => [p.id, p]));
	const todo = st.cursors.filter((c) => c.next !== null);
	const got = await Promise.all(todo.map((c) => api('GET', '/persons' +
	    query({ region: s.region, year: s.year, limit: PAGE,
	    after: c.next, ...c.combo }))));
	const cursors = st.cursors.map((c) => {
		const i = todo.indexOf(c);

		return i < 0 ? c : { combo: c.combo, next: got[i].next || null };
	});

	for (const r of got)
		for (const p of r.persons)
			if (!seen.has(p.id))
				seen.set(p.id, p);
	return { ...st, list: [...seen.values()], cursors };
}

async function firstPage(s) {
	const cat = await loadCatalog();
	const name = await nameOf(s.region);
	const c = combos(s.f, cat);
	const st = { cat, name, problem: c.problem, list: [],
	    cursors: (c.list || []).map((combo) => ({ combo, next: '' })) };

	return c.problem ? st : pages(s, st);
}

export function StatsPersons({ query: q }) {
	const s = readQuery(q);
	const key = params(s);
	const [st, setSt] = useState(null);
	const [err, setErr] = useState(null);
	const [busy, setBusy] = useState(false);

	useEffect(() => {
		let live = true;

		setSt(null);
		setErr(null);
		firstPage(s).then((r) => live && setSt(r),
		    (e) => live && setErr(e));
		return () => {
			live = false;
		};
	}, [key]);
	async function more() {
		setBusy(true);
		setErr(null);
		try {
			const r = await pages(s, st);

			setSt(r);
			announce(t('stats.list.count', { n: r.list.length }));
		} catch (e) {
			setErr(e);
		}
		setBusy(false);
	}
	const moreLeft = st && st.cursors.some((c) => c.next !== null);

	return html`<${Page} title=${t('stats.list.title', { region: st ?
	    st.name : '…' })}>
		<p><a href=${statsHash(s)}>${t('stats.list.back')}</a></p>
		${!st && !err && html`<${Loading} />`}
		${err && html`<${Alert} kind="error">${errorText(err)}<//>`}
		${st && html`<p class="lead">${t('stats.list.lead', { year: s.year,
		    filters: specText(s.f, st.cat) })}</p>`}
		${st && st.problem && html`<${Alert} kind="info">${st.problem}<//>`}
		${st && !st.problem && html`
			<p class="summary" id="st-count">${st.list.length ?
			    t('stats.list.count', { n: st.list.length }) :
			    t('stats.list.none')}</p>
			${st.list.length > 0 && html`<ul class="list"
			    aria-labelledby="st-count">${st.list.map((p) =>
			    html`<${PersonItem} key=${p.id} p=${p} />`)}</ul>`}
			${moreLeft && html`<button type="button" disabled=${busy}
			    onClick=${more}>${t('stats.list.more')}</button>`}`}
	<//>`;
}
