// api.js - calls to the JSON API under /api/v1.
//
// Every state-changing call sends the session's CSRF token. A network
// failure throws OfflineError (the caller queues or falls back to the
// local copy); an HTTP error throws ApiError with the server's own error
// object {code, message, field} and, for a 409, its whole body.
import { setState } from './state.js';

let csrf = '';
let onUnauthorized = null;

export class OfflineError extends Error {
	constructor() {
		super('offline');
		this.name = 'OfflineError';
	}
}

export class ApiError extends Error {
	constructor(status, body) {
		const e = body && body.error ? body.error : {};

		super(e.message || 'HTTP ' + status);
		this.name = 'ApiError';
		this.status = status;
		this.code = e.code || '';
		this.field = e.field || '';
		this.body = body;
	}
}

export function setCsrf(token) {
	csrf = token || '';
}

// fn() is called when a request other than the login answers 401.
export function setUnauthorizedHandler(fn) {
	onUnauthorized = fn;
}

// method, path under /api/v1, optional JSON body; opts.headers adds
// headers, opts.login marks the login call (its 401 is a wrong password).
export async function api(method, path, body, opts = {}) {
	const headers = Object.assign({ Accept: 'application/json' },
	    opts.headers || {});
	let res, data = null;

	if (body !== undefined)
		headers['Content-Type'] = 'application/json';
	if (method !== 'GET' && !csrf && !opts.login) {
		// started offline: the token comes with the session
		const s = await api('GET', '/session');

		csrf = s.csrf;
	}
	if (method !== 'GET' && csrf)
		headers['X-CSRF-Token'] = csrf;
	try {
		res = await fetch('/api/v1' + path, {
			method, headers, credentials: 'same-origin',
			cache: 'no-store',
			body: body === undefined ? undefined :
			    JSON.stringify(body)
		});
	} catch (e) {
		setState({ online: false });
		throw new OfflineError();
	}
	setState({ online: true });
	try {
		data = await res.json();
	} catch (e) {
		data = null;
	}
	if (!res.ok) {
		if (res.status === 401 && !opts.login && onUnauthorized)
			onUnauthorized();
		throw new ApiError(res.status, data);
	}
	return data;
}

// A file the server makes from a POSTed JSON body (an xlsx): a Blob, or
// ApiError / OfflineError like api().
export async function apiFile(path, body) {
	let res;

	if (!csrf)
		csrf = (await api('GET', '/session')).csrf;
	try {
		res = await fetch('/api/v1' + path, { method: 'POST',
		    credentials: 'same-origin', cache: 'no-store',
		    headers: { 'Content-Type': 'application/json',
		    'X-CSRF-Token': csrf }, body: JSON.stringify(body) });
	} catch (e) {
		throw new OfflineError();
	}
	if (!res.ok)
		throw new ApiError(res.status, await res.json().catch(() =>
		    null));
	return res.blob();
}

// A query string from an object, leaving out empty values.
export function query(params) {
	const q = new URLSearchParams();

	for (const [k, v] of Object.entries(params))
		if (v !== undefined && v !== null && v !== '')
			q.set(k, String(v));
	const s = q.toString();
	return s ? '?' + s : '';
}

// Every page of GET /persons for a region and year (the list API pages
// by cursor, at most 200 a page).
export async function listAll(region, year) {
	const out = [];
	let after = '';

	for (let i = 0; i < 100; i++) {
		const page = await api('GET', '/persons' + query({
			region, year, limit: 200, after }));
		out.push(...page.persons);
		if (!page.next)
			break;
		after = page.next;
	}
	return out;
}
