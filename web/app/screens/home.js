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
// From a township up, the villages with the most draft plans and persons
// with overdue items come first (counted on the server by
// GET /plans/villages): a township's villages carry their counts; a
// county and higher get its busiest villages, a page at a time, above
// the region's parts.
import { html, useState, useEffect } from '../lib.js';
import { api, listAll, query, OfflineError } from '../api.js';
import { t } from '../i18n.js';
import * as idb from '../idb.js';
import { items as outboxItems, refreshPerson, keepPlan } from
    '../outbox.js';
import { getState, announce, canWrite, canStats } from '../state.js';
import { Page, Alert, Loading, useAsync, errorText, fmtTime } from '../ui.js';
import { PersonItem, parentRegion } from './common.js';
import { DraftBadge } from '../items.js';
import { loadCatalog } from '../catalog.js';

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
// year first, kept small for IndexedDB; and the confirmed plans with
// items still to deliver (not listed: "save for offline" keeps them so a
// worker records deliveries without a network).
async function loadPlans(code, year) {
	const years = [year, year - 1];
	const got = await Promise.all(years.flatMap((y) => ['draft',
	    'confirmed'].map((st) => plansAll(code, y, st))));
	const brief = (x, y) => ({ id: x.person.id, name: x.person.name,
	    region: x.person.region, year: y, items: x.items, open: x.open,
	    done: x.done, overdue: x.overdue });

	return {
		years,
		drafts: years.flatMap((y, i) => got[2 * i].map((x) =>
		    brief(x, y))),
		overdue: years.flatMap((y, i) => got[2 * i + 1]
		    .filter((x) => x.overdue > 0).map((x) => brief(x, y))),
		delivering: years.flatMap((y, i) => got[2 * i + 1]
		    .filter((x) => x.overdue === 0 && x.done < x.items)
		    .map((x) => brief(x, y)))
	};
}

// The villages of code with drafts or persons with overdue items, this
// year and last summed, the busiest first; partial when a year has more
// such villages than one answer lists (only above a county).
const VMAX = 1000;

async function loadVillages(code, year) {
	const years = [year, year - 1];
	const got = await Promise.all(years.map((y) => api('GET',
	    '/plans/villages' + query({ region: code, year: y, limit: VMAX }))));
	const by = new Map();

	for (const g of got)
		for (const v of g.villages) {
			const x = by.get(v.code) || { code: v.code, name: v.name,
			    town: v.township.name, drafts: 0, overdue: 0 };

			x.drafts += v.drafts;
			x.overdue += v.overdue;
			by.set(v.code, x);
		}
	const list = [...by.values()].sort((a, b) => b.drafts + b.overdue -
	    a.drafts - a.overdue || a.code.localeCompare(b.code));

	return { years, list, partial: got.some((g) => g.total >
	    g.villages.length),
	    drafts: list.reduce((n, v) => n + v.drafts, 0),
	    overdue: list.reduce((n, v) => n + v.overdue, 0) };
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
			return { node, pending, work: canWrite(getState().user) ?
			    await loadVillages(node.code, year) : null };
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

// ---- long lists: a page at a time, searched by name (issue 14) ----

const PAGE = 20;

// list, a page at a time; item(x) renders one <li>. what names the list
// for the pager's label.
function Pager({ list, item, what }) {
	const [p, setP] = useState(0);
	const pages = Math.max(1, Math.ceil(list.length / PAGE));
	const cur = Math.min(p, pages - 1);

	useEffect(() => setP(0), [list.length]);
	return html`<ul class="list">${list.slice(cur * PAGE, (cur + 1) *
	    PAGE).map(item)}</ul>
	    ${pages > 1 && html`<nav class="actions pager"
	    aria-label=${t('home.pagesOf', { what })}>
		<button type="button" class="small" disabled=${cur === 0}
		    onClick=${() => setP(cur - 1)}>${t('home.prev')}</button>
		<span class="pmeta">${t('home.page', { p: cur + 1, n: pages })}
		</span>
		<button type="button" class="small" disabled=${cur >=
		    pages - 1} onClick=${() => setP(cur + 1)}>${t('home.next')}
		</button>
	    </nav>`}`;
}

const matches = (q) => (x) => !q || (x.name || '').includes(q);

// A region's parts, each with its draft plans and persons with overdue
// items (this year and last; summed from its villages): a township's
// villages with the most to do first; above a township, the parts in
// their order, below the busiest villages of the whole region.
function Villages({ node, work }) {
	const count = (code) => work.list.filter((v) =>
	    v.code.startsWith(code)).reduce((n, v) => ({ drafts: n.drafts +
	    v.drafts, overdue: n.overdue + v.overdue }), { drafts: 0,
	    overdue: 0 });
	const sums = work && !work.partial;
	const rows = node.children.map((c) => sums ? { ...c,
	    ...count(c.code) } : c);
	const town = node.code.length === 9;

	if (sums && town)
		rows.sort((a, b) => b.drafts + b.overdue - a.drafts -
		    a.overdue || a.code.localeCompare(b.code));
	return html`${work && html`<p class="hint">${t('home.byVillage',
	    { drafts: work.drafts, overdue: work.overdue,
	    year: work.years[0], last: work.years[1] })}${work.partial &&
	    ' ' + t('home.busiestSome', { n: VMAX })}</p>`}
	${work && !town && html`<section class="busiest"
	    aria-labelledby="h-busiest">
		<h2 id="h-busiest">${t('home.busiest')}</h2>
		${work.list.length === 0 ? html`<p>${t('home.noWork')}</p>` :
		    html`<${Pager} list=${work.list} what=${t('home.busiest')}
		    item=${(v) => html`<li key=${v.code}>
			<a href=${'#/region/' + v.code}>
				<span class="pname">${v.name}</span>
				<span class="pmeta">${v.town} · ${t('home.villageWork',
				    v)}</span>
			</a>
		</li>`} />`}
	</section>
	<h2 id="h-parts">${t('home.parts')}</h2>`}
	<p>${t('home.pick')}</p>
	<ul class="list regions">
		${rows.map((c) => html`<li key=${c.code}>
			<a href=${'#/region/' + c.code}>
				<span class="pname">${c.name}</span>
				<span class="pmeta">${t('home.persons',
				    { n: c.persons })}${sums && ' · ' +
				    t('home.villageWork', c)}</span>
			</a>
		</li>`)}
	</ul>`;
}

// The person pages of the list, and the plans of the lists below (each
// with its items and deliveries), kept on this device for work without a
// network (plan.js reads a kept plan when offline).
function SaveOffline({ todo }) {
	const [busy, setBusy] = useState(false);
	const [msg, setMsg] = useState(null);
	const plans = todo.plans ? [...todo.plans.drafts,
	    ...todo.plans.overdue, ...(todo.plans.delivering || [])] : [];
	const total = todo.todo.length + plans.length;

	async function run() {
		setBusy(true);
		setMsg(null);
		let n = 0, k = 0;

		try {
			// the survey form and the plan page need the catalog:
			// loading it keeps it on the device
			await loadCatalog();
			for (const p of todo.todo) {
				await refreshPerson(p.id);
				n++;
				if (n % 10 === 0)
					announce(t('home.saving', { n,
					    total: todo.todo.length }));
			}
			for (const p of plans) {
				await keepPlan(p.id, p.year);
				k++;
			}
			setMsg({ kind: 'ok', text: t('home.savedAll', { n, k }) });
		} catch (e) {
			setMsg({ kind: 'error', text: errorText(e) });
		}
		setBusy(false);
	}
	return html`<div class="offline-box">
		<button type="button" onClick=${run} disabled=${busy ||
		    total === 0} aria-describedby="off-why">${busy ?
		    t('home.savingBtn') : t('home.saveOffline')}</button>
		<p class="hint" id="off-why">${total === 0 ?
		    t('home.saveNothing') : t('home.saveWhat', { n:
		    todo.todo.length, k: plans.length })} ${t('home.saveHint')}</p>
		${msg && html`<${Alert} kind=${msg.kind}>${msg.text}<//>`}
	</div>`;
}

function PlanList({ id, title, empty, list, meta, level = 2, draft }) {
	const H = level === 2 ? 'h2' : 'h3';

	return html`<section class="plans" aria-labelledby=${id}>
		<${H} id=${id}>${title}<//>
		${list.length === 0 ? html`<p>${empty}</p>` :
		    html`<${Pager} list=${list} what=${title} item=${(p) => html`<li
		    key=${p.id + '/' + p.year}>
			<a href=${`#/person/${p.id}/plan/${p.year}`}>
				<span class="pname">${p.name}${draft && html` <${DraftBadge} />`}</span>
				<span class="pmeta">${meta(p)}</span>
			</a>
		</li>`} />`}
	</section>`;
}

// Drafts grouped by status: proposals still to decide, or every
// proposal decided and the plan waiting to be confirmed.
function Plans({ plans, q }) {
	const drafts = plans.drafts.filter(matches(q));
	const open = drafts.filter((p) => p.open > 0);
	const ready = drafts.filter((p) => p.open === 0);
	const overdue = plans.overdue.filter(matches(q));

	return html`
		<p class="hint">${t('home.plansHint', { year: plans.years[0],
		    last: plans.years[1] })}</p>
		<section class="plans" aria-labelledby="h-drafts">
			<h2 id="h-drafts">${t('home.drafts', { n: drafts.length })}</h2>
			${drafts.length === 0 ? html`<p>${t('home.noDrafts')}</p>` :
			    html`<${PlanList} id="h-drafts-open" level=${3} draft=${true}
			    list=${open} title=${t('home.draftsOpen',
			    { n: open.length })} empty=${t('home.noneOpen')}
			    meta=${(p) => t('home.draftMeta', p)} />
			<${PlanList} id="h-drafts-ready" level=${3} draft=${true}
			    list=${ready}
			    title=${t('home.draftsReady', { n: ready.length })}
			    empty=${t('home.noneReady')}
			    meta=${(p) => t('home.draftMeta', p)} />`}
		</section>
		<${PlanList} id="h-overdue" list=${overdue}
		    title=${t('home.overdue', { n: overdue.length })}
		    empty=${t('home.noOverdue')}
		    meta=${(p) => t('home.overdueMeta', p)} />
	`;
}

function Todo({ todo, pending, offline }) {
	const user = getState().user;
	const waiting = new Set(pending);
	const [q, setQ] = useState('');
	const s = q.trim();
	const list = todo.todo.filter(matches(s));

	return html`
		${offline && html`<${Alert} kind="info">${t('home.offline',
		    { time: fmtTime(todo.saved) })}<//>`}
		<p class="summary">${t('home.summary', { year: todo.year,
		    todo: todo.todo.length, done: todo.done })}</p>
		<div class="field home-find">
			<label for="home-q">${t('home.find')}</label>
			<input id="home-q" type="search" value=${q}
			    autocomplete="off" onInput=${(e) =>
			    setQ(e.target.value)} />
		</div>
		${s && html`<p class="pmeta" role="status">${t('home.found',
		    { n: list.length })}</p>`}
		${todo.todo.length === 0 ? html`<p>${t('home.allDone')}</p>` :
		    html`<section aria-labelledby="h-todo"><h2 id="h-todo"
		    class="sr-only">${t('home.todoList')}</h2><${Pager}
		    list=${list} what=${t('home.todoList')} item=${(p) =>
		    html`<${PersonItem} key=${p.id} p=${p}
		    note=${waiting.has(p.id) ? t('home.queued') : ''} />`} />
		    </section>`}
		${canWrite(user) && !offline && html`<${SaveOffline}
		    todo=${todo} />`}
		${todo.plans && html`<${Plans} plans=${todo.plans} q=${s} />`}
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
		    html`<${Villages} node=${data.node}
		    work=${data.work} />`)}
	<//>`;
}
