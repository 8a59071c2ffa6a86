// ui.js - pieces every screen uses: the page frame (its heading takes the
// focus when the screen opens), messages, a loader hook, links.
import { html, useEffect, useRef, useState, useCallback } from './lib.js';
import { t, has } from './i18n.js';
import { getState, setState, announce } from './state.js';

// A screen: <h1> focused on open so screen readers start there, and the
// document title follows the screen. wide: tables and charts use the
// whole width of a large screen.
export function Page({ title, children, actions, wide }) {
	const h1 = useRef(null);
	// a message left by the previous screen ("saved") is shown here once
	const [flash] = useState(() => getState().flash);

	useEffect(() => {
		if (flash) {
			setState({ flash: null });
			announce(flash.text);
		}
	}, []);
	useEffect(() => {
		document.title = `${title} · ${t('app.name')}`;
		if (h1.current)
			h1.current.focus({ preventScroll: false });
	}, [title]);
	return html`<section class=${wide ? 'page page-wide' : 'page'}>
		<div class="page-head">
			<h1 tabindex="-1" ref=${h1}>${title}</h1>
			${actions}
		</div>
		${flash && html`<${Alert} kind=${flash.kind}>${flash.text}<//>`}
		${children}
	</section>`;
}

// kind: error (role=alert, read at once), ok or info (role=status).
export function Alert({ kind = 'info', children }) {
	return html`<div class=${'alert alert-' + kind}
	    role=${kind === 'error' ? 'alert' : 'status'}>${children}</div>`;
}

export function Loading() {
	return html`<p class="loading" role="status">${t('loading')}</p>`;
}

// Runs fn() (async) when deps change: {loading, error, data, reload}.
export function useAsync(fn, deps) {
	const [st, setSt] = useState({ loading: true, error: null,
	    data: null });
	const [n, setN] = useState(0);
	const reload = useCallback(() => setN((x) => x + 1), []);

	useEffect(() => {
		let live = true;

		setSt((s) => ({ loading: true, error: null, data: s.data }));
		fn().then((data) => live && setSt({ loading: false,
		    error: null, data }),
		    (error) => live && setSt({ loading: false, error,
		    data: null }));
		return () => {
			live = false;
		};
	}, [...deps, n]);
	return { ...st, reload };
}

// The message for an error from api(): the server's own text, or ours
// for a network failure.
export function errorText(e) {
	if (!e)
		return '';
	if (e.name === 'OfflineError')
		return t('err.offline');
	if (e.name === 'ApiError')
		return e.status === 404 ? t('err.notfound') : e.message;
	return t('err.unexpected') + ' ' + (e.message || '');
}

export function go(hash) {
	location.hash = hash;
}

// Label of a catalog item in the current language.
export function label(f) {
	return getState().lang === 'en' && f.label_en ? f.label_en : f.label;
}

// Label of a catalog option in the current language (options_en).
export function optLabel(o) {
	return getState().lang === 'en' && o.label_en ? o.label_en : o.label;
}

export function genderText(g) {
	return g === 1 ? t('gender.1') : g === 2 ? t('gender.2') : '—';
}

export function statusText(s) {
	return has('status.' + s) ? t('status.' + s) : String(s);
}

export function fmtTime(iso) {
	if (!iso)
		return '';
	const d = new Date(iso);

	if (isNaN(d))
		return iso;
	return d.toLocaleString(getState().lang === 'en' ? 'en-GB' : 'zh-CN',
	    { dateStyle: 'short', timeStyle: 'short' });
}
