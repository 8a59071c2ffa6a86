// search.js - find a person by ID number, certificate number or name
// (a prefix, inside the caller's region). Offline, names are searched in
// the persons kept on this device.
import { html, useState } from '../lib.js';
import { api, OfflineError } from '../api.js';
import { t } from '../i18n.js';
import * as idb from '../idb.js';
import { Page, Alert, errorText } from '../ui.js';
import { announce } from '../state.js';
import { PersonItem } from './common.js';

const KINDS = [
	{ code: 'name', max: 64, mode: 'text' },
	{ code: 'id_number', max: 18, mode: 'text' },
	{ code: 'certificate_no', max: 20, mode: 'text' }
];

// A problem the server would refuse anyway, said before asking it.
function check(kind, q) {
	if (!q)
		return t('search.empty');
	if (kind === 'id_number' && !/^\d{17}[\dXx]$/.test(q))
		return t('search.badId');
	if (kind === 'certificate_no' && q.length !== 20)
		return t('search.badCard');
	return '';
}

async function searchOffline(kind, q) {
	if (kind !== 'name')
		throw new OfflineError();
	const all = await idb.all('persons');

	return all.map((x) => x.person).filter((p) => p.name.startsWith(q));
}

export function Search() {
	const [kind, setKind] = useState('name');
	const [q, setQ] = useState('');
	const [res, setRes] = useState(null);
	const [err, setErr] = useState(null);
	const [busy, setBusy] = useState(false);
	const k = KINDS.find((x) => x.code === kind);

	async function submit(e) {
		e.preventDefault();
		const v = kind === 'name' ? q.trim() : q.trim().toUpperCase();
		const bad = check(kind, v);

		setRes(null);
		if (bad) {
			setErr({ text: bad });
			return;
		}
		setErr(null);
		setBusy(true);
		try {
			const r = await api('POST', '/persons/search',
			    { [kind]: v });

			setRes({ list: r.persons });
			announce(t('search.results', { n: r.persons.length }));
		} catch (ex) {
			if (ex instanceof OfflineError) {
				try {
					setRes({ list: await searchOffline(kind,
					    v), offline: true });
				} catch (e2) {
					setErr({ text: t('search.offlineOnly') });
				}
			} else {
				setErr({ text: errorText(ex) });
			}
		}
		setBusy(false);
	}
	return html`<${Page} title=${t('search.title')}>
		<form class="card" onSubmit=${submit} noValidate>
			<fieldset class="choices inline">
				<legend>${t('search.by')}</legend>
				${KINDS.map((x) => html`<label key=${x.code}>
					<input type="radio" name="kind"
					    value=${x.code} checked=${kind === x.code}
					    onChange=${() => {
						setKind(x.code);
						setErr(null);
					    }} />
					${t('search.kind.' + x.code)}
				</label>`)}
			</fieldset>
			<div class="field">
				<label for="q">${t('search.kind.' + kind)}</label>
				<input id="q" value=${q} maxLength=${k.max}
				    autocomplete="off" spellcheck="false"
				    inputMode=${k.mode}
				    aria-invalid=${err ? 'true' : undefined}
				    aria-describedby=${err ? 'q-err' : 'q-hint'}
				    onInput=${(e) => setQ(e.target.value)} />
				<p class="hint" id="q-hint">${t('search.hint.' +
				    kind)}</p>
				${err && html`<p class="error" id="q-err"
				    role="alert">${err.text}</p>`}
			</div>
			<button type="submit" class="primary" disabled=${busy}>
			    ${t('search.submit')}</button>
		</form>
		${res && html`<section aria-labelledby="res-h">
			<h2 id="res-h">${t('search.results', { n:
			    res.list.length })}</h2>
			${res.offline && html`<${Alert} kind="info">
			    ${t('search.offlineNote')}<//>`}
			${res.list.length > 0 && html`<ul class="list">
			    ${res.list.map((p) => html`<${PersonItem} key=${p.id}
			    p=${p} />`)}</ul>`}
		</section>`}
	<//>`;
}
