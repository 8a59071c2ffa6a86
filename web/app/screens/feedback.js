// feedback.js - on the plan page: satisfaction (满意度) and self-service
// (开放量服). A village or township worker records the person's rating of
// each delivered item and of the confirmed plan (with a note; a new
// rating supersedes the old, which stays in the history), and issues a
// one-time code so the person or their family can look at the plan
// themselves: the code is shown once, with a slip to print and an SMS
// text to copy. Others read the ratings only. Offline, a rating waits in
// the outbox (shown under its item) and is sent when the network returns.
import { html, useState } from '../lib.js';
import { api, OfflineError } from '../api.js';
import { newCid, save } from '../outbox.js';
import { t } from '../i18n.js';
import { announce, getState } from '../state.js';
import { Alert, useAsync, errorText } from '../ui.js';
import { policyName } from '../items.js';

const RATINGS = ['satisfied', 'basic', 'unsatisfied'];
const ISSUERS = ['village', 'township'];

export function canFeedback(user) {
	return !!user && ISSUERS.includes(user.role);
}

function rateable(it) {
	return it.decision && it.decision.code === 1 && it.status &&
	    (it.status.code === 2 || it.status.code === 3);
}

function latest(list, item) {
	return list.filter((f) => (f.item ?? null) === item &&
	    f.superseded_by === null).pop() || null;
}

function Current({ list, item }) {
	const f = latest(list, item);
	const older = list.filter((x) => (x.item ?? null) === item &&
	    x.superseded_by !== null).length;

	if (!f)
		return html`<p class="hint">${t('fb.none')}</p>`;
	return html`<p>${t('fb.current', { r: t('fb.' + f.rating),
	    by: f.by === 'self' ? t('fb.bySelf') : f.actor,
	    date: f.at.slice(0, 10) })}${f.note ? ` · “${f.note}”` : ''}
	    ${older > 0 && html` <span class="hint">${t('fb.older',
	    { n: older })}</span>`}</p>`;
}

function RateForm({ id, year, item, title, name, onDone, onQueued }) {
	const [rating, setRating] = useState('');
	const [note, setNote] = useState('');
	const [err, setErr] = useState('');
	const [busy, setBusy] = useState(false);
	const key = `fb-${item ?? 'plan'}`;

	async function submit(e) {
		e.preventDefault();
		if (!rating) {
			setErr(t('fb.pick'));
			return;
		}
		setBusy(true);
		setErr('');
		try {
			await api('POST', `/persons/${id}/plans/${year}/feedback`,
			    { item, rating, note: note.trim() || null });
			setRating('');
			setNote('');
			onDone(t('fb.saved', { what: title }));
		} catch (x) {
			if (!(x instanceof OfflineError)) {
				setErr(errorText(x));
				return;
			}
			await save({ cid: newCid(), kind: 'feedback', person: id,
			    year, item, rating, note: note.trim() || null, name,
			    what: title, says: t('fb.rateOf', { what: title }) +
			    ': ' + t('fb.' + rating) + (note.trim() ? ' · ' +
			    note.trim() : ''), state: 'queued',
			    created: new Date().toISOString() });
			setRating('');
			setNote('');
			onQueued(t('fb.queued', { what: title }));
		} finally {
			setBusy(false);
		}
	}
	return html`<form class="subform" onSubmit=${submit} noValidate>
		<fieldset class="field choices inline">
			<legend>${t('fb.rateOf', { what: title })}</legend>
			${RATINGS.map((r) => html`<label><input type="radio"
			    name=${key} value=${r} checked=${rating === r}
			    onChange=${() => setRating(r)} />
			    ${t('fb.' + r)}</label>`)}
		</fieldset>
		${err && html`<p class="error" role="alert">${err}</p>`}
		<div class="field">
			<label for=${key + '-note'}>${t('fb.note')}</label>
			<input id=${key + '-note'} maxlength="500" value=${note}
			    onInput=${(e) => setNote(e.target.value)} />
		</div>
		<button type="submit" class="small" disabled=${busy}>
		    ${t('fb.save')}</button>
	</form>`;
}

function Issued({ c }) {
	const [copied, setCopied] = useState('');

	async function copy() {
		try {
			await navigator.clipboard.writeText(c.sms);
			setCopied(t('fb.copied'));
		} catch (e) {
			setCopied(t('fb.copyHand'));
		}
		announce(t('fb.copied'));
	}
	return html`<section class="card self-slip" aria-labelledby="slip-h">
		<h3 id="slip-h">${t('fb.slip')}</h3>
		<p class="hint">${t('fb.once')}</p>
		<div class="slip" id="slip">
			<p><strong>${c.slip[0]}</strong></p>
			<p class="slip-code">${c.code}</p>
			<p>${c.slip[2]}</p>
			<p>${c.slip[3]}</p>
		</div>
		<div class="actions"><button type="button" class="small"
		    onClick=${() => window.print()}>${t('fb.print')}</button>
		    <button type="button" class="small" onClick=${copy}>
		    ${t('fb.copy')}</button></div>
		${copied && html`<p role="status">${copied}</p>`}
		<div class="field">
			<label for="sms-text">${t('fb.sms')}</label>
			<textarea id="sms-text" rows="4" readonly
			    value=${c.sms}></textarea>
		</div>
	</section>`;
}

function Codes({ id }) {
	const [issued, setIssued] = useState(null);
	const [err, setErr] = useState('');
	const [busy, setBusy] = useState(false);
	const list = useAsync(() => api('GET', `/persons/${id}/self-codes`),
	    [id]);

	async function issue() {
		setBusy(true);
		setErr('');
		try {
			const c = await api('POST', `/persons/${id}/self-codes`,
			    {});

			setIssued(c);
			announce(t('fb.issuedNow'));
			list.reload();
		} catch (x) {
			setErr(errorText(x));
		} finally {
			setBusy(false);
		}
	}
	async function revoke(cid) {
		try {
			await api('POST', `/self-codes/${cid}/revoke`);
			if (issued && issued.id === cid)
				setIssued(null);
			announce(t('fb.revokedNow'));
			list.reload();
		} catch (x) {
			setErr(errorText(x));
		}
	}
	const codes = list.data ? list.data.codes : [];

	return html`<div>
		<p>${t('fb.codeHelp')}</p>
		${err && html`<${Alert} kind="error">${err}<//>`}
		<button type="button" class="primary" disabled=${busy}
		    onClick=${issue}>${t('fb.issue')}</button>
		${issued && html`<${Issued} c=${issued} />`}
		${codes.length > 0 && html`<ul class="list codes">
		    ${codes.map((c) => html`<li>${t('fb.codeLine', { id: c.id,
		    state: t('fb.state.' + c.state), until:
		    c.expires_at.slice(0, 10), uses: c.uses })}
		    ${c.state === 'ok' && html` <button type="button"
		    class="small" onClick=${() => revoke(c.id)}
		    aria-label=${t('fb.revokeN', { id: c.id })}>
		    ${t('fb.revoke')}</button>`}</li>`)}</ul>`}
	</div>`;
}

// A rating waiting on this device.
function WaitingRating({ list, item }) {
	const mine = (list || []).filter((x) => (x.item ?? null) === item);

	return mine.map((x) => html`<p key=${x.cid} class="waiting">
	    <span class=${'tag st-' + x.state}>${t('outbox.state.' + x.state)}
	    </span>${' ' + x.says}${x.error ? ' — ' + x.error.message : ''}</p>`);
}

export function Feedback({ id, year, view, name, waiting, onQueued }) {
	const user = getState().user;
	// offline, the ratings already given are not on this device
	const fb = useAsync(() => api('GET',
	    `/persons/${id}/plans/${year}/feedback`).catch((e) => {
		if (e instanceof OfflineError)
			return { feedback: [], offline: true };
		throw e;
	    }), [id, year]);
	const [note, setNote] = useState('');
	const plan = view.plan;
	const items = view.items.filter(rateable);
	const write = canFeedback(user);
	const list = fb.data ? fb.data.feedback : [];
	const done = (text) => {
		setNote(text);
		announce(text);
		fb.reload();
	};

	if (!plan)
		return null;
	return html`<section aria-labelledby="h-fb">
		<h2 id="h-fb">${t('fb.title')}</h2>
		${note && html`<${Alert} kind="ok">${note}<//>`}
		${fb.error && html`<${Alert} kind="error">
		    ${errorText(fb.error)}<//>`}
		<div class="card">
			<h3>${t('fb.plan')}</h3>
			${!(fb.data && fb.data.offline) && html`<${Current} list=${list}
			    item=${null} />`}
			<${WaitingRating} list=${waiting} item=${null} />
			${write && (plan.status === 'confirmed' ||
			    plan.status === 'closed') && html`<${RateForm}
			    id=${id} year=${year} item=${null} name=${name}
			    title=${t('fb.plan')} onDone=${done}
			    onQueued=${onQueued} />`}
		</div>
		${items.length === 0 ? html`<p class="hint">${t('fb.noneYet')}
		    </p>` : items.map((it) => html`<div class="card"
		    key=${it.id}>
			<h3>${policyName(it.policy)}</h3>
			${!(fb.data && fb.data.offline) && html`<${Current} list=${list}
			    item=${it.id} />`}
			<${WaitingRating} list=${waiting} item=${it.id} />
			${write && html`<${RateForm} id=${id} year=${year}
			    item=${it.id} title=${policyName(it.policy)}
			    name=${name} onDone=${done} onQueued=${onQueued} />`}
		</div>`)}
		${write && fb.data && !fb.data.offline && html`<h3>${t('fb.selfTitle')}</h3>
		    <${Codes} id=${id} />`}
	</section>`;
}
