// outbox.js - surveys, deliveries, plan item changes and ratings saved
// on this device: waiting, refused (with the server's reason, to fix in
// the form), or in conflict with a version saved meanwhile by someone
// else: a survey is merged here field by field; an item change shows the
// server's words and leads back to the plan to look at the item again.
import { html, useState } from '../lib.js';
import { t } from '../i18n.js';
import { loadCatalog, effective, formatValue, sameValue } from
    '../catalog.js';
import { items, remove, save, send, syncAll } from '../outbox.js';
import { money } from '../items.js';
import { announce, setState, useAppState, isDept } from '../state.js';
import { Page, Alert, Loading, useAsync, errorText, label, fmtTime, go }
    from '../ui.js';

function Discard({ item, done }) {
	const [sure, setSure] = useState(false);

	if (!sure)
		return html`<button type="button" class="small"
		    onClick=${() => setSure(true)}>${t('outbox.discard')}</button>`;
	return html`<span class="confirm">
		<button type="button" class="small danger" onClick=${async () => {
			await remove(item.cid);
			announce(t('outbox.discarded'));
			done();
		}}>${t(item.kind === 'delivery' ? 'outbox.discardDelivery' :
		    item.kind === 'item' || item.kind === 'feedback' ?
		    'outbox.discardChange' : 'outbox.discardSure',
		    { name: item.name })}</button>
		<button type="button" class="small" onClick=${() =>
		    setSure(false)}>${t('cancel')}</button>
	</span>`;
}

export function Outbox() {
	const st = useAppState();
	const dept = isDept(st.user);
	const { loading, error, data, reload } = useAsync(() => items(),
	    [st.pending]);
	const [busy, setBusy] = useState(false);
	const [msg, setMsg] = useState(null);

	async function syncNow() {
		setBusy(true);
		const c = await syncAll();
		const text = t('outbox.result', c);

		setMsg(text);
		announce(text);
		setBusy(false);
		reload();
	}
	return html`<${Page} title=${t(dept ? 'outbox.titleDept' :
	    'outbox.title')}>
		<p>${t(dept ? 'outbox.introDept' : 'outbox.intro')}</p>
		${loading && !data && html`<${Loading} />`}
		${error && html`<${Alert} kind="error">${errorText(error)}<//>`}
		${data && data.length === 0 && html`<p>${t(dept ?
		    'outbox.emptyDept' : 'outbox.empty')}</p>`}
		${data && data.length > 0 && html`
			<button type="button" class="primary" onClick=${syncNow}
			    disabled=${busy}>${busy ? t('outbox.syncing') :
			    t('outbox.sync')}</button>
			${msg && html`<p class="summary">${msg}</p>`}
			<ul class="list outbox">${data.map((x) => html`
			<li key=${x.cid} class=${'ob-' + x.state}>
				${x.kind === 'check' ? html`<p><a
				    href=${'#/checks/' + x.task} class="pname">
				    ${x.name}</a>${' · ' + t('chk.outbox')}</p>` :
				    x.kind === 'delivery' ? html`<p><a href="#/"
				    class="pname">${x.name}</a>${' · ' + x.what}</p>
				    <p>${t('outbox.delivery', { date: x.date,
				    v: money(x.amount) })}${x.note ? ' · ' + x.note :
				    ''}</p>` : x.kind === 'item' || x.kind === 'feedback' ?
				    html`<p><a href=${`#/person/${x.person}/plan/${x.year}`}
				    class="pname">${x.name}</a>${' · ' + x.what}</p>
				    <p>${x.says}</p>` : html`<p><a href=${'#/person/' + x.person}
				    class="pname">${x.name}</a>${' · ' +
				    t('person.yearTitle', { year: x.year })}</p>`}
				<p class="state">${t('outbox.state.' + x.state) +
				    ' · ' + fmtTime(x.updated)}</p>
				${(x.state === 'invalid' || (x.state === 'conflict' &&
				    x.kind === 'item')) && x.error && html`<p
				    class="error">${x.error.message}</p>`}
				<p class="item-actions">
					${x.state === 'conflict' && x.kind === 'item' &&
					    html`<a class="button primary small"
					    href=${`#/person/${x.person}/plan/${x.year}`}>
					    ${t('outbox.lookAgain')}</a>`}
					${x.state === 'conflict' && !x.kind && html`<a
					    class="button primary small"
					    href=${'#/outbox/' + x.cid}>
					    ${t('outbox.resolve')}</a>`}
					${x.state === 'invalid' && !x.kind && html`<a
					    class="button primary small"
					    href=${`#/person/${x.person}/survey/${x.year}`}>
					    ${t('outbox.fix')}</a>`}
					<${Discard} item=${x} done=${reload} />
				</p>
			</li>`)}</ul>`}
	<//>`;
}

async function loadConflict(cid) {
	const [cat, list] = await Promise.all([loadCatalog(), items()]);

	return { cat, item: list.find((x) => x.cid === cid) };
}

function Merge({ cat, item }) {
	const cur = item.conflict.values;
	const mine = item.values;
	const diff = cat.fields.filter((f) => !sameValue(cur[f.code],
	    mine[f.code]));
	const [pick, setPick] = useState(() => Object.fromEntries(
	    diff.map((f) => [f.code, 'mine'])));
	const [busy, setBusy] = useState(false);
	const [err, setErr] = useState('');
	const fmt = (f, v) => formatValue(f, v, t('yes'), t('no'));
	const all = (w) => setPick(Object.fromEntries(diff.map((f) =>
	    [f.code, w])));

	async function submit(e) {
		e.preventDefault();
		const merged = { ...mine };

		for (const f of diff)
			merged[f.code] = pick[f.code] === 'theirs' ?
			    cur[f.code] : mine[f.code];
		const next = { ...item, values: effective(cat, merged),
		    version: item.conflict.version, state: 'queued',
		    conflict: null, error: null };

		setBusy(true);
		try {
			await save(next);
			const r = await send(next);

			if (r.state === 'done') {
				setState({ flash: { kind: 'ok', text:
				    t('form.saved', { year: item.year, version:
				    r.result.version }) } });
				go('#/person/' + item.person);
			} else if (r.state === 'invalid') {
				go(`#/person/${item.person}/survey/${item.year}`);
			} else if (r.state === 'queued') {
				setState({ flash: { kind: 'info', text:
				    t('form.queued') } });
				go('#/outbox');
			} else {
				setErr(t('merge.again'));
				announce(t('merge.again'));
				setBusy(false);
			}
		} catch (ex) {
			setErr(errorText(ex));
			setBusy(false);
		}
	}
	return html`<form onSubmit=${submit} class="merge">
		<p>${t('merge.intro', { name: item.name, year: item.year,
		    n: diff.length, version: item.conflict.version })}</p>
		${err && html`<${Alert} kind="error">${err}<//>`}
		<div class="actions">
			<button type="button" class="small" onClick=${() =>
			    all('mine')}>${t('merge.allMine')}</button>
			<button type="button" class="small" onClick=${() =>
			    all('theirs')}>${t('merge.allTheirs')}</button>
		</div>
		${diff.map((f) => html`<fieldset key=${f.code}
		    class="field choices merge-item">
			<legend>${label(f)}</legend>
			<label><input type="radio" name=${'m-' + f.code}
			    checked=${pick[f.code] === 'theirs'}
			    onChange=${() => setPick({ ...pick, [f.code]:
			    'theirs' })} />
			    <span>${t('merge.theirs')}: <strong>${fmt(f,
			    cur[f.code])}</strong></span></label>
			<label><input type="radio" name=${'m-' + f.code}
			    checked=${pick[f.code] === 'mine'}
			    onChange=${() => setPick({ ...pick, [f.code]:
			    'mine' })} />
			    <span>${t('merge.mine')}: <strong>${fmt(f,
			    mine[f.code])}</strong></span></label>
		</fieldset>`)}
		<div class="form-nav">
			<button type="submit" class="primary" disabled=${busy}>
			    ${t('merge.save')}</button>
		</div>
	</form>`;
}

export function Conflict({ cid }) {
	const { loading, error, data } = useAsync(() => loadConflict(cid),
	    [cid]);

	return html`<${Page} title=${t('merge.title')}
	    actions=${html`<a href="#/outbox">${t('merge.back')}</a>`}>
		${loading && !data && html`<${Loading} />`}
		${error && html`<${Alert} kind="error">${errorText(error)}<//>`}
		${data && (!data.item || data.item.state !== 'conflict' ?
		    html`<p>${t('merge.none')}</p>` :
		    html`<${Merge} cat=${data.cat} item=${data.item} />`)}
	<//>`;
}
