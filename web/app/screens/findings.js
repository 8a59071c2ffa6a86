// findings.js - data-quality findings (issue 13): the list with filters
// (rule, status, region, year) and owners, a page at a time; one
// finding with its explanation, a link to its record, its history, and
// resolve / dismiss with a reason (workers). Rule names and statuses are
// shown in words, never codes. Routes: #/findings?rule=&status=&region=&year=
// and #/findings/ID.
import { html, useState, useEffect } from '../lib.js';
import { api, query } from '../api.js';
import { t } from '../i18n.js';
import { getState, announce, canWrite } from '../state.js';
import { Page, Alert, Loading, errorText, fmtTime, go } from '../ui.js';

const PAGE = 50;
const STATUSES = ['open', 'resolved', 'dismissed'];

function ruleName(f, lang) {
	return lang === 'en' ? f.rule_name_en : f.rule_name;
}

function Card({ f, lang }) {
	return html`<li class="finding">
		<a href=${'#/findings/' + f.id} class="finding-link">
			<strong>${ruleName(f, lang)}</strong></a>
		<span class=${'badge sev-' + f.severity}>
		    ${t('findings.sev.' + f.severity)}</span>
		<span class=${'badge st-' + f.status}>
		    ${t('findings.st.' + f.status)}</span>
		<dl class="facts compact">
			<div><dt>${t('findings.region')}</dt>
			    <dd>${f.region_name}</dd></div>
			<div><dt>${t('findings.owner')}</dt>
			    <dd>${f.owner_label}</dd></div>
			<div><dt>${t('findings.year')}</dt><dd>${f.year}</dd></div>
		</dl>
		<p class="finding-detail">${f.detail}</p>
	</li>`;
}

function Filters({ f, setF, rules, onSubmit, busy }) {
	const sel = (k, lab, opts) => html`<div class="field">
		<label for=${'fd-' + k}>${lab}</label>
		<select id=${'fd-' + k} value=${f[k]} onChange=${(e) =>
		    setF({ ...f, [k]: e.target.value })}>
			<option value="">${t('findings.any')}</option>
			${opts.map(([v, text]) => html`<option value=${v}
			    selected=${v === f[k]}>${text}</option>`)}
		</select>
	</div>`;
	const lang = getState().lang;

	return html`<form class="card" noValidate onSubmit=${(e) => {
		e.preventDefault();
		onSubmit();
	}}>
		${sel('rule', t('findings.rule'), rules.map((r) => [r.code,
		    lang === 'en' ? r.name_en : r.name_zh]))}
		${sel('status', t('findings.status'), STATUSES.map((s) =>
		    [s, t('findings.st.' + s)]))}
		<div class="row">
			<div class="field">
				<label for="fd-region">${t('findings.regionCode')}</label>
				<input id="fd-region" inputmode="numeric"
				    maxlength="12" value=${f.region}
				    autocomplete="off" spellcheck=${false}
				    onInput=${(e) => setF({ ...f, region:
				    e.target.value.trim() })} />
			</div>
			<div class="field">
				<label for="fd-year">${t('findings.year')}</label>
				<input id="fd-year" inputmode="numeric"
				    maxlength="4" value=${f.year}
				    autocomplete="off" onInput=${(e) =>
				    setF({ ...f, year: e.target.value.trim() })} />
			</div>
		</div>
		<button type="submit" class="primary" disabled=${busy}>
		    ${t('findings.submit')}</button>
	</form>`;
}

export function Findings({ query: q }) {
	const lang = getState().lang;
	const [f, setF] = useState({ rule: q.get('rule') || '',
	    status: q.get('status') ?? 'open', region: q.get('region') || '',
	    year: q.get('year') || '' });
	const [rules, setRules] = useState([]);
	const [res, setRes] = useState(null);
	const [err, setErr] = useState(null);
	const [busy, setBusy] = useState(false);

	async function fetchPage(after) {
		setBusy(true);
		setErr(null);
		try {
			const r = await api('GET', '/findings' + query({
				rule: f.rule, status: f.status, region: f.region,
				year: f.year, after, limit: PAGE }));
			const list = after ? [...res.list, ...r.findings] :
			    r.findings;

			setRes({ list, next: r.next });
			announce(t('findings.count', { n: list.length }));
		} catch (e) {
			setErr(e);
		}
		setBusy(false);
	}
	useEffect(() => {
		api('GET', '/findings/rules').then((r) => setRules(r.rules),
		    setErr);
		fetchPage(0);
	}, []);
	return html`<${Page} title=${t('findings.title')}>
		<p class="hint">${t('findings.lead')}</p>
		<${Filters} f=${f} setF=${setF} rules=${rules} busy=${busy}
		    onSubmit=${() => fetchPage(0)} />
		${err && html`<${Alert} kind="error">${errorText(err)}<//>`}
		${res && html`<section aria-labelledby="fd-h">
			<h2 id="fd-h">${t('findings.count', { n:
			    res.list.length })}</h2>
			${res.list.length === 0 && html`<p>${t('findings.none')}
			    </p>`}
			<ol class="list findings">${res.list.map((x) => html`
			    <${Card} key=${x.id} f=${x} lang=${lang} />`)}</ol>
			${res.next && html`<button type="button" disabled=${busy}
			    onClick=${() => fetchPage(res.next)}>
			    ${t('findings.more')}</button>`}
		</section>`}
	<//>`;
}

function recordLink(f) {
	if (f.person && f.item)
		return html`<a href=${'#/person/' + f.person + '/plan/' +
		    f.year}>${t('findings.toPlan', { year: f.year })}</a>`;
	if (f.person)
		return html`<a href=${'#/person/' + f.person}>
		    ${t('findings.toPerson')}</a>`;
	return html`<span>${t('findings.surveyor', { name: f.surveyor })}
	    </span>`;
}

function Decide({ f, onDone }) {
	const [reason, setReason] = useState('');
	const [err, setErr] = useState(null);
	const [busy, setBusy] = useState(false);

	async function send(what) {
		if (!reason.trim()) {
			setErr({ field: 'reason', message:
			    t('findings.needReason') });
			return;
		}
		setBusy(true);
		setErr(null);
		try {
			const r = await api('POST', '/findings/' + f.id + '/' +
			    what, { reason: reason.trim(), version: f.version });

			announce(t('findings.done.' + what));
			onDone(r.finding);
		} catch (e) {
			setErr(e);
		}
		setBusy(false);
	}
	return html`<form class="card" noValidate onSubmit=${(e) => {
		e.preventDefault();
		send('resolve');
	}}>
		<h2>${t('findings.decide')}</h2>
		<div class="field">
			<label for="fd-reason">${t('findings.reason')}</label>
			<textarea id="fd-reason" rows="3" maxlength="900"
			    aria-invalid=${err && err.field === 'reason' ?
			    'true' : undefined}
			    aria-describedby="fd-reason-hint"
			    onInput=${(e) => setReason(e.target.value)}
			    >${reason}</textarea>
			<p class="hint" id="fd-reason-hint">
			    ${t('findings.reasonHint')}</p>
		</div>
		${err && html`<${Alert} kind="error">${err.message &&
		    !err.status ? err.message : errorText(err)}<//>`}
		<div class="row">
			<button type="submit" class="primary" disabled=${busy}>
			    ${t('findings.resolve')}</button>
			<button type="button" disabled=${busy}
			    onClick=${() => send('dismiss')}>
			    ${t('findings.dismiss')}</button>
		</div>
	</form>`;
}

export function Finding({ id }) {
	const lang = getState().lang;
	const [f, setF] = useState(null);
	const [err, setErr] = useState(null);

	useEffect(() => {
		api('GET', '/findings/' + encodeURIComponent(id))
		    .then((r) => setF(r.finding), setErr);
	}, [id]);
	if (err)
		return html`<${Page} title=${t('findings.one')}>
			<${Alert} kind="error">${errorText(err)}<//><//>`;
	if (!f)
		return html`<${Loading} />`;
	return html`<${Page} title=${ruleName(f, lang)}>
		<p><a href="#/findings" onClick=${(e) => {
			e.preventDefault();
			history.length > 1 ? history.back() : go('#/findings');
		}}>${t('findings.back')}</a></p>
		<div class="card">
			<p><span class=${'badge sev-' + f.severity}>
			    ${t('findings.sev.' + f.severity)}</span>
			    <span class=${'badge st-' + f.status}>
			    ${t('findings.st.' + f.status)}</span></p>
			<p class="finding-detail">${f.detail}</p>
			<dl class="facts">
				${f.person_summary && html`<div>
				    <dt>${t('findings.person')}</dt>
				    <dd>${f.person_summary.name}</dd></div>`}
				<div><dt>${t('findings.record')}</dt>
				    <dd>${recordLink(f)}</dd></div>
				<div><dt>${t('findings.region')}</dt>
				    <dd>${f.region_name}</dd></div>
				<div><dt>${t('findings.owner')}</dt>
				    <dd>${f.owner_label}</dd></div>
				<div><dt>${t('findings.year')}</dt>
				    <dd>${f.year}</dd></div>
				${f.reason && html`<div><dt>${t('findings.reason')}
				    </dt><dd>${f.reason}</dd></div>`}
			</dl>
		</div>
		${f.status === 'open' && canWrite(getState().user) &&
		    html`<${Decide} f=${f} onDone=${setF} />`}
		<section class="card" aria-labelledby="fd-hist">
			<h2 id="fd-hist">${t('findings.history')}</h2>
			<ol class="list">${f.history.map((e) => html`<li>
				<p>${fmtTime(e.at)} · ${e.actor}</p>
				<p>${e.from ? t('findings.st.' + e.from) + ' → ' :
				    ''}${t('findings.st.' + e.to)}</p>
				<p class="finding-detail">${e.reason}</p>
			</li>`)}</ol>
		</section>
	<//>`;
}
