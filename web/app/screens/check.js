// check.js - 精准监督 for checkers: the check tasks assigned to me, and a
// phone form per task: each survey item to check (its label from the
// catalog, the value recorded, right or wrong, the right value when
// wrong) and each service item delivered (confirmed or not).
//
// Offline like the survey: the list and every opened task are kept in
// IndexedDB (meta 'checks', 'check:ID'), and a check is saved to the
// outbox (kind 'check', outbox.js) before it is sent, so it waits there
// when the network is gone and is sent by the same sync.
//
// Routes: #/checks (my tasks), #/checks/ID (one task's form).
import { html, useState } from '../lib.js';
import { api, OfflineError } from '../api.js';
import { t } from '../i18n.js';
import { loadCatalog, optionLabel } from '../catalog.js';
import * as idb from '../idb.js';
import { items as outboxItems, newCid, remove, save, send } from
    '../outbox.js';
import { announce, setState } from '../state.js';
import { Page, Alert, Loading, useAsync, errorText, label, go } from
    '../ui.js';

// GET with the offline copy in meta[key] as the fallback.
async function cached(path, key) {
	try {
		const data = await api('GET', path);

		await idb.put('meta', data, key).catch(() => {});
		return { data, offline: false };
	} catch (e) {
		if (!(e instanceof OfflineError))
			throw e;
		const data = await idb.get('meta', key);

		if (!data)
			throw e;
		return { data, offline: true };
	}
}

async function queuedTasks() {
	return new Set((await outboxItems()).filter((x) => x.kind === 'check' &&
	    x.state === 'queued').map((x) => x.task));
}

export function Checks() {
	const { loading, error, data } = useAsync(async () => {
		const [r, queued] = await Promise.all([cached('/checks',
		    'checks'), queuedTasks()]);

		return { ...r, queued };
	}, []);
	const open = data ? data.data.tasks.filter((x) => !x.done) : [];
	const done = data ? data.data.tasks.filter((x) => x.done) : [];
	const item = (x) => html`<li key=${x.id}>
		<p><a class="pname" href=${'#/checks/' + x.id}>${x.name}</a>
		    ${' · ' + t('sup.mode.' + x.mode)}</p>
		<p class="meta">${t('sup.taskMeta', { id: x.id, due: x.due,
		    mode: t('sup.mode.' + x.mode) })}${x.recheck_of ? ' · ' +
		    t('chk.recheck') : ''}</p>
		${data.queued.has(x.id) && html`<p class="state">
		    ${t('chk.queued')}</p>`}
	</li>`;

	return html`<${Page} title=${t('chk.title')}>
		${loading && !data && html`<${Loading} />`}
		${error && html`<${Alert} kind="error">${errorText(error)}<//>`}
		${data && data.offline && html`<${Alert} kind="info">
		    ${t('chk.offline')}<//>`}
		${data && html`
			<section aria-labelledby="chk-open">
				<h2 id="chk-open">${t('chk.open', { n: open.length })}
				    </h2>
				${open.length === 0 ? html`<p>${t('chk.noneOpen')}</p>` :
				    html`<ul class="list">${open.map(item)}</ul>`}
			</section>
			${done.length > 0 && html`<section aria-labelledby="chk-done">
				<h2 id="chk-done">${t('chk.doneList', { n:
				    done.length })}</h2>
				<ul class="list">${done.map(item)}</ul>
			</section>`}`}
	<//>`;
}

// The recorded value as the catalog names it ("已婚 (20)").
function recordedText(f, v) {
	if (f && f.type === 'enum' && /^\d+$/.test(v))
		return `${optionLabel(f, Number(v))} (${v})`;
	return v;
}

function RightValue({ f, id, value, onInput }) {
	if (f && (f.type === 'enum' || f.type === 'bool')) {
		const opts = f.type === 'bool' ? [{ code: '是', label: t('yes') },
		    { code: '否', label: t('no') }] : f.options;

		return html`<select id=${id} value=${value}
		    onChange=${(e) => onInput(e.target.value)}>
			<option value="">${t('chk.pick')}</option>
			${opts.map((o) => html`<option key=${o.code}
			    value=${String(o.code)}>${o.label}</option>`)}
		</select>`;
	}
	return html`<input id=${id} value=${value} autocomplete="off"
	    onInput=${(e) => onInput(e.target.value)} />`;
}

function Line({ cat, line, ans, set, n }) {
	const f = line.kind === 'survey' ? cat.byCode[line.code] : null;
	const lang = label(f || { label: line.label_zh, label_en:
	    line.label_en });
	const name = 'ln-' + n;

	return html`<fieldset class="check-line">
		<legend>${lang}</legend>
		<p class="meta">${line.kind === 'survey' ? t('chk.recorded',
		    { v: recordedText(f, line.recorded) }) : t('chk.service')}</p>
		<div class="choices inline">
			<label><input type="radio" name=${name} checked=${ans.ok ===
			    true} onChange=${() => set({ ok: true, value: '' })} />
			    ${line.kind === 'survey' ? t('chk.right') :
			    t('chk.confirmed')}</label>
			<label><input type="radio" name=${name} checked=${ans.ok ===
			    false} onChange=${() => set({ ...ans, ok: false })} />
			    ${line.kind === 'survey' ? t('chk.wrong') :
			    t('chk.notConfirmed')}</label>
		</div>
		${line.kind === 'survey' && ans.ok === false && html`<div
		    class="field"><label for=${name + '-v'}>${t('chk.rightValue')}
		    </label><${RightValue} f=${f} id=${name + '-v'}
		    value=${ans.value || ''} onInput=${(v) => set({ ...ans,
		    value: v })} /></div>`}
	</fieldset>`;
}

export function CheckForm({ id }) {
	const { loading, error, data } = useAsync(async () => {
		const [r, cat, queued] = await Promise.all([cached('/checks/' +
		    id, 'check:' + id), loadCatalog(), queuedTasks()]);

		return { ...r, cat, queued: queued.has(Number(id)) };
	}, [id]);
	const [ans, setAns] = useState({});
	const [err, setErr] = useState(null);
	const [busy, setBusy] = useState(false);
	const task = data && data.data;

	async function submit(e) {
		e.preventDefault();
		const lines = task.lines;
		const missing = lines.findIndex((l, i) => !ans[i] ||
		    ans[i].ok === undefined || (ans[i].ok === false &&
		    l.kind === 'survey' && !ans[i].value));

		if (missing >= 0) {
			setErr({ name: 'Local', message: t('chk.incomplete') });
			return;
		}
		setBusy(true);
		setErr(null);
		const item = {
			cid: newCid(), kind: 'check', task: task.id,
			name: task.name, state: 'queued',
			created: new Date().toISOString(),
			items: lines.map((l, i) => ({ l, a: ans[i] }))
			    .filter((x) => x.l.kind === 'survey')
			    .map((x) => x.a.ok ? { code: x.l.code, ok: true } :
			    { code: x.l.code, ok: false, value: x.a.value }),
			services: lines.map((l, i) => ({ l, a: ans[i] }))
			    .filter((x) => x.l.kind === 'service')
			    .map((x) => ({ item: x.l.item, ok: x.a.ok }))
		};

		// an earlier answer of this task refused by the server goes
		for (const old of await outboxItems())
			if (old.kind === 'check' && old.task === task.id)
				await remove(old.cid);
		await save(item);
		const r = await send(item).catch((x) => ({ state: 'invalid',
		    error: x }));

		setBusy(false);
		if (r.state === 'done') {
			setState({ flash: { kind: 'ok', text: t('chk.saved') } });
			go('#/checks');
		} else if (r.state === 'queued') {
			setState({ flash: { kind: 'info', text:
			    t('chk.savedOffline') } });
			go('#/checks');
		} else {
			setErr(r.error);
			announce(errorText(r.error));
		}
	}
	return html`<${Page} title=${t('chk.formTitle')}>
		<p><a href="#/checks">${t('chk.back')}</a></p>
		${loading && !data && html`<${Loading} />`}
		${error && html`<${Alert} kind="error">${errorText(error)}<//>`}
		${data && data.offline && html`<${Alert} kind="info">
		    ${t('chk.offline')}<//>`}
		${task && html`
			<p><span class="pname">${task.name}</span>${' · ' +
			    t('sup.mode.' + task.mode)}</p>
			<p class="meta">${t('sup.taskMeta', { id: task.id, due:
			    task.due, mode: t('sup.mode.' + task.mode) })}</p>
			${task.done ? html`<${Alert} kind="info">${t('chk.isDone')}
			    <//>` : data.queued ? html`<${Alert} kind="info">
			    ${t('chk.queued')}<//>` : html`
			<form noValidate onSubmit=${submit}>
				<p class="hint">${t('chk.intro')}</p>
				${task.lines.map((l, i) => html`<${Line} key=${i}
				    n=${i} cat=${data.cat} line=${l} ans=${ans[i] ||
				    {}} set=${(a) => setAns({ ...ans, [i]: a })} />`)}
				${err && html`<${Alert} kind="error">
				    ${err.name === 'ApiError' || err.name ===
				    'OfflineError' ? errorText(err) : err.message}<//>`}
				<button type="submit" class="primary"
				    disabled=${busy}>${t('chk.submit')}</button>
			</form>`}`}
	<//>`;
}
