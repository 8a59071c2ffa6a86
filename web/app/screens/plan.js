// plan.js - a person's 一人一策 plan of one year (loaded when first
// opened): build or refresh it from the survey, decide each proposal
// (accept, edit its five elements, reject with a reason), add a manual
// item, see the needs no item meets and why, and confirm (township and
// higher). Supervisors read it only.
//
// Every explanation comes from the server (the item's "why", the unmet
// needs' reasons, POST /rules/check for the policy chosen for a manual
// item): the one rule engine decides, the page only shows its words.
// Writes carry the version read; a 409 is shown with what changed on the
// server, and nothing is overwritten unless the user says so.
//
// Offline (the plan kept by "save for offline"), a change to an item (the
// outcome of a confirmed plan: 落实 date, status, effect, note) and a
// rating go into the outbox with the version kept, are shown under their
// item as waiting, and are sent when the network returns; the server's
// refusal (the item changed meanwhile) is shown there in words.
import { html, useState, useRef, useEffect } from '../lib.js';
import { api, ApiError, OfflineError } from '../api.js';
import { t } from '../i18n.js';
import * as idb from '../idb.js';
import { loadCatalog, isMasked } from '../catalog.js';
import { refreshPerson, newCid, keptPlan, save as keep, remove,
    pendingForPlan } from '../outbox.js';
import { announce, getState, canWrite, canConfirm, useAppState } from
    '../state.js';
import { Page, Alert, Loading, useAsync, errorText, label, fmtTime } from
    '../ui.js';
import { ItemCard, DraftBadge, DEPTS, deptName, codeText, parseYuan, yuan, money,
    openCount, policyName } from '../items.js';
import { Feedback } from './feedback.js';

// The person page (name, the year's survey for rule checks): fresh from
// the server, else the copy kept on this device.
async function personOf(id) {
	try {
		return await refreshPerson(id);
	} catch (e) {
		const kept = await idb.get('persons', id).catch(() => null);

		if (!kept)
			throw e;
		return kept;
	}
}

// The plan from the server, else the copy "save for offline" kept on
// this device (read only until the network returns).
async function viewOf(id, year) {
	try {
		return await api('GET', `/persons/${id}/plans/${year}`);
	} catch (e) {
		const kept = e instanceof OfflineError ? await keptPlan(id,
		    year) : null;

		if (!kept)
			throw e;
		return { ...kept, offline: kept.saved };
	}
}

async function load(id, year) {
	const [cat, view, person] = await Promise.all([loadCatalog(),
	    viewOf(id, year), personOf(id)]);

	return { cat, view, person };
}

let policies = null;	// GET /policies, once per page load

async function loadPolicies() {
	if (!policies)
		policies = (await api('GET', '/policies')).policies;
	return policies;
}

function focusLater(id) {
	setTimeout(() => {
		const el = document.getElementById(id);

		if (el)
			el.focus();
	}, 50);
}

// ---- the form of the five elements ---------------------------------

// The item's editable values as the form holds them (text).
function formOf(it, year) {
	const f = it ? it.five : null;
	const now = new Date();
	const month = year === now.getFullYear() ? now.getMonth() + 1 : 1;

	return {
		dept: f ? f.responsible.dept || '' : '',
		org: f ? f.responsible.org || '' : '',
		contact: f ? f.responsible.contact || '' : '',
		planned_month: f ? f.time.planned_month || '' :
		    `${year}-${String(month).padStart(2, '0')}`,
		funds_planned: f ? yuan(f.funds.planned) : '',
		measures: f ? f.measures || '' : '',
		effect: f ? String(f.effect.code) : '0',
		effect_note: f ? f.effect.note || '' : '',
		actual_date: f ? f.time.actual_date || '' : '',
		status: it ? String(it.status.code) : '1',
		status_reason: it ? it.status.reason || '' : ''
	};
}

// Which fields a plan's state lets change: the plan's five elements in a
// draft; outcome (status, effect, actual date) once confirmed.
const DRAFT_FIELDS = ['dept', 'org', 'contact', 'planned_month',
    'funds_planned', 'measures', 'effect', 'effect_note'];
const OUTCOME_FIELDS = ['actual_date', 'status', 'status_reason', 'effect',
    'effect_note'];
const INTS = ['effect', 'status'];

// The change to send: only what differs from the item (a confirmed
// plan refuses even an unchanged five-element field). {errors} when a
// value cannot be sent.
function changeOf(form, base, fields) {
	const change = {};
	const errors = {};

	for (const k of fields) {
		let v = form[k].trim();

		if (k === 'funds_planned') {
			const fen = parseYuan(v === '' ? '0' : v);

			if (fen === undefined) {
				errors[k] = t('plan.badYuan');
				continue;
			}
			v = fen;
		} else if (INTS.includes(k)) {
			v = Number(v);
		}
		if (base[k] !== v && !(base[k] === '' && v === ''))
			change[k] = v === '' ? null : v;
	}
	if (change.status === 4 && !form.status_reason.trim())
		errors.status_reason = t('plan.needReason');
	return { change, errors };
}

// The form as the page shows it: each field's value read from its element
// at submit, so that a value typed just before the submit counts even when
// the state update it caused has not been rendered yet (a fast typist, or
// a busy phone); fields not on the page keep the state's value.
function shown(form, p, fields) {
	const out = { ...form };

	for (const k of fields) {
		const el = document.getElementById(`${p}-${k}`);

		if (el && typeof el.value === 'string')
			out[k] = el.value;
	}
	return out;
}

function baseOf(it, year) {
	const f = formOf(it, year);

	return { ...f, funds_planned: it ? it.five.funds.planned : 0,
	    effect: Number(f.effect), status: Number(f.status) };
}

function Text({ id, name, label: text, value, set, error, hint, type,
    area, inputMode }) {
	const desc = [error && id + '-err', hint && id + '-hint']
	    .filter(Boolean).join(' ') || undefined;
	const props = { id, value, 'aria-invalid': error ? 'true' : undefined,
	    'aria-describedby': desc, onInput: (e) => set(name,
	    e.target.value) };

	return html`<div class=${'field' + (error ? ' bad' : '')}>
		<label for=${id}>${text}</label>
		${area ? html`<textarea rows="3" maxLength="2000" ...${props} />` :
		    html`<input type=${type || 'text'} autocomplete="off"
		    inputMode=${inputMode} ...${props} />`}
		${hint && html`<p class="hint" id=${id + '-hint'}>${hint}</p>`}
		${error && html`<p class="error" id=${id + '-err'}>${error}</p>`}
	</div>`;
}

function Select({ id, name, label: text, value, set, options, error }) {
	return html`<div class=${'field' + (error ? ' bad' : '')}>
		<label for=${id}>${text}</label>
		<select id=${id} aria-invalid=${error ? 'true' : undefined}
		    aria-describedby=${error ? id + '-err' : undefined}
		    onChange=${(e) => set(name, e.target.value)}>
			${options.map(([v, l]) => html`<option key=${v} value=${v}
			    selected=${value === v}>${l}</option>`)}
		</select>
		${error && html`<p class="error" id=${id + '-err'}>${error}</p>`}
	</div>`;
}

// The fields of `fields` for form values v; p is the id prefix.
function FiveFields({ p, v, set, errs, fields }) {
	const has = (k) => fields.includes(k);
	const f = (k, extra) => ({ id: `${p}-${k}`, name: k, value: v[k], set,
	    error: errs[k], label: t('field.' + k), ...extra });

	return html`
		${has('dept') && html`<${Select} ...${f('dept', { options:
		    [['', t('form.choose')], ...DEPTS.map((d) =>
		    [d, deptName(d)])] })} />`}
		${has('org') && html`<${Text} ...${f('org')} />`}
		${has('contact') && html`<${Text} ...${f('contact')} />`}
		${has('planned_month') && html`<${Text} ...${f('planned_month',
		    { type: 'month', hint: t('plan.monthHint') })} />`}
		${has('funds_planned') && html`<${Text} ...${f('funds_planned',
		    { inputMode: 'decimal', hint: t('hint.money') })} />`}
		${has('measures') && html`<${Text} ...${f('measures',
		    { area: true })} />`}
		${has('actual_date') && html`<${Text} ...${f('actual_date',
		    { type: 'date' })} />`}
		${has('status') && html`<${Select} ...${f('status', { options:
		    [1, 2, 3, 4].map((c) => [String(c),
		    codeText('itemStatus', { code: c })]) })} />`}
		${has('status_reason') && v.status === '4' && html`<${Text}
		    ...${f('status_reason', { area: true })} />`}
		${has('effect') && html`<${Select} ...${f('effect', { options:
		    [0, 1, 2, 3, 4].map((c) => [String(c), c ? codeText('effect',
		    { code: c }) : t('five.noEffect')]) })} />`}
		${has('effect_note') && html`<${Text} ...${f('effect_note',
		    { area: true })} />`}
	`;
}

// ---- one item -------------------------------------------------------

// What to compare when the server's item differs from the one we saw.
const DIFF = [
	['decision', (it) => codeText('decision', it.decision)],
	['decision_reason', (it) => it.decision.reason || '—'],
	['dept', (it) => deptName(it.five.responsible.dept,
	    it.five.responsible.dept_name)],
	['org', (it) => it.five.responsible.org || '—'],
	['contact', (it) => it.five.responsible.contact || '—'],
	['planned_month', (it) => it.five.time.planned_month || '—'],
	['actual_date', (it) => it.five.time.actual_date || '—'],
	['funds_planned', (it) => money(it.five.funds.planned)],
	['measures', (it) => it.five.measures || '—'],
	['effect', (it) => codeText('effect', it.five.effect)],
	['status', (it) => codeText('itemStatus', it.status)],
	['dept_state', (it) => t('deptState.' + it.dept_state.code)]
];

function Conflict({ id, c, it, busy, onTheirs, onMine }) {
	const cur = c.current;
	const diff = cur ? DIFF.filter(([, get]) => get(cur) !== get(it)) : [];

	return html`<div class="alert alert-error conflict" role="alert" id=${id}
	    tabindex="-1">
		<p><strong>${t('plan.conflict')}</strong> ${c.message}</p>
		${diff.length > 0 && html`<ul>${diff.map(([k, get]) => html`
		    <li key=${k}>${`${t('field.' + k)}: ${get(it)} → `}<strong>
		    ${get(cur)}</strong></li>`)}</ul>`}
		<p>${t('plan.conflictMine', { what: Object.keys(c.change)
		    .map((k) => t('field.' + k)).join('、') })}</p>
		<p class="item-actions">
			<button type="button" class="small" disabled=${busy}
			    onClick=${onTheirs}>${t('plan.takeTheirs')}</button>
			${cur && html`<button type="button" class="small"
			    disabled=${busy} onClick=${onMine}>
			    ${t('plan.keepMine', { v: cur.version })}</button>`}
		</p>
	</div>`;
}

// A change in words: "状态: 已完成 · 实际落实日期: 2026-12-01".
function changeWords(change) {
	const shown = {
		status: (v) => codeText('itemStatus', { code: v }),
		effect: (v) => v ? codeText('effect', { code: v }) :
		    t('five.noEffect'),
		decision: (v) => codeText('decision', { code: v }),
		dept: (v) => deptName(v),
		funds_planned: (v) => money(v)
	};

	return Object.entries(change).map(([k, v]) => `${t('field.' + k)}: ${
	    v === null ? '—' : shown[k] ? shown[k](v) : v}`).join(' · ');
}

// The changes of this item waiting on this device, and what became of
// them: waiting, or refused by the server (its words).
function Waiting({ list }) {
	if (!list || !list.length)
		return null;
	return html`<ul class="waiting">${list.map((x) => html`<li key=${x.cid}
	    class=${'ob-' + x.state}>
		<span class=${'tag st-' + x.state}>${t('outbox.state.' +
		    x.state)}</span>${' ' + x.says}
		${x.state !== 'queued' && x.error && html`<p class="error">
		    ${t('plan.refused', { msg: x.error.message })}</p>`}
		${x.state !== 'queued' && html`<button type="button"
		    class="small" onClick=${async () => {
			await remove(x.cid);
			announce(t('outbox.discarded'));
		    }}>${t('outbox.discard')}</button>`}
	</li>`)}</ul>`;
}

function PlanItem({ it, cat, year, draft, outcome, onChanged, pid, pname,
    waiting, onQueued }) {
	const [mode, setMode] = useState('view');	// view | reject | edit
	const [form, setForm] = useState(null);
	const [reason, setReason] = useState('');
	const [errs, setErrs] = useState({});
	const [conflict, setConflict] = useState(null);
	const [busy, setBusy] = useState(false);
	const p = 'i' + it.id;
	const fields = draft ? DRAFT_FIELDS : OUTCOME_FIELDS;
	// the outcome is recorded for accepted items only
	const editable = draft || (outcome && it.decision.code === 1);

	async function patch(change, base, done) {
		setBusy(true);
		setErrs({});
		try {
			await api('PATCH', `/items/${it.id}`, { version:
			    base.version, ...change });
			setConflict(null);
			setMode('view');
			await onChanged(done);
		} catch (e) {
			if (e instanceof OfflineError) {
				await keep({ cid: newCid(), kind: 'item', item: it.id,
				    person: pid, year, version: base.version, change,
				    name: pname, what: policyName(it.policy),
				    says: changeWords(change), state: 'queued',
				    created: new Date().toISOString() });
				setMode('view');
				await onQueued(t('plan.queued',
				    { what: policyName(it.policy) }));
			} else if (e instanceof ApiError && e.status === 409) {
				const cur = await api('GET', `/items/${it.id}`)
				    .then((r) => r.item, () => null);

				setConflict({ message: e.message, current: cur,
				    change });
				setMode('view');
				focusLater(`${p}-conflict`);
			} else if (e instanceof ApiError && e.field) {
				setErrs({ [e.field]: e.message });
				announce(e.message);
				focusLater(`${p}-${e.field}`);
			} else {
				setErrs({ top: errorText(e) });
				announce(errorText(e));
			}
		} finally {
			setBusy(false);
		}
	}
	function reject(e) {
		e.preventDefault();
		if (reason.trim().length < 2) {
			setErrs({ decision_reason: t('plan.needReason') });
			focusLater(`${p}-decision_reason`);
			return;
		}
		patch({ decision: 2, decision_reason: reason.trim() }, it,
		    t('plan.rejected', { what: policyName(it.policy) }));
	}
	function save(e) {
		e.preventDefault();
		const { change, errors } = changeOf(shown(form, p, fields),
		    baseOf(it, year), fields);

		if (Object.keys(errors).length) {
			setErrs(errors);
			focusLater(`${p}-${Object.keys(errors)[0]}`);
			return;
		}
		if (!Object.keys(change).length) {
			setMode('view');
			return;
		}
		patch(change, it, t('plan.saved', { what: policyName(it.policy) }));
	}
	const set = (k, v) => setForm((f) => ({ ...f, [k]: v }));
	const open = (m) => {
		setErrs({});
		setMode(m);
		if (m === 'edit')
			setForm(formOf(it, year));
		focusLater(m === 'edit' ? `${p}-${fields[0]}` :
		    `${p}-decision_reason`);
	};

	return html`<${ItemCard} it=${it} cat=${cat} level=${3} showWhy>
		${conflict && html`<${Conflict} id=${p + '-conflict'} c=${conflict}
		    it=${it} busy=${busy}
		    onTheirs=${() => {
			setConflict(null);
			onChanged(t('plan.reloaded'));
		    }}
		    onMine=${() => patch(conflict.change, conflict.current,
		    t('plan.saved', { what: policyName(it.policy) }))} />`}
		${errs.top && html`<${Alert} kind="error">${errs.top}<//>`}
		<${Waiting} list=${waiting} />
		${mode === 'view' && editable && !conflict && html`
		<p class="item-actions">
			${draft && it.decision.code !== 1 && html`<button
			    type="button" class="small primary" disabled=${busy}
			    onClick=${() => patch({ decision: 1 }, it,
			    t('plan.accepted', { what: policyName(it.policy) }))}>
			    ${t('plan.accept')}</button>`}
			<button type="button" class="small" disabled=${busy}
			    onClick=${() => open('edit')}>${draft ?
			    t('plan.edit') : t('plan.outcome')}</button>
			${draft && it.decision.code !== 2 && html`<button
			    type="button" class="small" disabled=${busy}
			    onClick=${() => open('reject')}>
			    ${t('plan.reject')}</button>`}
		</p>`}
		${mode === 'reject' && html`<form class="subform" onSubmit=${reject}
		    noValidate>
			<${Text} id=${`${p}-decision_reason`} name="decision_reason"
			    label=${t('field.decision_reason')} value=${reason}
			    set=${(k, v) => setReason(v)} area
			    hint=${t('plan.reasonHint')}
			    error=${errs.decision_reason} />
			<p class="item-actions">
				<button type="submit" class="small danger"
				    disabled=${busy}>${t('plan.rejectSure')}</button>
				<button type="button" class="small"
				    onClick=${() => setMode('view')}>
				    ${t('cancel')}</button>
			</p>
		</form>`}
		${mode === 'edit' && form && html`<form class="subform"
		    onSubmit=${save} noValidate>
			<${FiveFields} p=${p} v=${form} set=${set} errs=${errs}
			    fields=${fields} />
			<p class="item-actions">
				<button type="submit" class="small primary"
				    disabled=${busy}>${t('plan.save')}</button>
				<button type="button" class="small"
				    onClick=${() => setMode('view')}>
				    ${t('cancel')}</button>
			</p>
		</form>`}
	<//>`;
}

// ---- a manual item ----------------------------------------------------

// The year's survey for POST /rules/check: masked secrets left out (no
// rule reads them, and the server would refuse them).
function surveyOf(person, year) {
	const y = (person.years || []).find((x) => x.year === year);
	const out = {};

	for (const [k, v] of Object.entries(y ? y.survey : {}))
		if (!isMasked(v))
			out[k] = v;
	return y ? out : null;
}

function RuleCheck({ code, person, year }) {
	const [res, setRes] = useState(null);
	const values = surveyOf(person, year);

	useEffect(() => {
		let live = true;

		setRes(null);
		if (!code || !values)
			return undefined;
		api('POST', '/rules/check', { policy: code, values, year,
		    region: person.person.region }).then((r) => live &&
		    setRes(r), (e) => live && setRes({ error: errorText(e) }));
		return () => {
			live = false;
		};
	}, [code]);
	if (!code || !values)
		return null;
	if (!res)
		return html`<p class="hint" role="status">${t('plan.checking')}</p>`;
	if (res.error)
		return html`<p class="hint" role="status">${res.error}</p>`;
	const why = getState().lang === 'en' ? res.why.en : res.why.zh;

	return html`<p class=${'check ' + (res.result ? 'check-ok' : 'check-no')}
	    role="status">${res.result ? t('plan.eligible') :
	    t('plan.notEligible')}: ${why}${res.amount ? ' · ' +
	    t('plan.amount', { v: money(res.amount.amount), per:
	    t('per.' + res.amount.per) }) : ''}</p>`;
}

function AddItem({ id, year, cat, person, unmet, need, onDone, onCancel }) {
	const [form, setForm] = useState(() => formOf(null, year));
	const [policy, setPolicy] = useState('');
	const [needs, setNeeds] = useState(need ? [need] : []);
	const [errs, setErrs] = useState({});
	const [busy, setBusy] = useState(false);
	const pols = useAsync(() => loadPolicies(), []);
	const cid = useRef(newCid());	// a retried submit adds nothing
	const set = (k, v) => setForm((f) => ({ ...f, [k]: v }));

	useEffect(() => focusLater('add-policy'), []);
	function pick(code) {
		const pol = (pols.data || []).find((x) => x.code === code);

		setPolicy(code);
		if (pol && !form.dept)
			set('dept', pol.dept);
	}
	async function submit(e) {
		e.preventDefault();
		const { change, errors } = changeOf(form, baseOf(null, year),
		    DRAFT_FIELDS);

		if (!policy && !needs.length && !form.measures.trim())
			errors.policy = t('plan.addWhat');
		if (Object.keys(errors).length) {
			setErrs(errors);
			focusLater('add-' + Object.keys(errors)[0]);
			return;
		}
		setBusy(true);
		setErrs({});
		try {
			await api('POST', `/persons/${id}/plans/${year}/items`, {
			    ...change, dept: form.dept || undefined,
			    planned_month: form.planned_month || undefined,
			    policy: policy || undefined, needs: needs.join(','),
			    client_id: cid.current });
			await onDone(t('plan.added'));
		} catch (ex) {
			const k = ex instanceof ApiError && ex.field ? ex.field :
			    'top';

			setErrs({ [k]: errorText(ex) });
			announce(errorText(ex));
			if (k !== 'top')
				focusLater('add-' + k);
		} finally {
			setBusy(false);
		}
	}
	return html`<form class="card subform" onSubmit=${submit} noValidate
	    aria-labelledby="add-h">
		<h2 id="add-h">${t('plan.addTitle')}</h2>
		${errs.top && html`<${Alert} kind="error">${errs.top}<//>`}
		<${Select} id="add-policy" name="policy" label=${t('field.policy')}
		    value=${policy} set=${(k, v) => pick(v)} error=${errs.policy}
		    options=${[['', t('plan.noPolicy')], ...(pols.data || [])
		    .map((x) => [x.code, policyName(x)])]} />
		<${RuleCheck} code=${policy} person=${person} year=${year} />
		${unmet.length > 0 && html`<fieldset class="field choices">
			<legend>${t('field.needs')}</legend>
			<div class="stack">${unmet.map((u) => html`<label
			    key=${u.need}><input type="checkbox" name="needs"
			    checked=${needs.includes(u.need)}
			    onChange=${(e) => setNeeds((n) => e.target.checked ?
			    [...n, u.need] : n.filter((x) => x !== u.need))} />
			    <span>${cat.byCode[u.need] ? label(cat.byCode[u.need]) :
			    u.label}</span></label>`)}</div>
		</fieldset>`}
		<${FiveFields} p="add" v=${form} set=${set} errs=${errs}
		    fields=${DRAFT_FIELDS} />
		<p class="item-actions">
			<button type="submit" class="primary" disabled=${busy}>
			    ${t('plan.addSave')}</button>
			<button type="button" onClick=${onCancel}>${t('cancel')}</button>
		</p>
	</form>`;
}

// ---- the page ----------------------------------------------------------

function Unmet({ cat, unmet, canAdd, onAdd }) {
	const en = getState().lang === 'en';

	if (!unmet.length)
		return html`<p>${t('plan.allMet')}</p>`;
	return html`<ul class="unmet">${unmet.map((u) => html`<li key=${u.need}>
		<strong>${cat.byCode[u.need] ? label(cat.byCode[u.need]) :
		    u.label}</strong>: ${en ? u.why_en : u.why}
		${canAdd && html` <button type="button" class="link small"
		    onClick=${() => onAdd(u.need)}>${t('plan.addFor')}</button>`}
	</li>`)}</ul>`;
}

function Confirm({ view, user, busy, onConfirm, onReopen }) {
	const plan = view.plan;
	const open = openCount(view.items);

	if (!plan)
		return html`<p>${t('plan.none')}</p>`;
	if (plan.status !== 'draft')
		return html`<p>${t('plan.confirmedBy', { who: plan.confirmed_by ||
		    '—', at: fmtTime(plan.confirmed_at) })}</p>
		    ${canConfirm(user) && plan.status === 'confirmed' && html`
		    <button type="button" disabled=${busy} onClick=${onReopen}>
		    ${t('plan.reopen')}</button>
		    <p class="hint">${t('plan.reopenHint')}</p>`}`;
	const why = open > 0 ? t('plan.openBlock', { n: open }) :
	    t('plan.ready');

	if (!canConfirm(user))
		return html`<p>${t('plan.confirmWho')} ${why}</p>`;
	return html`<button type="button" class="primary" disabled=${busy ||
	    open > 0} aria-describedby="confirm-why" onClick=${onConfirm}>
	    ${open > 0 ? t('plan.confirmN', { n: open }) : t('plan.confirm')}
	    </button>
	    <p class="hint" id="confirm-why">${why}</p>`;
}

function PlanBody({ id, year, d }) {
	const user = getState().user;
	const [view, setView] = useState(d.view);
	const [note, setNote] = useState(null);
	const [busy, setBusy] = useState(false);
	const [adding, setAdding] = useState(null);	// {need} while open
	const [waiting, setWaiting] = useState([]);
	const { pending, online } = useAppState();
	const plan = view.plan;
	const draft = canWrite(user) && (!plan || plan.status === 'draft');
	const outcome = canWrite(user) && plan && plan.status === 'confirmed';
	const say = (kind, text) => {
		setNote({ kind, text });
		announce(text);
	};

	async function reload(text) {
		try {
			setView(await api('GET', `/persons/${id}/plans/${year}`));
			if (text)
				say('ok', text);
		} catch (e) {
			say('error', errorText(e));
		}
	}
	// what waits on this device; when some of it went through, the plan
	// is read again to show it as the server now has it
	useEffect(() => {
		let live = true;

		pendingForPlan(id, year).catch(() => []).then((list) => {
			if (!live)
				return;
			setWaiting((was) => {
				const sent = was.filter((x) => x.state ===
				    'queued' && !list.some((y) => y.cid === x.cid));

				if (sent.length && online)
					reload(t('plan.synced', { n: sent.length }));
				return list;
			});
		});
		return () => {
			live = false;
		};
	}, [id, year, pending, online]);
	async function queued(text) {
		setWaiting(await pendingForPlan(id, year).catch(() => []));
		say('info', text);
	}
	async function run(fn, done) {
		setBusy(true);
		try {
			const v = await fn();

			setView(v);
			say('ok', done(v));
		} catch (e) {
			if (e instanceof ApiError && (e.status === 409 ||
			    e.code === 'state')) {
				await reload();
				say('error', `${e.message} ${t('plan.reloaded')}`);
			} else {
				say('error', errorText(e));
			}
		} finally {
			setBusy(false);
		}
	}
	const build = () => run(() => api('POST',
	    `/persons/${id}/plans/${year}/build`), (v) => t('plan.built',
	    v.build));
	const move = (what) => run(() => api('POST',
	    `/persons/${id}/plans/${year}/${what}`, { version: plan.version }),
	    () => t(what === 'confirm' ? 'plan.confirmedNow' :
	    'plan.reopenedNow'));

	return html`
		<p class="lead">${plan && plan.status === 'draft' &&
		    html`<${DraftBadge} />${' '}`}${plan ? t('plan.state', { status:
		    t('plan.status.' + plan.status), v: plan.version }) :
		    t('plan.none')}</p>
		${note && html`<${Alert} kind=${note.kind}>${note.text}<//>`}
		${!view.survey && html`<p>${t('plan.noSurvey')}
		    ${canWrite(user) && html` <a href=${`#/person/${id}/survey/${year}`}>
		    ${t('person.survey', { year })}</a>`}</p>`}
		${draft && view.survey && html`<div class="actions">
			<button type="button" class="primary" disabled=${busy}
			    onClick=${build}>${plan ? t('plan.refresh') :
			    t('plan.build')}</button>
			${plan && !adding && html`<button type="button"
			    onClick=${() => setAdding({})}>${t('plan.add')}</button>`}
		</div>
		<p class="hint">${t('plan.buildHint')}</p>`}
		${adding && html`<${AddItem} id=${id} year=${year} cat=${d.cat}
		    person=${d.person} unmet=${view.unmet} need=${adding.need}
		    onCancel=${() => setAdding(null)}
		    onDone=${async (text) => {
			setAdding(null);
			await reload(text);
		    }} />`}
		<section aria-labelledby="h-items">
			<h2 id="h-items">${t('plan.items', { n: view.items.length })}</h2>
			${view.items.length === 0 && html`<p>${t('plan.noItems')}</p>`}
			${view.items.map((it) => html`<${PlanItem} key=${it.id}
			    it=${it} cat=${d.cat} year=${year} draft=${draft}
			    outcome=${outcome} onChanged=${reload} pid=${id}
			    pname=${d.person.person.name} onQueued=${queued}
			    waiting=${waiting.filter((x) => x.kind === 'item' &&
			    x.item === it.id)} />`)}
		</section>
		${view.survey && html`<section aria-labelledby="h-unmet">
			<h2 id="h-unmet">${t('plan.unmet')}</h2>
			<${Unmet} cat=${d.cat} unmet=${view.unmet}
			    canAdd=${draft && !!plan && !adding}
			    onAdd=${(need) => setAdding({ need })} />
		</section>`}
		<section aria-labelledby="h-confirm">
			<h2 id="h-confirm">${t('plan.confirmTitle')}</h2>
			<${Confirm} view=${view} user=${user} busy=${busy}
			    onConfirm=${() => move('confirm')}
			    onReopen=${() => move('reopen')} />
		</section>
		<${Feedback} id=${id} year=${year} view=${view}
		    name=${d.person.person.name} onQueued=${queued}
		    waiting=${waiting.filter((x) => x.kind === 'feedback')} />
	`;
}

export function Plan({ id, year }) {
	const { loading, error, data } = useAsync(() => load(id, year),
	    [id, year]);
	const name = data ? data.person.person.name : '';

	return html`<${Page} title=${name ? t('plan.title', { name, year }) :
	    t('plan.titleYear', { year })}
	    actions=${html`<a href=${'#/person/' + id}>${t('form.back')}</a>`}>
		${loading && !data && html`<${Loading} />`}
		${error && html`<${Alert} kind="error">${errorText(error)}<//>`}
		${data && data.view.offline && html`<${Alert} kind="info">
		    ${t('plan.offlineCopy', { time: fmtTime(data.view.offline) })}<//>`}
		${data && html`<${PlanBody} id=${id} year=${year} d=${data} />`}
	<//>`;
}
