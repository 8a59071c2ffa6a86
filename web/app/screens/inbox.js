// inbox.js - a department officer's service items (开放量服; loaded when
// first opened): the accepted items of confirmed plans assigned to the
// officer's department in the officer's region, each with the person's
// name, masked ID number and village, the needs and the five elements.
// The officer accepts an item, returns it with a reason, or records a
// delivery (date, amount in yuan sent as fen, note).
//
// A delivery goes into the outbox first with a client-made id, then is
// sent with that id as client_id: without a network it waits there (and
// shows under its item), and a retry never records it twice. The last
// list read is kept on the device for reading offline. Accepting and
// returning need the network (they carry the item's version).
import { html, useState, useRef, useEffect } from '../lib.js';
import { api, query, ApiError, OfflineError } from '../api.js';
import { t } from '../i18n.js';
import * as idb from '../idb.js';
import { loadCatalog, today } from '../catalog.js';
import { newCid, save, send, remove, pendingDeliveries } from
    '../outbox.js';
import { announce, getState } from '../state.js';
import { Page, Alert, Loading, useAsync, errorText, fmtTime } from
    '../ui.js';
import { ItemCard, parseYuan, money, policyName } from '../items.js';

const PAGE = 50;

async function load(year, state) {
	const [cat, waiting] = await Promise.all([loadCatalog()
	    .catch(() => null), pendingDeliveries().catch(() => [])]);

	try {
		const r = await api('GET', '/inbox' + query({ year, state,
		    limit: PAGE }));

		await idb.put('meta', { year, state, items: r.items, next: r.next,
		    saved: new Date().toISOString() }, 'inbox').catch(() => {});
		return { cat, waiting, items: r.items, next: r.next };
	} catch (e) {
		if (!(e instanceof OfflineError))
			throw e;
		const kept = await idb.get('meta', 'inbox').catch(() => null);

		if (!kept)
			throw e;
		return { cat, waiting, items: kept.items, next: null,
		    offline: kept.saved, keptFor: kept };
	}
}

function focusLater(id) {
	setTimeout(() => {
		const el = document.getElementById(id);

		if (el)
			el.focus();
	}, 50);
}

function Field({ id, label, error, hint, children }) {
	return html`<div class=${'field' + (error ? ' bad' : '')}>
		<label for=${id}>${label}</label>
		${children}
		${hint && html`<p class="hint" id=${id + '-hint'}>${hint}</p>`}
		${error && html`<p class="error" id=${id + '-err'}>${error}</p>`}
	</div>`;
}

const described = (id, error, hint) => [error && id + '-err',
    hint && id + '-hint'].filter(Boolean).join(' ') || undefined;

// Date, amount and note of a delivery; into the outbox, then sent.
function Deliver({ it, onDone, onCancel }) {
	const p = 'dl' + it.id;
	const [v, setV] = useState({ date: today(), amount: '', note: '' });
	const [errs, setErrs] = useState({});
	const [busy, setBusy] = useState(false);
	const cid = useRef(newCid());	// one delivery per form, retried alike
	const set = (k) => (e) => setV({ ...v, [k]: e.target.value });

	async function submit(e) {
		e.preventDefault();
		const fen = parseYuan(v.amount);
		const bad = {};

		if (!/^\d{4}-\d{2}-\d{2}$/.test(v.date))
			bad.date = t('err.date');
		if (fen === undefined)
			bad.amount = t('plan.badYuan');
		if (Object.keys(bad).length) {
			setErrs(bad);
			focusLater(`${p}-${Object.keys(bad)[0]}`);
			return;
		}
		const entry = { cid: cid.current, kind: 'delivery', item: it.id,
		    name: it.person ? it.person.name : '', what:
		    policyName(it.policy), year: it.year, date: v.date,
		    amount: fen, note: v.note.trim(), state: 'queued',
		    created: new Date().toISOString() };

		setBusy(true);
		setErrs({});
		try {
			await save(entry);
			const r = await send(entry);

			if (r.state === 'invalid') {
				// shown here, on its field: nothing waits
				await remove(entry.cid);
				const k = ['date', 'amount', 'note'].includes(
				    r.error.field) ? r.error.field : 'top';

				setErrs({ [k]: r.error.message });
				announce(r.error.message);
				if (k !== 'top')
					focusLater(`${p}-${k}`);
				return;
			}
			await onDone(r.state === 'done' ? t('inbox.delivered',
			    { v: money(fen), what: entry.what }) :
			    t('inbox.deliveryQueued'), r.state === 'done' ?
			    'ok' : 'info', r.state === 'done' ? r.result.item :
			    null);
		} catch (ex) {
			setErrs({ top: errorText(ex) });
		} finally {
			setBusy(false);
		}
	}
	return html`<form class="subform" onSubmit=${submit} noValidate
	    aria-label=${t('inbox.deliverTitle', { what: policyName(it.policy) })}>
		${errs.top && html`<${Alert} kind="error">${errs.top}<//>`}
		<${Field} id=${p + '-date'} label=${t('field.delivery_date')}
		    error=${errs.date}>
			<input type="date" id=${p + '-date'} value=${v.date}
			    max=${today()} aria-invalid=${errs.date ? 'true' :
			    undefined} aria-describedby=${described(p + '-date',
			    errs.date)} onInput=${set('date')} />
		<//>
		<${Field} id=${p + '-amount'} label=${t('field.amount')}
		    error=${errs.amount} hint=${t('hint.money')}>
			<input type="text" inputMode="decimal" autocomplete="off"
			    id=${p + '-amount'} value=${v.amount}
			    aria-invalid=${errs.amount ? 'true' : undefined}
			    aria-describedby=${described(p + '-amount',
			    errs.amount, 1)} onInput=${set('amount')} />
		<//>
		<${Field} id=${p + '-note'} label=${t('field.note')}
		    error=${errs.note}>
			<input type="text" autocomplete="off" maxLength="200"
			    id=${p + '-note'} value=${v.note}
			    aria-invalid=${errs.note ? 'true' : undefined}
			    aria-describedby=${described(p + '-note', errs.note)}
			    onInput=${set('note')} />
		<//>
		<p class="item-actions">
			<button type="submit" class="small primary"
			    disabled=${busy}>${t('inbox.deliverSave')}</button>
			<button type="button" class="small" onClick=${onCancel}>
			    ${t('cancel')}</button>
		</p>
	</form>`;
}

function Return({ it, busy, onSend, onCancel }) {
	const p = 'rt' + it.id;
	const [reason, setReason] = useState('');
	const [err, setErr] = useState('');

	function submit(e) {
		e.preventDefault();
		if (reason.trim().length < 2) {
			setErr(t('plan.needReason'));
			focusLater(p);
			return;
		}
		onSend(reason.trim());
	}
	return html`<form class="subform" onSubmit=${submit} noValidate>
		<${Field} id=${p} label=${t('field.return_reason')} error=${err}
		    hint=${t('inbox.returnHint')}>
			<textarea id=${p} rows="3" maxLength="2000" value=${reason}
			    aria-invalid=${err ? 'true' : undefined}
			    aria-describedby=${described(p, err, 1)}
			    onInput=${(e) => setReason(e.target.value)} />
		<//>
		<p class="item-actions">
			<button type="submit" class="small danger"
			    disabled=${busy}>${t('inbox.returnSure')}</button>
			<button type="button" class="small" onClick=${onCancel}>
			    ${t('cancel')}</button>
		</p>
	</form>`;
}

function InboxItem({ it, cat, waiting, offline, onChanged, say }) {
	const [mode, setMode] = useState('view');	// view | deliver | return
	const [busy, setBusy] = useState(false);
	const [err, setErr] = useState('');

	async function answer(what, body) {
		setBusy(true);
		setErr('');
		try {
			const r = await api('POST', `/items/${it.id}/${what}`,
			    { version: it.version, ...body });

			setMode('view');
			await onChanged(r.item, t(what === 'accept' ?
			    'inbox.acceptedNow' : 'inbox.returnedNow',
			    { what: policyName(it.policy) }), 'ok');
		} catch (e) {
			const text = e instanceof ApiError && e.status === 409 ?
			    `${e.message} ${t('plan.reloaded')}` : errorText(e);

			setErr(text);
			announce(text);
			if (e instanceof ApiError && e.status === 409)
				await onChanged(null);
		} finally {
			setBusy(false);
		}
	}
	const open = (m) => {
		setMode(m);
		focusLater(m === 'deliver' ? `dl${it.id}-date` : `rt${it.id}`);
	};

	return html`<li><${ItemCard} it=${it} cat=${cat} level=${2}
	    person=${it.person} pending=${waiting}>
		<p class="dept-state">${t('inbox.state') + ': '}<strong>
		    ${t('deptState.' + it.dept_state.code)}</strong></p>
		${err && html`<${Alert} kind="error">${err}<//>`}
		${mode === 'view' && html`<p class="item-actions">
			<button type="button" class="small primary"
			    onClick=${() => open('deliver')}>
			    ${t('inbox.deliver')}</button>
			${!offline && it.dept_state.code === 0 && html`<button
			    type="button" class="small" disabled=${busy}
			    onClick=${() => answer('accept', {})}>
			    ${t('inbox.accept')}</button>`}
			${!offline && html`<button type="button" class="small"
			    disabled=${busy} onClick=${() => open('return')}>
			    ${t('inbox.return')}</button>`}
		</p>`}
		${mode === 'deliver' && html`<${Deliver} it=${it}
		    onCancel=${() => setMode('view')}
		    onDone=${async (text, kind, item) => {
			setMode('view');
			await onChanged(item, text, kind);
		    }} />`}
		${mode === 'return' && html`<${Return} it=${it} busy=${busy}
		    onCancel=${() => setMode('view')}
		    onSend=${(reason) => answer('return', { reason })} />`}
	<//></li>`;
}

export function Inbox() {
	const user = getState().user;
	const [year, setYear] = useState(new Date().getFullYear());
	const [state, setStateF] = useState('');
	const [note, setNote] = useState(null);
	const { loading, error, data, reload } = useAsync(() => load(year,
	    state), [year, state]);
	const [more, setMore] = useState({ items: [], next: undefined });
	const say = (kind, text) => {
		setNote({ kind, text });
		announce(text);
	};
	// items as the server answered our last change, until the list
	// is read again
	const [fresh, setFresh] = useState({});
	const items = data ? [...data.items, ...more.items].map((it) =>
	    fresh[it.id] || it) : [];

	useEffect(() => setFresh({}), [data]);
	const next = more.next === undefined ? data && data.next : more.next;

	async function loadMore() {
		try {
			const r = await api('GET', '/inbox' + query({ year, state,
			    limit: PAGE, after: next }));

			setMore({ items: [...more.items, ...r.items], next: r.next });
		} catch (e) {
			say('error', errorText(e));
		}
	}
	function changed(item, text, kind) {
		if (item)
			setFresh((f) => ({ ...f, [item.id]: item }));
		if (text)
			say(kind, text);
		setMore({ items: [], next: undefined });
		reload();
	}
	const waitingFor = (id) => data ? data.waiting.filter((w) =>
	    w.item === id) : [];
	const years = [0, 1, 2].map((n) => new Date().getFullYear() - n);

	return html`<${Page} title=${t('inbox.title')}>
		<p class="lead">${t('inbox.intro', { dept: t('dept.' +
		    user.department), region: user.region_name })}</p>
		<form class="filters" onSubmit=${(e) => e.preventDefault()}>
			<div class="field">
				<label for="ib-year">${t('inbox.year')}</label>
				<select id="ib-year" onChange=${(e) => {
					setMore({ items: [], next: undefined });
					setYear(Number(e.target.value));
				    }}>
				${years.map((y) => html`<option key=${y} value=${y}
				    selected=${y === year}>${y}</option>`)}
				</select>
			</div>
			<fieldset class="field choices inline">
				<legend>${t('inbox.show')}</legend>
				${['', '0', '1'].map((s) => html`<label key=${s}>
				    <input type="radio" name="ib-state" value=${s}
				    checked=${state === s} onChange=${() => {
					setMore({ items: [], next: undefined });
					setStateF(s);
				    }} /><span>${s === '' ?
				    t('inbox.all') : t('deptState.' + s)}</span>
				    </label>`)}
			</fieldset>
		</form>
		${note && html`<${Alert} kind=${note.kind}>${note.text}<//>`}
		${data && data.offline && html`<${Alert} kind="info">
		    ${t('inbox.offline', { time: fmtTime(data.offline) })}<//>`}
		${loading && !data && html`<${Loading} />`}
		${error && html`<${Alert} kind="error">${errorText(error)}<//>`}
		${data && html`<p class="summary" id="ib-count">
		    ${t('inbox.count', { n: items.length })}</p>`}
		${data && items.length === 0 && html`<p>${t('inbox.empty')}</p>`}
		<ul class="inbox">${items.map((it) => html`<${InboxItem}
		    key=${it.id} it=${it} cat=${data.cat}
		    waiting=${waitingFor(it.id)} offline=${!!data.offline}
		    onChanged=${changed} say=${say} />`)}</ul>
		${next && html`<button type="button" onClick=${loadMore}>
		    ${t('inbox.more')}</button>`}
	<//>`;
}
