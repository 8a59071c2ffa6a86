// home.js - my work: the persons of my villages still to survey this
// year. Above village level, the region's parts with their numbers of
// registered persons lead down to a village; officers above the village
// have a link to the region's statistics. A village's list is the
// persons surveyed last year without a survey this year (from the list
// API); it is kept on the device, and "save for offline" keeps every
// person page of it too. Below the list, the village's 一人一策 of this
// year and last year: draft plans still to finish (with their undecided
// proposals) and confirmed plans with overdue items, each leading to the
// person's plan page; they are kept on the device with the list.
import { html, useState } from '../lib.js';
import { api, listAll, query, OfflineError } from '../api.js';
import { t } from '../i18n.js';
import * as idb from '../idb.js';
import { items as outboxItems, refreshPerson } from '../outbox.js';
import { getState, announce, canWrite, canStats } from '../state.js';
import { Page, Alert, Loading, useAsync, errorText, fmtTime } from '../ui.js';
import { PersonItem, parentRegion } from './common.js';
import { DraftBadge } from '../items.js';

// Every plan of a region, year and status (the plans API, page by page).
async function plansAll(region, year, status) {
	const out = [];
	let after = '';

	for (let i = 0; i < 50; i++) {
		const page = await api('GET', '/plans' + query({ region, year,
		    status, limit: 200, after }));
		out.push(...page.plans);
		if (!page.next)
			break;
		after = page.next;
	}
	return out;
}

// This year's and last year's drafts and overdue confirmed plans, newest
// year first, kept small for IndexedDB.
async function loadPlans(code, year) {
	const years = [year, year - 1];
	const got = await Promise.all(years.flatMap((y) => ['draft',
	    'confirmed'].map((st) => plansAll(code, y, st))));
	const brief = (x, y) => ({ id: x.person.id, name: x.person.name,
	    year: y, items: x.items, open: x.open, done: x.done,
	    overdue: x.overdue });

	return {
		years,
		drafts: years.flatMap((y, i) => got[2 * i].map((x) =>
		    brief(x, y))),
		overdue: years.flatMap((y, i) => got[2 * i + 1]
		    .filter((x) => x.overdue > 0).map((x) => brief(x, y)))
	};
}

async function loadTodo(node, year) {
	const [prev, cur, plans] = await Promise.all([
	    listAll(node.code, year - 1), listAll(node.code, year),
	    loadPlans(node.code, year)]);
	const done = new Set(cur.map((p) => p.id));
	const todo = {
		code: node.code, name: node.name, year,
		todo: prev.filter((p) => !done.has(p.id) && p.status === 1),
		done: cur.length, plans, saved: new Date().toISOString()
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

function PlanList({ id, title, empty, list, meta, draft }) {
	return html`<section class="plans" aria-labelledby=${id}>
		<h2 id=${id}>${title}</h2>
		${list.length === 0 ? html`<p>${empty}</p>` :
		    html`<ul class="list">${list.map((p) => html`<li
		    key=${p.id + '/' + p.year}>
			<a href=${`#/person/${p.id}/plan/${p.year}`}>
				<span class="pname">${p.name}${draft && html` <${DraftBadge} />`}</span>
				<span class="pmeta">${meta(p)}</span>
			</a>
		</li>`)}</ul>`}
	</section>`;
}

function Plans({ plans }) {
	return html`
		<p class="hint">${t('home.plansHint', { year: plans.years[0],
		    last: plans.years[1] })}</p>
		<${PlanList} id="h-drafts" list=${plans.drafts} draft=${true}
		    title=${t('home.drafts', { n: plans.drafts.length })}
		    empty=${t('home.noDrafts')}
		    meta=${(p) => t('home.draftMeta', p)} />
		<${PlanList} id="h-overdue" list=${plans.overdue}
		    title=${t('home.overdue', { n: plans.overdue.length })}
		    empty=${t('home.noOverdue')}
		    meta=${(p) => t('home.overdueMeta', p)} />
	`;
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
		${todo.plans && html`<${Plans} plans=${todo.plans} />`}
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
