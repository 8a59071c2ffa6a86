// insight.js - 智慧量服 for county and higher officers (issue 16):
//   #/supply?year=&county=&item=   need-supply matching: gaps by county
//                                  and the total, stock entry, a county's
//                                  distribution list and issuing from it
//   #/recon?kind=                  reconciliation tasks (应享未享 / 不应享
//                                  而享) and closing them with a reason
//   #/budget                       what-if scenarios: cost by government
//                                  level, 3-year projection, xlsx
// Phone first: every result is a list of cards, never a wide table.
import { html, useState } from '../lib.js';
import { api, query } from '../api.js';
import { t } from '../i18n.js';
import { getState, announce } from '../state.js';
import { yuan, parseYuan } from '../catalog.js';
import { Page, Alert, Loading, useAsync, errorText } from '../ui.js';

const thisYear = () => new Date().getFullYear();
const num = (n) => Number(n).toLocaleString('zh-CN');

function Fact({ k, v }) {
	return html`<div><dt>${k}</dt><dd>${v}</dd></div>`;
}

// ---- need-supply matching --------------------------------------------

function GapCard({ g, total }) {
	return html`<li class="card ins-card">
		<h3>${total ? g.item_name : `${g.county_name} · ${g.item_name}`}</h3>
		${g.message && html`<p class="tag ins-gap">${g.message}</p>`}
		<dl class="facts compact">
			<${Fact} k=${t('ins.demand')} v=${num(g.demand)} />
			<${Fact} k=${t('ins.stock')} v=${num(g.stock)} />
			<${Fact} k=${t('ins.issued')} v=${num(g.issued)} />
			<${Fact} k=${t('ins.gap')} v=${num(g.gap)} />
		</dl>
		${!total && html`<p><a href=${'#/supply' + query({ county:
		    g.county, item: g.item })}>${t('ins.openList')}</a></p>`}
	</li>`;
}

function StockForm({ items, county, onDone }) {
	const [f, setF] = useState({ county: county || '', item:
	    items[0] ? items[0].code : '', quantity: '' });
	const [msg, setMsg] = useState(null);

	async function save(e) {
		e.preventDefault();
		try {
			await api('PUT', '/supply/stock', { year: thisYear(),
			    rows: [{ county: f.county.trim(), item: f.item,
			    quantity: Number(f.quantity) }] });
			setMsg({ kind: 'ok', text: t('ins.stockSaved') });
			announce(t('ins.stockSaved'));
			onDone();
		} catch (err) {
			setMsg({ kind: 'error', text: errorText(err) });
		}
	}
	return html`<form class="card" noValidate onSubmit=${save}>
		<h2>${t('ins.stockTitle')}</h2>
		<p class="hint">${t('ins.stockHint')}</p>
		<div class="field"><label for="st-county">${t('ins.county')}</label>
			<input id="st-county" inputmode="numeric" value=${f.county}
			    onInput=${(e) => setF({ ...f, county: e.target.value })} />
		</div>
		<div class="field"><label for="st-item">${t('ins.item')}</label>
			<select id="st-item" value=${f.item} onChange=${(e) =>
			    setF({ ...f, item: e.target.value })}>
			${items.map((i) => html`<option value=${i.code}>${i.name}
			    </option>`)}</select>
		</div>
		<div class="field"><label for="st-qty">${t('ins.quantity')}</label>
			<input id="st-qty" type="number" min="0" inputmode="numeric"
			    value=${f.quantity} onInput=${(e) => setF({ ...f,
			    quantity: e.target.value })} />
		</div>
		${msg && html`<${Alert} kind=${msg.kind}>${msg.text}<//>`}
		<div class="actions"><button type="submit">${t('ins.save')}
		    </button></div>
	</form>`;
}

function ListRow({ p, onIssue, unit }) {
	return html`<li class="card ins-card">
		<h3>${t('ins.rank', { n: p.rank })} · <a class="mono"
		    href=${'#/person/' + p.person}>${p.person.slice(0, 8)}</a></h3>
		<dl class="facts compact">
			<${Fact} k=${t('ins.priority')} v=${p.priority} />
			<${Fact} k=${t('ins.severe')} v=${p.severe ? t('yes') :
			    t('no')} />
			<${Fact} k=${t('ins.age')} v=${p.age >= 0 ? p.age : '—'} />
			<${Fact} k=${t('ins.served')} v=${p.served ? t('yes') :
			    t('no')} />
		</dl>
		${p.allocated ? html`<div class="actions"><button type="button"
		    onClick=${() => onIssue(p)}>${t('ins.issue', { unit })}
		    </button></div>` : html`<p class="hint">${t('ins.waiting')}</p>`}
	</li>`;
}

function DistList({ county, item }) {
	const [msg, setMsg] = useState(null);
	const r = useAsync(() => api('GET', '/supply/list' + query({ county,
	    item, year: thisYear() })), [county, item]);

	async function issue(p) {
		try {
			await api('POST', '/supply/issue', { person: p.person,
			    item, year: thisYear() });
			setMsg({ kind: 'ok', text: t('ins.issued1') });
			announce(t('ins.issued1'));
			r.reload();
		} catch (e) {
			setMsg({ kind: 'error', text: errorText(e) });
		}
	}
	if (r.loading && !r.data)
		return html`<${Loading} />`;
	if (r.error)
		return html`<${Alert} kind="error">${errorText(r.error)}<//>`;
	const d = r.data;

	return html`<section aria-labelledby="dl-h">
		<h2 id="dl-h">${t('ins.listTitle', { county: d.county_name,
		    item: d.item_name })}</h2>
		<p class="lead">${t('ins.listLead', { demand: d.demand,
		    stock: d.stock, remaining: d.remaining, gap: d.gap,
		    unit: d.unit })}</p>
		${msg && html`<${Alert} kind=${msg.kind}>${msg.text}<//>`}
		${d.list.length === 0 ? html`<p>${t('ins.listEmpty')}</p>` :
		    html`<ol class="list ins-list">${d.list.map((p) =>
		    html`<${ListRow} key=${p.person} p=${p} unit=${d.unit}
		    onIssue=${issue} />`)}</ol>`}
	</section>`;
}

export function Supply({ query: q }) {
	const user = getState().user;
	const county = q.get('county') || '';
	const item = q.get('item') || '';
	const items = useAsync(() => api('GET', '/supply/items'), []);
	const gaps = useAsync(() => api('GET', '/supply/gaps' +
	    query({ year: thisYear() })), []);

	return html`<${Page} title=${t('ins.supplyTitle')}>
		<${InsightNav} cur="supply" />
		${county && item ? html`<p><a href="#/supply">
		    ${t('ins.backGaps')}</a></p><${DistList} county=${county}
		    item=${item} />` : html`
		${gaps.loading && !gaps.data && html`<${Loading} />`}
		${gaps.error && html`<${Alert} kind="error">
		    ${errorText(gaps.error)}<//>`}
		${gaps.data && html`
			<h2>${t('ins.totals', { region: gaps.data.region_name })}</h2>
			<ul class="list ins-cards">${gaps.data.totals
			    .filter((g) => g.demand || g.stock).map((g) =>
			    html`<${GapCard} key=${g.item} g=${g} total />`)}</ul>
			<h2>${t('ins.byCounty')}</h2>
			${gaps.data.counties.length === 0 && html`<p>
			    ${t('ins.noDemand')}</p>`}
			<ul class="list ins-cards">${gaps.data.counties.map((g) =>
			    html`<${GapCard} key=${g.county + g.item} g=${g} />`)}
			</ul>`}
		${items.data && html`<${StockForm} items=${items.data.items}
		    county=${user.region.length === 6 ? user.region : ''}
		    onDone=${gaps.reload} />`}`}
	<//>`;
}

// ---- reconciliation ----------------------------------------------------

const KINDS = ['dibao', 'medical', 'school', 'death'];

function TaskCard({ task, onClosed }) {
	const [reason, setReason] = useState('');
	const [err, setErr] = useState(null);
	const id = 'rc-' + task.id;

	async function close(e) {
		e.preventDefault();
		try {
			await api('POST', `/recon/tasks/${task.id}/close`,
			    { reason: reason.trim() });
			announce(t('ins.closed'));
			onClosed();
		} catch (x) {
			setErr(errorText(x));
		}
	}
	return html`<li class="card ins-card">
		<h3>${task.finding_name} · ${t('ins.kind.' + task.kind)}</h3>
		<dl class="facts compact">
			<${Fact} k=${t('ins.person')} v=${html`<a class="mono"
			    href=${'#/person/' + task.person}>${task.person}</a>`} />
			<${Fact} k=${t('ins.village')} v=${task.region} />
			<${Fact} k=${t('ins.owner')} v=${task.owner ||
			    t('ins.ownerCounty', { county: task.county })} />
		</dl>
		<form noValidate onSubmit=${close}>
			<div class="field"><label for=${id}>${t('ins.reason')}</label>
				<input id=${id} value=${reason} onInput=${(e) =>
				    setReason(e.target.value)} />
			</div>
			${err && html`<${Alert} kind="error">${err}<//>`}
			<div class="actions"><button type="submit">
			    ${t('ins.close')}</button></div>
		</form>
	</li>`;
}

export function Recon({ query: q }) {
	const [kind, setKind] = useState(q.get('kind') || '');
	const r = useAsync(() => api('GET', '/recon/tasks' + query({ kind,
	    open: 1, limit: 100 })), [kind]);

	return html`<${Page} title=${t('ins.reconTitle')}>
		<${InsightNav} cur="recon" />
		<p class="hint">${t('ins.reconHint')}</p>
		<div class="field"><label for="rc-kind">${t('ins.kindLabel')}</label>
			<select id="rc-kind" value=${kind} onChange=${(e) =>
			    setKind(e.target.value)}>
				<option value="">${t('ins.kindAll')}</option>
				${KINDS.map((k) => html`<option value=${k}>
				    ${t('ins.kind.' + k)}</option>`)}
			</select>
		</div>
		${r.loading && !r.data && html`<${Loading} />`}
		${r.error && html`<${Alert} kind="error">${errorText(r.error)}<//>`}
		${r.data && (r.data.tasks.length === 0 ? html`<p>
		    ${t('ins.noTasks')}</p>` : html`<h2>
		    ${t('ins.taskCount', { n: r.data.tasks.length })}</h2>
		    <ul class="list ins-cards">${r.data.tasks.map((x) =>
		    html`<${TaskCard} key=${x.id} task=${x}
		    onClosed=${r.reload} />`)}</ul>`)}
	<//>`;
}

// ---- budgets by government level --------------------------------------

const blank = (n) => ({ name: t('ins.scenario', { n }), expression: '',
    policy: '', amount: '', per: 'month' });

function ScenarioForm({ i, s, set }) {
	const id = (k) => `bs-${i}-${k}`;
	const upd = (k) => (e) => set({ ...s, [k]: e.target.value });

	return html`<fieldset class="card field">
		<legend>${t('ins.scenario', { n: i + 1 })}</legend>
		<div class="field"><label for=${id('name')}>${t('ins.sName')}</label>
			<input id=${id('name')} value=${s.name} onInput=${upd('name')} />
		</div>
		<div class="field"><label for=${id('expr')}>${t('ins.sExpr')}</label>
			<input id=${id('expr')} class="mono" value=${s.expression}
			    onInput=${upd('expression')} />
		</div>
		<div class="field"><label for=${id('pol')}>${t('ins.sPolicy')}</label>
			<input id=${id('pol')} class="mono" value=${s.policy}
			    onInput=${upd('policy')} />
		</div>
		<div class="row">
			<div class="field"><label for=${id('amt')}>${t('ins.sAmount')}
			    </label><input id=${id('amt')} type="number" min="0"
			    step="0.01" value=${s.amount} onInput=${upd('amount')} />
			</div>
			<div class="field"><label for=${id('per')}>${t('ins.sPer')}
			    </label><select id=${id('per')} value=${s.per}
			    onChange=${upd('per')}>
				<option value="month">${t('ins.per.month')}</option>
				<option value="year">${t('ins.per.year')}</option>
				<option value="once">${t('ins.per.once')}</option>
			</select></div>
		</div>
	</fieldset>`;
}

function ScenarioResult({ s }) {
	return html`<li class="card ins-card">
		<h3>${s.name}</h3>
		<p class="mono">${s.expression}</p>
		${s.years.map((y) => html`<dl class="facts compact" key=${y.year}>
			<${Fact} k=${t(y.projected ? 'ins.yearProj' : 'ins.yearNow',
			    { y: y.year })} v=${t('ins.persons', { n: num(y.persons) })} />
			<${Fact} k=${t('ins.cost')} v=${yuan(y.cost, true)} />
			<${Fact} k=${t('ins.lv.province')} v=${yuan(y.province, true)} />
			<${Fact} k=${t('ins.lv.city')} v=${yuan(y.city, true)} />
			<${Fact} k=${t('ins.lv.county')} v=${yuan(y.county, true)} />
		</dl>`)}
		<details><summary>${t('ins.byRegion')}</summary>
			<ul class="list">${s.children.map((c) => html`<li key=${c.region}>
			    ${c.name || c.region}: ${t('ins.persons', { n: c.persons })},
			    ${yuan(c.cost, true)}</li>`)}</ul>
		</details>
	</li>`;
}

export function Budget() {
	const [sc, setSc] = useState([blank(1), blank(2)]);
	const [res, setRes] = useState(null);
	const [err, setErr] = useState(null);
	const [busy, setBusy] = useState(false);

	const body = (format) => ({ year: thisYear(), format, scenarios: sc
	    .filter((s) => s.expression.trim()).map((s) => ({ name: s.name,
	    expression: s.expression.trim(), policy: s.policy.trim(),
	    amount: parseYuan(s.amount) ?? 0, per: s.per })) });

	async function run(e) {
		e.preventDefault();
		setBusy(true);
		setErr(null);
		try {
			const r = await api('POST', '/budget', body('json'));

			setRes(r);
			announce(t('ins.ran'));
		} catch (x) {
			setErr(errorText(x));
		}
		setBusy(false);
	}
	async function xlsx() {
		try {
			const s = await api('GET', '/session');
			const r = await fetch('/api/v1/budget', { method: 'POST',
			    headers: { 'Content-Type': 'application/json',
			    'X-CSRF-Token': s.csrf }, credentials: 'same-origin',
			    body: JSON.stringify(body('xlsx')) });

			if (!r.ok)
				throw new Error('HTTP ' + r.status);
			const a = document.createElement('a');

			a.href = URL.createObjectURL(await r.blob());
			a.download = `budget-${thisYear()}.xlsx`;
			a.click();
		} catch (x) {
			setErr(errorText(x));
		}
	}
	return html`<${Page} title=${t('ins.budgetTitle')}>
		<${InsightNav} cur="budget" />
		<p class="hint">${t('ins.budgetHint')}</p>
		<form noValidate onSubmit=${run}>
			${sc.map((s, i) => html`<${ScenarioForm} key=${i} i=${i} s=${s}
			    set=${(v) => setSc(sc.map((x, j) => j === i ? v : x))} />`)}
			${err && html`<${Alert} kind="error">${err}<//>`}
			<div class="actions">
				<button type="submit" class="primary" disabled=${busy}>${t('ins.run')}
				</button>
				${sc.length < 4 && html`<button type="button"
				    onClick=${() => setSc([...sc,
				    blank(sc.length + 1)])}>${t('ins.addScenario')}
				    </button>`}
				${res && html`<button type="button"
				    onClick=${xlsx}>${t('ins.xlsx')}</button>`}
			</div>
		</form>
		${res && html`<h2>${t('ins.results', { region: res.region_name,
		    year: res.year })}</h2>
		    <ul class="list ins-cards">${res.scenarios.map((s, i) =>
		    html`<${ScenarioResult} key=${i} s=${s} />`)}</ul>`}
	<//>`;
}

function InsightNav({ cur }) {
	const link = (key) => html`<li><a href=${'#/' + key}
	    aria-current=${cur === key ? 'page' : undefined}>
	    ${t('ins.nav.' + key)}</a></li>`;

	return html`<nav aria-label=${t('ins.nav.label')} class="ins-nav">
		<ul>${link('supply')}${link('recon')}${link('budget')}</ul>
	</nav>`;
}
