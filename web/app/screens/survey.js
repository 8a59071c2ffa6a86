// survey.js - the yearly survey form, rendered from the catalog.
//
// Three steps (envelope, basic items, needs). Items whose skip rule does
// not hold are hidden and left out of what is sent. A new year starts
// from last year's answers; changing the disability category or grade
// asks for a reason. Saving puts the survey in the outbox first (so it
// survives a lost network), then sends it: the server's verdict is shown
// on the item it names; a conflict opens the merge screen; no network
// leaves it queued.
import { html, useState, useRef, useEffect, useMemo } from '../lib.js';
import { OfflineError } from '../api.js';
import { t } from '../i18n.js';
import * as idb from '../idb.js';
import { loadCatalog, effective, askedSet, isSet, sameValue, today,
    formatValue } from '../catalog.js';
import { Field, localErrors } from '../fields.js';
import { refreshPerson, pendingFor, newCid, save, send } from '../outbox.js';
import { announce, setState } from '../state.js';
import { Page, Alert, Loading, useAsync, errorText, label, go } from
    '../ui.js';

const STEPS = ['envelope', 'basic', 'need'];
const REASON_FOR = ['disability_category', 'disability_grade'];

async function load(id, year) {
	const cat = await loadCatalog();
	let data;

	try {
		data = await refreshPerson(id);
	} catch (e) {
		if (!(e instanceof OfflineError))
			throw e;
		data = await idb.get('persons', id).catch(() => null);
		if (!data)
			throw e;
	}
	const pending = await pendingFor(id, year).catch(() => null);
	const row = data.years.find((y) => y.year === year);
	const prev = data.years.filter((y) => y.year < year).pop();
	const me = await idb.get('meta', 'surveyor').catch(() => null) || {};
	let values, base, version, mode;

	if (pending) {
		({ values, base, version } = pending);
		mode = 'pending';
	} else if (row) {
		values = { ...row.survey };
		base = row.survey;
		version = row.version;
		mode = 'edit';
	} else {
		base = prev ? prev.survey : {};
		values = {};
		for (const f of cat.fields)	// the visit is new each year
			if (f.section !== 'envelope')
				values[f.code] = base[f.code];
		values.fill_date = year === new Date().getFullYear() ?
		    today() : undefined;
		values.surveyor_name = me.name;
		values.surveyor_phone = me.phone;
		// the form's clock (catalog group "auto"): opened now
		values.form_started_at = Math.floor(Date.now() / 1000);
		version = 0;
		mode = 'new';
	}
	return { cat, person: data.person, values, base, version, mode,
	    pending, prevYear: prev && prev.year };
}

function stepOf(cat, code) {
	const f = cat.byCode[code];

	return f ? STEPS.indexOf(f.section) : -1;
}

// The need step's items in groups by kind (the catalog code's prefix:
// rehab_, aid_, edu_, emp_, ss_, ...), each folded under a summary line
// unless it holds an answer or an error: the step is short on a phone.
// A group is titled by its "any need of this kind" question. The basic
// step's items are grouped by the catalog's group column (titles in
// i18n.js, "form.group.CODE"); a group folds unless one of its items has
// an error. The envelope step is one group without a title.
function groupsOf(step, fields) {
	if (step === 'basic')
		return groupsByColumn(fields);
	if (step !== 'need')
		return [{ name: '', fields }];
	const out = [];

	for (const f of fields) {
		const name = f.code.slice(0, f.code.indexOf('_'));
		let g = out.find((x) => x.name === name);

		if (!g) {
			g = { name, title: label(f), fields: [] };
			out.push(g);
		}
		if (f.code.endsWith('_need_any'))
			g.title = label(f);
		g.fields.push(f);
	}
	return out;
}

// Groups in catalog order of their first item; an item without a group
// (a catalog kept offline before the column existed) stays outside any.
function groupsByColumn(fields) {
	const out = [];

	for (const f of fields) {
		const name = f.group || '';
		let g = name && out.find((x) => x.name === name);

		if (!g) {
			g = { name, basic: true, title: name ?
			    t('form.group.' + name) : '', fields: [] };
			out.push(g);
		}
		g.fields.push(f);
	}
	return out;
}

// How many of a group's items say yes (or hold a choice).
function answered(g, values) {
	return g.fields.filter((f) => !f.code.endsWith('_need_any') &&
	    (values[f.code] === true || (Array.isArray(values[f.code]) &&
	    values[f.code].length > 0 && !(f.exclusive >= 0 &&
	    values[f.code].length === 1 && values[f.code][0] ===
	    f.exclusive)))).length;
}

function focusField(code) {
	setTimeout(() => {
		const el = document.getElementById('f-' + code + '-0') ||
		    document.getElementById('f-' + code);

		if (el) {
			const box = el.closest('details');

			if (box)
				box.open = true;	// a folded group opens
			el.focus();
			el.scrollIntoView({ block: 'center' });
		}
	}, 60);
}

function ErrorSummary({ errs, cat, onPick }) {
	const codes = Object.keys(errs);

	if (codes.length === 0)
		return null;
	return html`<div class="alert alert-error" role="alert"
	    id="error-summary" tabindex="-1">
		<p>${t('form.fix', { n: codes.length })}</p>
		<ul>${codes.map((c) => html`<li key=${c}><button type="button"
		    class="link" onClick=${() => onPick(c)}>
		    ${cat.byCode[c] ? label(cat.byCode[c]) : t('form.reason')}:
		    ${errs[c]}</button></li>`)}</ul>
	</div>`;
}

// "残疾类别 肢体残疾, 残疾等级 二级" for the reason's hint.
function describe(cat, v) {
	return REASON_FOR.filter((c) => cat.byCode[c]).map((c) =>
	    `${label(cat.byCode[c])} ${formatValue(cat.byCode[c], v[c],
	    '', '')}`).join(', ');
}

function Reason({ value, onChange, error, from, to }) {
	return html`<div class=${'field reason' + (error ? ' bad' : '')}>
		<label for="f-reason">${t('form.reason')}<span class="req">
		    <span aria-hidden="true"> *</span><span class="sr-only">
		    ${t('form.required')}</span></span></label>
		<p class="hint" id="f-reason-hint">${t('form.reasonHint',
		    { from, to })}</p>
		<textarea id="f-reason" rows="3" maxLength="200" value=${value}
		    aria-invalid=${error ? 'true' : undefined}
		    aria-describedby=${'f-reason-hint' + (error ?
		    ' f-reason-err' : '')}
		    onInput=${(e) => onChange(e.target.value)}></textarea>
		${error && html`<p class="error" id="f-reason-err">${error}</p>`}
	</div>`;
}

function Form({ id, year, d }) {
	const { cat } = d;
	const [values, setValues] = useState(d.values);
	const [reason, setReason] = useState(d.pending ?
	    d.pending.reason || '' : '');
	const [errs, setErrs] = useState(d.pending && d.pending.error &&
	    d.pending.error.field ? { [d.pending.error.field]:
	    d.pending.error.message } : {});
	const [top, setTop] = useState(d.pending && d.pending.error ?
	    d.pending.error.message : '');
	const [step, setStep] = useState(d.pending && d.pending.error ?
	    Math.max(0, stepOf(cat, d.pending.error.field)) : 0);
	const [busy, setBusy] = useState(false);
	const stepH = useRef(null);
	const first = useRef(true);
	const asked = useMemo(() => askedSet(cat, values), [values]);
	const reasonNeeded = REASON_FOR.some((c) => isSet(d.base[c]) &&
	    !sameValue(d.base[c], values[c]));
	const saidReason = useRef(false);
	// one outbox item per form: a retry after a refusal replaces it
	const cid = useRef(d.pending ? d.pending.cid : newCid());

	useEffect(() => {
		if (first.current) {
			first.current = false;
			return;
		}
		if (stepH.current)
			stepH.current.focus();
	}, [step]);
	useEffect(() => {
		if (reasonNeeded && !saidReason.current)
			announce(t('form.reasonAsk'));
		saidReason.current = reasonNeeded;
	}, [reasonNeeded]);

	function set(code, v) {
		setValues((old) => ({ ...old, [code]: v }));
		if (errs[code])
			setErrs((old) => {
				const n = { ...old };

				delete n[code];
				return n;
			});
	}
	function pick(code) {
		const s = code === 'reason' ? stepOf(cat, 'disability_grade') :
		    stepOf(cat, code);

		if (s >= 0)
			setStep(s);
		focusField(code);
	}
	function fail(e, message) {
		setErrs(e);
		setTop(message || '');
		const codes = Object.keys(e);

		if (codes.length)
			pick(codes[0]);
		announce(message || t('form.fix', { n: codes.length }));
	}

	async function submit(ev) {
		ev.preventDefault();
		const eff = effective(cat, values);

		if (d.mode === 'new' && eff.form_started_at)	// sent now
			eff.form_submitted_at = Math.max(eff.form_started_at,
			    Math.floor(Date.now() / 1000));
		const e = localErrors(cat, eff, asked);

		if (reasonNeeded && reason.trim().length < 2)
			e.reason = t('form.reasonMissing');
		if (Object.keys(e).length)
			return fail(e);
		setBusy(true);
		setErrs({});
		setTop('');
		await idb.put('meta', { name: eff.surveyor_name, phone:
		    eff.surveyor_phone }, 'surveyor').catch(() => {});
		const item = {
			cid: cid.current, person: id,
			name: d.person.name, year, version: d.version,
			values: eff, base: d.base, reason: reasonNeeded ?
			    reason.trim() : '',
			state: 'queued', created: d.pending ? d.pending.created :
			    new Date().toISOString()
		};
		let r;

		try {
			await save(item);
			r = await send(item);
		} catch (ex) {
			setBusy(false);
			return fail({}, errorText(ex));
		}
		setBusy(false);
		if (r.state === 'done') {
			setState({ flash: { kind: 'ok', text: t('form.saved',
			    { year, version: r.result.version }) } });
			go('#/person/' + id);
		} else if (r.state === 'queued') {
			setState({ flash: { kind: 'info', text:
			    t('form.queued') } });
			go('#/person/' + id);
		} else if (r.state === 'conflict') {
			go('#/outbox/' + item.cid);
		} else {
			const f = r.error.field && cat.byCode[r.error.field] ?
			    r.error.field : '';

			fail(f ? { [f]: r.error.message } : {}, r.error.message);
		}
	}

	const sec = cat.sections[step];
	const shown = sec.fields.filter((f) => asked.has(f.code) &&
	    f.group !== 'auto');	// set by the form itself
	const item = (f) => html`<div key=${f.code}>
			<${Field} f=${f} value=${values[f.code]}
			    original=${d.values[f.code]} error=${errs[f.code]}
			    onChange=${(v) => set(f.code, v)} />
			${f.code === 'disability_grade' && reasonNeeded &&
			    html`<${Reason} value=${reason} error=${errs.reason}
			    onChange=${(v) => {
				setReason(v);
				if (errs.reason)
					setErrs(({ reason: _, ...rest }) => rest);
			    }}
			    from=${describe(cat, d.base)}
			    to=${describe(cat, values)} />`}
			${f.code === 'gps_lon' && 'geolocation' in navigator &&
			    html`<${Locate} set=${set} />`}
		</div>`;

	return html`<form onSubmit=${submit} noValidate class="survey">
		<p class="lead">${d.person.name} · ${t('form.mode.' + d.mode,
		    { year, prev: d.prevYear || '—' })}</p>
		${top && !Object.keys(errs).length && html`<${Alert}
		    kind="error">${top}<//>`}
		<${ErrorSummary} errs=${errs} cat=${cat} onPick=${pick} />
		<ol class="steps">
			${STEPS.map((s, i) => html`<li key=${s}><button
			    type="button" class="link"
			    aria-current=${i === step ? 'step' : undefined}
			    onClick=${() => setStep(i)}>${i + 1}.
			    ${t('form.step.' + s)}</button></li>`)}
		</ol>
		<h2 tabindex="-1" ref=${stepH}>${t('form.stepOf', { i: step + 1,
		    n: STEPS.length })} ${t('form.step.' + sec.code)}</h2>
		${groupsOf(sec.code, shown).map((g) => g.basic ? (g.name ?
		    html`<details key=${'b-' + g.name} class="fgroup"
		    ref=${(el) => {
			// opened on an error, never shut by fixing it
			if (el && g.fields.some((f) => errs[f.code] ||
			    (f.code === 'disability_grade' && errs.reason)))
				el.open = true;
		    }}>
			<summary>${g.title}<span class="pmeta">${' · ' +
			    t('form.groupFilled', { n: g.fields.length,
			    k: g.fields.filter((f) => isSet(values[f.code]))
			    .length })}</span></summary>
			${g.fields.map(item)}
		</details>` : g.fields.map(item)) : g.name ? html`<details
		    key=${g.name} class="fgroup" open=${g.fields.some((f) =>
		    errs[f.code]) || values[g.name + '_need_any'] === true ||
		    answered(g, values) > 0 || undefined}>
			<summary>${g.title}<span class="pmeta">${' · ' +
			    t('form.groupSum', { n: g.fields.length,
			    yes: answered(g, values) })}</span></summary>
			${g.fields.map(item)}
		</details>` : g.fields.map(item))}
		<div class="form-nav">
			${step > 0 && html`<button type="button"
			    onClick=${() => setStep(step - 1)}>
			    ${t('form.prev')}</button>`}
			${step < STEPS.length - 1 && html`<button type="button"
			    onClick=${() => setStep(step + 1)}>
			    ${t('form.next')}</button>`}
			<button type="submit" class="primary" disabled=${busy}>
			    ${busy ? t('form.saving') : t('form.save')}</button>
		</div>
	</form>`;
}

// Fills the GPS items from the device's location, if the user allows.
function Locate({ set }) {
	const [msg, setMsg] = useState('');

	function run() {
		setMsg(t('form.locating'));
		navigator.geolocation.getCurrentPosition((pos) => {
			set('gps_lat', pos.coords.latitude.toFixed(6));
			set('gps_lon', pos.coords.longitude.toFixed(6));
			setMsg(t('form.located'));
		}, () => setMsg(t('form.noLocation')), { timeout: 15000 });
	}
	return html`<div class="field">
		<button type="button" onClick=${run}>${t('form.locate')}</button>
		<p class="hint" role="status">${msg}</p>
	</div>`;
}

export function Survey({ id, year }) {
	const { loading, error, data } = useAsync(() => load(id, year),
	    [id, year]);

	return html`<${Page} title=${t('form.title', { year })}
	    actions=${html`<a href=${'#/person/' + id}>${t('form.back')}</a>`}>
		${loading && !data && html`<${Loading} />`}
		${error && html`<${Alert} kind="error">${errorText(error)}<//>`}
		${data && data.pending && data.pending.state === 'conflict' ?
		    html`<p>${t('person.pending.conflict')} <a
		    href=${'#/outbox/' + data.pending.cid}>${t('outbox.resolve')}</a>
		    </p>` : data && html`<${Form} id=${id} year=${year}
		    d=${data} />`}
	<//>`;
}
