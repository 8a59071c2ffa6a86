// supervise.js - 精准监督 for supervisors (county and above, supervisor):
// draw a spot-check sample, follow its progress, assign checkers; and the
// precision dashboard (the three rates against 90%, with their 95%
// intervals, by region and by surveyor).
//
// Routes: #/supervise (samples and the draw form), #/supervise/ID (one
// sample's tasks), #/precision?year=&region= (the dashboard).
import { html, useState } from '../lib.js';
import { api, query } from '../api.js';
import { t } from '../i18n.js';
import { getState, announce } from '../state.js';
import { Page, Alert, Loading, useAsync, errorText, go } from '../ui.js';

function thisYear() {
	return new Date(Date.now() + 8 * 3600 * 1000).getUTCFullYear();
}

function pct(bp) {
	return (bp / 100).toFixed(1) + '%';
}

function Progress({ p }) {
	return html`<p class="meta">${t('sup.progress', { tasks: p.tasks,
	    assigned: p.assigned, done: p.done, overdue: p.overdue,
	    rechecks: p.rechecks })}</p>`;
}

function DrawForm({ done }) {
	const user = getState().user;
	const [f, setF] = useState({ year: String(thisYear()),
	    region: user.region, rate: '0.05', min: '2' });
	const [err, setErr] = useState(null);
	const [busy, setBusy] = useState(false);
	const input = (k, lab, extra = {}) => html`<div class="field">
		<label for=${'sd-' + k}>${lab}</label>
		<input id=${'sd-' + k} value=${f[k]} aria-invalid=${err &&
		    err.field === k ? 'true' : undefined}
		    onInput=${(e) => setF({ ...f, [k]: e.target.value })}
		    ...${extra} />
	</div>`;

	async function submit(e) {
		e.preventDefault();
		setBusy(true);
		setErr(null);
		try {
			const s = await api('POST', '/samples', {
				year: Number(f.year), region: f.region.trim(),
				rate: Number(f.rate),
				min_per_surveyor: Number(f.min)
			});

			announce(t('sup.drawn', { n: s.progress.tasks }));
			done(s.id);
		} catch (x) {
			setErr(x);
		}
		setBusy(false);
	}
	return html`<form class="card" noValidate onSubmit=${submit}>
		<h2>${t('sup.draw')}</h2>
		<div class="row">
			${input('year', t('sup.year'), { inputMode: 'numeric',
			    maxLength: 4 })}
			${input('region', t('sup.region'), { inputMode: 'numeric',
			    maxLength: 12, spellcheck: false })}
		</div>
		<div class="row">
			${input('rate', t('sup.rate'), { inputMode: 'decimal' })}
			${input('min', t('sup.min'), { inputMode: 'numeric' })}
		</div>
		<p class="hint">${t('sup.drawHint')}</p>
		${err && html`<${Alert} kind="error">${errorText(err)}<//>`}
		<button type="submit" class="primary" disabled=${busy}>
		    ${t('sup.drawSubmit')}</button>
	</form>`;
}

export function Supervise() {
	const { loading, error, data, reload } = useAsync(() =>
	    api('GET', '/samples'), []);

	return html`<${Page} title=${t('sup.title')}>
		<p><a href=${'#/precision?year=' + thisYear()}>
		    ${t('sup.toPrecision')}</a></p>
		<${DrawForm} done=${(id) => go('#/supervise/' + id)} />
		<section aria-labelledby="sup-list">
			<h2 id="sup-list">${t('sup.samples')}</h2>
			${loading && !data && html`<${Loading} />`}
			${error && html`<${Alert} kind="error">
			    ${errorText(error)}<//>`}
			${data && data.samples.length === 0 && html`<p>
			    ${t('sup.none')}</p>`}
			${data && html`<ul class="list">${data.samples.map((s) =>
			    html`<li key=${s.id}><p><a class="pname"
			    href=${'#/supervise/' + s.id}>${t('sup.sampleName',
			    { id: s.id, year: s.year, region: s.region })}</a></p>
			    <p class="meta">${t('sup.params', { rate: s.rate,
			    min: s.min_per_surveyor, seed: s.seed, due: s.due })}
			    </p><${Progress} p=${s.progress} /></li>`)}</ul>`}
			<button type="button" onClick=${reload}>
			    ${t('sup.reload')}</button>
		</section>
	<//>`;
}

function Assign({ task, done }) {
	const [login, setLogin] = useState(task.checker || '');
	const [mode, setMode] = useState(task.mode);
	const [err, setErr] = useState(null);
	const [busy, setBusy] = useState(false);
	const id = 'as-' + task.id;

	async function submit(e) {
		e.preventDefault();
		setBusy(true);
		setErr(null);
		try {
			await api('POST', `/checks/${task.id}/assign`, {
				checker: login.trim(), mode,
				version: task.version
			});
			announce(t('sup.assigned', { login: login.trim() }));
			done();
		} catch (x) {
			setErr(x);
		}
		setBusy(false);
	}
	return html`<form class="assign" noValidate onSubmit=${submit}>
		<div class="field">
			<label for=${id}>${t('sup.checker')}</label>
			<input id=${id} value=${login} spellcheck="false"
			    autocomplete="off" aria-invalid=${err ? 'true' :
			    undefined} onInput=${(e) => setLogin(e.target.value)} />
		</div>
		<div class="field">
			<label for=${id + '-m'}>${t('sup.mode')}</label>
			<select id=${id + '-m'} value=${mode}
			    onChange=${(e) => setMode(e.target.value)}>
				<option value="visit">${t('sup.mode.visit')}</option>
				<option value="phone">${t('sup.mode.phone')}</option>
			</select>
		</div>
		${err && html`<${Alert} kind="error">${errorText(err)}<//>`}
		<button type="submit" class="small" disabled=${busy ||
		    !login.trim()}>${task.checker ? t('sup.reassign') :
		    t('sup.assign')}</button>
	</form>`;
}

function TaskItem({ task, reload }) {
	return html`<li>
		<p><span class="pname">${task.name}</span>${' · ' +
		    t('sup.surveyor', { name: task.surveyor || '—' })}</p>
		<p class="meta">${t('sup.taskMeta', { id: task.id, due: task.due,
		    mode: t('sup.mode.' + task.mode) })}${task.recheck_of ?
		    ' · ' + t('sup.recheckOf', { id: task.recheck_of }) : ''}</p>
		<p class="state">${task.done ? t('sup.done', { login:
		    task.checker }) : task.checker ? t('sup.waiting', { login:
		    task.checker }) : t('sup.unassigned')}</p>
		${!task.done && html`<${Assign} task=${task} done=${reload} />`}
	</li>`;
}

export function SampleView({ id }) {
	const { loading, error, data, reload } = useAsync(() =>
	    api('GET', '/samples/' + id), [id]);

	return html`<${Page} title=${t('sup.sampleTitle', { id })}>
		<p><a href="#/supervise">${t('sup.back')}</a></p>
		${loading && !data && html`<${Loading} />`}
		${error && html`<${Alert} kind="error">${errorText(error)}<//>`}
		${data && html`
			<p>${t('sup.sampleName', { id: data.id, year: data.year,
			    region: data.region })}</p>
			<p class="meta">${t('sup.params', { rate: data.rate,
			    min: data.min_per_surveyor, seed: data.seed,
			    due: data.due })}</p>
			<${Progress} p=${data.progress} />
			<ul class="list tasks">${data.tasks.map((x) =>
			    html`<${TaskItem} key=${x.id} task=${x}
			    reload=${reload} />`)}</ul>`}
	<//>`;
}

// ---- the precision dashboard ----------------------------------------------

function Rate({ name, r }) {
	if (r.rate_bp === undefined)
		return html`<div><dt>${name}</dt><dd>${t('prec.none')}</dd></div>`;
	const ok = r.rate_bp >= 9000;

	return html`<div><dt>${name}</dt><dd>
		<strong class=${ok ? 'ok' : 'bad'}>${pct(r.rate_bp)}</strong>
		${' ' + t('prec.ci', { lo: pct(r.lo_bp), hi: pct(r.hi_bp),
		    x: r.right, n: r.checked })}
		${' · ' + (ok ? t('prec.met') : t('prec.missed'))}
	</dd></div>`;
}

function Row({ row }) {
	return html`<li class=${row.below ? 'below' : ''}>
		<p class="pname">${row.name}${row.below ? ' · ' +
		    t('prec.below') : ''}</p>
		<dl class="facts compact">
			<${Rate} name=${t('prec.survey')} r=${row.survey} />
			<${Rate} name=${t('prec.plan')} r=${row.plan} />
			<${Rate} name=${t('prec.supervision')} r=${row.supervision} />
		</dl>
	</li>`;
}

export function Precision({ query: q }) {
	const user = getState().user;
	const year = q.get('year') || String(thisYear());
	const region = q.get('region') || user.region;
	const [f, setF] = useState({ year, region });
	const { loading, error, data } = useAsync(() => api('GET',
	    '/precision' + query({ year, region })), [year, region]);

	return html`<${Page} title=${t('prec.title')}>
		<form class="card" noValidate onSubmit=${(e) => {
			e.preventDefault();
			go('#/precision' + query({ year: f.year.trim(),
			    region: f.region.trim() }));
		}}>
			<div class="row">
				<div class="field"><label for="pr-year">
				    ${t('sup.year')}</label><input id="pr-year"
				    value=${f.year} inputMode="numeric" maxLength="4"
				    onInput=${(e) => setF({ ...f, year:
				    e.target.value })} /></div>
				<div class="field"><label for="pr-region">
				    ${t('sup.region')}</label><input id="pr-region"
				    value=${f.region} inputMode="numeric"
				    maxLength="12" onInput=${(e) => setF({ ...f,
				    region: e.target.value })} /></div>
			</div>
			<button type="submit" class="primary">${t('prec.show')}
			    </button>
		</form>
		<p class="hint">${t('prec.method')}</p>
		${loading && !data && html`<${Loading} />`}
		${error && html`<${Alert} kind="error">${errorText(error)}<//>`}
		${data && html`
			<section aria-labelledby="pr-reg">
				<h2 id="pr-reg">${t('prec.byRegion')}</h2>
				<ul class="list precision">${data.regions.map((r) =>
				    html`<${Row} key=${r.code} row=${r} />`)}</ul>
			</section>
			<section aria-labelledby="pr-sur">
				<h2 id="pr-sur">${t('prec.bySurveyor')}</h2>
				${data.below_target.length > 0 ? html`<${Alert}
				    kind="info">${t('prec.belowList', { names:
				    data.below_target.join('、') })}<//>` : html`<p>
				    ${t('prec.noneBelow')}</p>`}
				<ul class="list precision">${data.surveyors.map((r) =>
				    html`<${Row} key=${r.surveyor} row=${r} />`)}</ul>
			</section>`}
	<//>`;
}
