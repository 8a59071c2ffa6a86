// audit.js - the audit log (supervisors, auditors): who read, changed or
// was refused what, a page at a time. A supervisor finds the person by
// name or ID number (POST /audit/persons: the number goes in the body,
// never in the address, and the search keeps to the caller's scope),
// picks one when several match, and reads the entries in words: the
// action, the result and the target (a person by masked name and
// village). Without a person only province-wide users may query. The
// same query downloads as xlsx (GET /audit?format=xlsx, server-side).
import { html, useState, useEffect } from '../lib.js';
import { api, query } from '../api.js';
import { t, has } from '../i18n.js';
import { getState, announce, canReadPersons } from '../state.js';
import { Page, Alert, errorText, fmtTime } from '../ui.js';

const PAGE = 20;
const ID_RE = /^\d{17}[\dXx]$/;
const CARD_RE = /^\d{17}[\dXx]\d\d$/;

// The day after 'YYYY-MM-DD' (the API's `to` is exclusive; ours is not).
function nextDay(d) {
	const x = new Date(d + 'T00:00:00Z');

	x.setUTCDate(x.getUTCDate() + 1);
	return x.toISOString().slice(0, 10);
}

// The server's words ({zh, en}) in the user's language.
const said = (w, code) => w ? (getState().lang === 'en' ? w.en : w.zh) :
    code;

// What the search box holds: an ID number, a certificate number, a name.
export function searchBody(text) {
	const s = text.trim();

	if (ID_RE.test(s))
		return { id_number: s.toUpperCase() };
	if (CARD_RE.test(s))
		return { certificate_no: s.toUpperCase() };
	return { name: s };
}

function Entry({ e }) {
	const person = e.target_type === 'person' && e.target;

	return html`<li class="audit-entry">
		<p><strong>${said(e.action_label, e.action)}</strong>
		    <span class=${'result r-' + e.result}>${said(e.result_label,
		    e.result)}</span></p>
		<dl class="facts compact">
			<div><dt>${t('audit.at')}</dt><dd>${fmtTime(e.at)}</dd></div>
			<div><dt>${t('audit.actor')}</dt><dd>${e.actor}
			    ${e.role && ` (${has('role.' + e.role) ?
			    t('role.' + e.role) : said(e.role_label, '')})`}</dd></div>
			${e.target && html`<div><dt>${t('audit.target')}</dt>
			    <dd>${said(e.target_type_label, e.target_type)}
			    ${' · '}${person && canReadPersons(getState().user) ?
			    html`<a href=${'#/person/' + e.target}>${said(
			    e.target_label, e.target)}</a>` : said(e.target_label,
			    e.target)}</dd></div>`}
			${e.detail_label && (e.detail_label.zh || e.detail_label.en) &&
			    html`<div><dt>${t('audit.detail')}</dt>
			    <dd>${said(e.detail_label, '')}</dd></div>`}
			<div><dt>${t('audit.client')}</dt><dd class="mono">
			    ${e.client} · ${e.request_id}</dd></div>
		</dl>
	</li>`;
}

function Found({ persons, pick }) {
	return html`<section aria-labelledby="audit-found">
		<h2 id="audit-found">${t('audit.found', { n: persons.length })}</h2>
		<ul class="list choose">${persons.map((p) => html`<li key=${p.id}>
			<button type="button" class="link-row" onClick=${() =>
			    pick(p)}>${p.name} · ${p.region_name} ·
			    <span class="mono">${p.id_number}</span></button>
		</li>`)}</ul>
	</section>`;
}

export function Audit({ query: q }) {
	const user = getState().user;
	const wide = user.region.length === 2;
	const [f, setF] = useState({ who: '', user: q.get('user') || '',
	    from: '', to: '' });
	const [person, setPerson] = useState(q.get('person') ?
	    { id: q.get('person') } : null);
	const [found, setFound] = useState(null);
	const [res, setRes] = useState(null);	// {list, next, pages}
	const [err, setErr] = useState(null);
	const [busy, setBusy] = useState(false);

	const params = (who) => ({ person: who ? who.id : '',
	    user: f.user.trim(), from: f.from, to: f.to ? nextDay(f.to) : '' });

	// pages: the cursors of the pages before (for going back)
	async function fetchPage(who, after, pages) {
		setBusy(true);
		setErr(null);
		try {
			const r = await api('GET', '/audit' + query({
			    ...params(who), after, limit: PAGE }));

			setRes({ list: r.entries, next: r.next, after, pages });
			announce(t('audit.pageOf', { p: pages.length + 1,
			    n: r.entries.length }));
		} catch (e) {
			setErr(e);
		}
		setBusy(false);
	}
	async function search() {
		const text = f.who.trim();

		setFound(null);
		setRes(null);
		if (!text) {
			setPerson(null);
			if (wide)
				fetchPage(null, 0, []);
			else
				setErr({ message: t('audit.needPerson'),
				    field: 'who' });
			return;
		}
		setBusy(true);
		setErr(null);
		try {
			const r = await api('POST', '/audit/persons',
			    searchBody(text));

			setBusy(false);
			if (r.persons.length === 1) {
				setPerson(r.persons[0]);
				fetchPage(r.persons[0], 0, []);
			} else {
				setPerson(null);
				setFound(r.persons);
				announce(t('audit.found', { n: r.persons.length }));
			}
		} catch (e) {
			setErr(e);
			setBusy(false);
		}
	}
	useEffect(() => {
		if (person || wide)
			fetchPage(person, 0, []);
	}, []);
	const input = (k, type, lab, extra = {}) => html`<div class="field">
		<label for=${'a-' + k}>${lab}</label>
		<input id=${'a-' + k} type=${type} value=${f[k]}
		    aria-invalid=${err && err.field === k ? 'true' : undefined}
		    onInput=${(e) => setF({ ...f, [k]: e.target.value })}
		    ...${extra} />
	</div>`;
	const xlsx = '/api/v1/audit' + query({ ...params(person),
	    format: 'xlsx' });

	return html`<${Page} title=${t('audit.title')}>
		<form class="card" noValidate onSubmit=${(e) => {
			e.preventDefault();
			search();
		}}>
			<p class="hint" id="a-who-hint">${wide ?
			    t('audit.whoHintAll') : t('audit.whoHint')}</p>
			${input('who', 'search', t('audit.who'),
			    { spellcheck: false, maxLength: 64,
			    autocomplete: 'off', 'aria-describedby': 'a-who-hint' })}
			${input('user', 'text', t('audit.user'),
			    { spellcheck: false, autocomplete: 'off' })}
			<div class="row">
				${input('from', 'date', t('audit.from'))}
				${input('to', 'date', t('audit.to'))}
			</div>
			<button type="submit" class="primary" disabled=${busy}>
			    ${t('audit.submit')}</button>
		</form>
		${err && html`<${Alert} kind="error">${err instanceof Error ?
		    errorText(err) : err.message}<//>`}
		${found && (found.length ? html`<${Found} persons=${found}
		    pick=${(p) => {
			setFound(null);
			setPerson(p);
			fetchPage(p, 0, []);
		    }} />` : html`<${Alert} kind="info">${t('audit.noneFound')}<//>`)}
		${res && html`<section aria-labelledby="audit-h">
			<h2 id="audit-h">${person && person.name ?
			    t('audit.of', { name: person.name,
			    village: person.region_name }) : t('audit.entries')}</h2>
			<p class="summary">${t('audit.pageOf', { p: res.pages.length +
			    1, n: res.list.length })}</p>
			${res.list.length ? html`<ol class="list audit">${res.list.map(
			    (e) => html`<${Entry} key=${e.id} e=${e} />`)}</ol>` :
			    html`<p>${t('audit.none')}</p>`}
			<nav class="actions pager" aria-label=${t('audit.pages')}>
				<button type="button" disabled=${busy ||
				    !res.pages.length} onClick=${() => fetchPage(
				    person, res.pages[res.pages.length - 1],
				    res.pages.slice(0, -1))}>${t('audit.prev')}</button>
				<button type="button" disabled=${busy || !res.next}
				    onClick=${() => fetchPage(person, res.next,
				    [...res.pages, res.after])}>${t('audit.next')}
				</button>
				<a class="button" href=${xlsx} download>
				    ${t('audit.xlsx')}</a>
			</nav>
		</section>`}
	<//>`;
}
