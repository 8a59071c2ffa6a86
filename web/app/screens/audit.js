// audit.js - the audit log (supervisors, auditors): who read, changed or
// was refused what, oldest first, a page at a time. Without a person only
// province-wide users may query.
import { html, useState, useEffect } from '../lib.js';
import { api, query } from '../api.js';
import { t, has } from '../i18n.js';
import { getState, announce, canReadPersons } from '../state.js';
import { Page, Alert, errorText, fmtTime } from '../ui.js';

const PAGE = 50;

// The day after 'YYYY-MM-DD' (the API's `to` is exclusive; ours is not).
function nextDay(d) {
	const x = new Date(d + 'T00:00:00Z');

	x.setUTCDate(x.getUTCDate() + 1);
	return x.toISOString().slice(0, 10);
}

function actionText(a) {
	return has('audit.action.' + a) ? t('audit.action.' + a) : a;
}

function Entry({ e }) {
	return html`<li class="audit-entry">
		<p><strong>${actionText(e.action)}</strong>
		    <span class=${'result r-' + e.result}>${has('audit.result.' +
		    e.result) ? t('audit.result.' + e.result) : e.result}</span></p>
		<dl class="facts compact">
			<div><dt>${t('audit.at')}</dt><dd>${fmtTime(e.at)}</dd></div>
			<div><dt>${t('audit.actor')}</dt><dd>${e.actor}
			    ${e.role && ` (${has('role.' + e.role) ?
			    t('role.' + e.role) : e.role})`}</dd></div>
			${e.target && html`<div><dt>${t('audit.target')}</dt>
			    <dd class="mono">${e.target_type}
			    ${e.target_type === 'person' &&
			    canReadPersons(getState().user) ? html`<a
			    href=${'#/person/' + e.target}>${e.target}</a>` :
			    e.target}</dd></div>`}
			${e.detail && html`<div><dt>${t('audit.detail')}</dt>
			    <dd>${e.detail}</dd></div>`}
			<div><dt>${t('audit.client')}</dt><dd class="mono">
			    ${e.client} · ${e.request_id}</dd></div>
		</dl>
	</li>`;
}

export function Audit({ query: q }) {
	const user = getState().user;
	const [f, setF] = useState({ person: q.get('person') || '',
	    user: q.get('user') || '', from: '', to: '' });
	const [res, setRes] = useState(null);
	const [err, setErr] = useState(null);
	const [busy, setBusy] = useState(false);

	async function fetchPage(after) {
		setBusy(true);
		setErr(null);
		try {
			const r = await api('GET', '/audit' + query({
				person: f.person.trim(), user: f.user.trim(),
				from: f.from, to: f.to ? nextDay(f.to) : '',
				after, limit: PAGE
			}));
			const list = after ? [...res.list, ...r.entries] :
			    r.entries;

			setRes({ list, more: r.entries.length === PAGE });
			announce(t('audit.count', { n: list.length }));
		} catch (e) {
			setErr(e);
		}
		setBusy(false);
	}
	useEffect(() => {
		if (f.person || user.region.length === 2)
			fetchPage(0);
	}, []);
	const input = (k, type, lab, extra = {}) => html`<div class="field">
		<label for=${'a-' + k}>${lab}</label>
		<input id=${'a-' + k} type=${type} value=${f[k]}
		    aria-invalid=${err && err.field === k ? 'true' : undefined}
		    onInput=${(e) => setF({ ...f, [k]: e.target.value })}
		    ...${extra} />
	</div>`;

	return html`<${Page} title=${t('audit.title')}>
		<form class="card" noValidate onSubmit=${(e) => {
			e.preventDefault();
			fetchPage(0);
		}}>
			${user.region.length !== 2 && html`<p class="hint">
			    ${t('audit.needPerson')}</p>`}
			${input('person', 'text', t('audit.person'),
			    { spellcheck: false, maxLength: 32,
			    autocomplete: 'off' })}
			${input('user', 'text', t('audit.user'),
			    { spellcheck: false, autocomplete: 'off' })}
			<div class="row">
				${input('from', 'date', t('audit.from'))}
				${input('to', 'date', t('audit.to'))}
			</div>
			<button type="submit" class="primary" disabled=${busy}>
			    ${t('audit.submit')}</button>
		</form>
		${err && html`<${Alert} kind="error">${errorText(err)}<//>`}
		${res && html`<section aria-labelledby="audit-h">
			<h2 id="audit-h">${t('audit.count', { n:
			    res.list.length })}</h2>
			<ol class="list audit">${res.list.map((e) => html`
			    <${Entry} key=${e.id} e=${e} />`)}</ol>
			${res.more && html`<button type="button" disabled=${busy}
			    onClick=${() => fetchPage(res.list[res.list.length -
			    1].id)}>${t('audit.more')}</button>`}
		</section>`}
	<//>`;
}
