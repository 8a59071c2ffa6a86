// outbox.js - what was recorded on this device for the server: yearly
// surveys, a department's deliveries (kind 'delivery'), a worker's
// changes to a plan's items made offline (kind 'item': the outcome of a
// confirmed plan's item, 落实 date, status, effect and note) and
// satisfaction ratings made offline (kind 'feedback').
//
// Each survey saved in the form becomes an outbox item with a client-made
// id (cid) before anything is sent, so nothing typed is lost when the
// network is gone. send() PUTs it: accepted items leave the outbox; a
// 409 keeps both versions for the user to merge field by field; a 422
// keeps the server's message for the form; a network failure leaves the
// item queued for the next sync (at start, when the network returns, every
// minute while items wait, and on demand).
//
// A delivery (date, amount in fen, note) is POSTed with its cid as the
// server's client_id: a retry after a lost answer, or a second sync of the
// same item, returns the delivery already recorded and adds nothing.
// Deliveries carry no version: they add to an item, never overwrite it.
//
// An item change carries the item's version as it was kept on the device:
// PATCH /items/{id} refuses it with 409 when the item changed meanwhile;
// if the item already holds exactly this change (our earlier try got
// through, its answer was lost) it is done, else it stays as 'conflict'
// with the server's words for the worker to look at the item again. A
// rating adds a new one that supersedes the last: sent twice, it only
// repeats itself.
//
// Secret items (ID, certificate and phone numbers) come masked from the
// server. The form keeps them masked unless the user types a new value;
// just before sending, masked values are replaced by the full ones from
// POST /persons/{id}/reveal, so full numbers stay off the device.
import { api, ApiError, OfflineError } from './api.js';
import { isMasked, sameValue } from './catalog.js';
import * as idb from './idb.js';
import { setState, getState } from './state.js';

export function newCid() {
	if (crypto.randomUUID)
		return crypto.randomUUID();
	const b = crypto.getRandomValues(new Uint8Array(16));

	return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}

export async function refreshCount() {
	try {
		const items = await idb.all('outbox');

		setState({ pending: items.length });
		return items;
	} catch (e) {
		return [];
	}
}

export async function items() {
	const list = await idb.all('outbox');

	return list.sort((a, b) => a.created.localeCompare(b.created));
}

export async function save(item) {
	item.updated = new Date().toISOString();
	await idb.put('outbox', item);
	await refreshCount();
}

export async function remove(cid) {
	await idb.del('outbox', cid);
	await refreshCount();
}

// The survey waiting for this person and year, if any.
export async function pendingFor(person, year) {
	const list = await idb.all('outbox');

	return list.find((x) => !x.kind && x.person === person &&
	    x.year === year);
}

// Deliveries waiting to be sent, oldest first.
export async function pendingDeliveries() {
	return (await items()).filter((x) => x.kind === 'delivery');
}

async function fillSecrets(item) {
	const values = { ...item.values };
	const masked = Object.keys(values).filter((k) => isMasked(values[k]));

	if (masked.length === 0)
		return values;
	const full = await api('POST', `/persons/${item.person}/reveal`);

	for (const k of masked) {
		if (typeof full[k] === 'string')
			values[k] = full[k];
		else
			delete values[k];
	}
	return values;
}

// Stores the fresh person page after a write (for the offline copy).
export async function refreshPerson(id) {
	const data = await api('GET', `/persons/${id}`);

	await idb.put('persons', { id, ...data, saved:
	    new Date().toISOString() });
	return data;
}

// Keeps a plan page (its items and their deliveries) on this device,
// for reading without a network: meta "plan/ID/YEAR".
export async function keepPlan(id, year) {
	const data = await api('GET', `/persons/${id}/plans/${year}`);

	await idb.put('meta', { ...data, saved: new Date().toISOString() },
	    `plan/${id}/${year}`);
	return data;
}

// The plan page kept by keepPlan(), or null.
export async function keptPlan(id, year) {
	return idb.get('meta', `plan/${id}/${year}`).catch(() => null);
}

// A refusal kept for the user (the server's message, on its field).
async function refused(item, e) {
	item.state = 'invalid';
	item.error = { code: e.code, field: e.field, message: e.message,
	    status: e.status };
	await save(item);
	return { state: 'invalid', error: item.error };
}

// A send that failed: offline (or the session ended: 401, thrown on)
// keeps the item queued; a refusal is kept for the user; anything else
// is thrown.
async function notSent(item, e) {
	if (e instanceof OfflineError || (e instanceof ApiError &&
	    e.status === 401)) {
		item.state = 'queued';
		await save(item);
		if (e instanceof ApiError)
			throw e;
		return { state: 'queued' };
	}
	if (!(e instanceof ApiError))
		throw e;
	return refused(item, e);
}

// Sends a delivery: {state: 'done', result: {item}} | 'queued' |
// 'invalid' (a 409, client_id used for another item, is one too).
async function sendDelivery(item) {
	try {
		const res = await api('POST', `/items/${item.item}/deliveries`,
		    { date: item.date, amount: item.amount, note: item.note,
		    client_id: item.cid });

		await remove(item.cid);
		return { state: 'done', result: res };
	} catch (e) {
		return notSent(item, e);
	}
}

// The item (GET /items/{id}) holds every value of change.
function holds(it, change) {
	const now = {
		actual_date: it.five.time.actual_date || null,
		status: it.status.code,
		status_reason: it.status.reason || null,
		effect: it.five.effect.code,
		effect_note: it.five.effect.note || null,
		measures: it.five.measures || null,
		org: it.five.responsible.org || null,
		contact: it.five.responsible.contact || null,
		dept: it.five.responsible.dept || null,
		planned_month: it.five.time.planned_month || null,
		funds_planned: it.five.funds.planned,
		decision: it.decision.code,
		decision_reason: it.decision.reason || null
	};

	return Object.keys(change).every((k) => k in now &&
	    (now[k] ?? null) === (change[k] ?? null));
}

// Sends an item change: {state: 'done', result} | 'queued' | 'conflict'
// (the item changed meanwhile: error holds the server's words) |
// 'invalid'.
async function sendItem(item) {
	try {
		const res = await api('PATCH', `/items/${item.item}`,
		    { version: item.version, ...item.change });

		await remove(item.cid);
		return { state: 'done', result: res };
	} catch (e) {
		if (!(e instanceof ApiError && e.status === 409))
			return notSent(item, e);
		const cur = await api('GET', `/items/${item.item}`)
		    .then((r) => r.item, () => null);

		if (cur && holds(cur, item.change)) {
			await remove(item.cid);
			return { state: 'done', result: { item: cur } };
		}
		item.state = 'conflict';
		item.error = { code: e.code, field: e.field, message: e.message,
		    status: e.status };
		await save(item);
		return { state: 'conflict', error: item.error };
	}
}

// Sends a rating: {state: 'done'} | 'queued' | 'invalid'.
async function sendFeedback(item) {
	try {
		const res = await api('POST',
		    `/persons/${item.person}/plans/${item.year}/feedback`,
		    { item: item.item, rating: item.rating, note: item.note });

		await remove(item.cid);
		return { state: 'done', result: res };
	} catch (e) {
		return notSent(item, e);
	}
}

// The item changes and ratings waiting for this person's plan.
export async function pendingForPlan(person, year) {
	return (await items()).filter((x) => (x.kind === 'item' ||
	    x.kind === 'feedback') && x.person === person && x.year === year);
}

// Sends a spot check (精准监督, screens/check.js): {state: 'done'} |
// 'queued' | 'invalid'. A check is recorded once: a retry after a lost
// answer meets 422 "state" (already finished), which is success.
async function sendCheck(item) {
	try {
		const res = await api('POST', `/checks/${item.task}`,
		    { items: item.items, services: item.services });

		await remove(item.cid);
		return { state: 'done', result: res };
	} catch (e) {
		if (e instanceof ApiError && e.code === 'state') {
			await remove(item.cid);
			return { state: 'done' };
		}
		return notSent(item, e);
	}
}

// Sends one item. Returns {state: 'done' | 'conflict' | 'invalid' |
// 'queued', result?, error?}; the item is updated in (or removed from)
// the outbox accordingly. A 401 leaves it queued and rethrows.
export async function send(item) {
	let values;

	if (item.kind === 'delivery')
		return sendDelivery(item);
	if (item.kind === 'check')
		return sendCheck(item);
	if (item.kind === 'item')
		return sendItem(item);
	if (item.kind === 'feedback')
		return sendFeedback(item);

	try {
		values = await fillSecrets(item);
		const headers = {};

		if (item.reason)
			headers['X-Change-Reason'] =
			    encodeURIComponent(item.reason);
		const res = await api('PUT',
		    `/persons/${item.person}/surveys/${item.year}`,
		    { version: item.version, values }, { headers });

		await remove(item.cid);
		await refreshPerson(item.person).catch(() => {});
		return { state: 'done', result: res };
	} catch (e) {
		if (e instanceof OfflineError) {
			item.state = 'queued';
			await save(item);
			return { state: 'queued' };
		}
		if (!(e instanceof ApiError))
			throw e;
		if (e.status === 401) {
			item.state = 'queued';
			await save(item);
			throw e;
		}
		if (e.status === 409 && e.body && e.body.current) {
			return conflict(item, e.body.current, values);
		}
		return refused(item, e);
	}
}

// A 409: the stored version differs. If it already holds exactly what we
// sent (our earlier try got through but its answer was lost), the item is
// done; else both versions are kept for the user.
async function conflict(item, current, sent) {
	const cur = current.values || {};
	const keys = new Set([...Object.keys(cur), ...Object.keys(sent)]);

	if (current.version > 0 &&
	    [...keys].every((k) => sameValue(cur[k], sent[k]))) {
		await remove(item.cid);
		await refreshPerson(item.person).catch(() => {});
		return { state: 'done', result: { version: current.version,
		    changed: 0, created: false } };
	}
	item.state = 'conflict';
	item.conflict = { version: current.version, values: cur };
	item.error = null;
	await save(item);
	return { state: 'conflict' };
}

let running = null;

// Sends every queued item, one at a time. Returns counts by outcome.
export function syncAll() {
	if (running)
		return running;
	running = (async () => {
		const counts = { done: 0, conflict: 0, invalid: 0,
		    queued: 0 };

		try {
			for (const item of await items()) {
				if (item.state !== 'queued')
					continue;
				const r = await send(item);

				counts[r.state]++;
				if (r.state === 'queued')
					break;	// offline: try later
			}
		} catch (e) {
			// 401: the login screen takes over
		} finally {
			running = null;
			await refreshCount();
		}
		return counts;
	})();
	return running;
}

let timer = null;

// Starts the background sync: now, when the browser says the network is
// back, and every minute while items wait.
export function startSync() {
	if (timer)
		return;
	const tick = () => {
		if (getState().user && getState().pending > 0)
			syncAll();
	};
	window.addEventListener('online', tick);
	timer = setInterval(tick, 60000);
	refreshCount().then(tick);
}
