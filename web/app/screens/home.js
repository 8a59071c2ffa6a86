// home.js - my work: the persons of my villages still to survey this
// year. Above village level, the region's parts with their numbers of
// registered persons lead down to a village; officers above the village
// have a link to the region's statistics. A village's list is the
// persons surveyed last year without a survey this year (from the list
// API); it is kept on the device, and "save for offline" keeps every
// person page of it too.
import { html, useState } from '../lib.js';
import { api, listAll, OfflineError } from '../api.js';
import { t } from '../i18n.js';
import * as idb from '../idb.js';
import { items as outboxItems, refreshPerson } from '../outbox.js';
import { getState, announce, canWrite, canStats } from '../state.js';
import { Page, Alert, Loading, useAsync, errorText, fmtTime } from '../ui.js';
import { PersonItem, parentRegion } from './common.js';

async function loadTodo(node, year) {
	const [prev, cur] = await Promise.all([listAll(node.code, year - 1),
	    listAll(node.code, year)]);
	const done = new Set(cur.map((p) => p.id));
	const todo = {
		code: node.code, name: node.name, year,
		todo: prev.filter((p) => !done.has(p.id) && p.status === 1),
		done: cur.length, saved: new Date().toISOString()
	};

	await idb.put('todo', todo).catch(() => {});
	return todo;
}

async function load(code) {
	const year = new Date().getFullYear();
	const pending = (await outboxItems().catch(() => []))
	    .filter((x) => !x.kind && x.year === year).map((x) => x.person);

	try {
		const node = await api('GET', `/regions/${code}/children`);

		if (node.children.length > 0)
			return { node, pending };
		return { node, todo: await loadTodo(node, year), pending };
	} catch (e) {
		if (!(e instanceof OfflineError))
			throw e;
		const todo = await idb.get('todo', code).catch(() => null);

		if (!todo)
			throw e;
		return { node: { code, name: todo.name, children: [] }, todo,
		    pending, offline: true };
	}
}

function Villages({ node }) {
	return html`<ul class="list regions">
		${node.children.map((c) => html`<li key=${c.code}>
			<a href=${'#/region/' + c.code}>
				<span class="pname">${c.name}</span>
				<span class="pmeta">${t('home.persons',
				    { n: c.persons })}</span>
			</a>
		</li>`)}
	</ul>`;
}

function SaveOffline({ todo }) {
	const [busy, setBusy] = useState(false);
	const [msg, setMsg] = useState(null);

	async function run() {
		setBusy(true);
		setMsg(null);
		let n = 0;

		try {
			for (const p of todo.todo) {
				await refreshPerson(p.id);
				n++;
				if (n % 10 === 0)
					announce(t('home.saving', { n,
					    total: todo.todo.length }));
			}
			setMsg({ kind: 'ok', text: t('home.saved', { n }) });
		} catch (e) {
			setMsg({ kind: 'error', text: errorText(e) });
		}
		setBusy(false);
	}
	return html`<div class="offline-box">
		<button type="button" onClick=${run} disabled=${busy ||
		    todo.todo.length === 0}>${busy ? t('home.savingBtn') :
		    t('home.saveOffline')}</button>
		<p class="hint">${t('home.saveHint')}</p>
		${msg && html`<${Alert} kind=${msg.kind}>${msg.text}<//>`}
	</div>`;
}

function Todo({ todo, pending, offline }) {
	const user = getState().user;
	const waiting = new Set(pending);

	return html`
		${offline && html`<${Alert} kind="info">${t('home.offline',
		    { time: fmtTime(todo.saved) })}<//>`}
		<p class="summary">${t('home.summary', { year: todo.year,
		    todo: todo.todo.length, done: todo.done })}</p>
		${todo.todo.length === 0 ? html`<p>${t('home.allDone')}</p>` :
		    html`<ul class="list">${todo.todo.map((p) =>
		    html`<${PersonItem} key=${p.id} p=${p}
		    note=${waiting.has(p.id) ? t('home.queued') : ''} />`)}
		    </ul>`}
		${canWrite(user) && !offline && html`<${SaveOffline}
		    todo=${todo} />`}
	`;
}

export function Home({ code }) {
	const user = getState().user;
	const { loading, error, data } = useAsync(() => load(code), [code]);
	const up = parentRegion(code);
	const title = !data ? t('home.title') : code === user.region &&
	    data.todo ? t('home.title') : data.node.name;

	const stats = canStats(user) && user.role !== 'village' && html`<a
	    class="button small" href=${'#/stats?region=' + code}>
	    ${t('stats.link')}</a>`;

	return html`<${Page} title=${title} actions=${stats}>
		${code !== user.region && up.length >= user.region.length &&
		    html`<p><a href=${up === user.region ? '#/' :
		    '#/region/' + up}>${t('home.up')}</a></p>`}
		${data && data.todo && html`<p class="place">
		    ${data.node.name}</p>`}
		${loading && !data && html`<${Loading} />`}
		${error && html`<${Alert} kind="error">${errorText(error)}<//>`}
		${data && (data.todo ? html`<${Todo} todo=${data.todo}
		    pending=${data.pending} offline=${data.offline} />` :
		    html`<p>${t('home.pick')}</p><${Villages}
		    node=${data.node} />`)}
	<//>`;
}
