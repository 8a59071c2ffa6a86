// selfservice.js - the person's own page (开放量服), in large type and
// plain words: enter the code and the last six of the ID number, then
// read each year's plan, its service items and what was delivered, and
// rate each delivered item and the plan (满意 / 基本满意 / 不满意, with an
// optional note). Results are read out through a live region; every
// field has a label; headings and landmarks give the structure.
import { html, useState, useEffect, useRef } from '../lib.js';
import { t } from '../i18n.js';
import { useAppState, setState, getState } from '../state.js';
import { yuan } from '../items.js';

const RATINGS = ['satisfied', 'basic', 'unsatisfied'];
let csrf = '';

// One call to the self-service API: JSON, or throws {status, message}.
async function call(method, path, body) {
	const headers = { Accept: 'application/json' };
	let res, data = null;

	if (body !== undefined)
		headers['Content-Type'] = 'application/json';
	if (method !== 'GET' && csrf)
		headers['X-CSRF-Token'] = csrf;
	try {
		res = await fetch('/api/v1/self' + path, { method, headers,
		    credentials: 'same-origin', cache: 'no-store',
		    body: body === undefined ? undefined :
		    JSON.stringify(body) });
	} catch (e) {
		throw { status: 0, message: t('err.offline') };
	}
	try {
		data = await res.json();
	} catch (e) {
		data = null;
	}
	if (!res.ok)
		throw { status: res.status, code: data && data.error ?
		    data.error.code : '', message: data && data.error ?
		    data.error.message : t('err.unexpected') };
	return data;
}

// The server's message is "中文 (English)": show the current language's.
function words(msg) {
	const m = /^(.*?)\s*\(([^()]*)\)\s*$/.exec(msg || '');

	if (!m)
		return msg;
	return getState().lang === 'en' ? m[2] : m[1];
}

function Live({ text }) {
	return html`<p class="sr-only" role="status" aria-live="polite"
	    aria-atomic="true">${text}</p>`;
}

function Enter({ onOpen }) {
	const [code, setCode] = useState('');
	const [last6, setLast6] = useState('');
	const [error, setError] = useState('');
	const [busy, setBusy] = useState(false);

	async function submit(e) {
		e.preventDefault();
		if (!code.trim() || !last6.trim()) {
			setError(t('self.missing'));
			return;
		}
		setBusy(true);
		setError('');
		try {
			const s = await call('POST', '/session', { code:
			    code.trim(), last6: last6.trim() });

			csrf = s.csrf;
			setCode('');
			setLast6('');
			onOpen();
		} catch (err) {
			setError(err.message);
			setBusy(false);
		}
	}
	return html`<section aria-labelledby="self-enter">
		<h2 id="self-enter">${t('self.enterTitle')}</h2>
		<p>${t('self.enterHelp')}</p>
		<form class="card self-form" onSubmit=${submit} noValidate>
			${error && html`<div class="alert alert-error"
			    role="alert" id="self-err">${words(error)}</div>`}
			<div class="field">
				<label for="self-code">${t('self.code')}</label>
				<input id="self-code" name="code"
				    autocomplete="off" autocapitalize="characters"
				    spellcheck="false" required value=${code}
				    aria-describedby="self-code-hint${error ?
				    ' self-err' : ''}"
				    onInput=${(e) => setCode(e.target.value)} />
				<p class="hint" id="self-code-hint">
				    ${t('self.codeHint')}</p>
			</div>
			<div class="field">
				<label for="self-last6">${t('self.last6')}</label>
				<input id="self-last6" name="last6"
				    autocomplete="off" inputmode="text"
				    maxlength="7" required value=${last6}
				    aria-describedby="self-last6-hint${error ?
				    ' self-err' : ''}"
				    onInput=${(e) => setLast6(e.target.value)} />
				<p class="hint" id="self-last6-hint">
				    ${t('self.last6Hint')}</p>
			</div>
			<button type="submit" class="primary big" disabled=${busy}>
			    ${busy ? t('self.opening') : t('self.open')}</button>
		</form>
	</section>`;
}

// The latest rating of item (null = the plan) among a year's ratings.
function latest(feedback, item) {
	return feedback.filter((f) => (f.item ?? null) === item &&
	    f.superseded_by === null).pop() || null;
}

function Rate({ year, item, name, current, onDone }) {
	const [rating, setRating] = useState(current ? current.rating : '');
	const [note, setNote] = useState('');
	const [error, setError] = useState('');
	const [busy, setBusy] = useState(false);
	const id = `r-${year}-${item ?? 'plan'}`;

	async function submit(e) {
		e.preventDefault();
		if (!rating) {
			setError(t('self.pick'));
			return;
		}
		setBusy(true);
		setError('');
		try {
			await call('POST', '/feedback', { year, item, rating,
			    note: note.trim() || null });
			setNote('');
			onDone(t('self.thanks', { name }));
		} catch (err) {
			setError(err.message);
		} finally {
			setBusy(false);
		}
	}
	return html`<form class="self-rate" onSubmit=${submit} noValidate>
		<fieldset class="field choices" aria-describedby=${error ?
		    id + '-err' : undefined}>
			<legend>${item === null ? t('self.askPlan') :
			    t('self.askItem')}</legend>
			${RATINGS.map((r) => html`<label>
				<input type="radio" name=${id} value=${r}
				    checked=${rating === r}
				    onChange=${() => setRating(r)} />
				${t('fb.' + r)}</label>`)}
		</fieldset>
		${error && html`<p class="error" role="alert" id=${id + '-err'}>
		    ${words(error)}</p>`}
		<div class="field">
			<label for=${id + '-note'}>${t('self.note')}</label>
			<textarea id=${id + '-note'} rows="2" maxlength="500"
			    value=${note}
			    onInput=${(e) => setNote(e.target.value)}></textarea>
		</div>
		<button type="submit" class="primary big" disabled=${busy}>
		    ${current ? t('self.rateAgain') : t('self.rate')}</button>
	</form>`;
}

function Yours({ f }) {
	if (!f)
		return null;
	return html`<p class="self-yours">${t('self.yours', { r:
	    t('fb.' + f.rating), date: f.at.slice(0, 10) })}</p>`;
}

function Item({ it, year, feedback, onDone }) {
	const name = it.policy ? it.policy.name : t('item.noPolicy');
	const five = it.five || {};
	const f = latest(feedback, it.id);

	return html`<li class="card self-item">
		<h4>${name}</h4>
		${five.measures && html`<p>${five.measures}</p>`}
		<p>${t('self.status', { s: it.status.label })}
		    ${five.responsible && five.responsible.dept_name &&
		    html` · ${t('self.by', { d: five.responsible.dept_name })}`}
		</p>
		${it.deliveries.length > 0 && html`<h5>${t('self.delivered')}</h5>
		<ul class="self-dl">${it.deliveries.map((d) => html`<li>
		    ${d.date}${d.amount > 0 ? ` · ${t('self.amount',
		    { v: yuan(d.amount) })}` : ''}${d.note ? ` · ${d.note}` : ''}
		    </li>`)}</ul>`}
		<${Yours} f=${f} />
		${it.rateable ? html`<${Rate} year=${year} item=${it.id}
		    name=${name} current=${f} onDone=${onDone} />` :
		    html`<p class="hint">${t('self.notYet')}</p>`}
	</li>`;
}

function Year({ y, onDone }) {
	const pf = latest(y.feedback, null);

	return html`<section class="self-year" aria-labelledby=${'y' + y.year}>
		<h2 id=${'y' + y.year}>${t('self.year', { year: y.year })}</h2>
		<p>${t('self.planStatus', { s: y.plan.status_label })}</p>
		<h3>${t('self.items', { n: y.items.length })}</h3>
		${y.items.length === 0 ? html`<p>${t('self.noItems')}</p>` :
		    html`<ul class="self-items">${y.items.map((it) => html`
		    <${Item} key=${it.id} it=${it} year=${y.year}
		    feedback=${y.feedback} onDone=${onDone} />`)}</ul>`}
		<h3>${t('self.planTitle', { year: y.year })}</h3>
		<${Yours} f=${pf} />
		${y.plan.rateable ? html`<div class="card"><${Rate}
		    year=${y.year} item=${null} name=${t('self.planTitle',
		    { year: y.year })} current=${pf} onDone=${onDone} /></div>` :
		    html`<p class="hint">${t('self.planNotYet')}</p>`}
	</section>`;
}

function Mine({ onClose }) {
	const [page, setPage] = useState(null);
	const [error, setError] = useState('');
	const [live, setLive] = useState('');

	async function load(text) {
		try {
			setPage(await call('GET', ''));
			if (text)
				setLive(text);
		} catch (err) {
			if (err.status === 401)
				onClose(err.message);
			else
				setError(err.message);
		}
	}
	useEffect(() => {
		load();
	}, []);
	async function leave() {
		try {
			await call('DELETE', '/session');
		} catch (e) {
			/* the session ends by itself anyway */
		}
		csrf = '';
		onClose(t('self.closed'));
	}
	return html`<section aria-labelledby="self-mine">
		<${Live} text=${live} />
		${error && html`<div class="alert alert-error" role="alert">
		    ${words(error)}</div>`}
		${!page && !error && html`<p class="loading" role="status">
		    ${t('loading')}</p>`}
		${page && html`
			<h2 id="self-mine" class="self-who">${t('self.hello',
			    { name: page.person.name })}</h2>
			<p>${page.person.region_name}</p>
			${live && html`<div class="alert alert-ok">${live}</div>`}
			${page.years.length === 0 && html`<p>
			    ${t('self.noPlans')}</p>`}
			${page.years.map((y) => html`<${Year} key=${y.year} y=${y}
			    onDone=${(text) => load(text)} />`)}
			<button type="button" class="big" onClick=${leave}>
			    ${t('self.leave')}</button>`}
	</section>`;
}

export function SelfService() {
	const st = useAppState();
	const [open, setOpen] = useState(null);	// null: checking
	const [note, setNote] = useState('');
	const h1 = useRef(null);

	useEffect(() => {
		document.documentElement.lang = st.lang === 'en' ? 'en' :
		    'zh-CN';
		document.title = `${t('self.title')} · ${t('app.name')}`;
	}, [st.lang]);
	useEffect(() => {
		call('GET', '/session').then((s) => {
			csrf = s.csrf;
			setOpen(true);
		}, () => setOpen(false));
	}, []);
	useEffect(() => {
		if (open !== null && h1.current)
			h1.current.focus();
	}, [open]);
	return html`
		<header class="top">
			<div class="brand"><span class="logo"
			    aria-hidden="true">量</span>
			    <span>${t('app.name')}</span></div>
			<button type="button" class="link lang"
			    lang=${st.lang === 'en' ? 'zh-CN' : 'en'}
			    onClick=${() => {
				const lang = st.lang === 'en' ? 'zh' : 'en';

				localStorage.setItem('lf.lang', lang);
				setState({ lang });
			    }}>${st.lang === 'en' ? '中文' : 'English'}</button>
		</header>
		<main id="main" class="self-page">
			<h1 tabindex="-1" ref=${h1}>${t('self.title')}</h1>
			${note && html`<div class="alert alert-info"
			    role="status">${words(note)}</div>`}
			${open === null && html`<p class="loading"
			    role="status">${t('loading')}</p>`}
			${open === false && html`<${Enter}
			    onOpen=${() => { setNote(''); setOpen(true); }} />`}
			${open === true && html`<${Mine} onClose=${(text) => {
				setNote(text || '');
				setOpen(false);
			    }} />`}
		</main>
		<footer class="self-foot"><p>${t('self.privacy')}</p></footer>
	`;
}
