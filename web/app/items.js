// items.js - the service items of 一人一策 plans as people read them: the
// policy and its 五个一批 batch, the needs, the five elements (责任主体,
// 落实时间, 投入资金, 具体措施, 服务效果), the status, the department's
// answer and the deliveries. Used by the person page, the plan page and
// the department inbox.
//
// Amounts travel in fen and show in yuan; codes show in the current
// language (the server's own Chinese label when it gives one).
import { html } from './lib.js';
import { t, has } from './i18n.js';
import { getState } from './state.js';
import { label } from './ui.js';
import { yuan, parseYuan } from './catalog.js';

// the one fen/yuan converter lives in catalog.js
export { yuan, parseYuan };

const zh = () => getState().lang !== 'en';

// The 草稿 badge of a draft plan (an item in a draft is never overdue).
export function DraftBadge() {
	return html`<span class="badge badge-draft">${t('plan.draftBadge')}</span>`;
}

// "720.00 元" (yuan, CNY in English)
export function money(fen) {
	return t('money', { v: yuan(fen) });
}

// The text of a coded value {code, label}: the server's Chinese label,
// else ours (kind.code).
export function codeText(kind, v) {
	if (!v)
		return '—';
	if (zh() && v.label)
		return v.label;
	const k = `${kind}.${v.code}`;

	return has(k) ? t(k) : v.label || String(v.code);
}

export function policyName(p) {
	if (!p)
		return t('item.noPolicy');
	return !zh() && p.name_en ? p.name_en : p.name;
}

export function batchName(p) {
	if (!p)
		return '';
	return has('batch.' + p.batch) ? t('batch.' + p.batch) :
	    p.batch_name;
}

export function deptName(code, serverName) {
	if (!code)
		return '—';
	if (zh() && serverName)
		return serverName;
	return has('dept.' + code) ? t('dept.' + code) : code;
}

export const DEPTS = ['civil', 'hrss', 'health', 'medins', 'edu',
    'housing', 'agri', 'cdpf', 'justice', 'culture', 'ndrc', 'emergency',
    'finance'];

// A need {code, label} in the current language, from the catalog.
export function needText(cat, n) {
	const f = cat && cat.byCode[n.code];

	return f ? label(f) : n.label || n.code;
}

// Items still proposed (neither accepted nor rejected).
export function openCount(items) {
	return items.filter((it) => it.decision.code === 0).length;
}

export function why(it) {
	if (!it.why)
		return '';
	return zh() ? it.why.zh : it.why.en || it.why.zh;
}

// The five elements as a definition list.
export function Five({ it }) {
	const f = it.five;
	const who = [deptName(f.responsible.dept, f.responsible.dept_name),
	    f.responsible.org, f.responsible.contact].filter(Boolean);
	const when = [f.time.planned_month && t('five.planned',
	    { m: f.time.planned_month }), f.time.actual_date &&
	    t('five.actual', { d: f.time.actual_date })].filter(Boolean);
	const funds = [t('five.fundsPlanned', { v: money(f.funds.planned) }) +
	    (f.funds.monthly ? t('five.monthly') : ''),
	    t('five.fundsSpent', { v: money(f.funds.spent) })];

	return html`<dl class="facts five">
		<div><dt>${t('five.responsible')}</dt><dd>${who.join(' · ')}</dd></div>
		<div><dt>${t('five.time')}</dt>
		    <dd>${when.join(' · ') || '—'}</dd></div>
		<div><dt>${t('five.funds')}</dt><dd>${funds.join(' · ')}</dd></div>
		<div><dt>${t('five.measures')}</dt><dd>${f.measures || '—'}</dd></div>
		<div><dt>${t('five.effect')}</dt><dd>${f.effect.code ?
		    codeText('effect', f.effect) : t('five.noEffect')}${
		    f.effect.note ? ` (${f.effect.note})` : ''}</dd></div>
	</dl>`;
}

// "2026-11-20 · 80.00 元 · note"
const line = (d) => [d.date, money(d.amount), d.note].filter(Boolean)
    .join(' · ');

// Deliveries recorded (and, for the department, those waiting on this
// device).
export function Deliveries({ list, pending }) {
	const waiting = pending || [];

	if (!list.length && !waiting.length)
		return null;
	return html`<div class="deliveries">
		<p class="dl-head">${t('item.deliveries', { n: list.length })}</p>
		<ul>${list.map((d) => html`<li key=${d.id}>${line(d)}</li>`)}
		${waiting.map((d) => html`<li key=${d.cid} class="dl-pending">
		    ${line(d) + ' '}<span class="tag">${t('outbox.state.' +
		    d.state)}</span></li>`)}</ul>
	</div>`;
}

// One item. level: the heading level; children: the actions.
export function ItemCard({ it, cat, level = 4, children, showWhy,
    person, pending }) {
	const H = 'h' + level;
	const returned = it.dept_state.code === 2;

	return html`<article class=${'item item-d' + it.decision.code}
	    aria-labelledby=${'it-h-' + it.id}>
		<${H} id=${'it-h-' + it.id} class="item-title">
		    ${policyName(it.policy)}<//>
		<p class="tags">
			${it.policy && html`<span class="tag batch">
			    ${batchName(it.policy)}</span>`}
			<span class="tag">${codeText('origin', it.origin)}</span>
			<span class=${'tag dec-' + it.decision.code}>
			    ${codeText('decision', it.decision)}</span>
			<span class="tag">${codeText('itemStatus', it.status)}</span>
		</p>
		${person && html`<p class="pmeta">${person.name + ' · '}<span
		    class="mono">${person.id_number}</span>${' · ' +
		    (person.region_name || person.region)}</p>`}
		${it.decision.reason && html`<p class="reason-text">
		    ${t('item.rejectedWhy', { r: it.decision.reason })}</p>`}
		${returned && html`<p class="alert alert-error" role="note">
		    ${t('item.returnedWhy', { r: it.dept_state.reason || '—' })}
		    </p>`}
		${showWhy && why(it) && html`<p class="why">${t('item.why') +
		    ': ' + why(it)}</p>`}
		${it.needs.length > 0 && html`<p class="needs-line">
		    ${t('item.needs')}: ${it.needs.map((n) => needText(cat, n))
		    .join(zh() ? '、' : ', ')}</p>`}
		<${Five} it=${it} />
		${it.status.reason && html`<p>${t('item.statusWhy',
		    { r: it.status.reason })}</p>`}
		<${Deliveries} list=${it.deliveries || []} pending=${pending} />
		${children}
	</article>`;
}
