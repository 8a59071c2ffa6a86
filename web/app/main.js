// main.js - boot, the session, the hash router and the app frame.
//
// Screens by route:
//   #/                      home: my villages' persons still to survey
//   #/region/CODE           home for one region (drill down to a village)
//   #/search                search by ID, certificate number or name
//   #/person/ID             person page: basic info, needs, timeline
//   #/person/ID/survey/Y    the survey form for year Y
//   #/person/ID/plan/Y      the year's 一人一策 plan (loaded when opened)
//   #/inbox                 a department's service items (loaded when
//                           opened; a department officer's home)
//   #/stats?year=&region=&f=ITEM=C1,C2
//                           statistics dashboard: indicators against
//                           targets, tables and charts, drill-down by
//                           region, filters, xlsx download (loaded when
//                           opened; ECharts only there)
//   #/stats/persons?...     the persons behind the dashboard's figures
//   #/outbox                surveys and deliveries saved here, waiting
//   #/outbox/CID            a conflict, merged field by field
//   #/audit?person=&user=   audit log viewer (supervisors, auditors)
//   #/settings              language, text size, logout
//   #/whatif                政策测算: a rule's reach and cost by region,
//                           saved scenarios compared (county and higher;
//                           loaded when opened)
//   #/supervise[/ID]        精准监督: draw a sample, its tasks, assign
//   #/precision?year=&region=  the three precision rates
//   #/checks[/ID]           my check tasks, one task's form (offline)
//   #/findings?rule=&status=&region=&year=
//                           data-quality findings (issue 13; loaded when
//                           opened); #/findings/ID one finding
//   #/supply, #/recon, #/budget
//                           智慧量服 (county and higher): need-supply
//                           matching, reconciliation tasks, budgets
//                           (screens/insight.js, loaded when opened)
import { html, render, useEffect, useState } from './lib.js';
import { api, ApiError, OfflineError,
    setUnauthorizedHandler } from './api.js';
import { t, initLang } from './i18n.js';
import * as idb from './idb.js';
import { startSync, refreshCount } from './outbox.js';
import { signedIn, finishLogout } from './session.js';
import { useAppState, setState, getState, canWrite, canReadPersons,
    canAudit, canQueue, canStats, isDept, canSimulate, canSample,
    canCheck, canInsight } from './state.js';
import { Login } from './screens/login.js';
import { Home } from './screens/home.js';
import { Search } from './screens/search.js';
import { Person } from './screens/person.js';
import { Survey } from './screens/survey.js';
import { Outbox, Conflict } from './screens/outbox.js';
import { Audit } from './screens/audit.js';
import { Settings, applyTextSize } from './screens/settings.js';

// Screens loaded on first use, to keep the first screen small (the
// service worker keeps them for offline use like every other file).
const LAZY = {
	plan: () => import('./screens/plan.js').then((m) => m.Plan),
	inbox: () => import('./screens/inbox.js').then((m) => m.Inbox),
	stats: () => import('./screens/stats.js').then((m) => m.Stats),
	statsPersons: () => import('./screens/stats.js')
	    .then((m) => m.StatsPersons),
	whatif: () => import('./screens/whatif.js').then((m) => m.WhatIf),
	// 精准监督 (issue 13)
	supervise: () => import('./screens/supervise.js')
	    .then((m) => m.Supervise),
	sample: () => import('./screens/supervise.js')
	    .then((m) => m.SampleView),
	precision: () => import('./screens/supervise.js')
	    .then((m) => m.Precision),
	checks: () => import('./screens/check.js').then((m) => m.Checks),
	check: () => import('./screens/check.js').then((m) => m.CheckForm),
	/* issue 13: data-quality findings */
	findings: () => import('./screens/findings.js')
	    .then((m) => m.Findings),
	finding: () => import('./screens/findings.js').then((m) => m.Finding),
	// issue 16
	supply: () => import('./screens/insight.js').then((m) => m.Supply),
	recon: () => import('./screens/insight.js').then((m) => m.Recon),
	budget: () => import('./screens/insight.js').then((m) => m.Budget)
};
const loaded = {};

function Lazy({ name, ...props }) {
	const [C, setC] = useState(() => loaded[name]);
	const [err, setErr] = useState(null);

	useEffect(() => {
		if (C)
			return;
		LAZY[name]().then((c) => {
			loaded[name] = c;
			setC(() => c);
		}, setErr);
	}, [name]);
	if (C)
		return html`<${C} ...${props} />`;
	return html`<section class="page">${err ?
	    html`<p class="alert alert-error" role="alert">${t('err.offline')}
	    </p>` : html`<p class="loading" role="status">${t('loading')}</p>`}
	    </section>`;
}

function parseRoute() {
	const raw = location.hash.replace(/^#/, '') || '/';
	const [path, qs] = raw.split('?');
	const parts = path.split('/').filter(Boolean);

	return { parts, query: new URLSearchParams(qs || '') };
}

function useRoute() {
	const [r, setR] = useState(parseRoute());

	useEffect(() => {
		const fn = () => setR(parseRoute());

		window.addEventListener('hashchange', fn);
		return () => window.removeEventListener('hashchange', fn);
	}, []);
	return r;
}

function Screen({ route, user }) {
	const [a, b, c, d] = route.parts;

	if (a === 'search' && canReadPersons(user))
		return html`<${Search} />`;
	if (a === 'person' && b && c === 'survey' && d && canWrite(user))
		return html`<${Survey} id=${b} year=${Number(d)} />`;
	if (a === 'person' && b && c === 'plan' && /^\d{4}$/.test(d || '') &&
	    canReadPersons(user))
		return html`<${Lazy} name="plan" key=${b + d} id=${b}
		    year=${Number(d)} />`;
	if ((a === 'inbox' || !a) && isDept(user))
		return html`<${Lazy} name="inbox" />`;
	if (a === 'person' && b && canReadPersons(user))
		return html`<${Person} id=${b} />`;
	if (a === 'stats' && canStats(user)) {
		const name = b === 'persons' ? 'statsPersons' : 'stats';

		return html`<${Lazy} name=${name} key=${name}
		    query=${route.query} />`;
	}
	if (['supply', 'recon', 'budget'].includes(a) && canInsight(user))
		return html`<${Lazy} name=${a} key=${a + route.query}
		    query=${route.query} />`;
	if (a === 'outbox' && b && canWrite(user))
		return html`<${Conflict} cid=${b} />`;
	if (a === 'outbox' && canQueue(user))
		return html`<${Outbox} />`;
	if (a === 'audit' && canAudit(user))
		return html`<${Audit} query=${route.query} />`;
	if (a === 'whatif' && canSimulate(user))
		return html`<${Lazy} name="whatif" />`;
	if (a === 'findings' && canReadPersons(user))	/* issue 13 */
		return b ? html`<${Lazy} name="finding" key=${'f' + b} id=${b} />` :
		    html`<${Lazy} name="findings" key="findings"
		    query=${route.query} />`;
	if (a === 'settings')
		return html`<${Settings} />`;
	// 精准监督 (issue 13)
	if (a === 'supervise' && b && canSample(user))
		return html`<${Lazy} name="sample" key=${'s' + b} id=${b} />`;
	if (a === 'supervise' && canSample(user))
		return html`<${Lazy} name="supervise" key="supervise" />`;
	if (a === 'precision' && canSample(user))
		return html`<${Lazy} name="precision" key="precision"
		    query=${route.query} />`;
	if (a === 'checks' && b && canCheck(user))
		return html`<${Lazy} name="check" key=${'c' + b} id=${b} />`;
	if (a === 'checks' && canCheck(user))
		return html`<${Lazy} name="checks" key="checks" />`;
	if (a === 'region' && b && canReadPersons(user))
		return html`<${Home} code=${b} />`;
	if (!a && user.role === 'auditor')
		return html`<${Audit} query=${route.query} />`;
	if (!a && canReadPersons(user))
		return html`<${Home} code=${user.region} />`;
	return html`<${Settings} />`;
}

function Nav({ user, route, pending }) {
	const cur = route.parts[0] || '';
	const link = (href, key, label) => html`<li><a href=${href}
	    aria-current=${cur === key ? 'page' : undefined}>${label}</a></li>`;

	return html`<nav aria-label=${t('nav.label')}><ul>
		${canReadPersons(user) && link('#/', '', t('nav.home'))}
		${canReadPersons(user) && link('#/search', 'search',
		    t('nav.search'))}
		${isDept(user) && link('#/', '', t('nav.inbox'))}
		${canQueue(user) && link('#/outbox', 'outbox',
		    html`${t('nav.outbox')}${pending > 0 && html` <span
		    class="badge">${pending}</span>`}`)}
		${canAudit(user) && link(user.role === 'auditor' ? '#/' :
		    '#/audit', user.role === 'auditor' ? '' : 'audit',
		    t('nav.audit'))}
		${canSimulate(user) && link('#/whatif', 'whatif', t('nav.whatif'))}
		${canSample(user) && link('#/supervise', 'supervise',
		    t('nav.supervise'))}
		${canCheck(user) && link('#/checks', 'checks', t('nav.checks'))}
		${canReadPersons(user) && link('#/findings', 'findings',
		    t('nav.findings'))}
		${canInsight(user) && link('#/supply', 'supply',
		    t('nav.insight'))}
		${link('#/settings', 'settings', t('nav.settings'))}
	</ul></nav>`;
}

function App() {
	const st = useAppState();
	const route = useRoute();

	useEffect(() => {
		document.documentElement.lang = st.lang === 'en' ? 'en' :
		    'zh-CN';
	}, [st.lang]);
	if (st.boot === 'loading')
		return html`<main id="main"><p class="loading"
		    role="status">${t('loading')}</p></main>`;
	return html`
		<a class="skip" href="#main" onClick=${(e) => {
			e.preventDefault();
			document.getElementById('main').focus();
		}}>${t('skip')}</a>
		<header class="top">
			<div class="brand">
				<span class="logo" aria-hidden="true">量</span>
				<span>${t('app.name')}</span>
			</div>
			<span class=${'net ' + (st.online ? 'on' : 'off')}>
			    ${st.online ? t('net.on') : t('net.off')}</span>
			<button type="button" class="link lang"
			    lang=${st.lang === 'en' ? 'zh-CN' : 'en'}
			    onClick=${() => setLangAndSave(st.lang === 'en' ?
			    'zh' : 'en')}>${st.lang === 'en' ? '中文' :
			    'English'}</button>
		</header>
		${st.user && html`<${Nav} user=${st.user} route=${route}
		    pending=${st.pending} />`}
		<main id="main" tabindex="-1">
			${st.boot === 'anon' || !st.user ? html`<${Login} />` :
			    html`<${Screen} route=${route} user=${st.user} />`}
		</main>
		<div class="sr-only" role="status" aria-live="polite"
		    aria-atomic="true">${st.announce}</div>
	`;
}

function setLangAndSave(lang) {
	localStorage.setItem('lf.lang', lang);
	setState({ lang });
}

async function boot() {
	initLang();
	applyTextSize(localStorage.getItem('lf.text') || 'normal');
	setUnauthorizedHandler(() => {
		if (getState().user)
			setState({ user: null, boot: 'anon', flash: { kind:
			    'error', text: t('err.expired') } });
	});
	if ('serviceWorker' in navigator)
		navigator.serviceWorker.register('/sw.js').catch(() => {});
	if (await finishLogout()) {
		setState({ boot: 'anon' });
		return;
	}
	try {
		const s = await api('GET', '/session');

		await signedIn(s.user, s.csrf);
	} catch (e) {
		if (e instanceof OfflineError) {
			const user = await idb.get('meta', 'user')
			    .catch(() => null);

			if (user) {
				setState({ user, boot: 'user' });
				await refreshCount();
				startSync();
				return;
			}
		} else if (!(e instanceof ApiError)) {
			console.error(e);
		}
		setState({ boot: 'anon' });
	}
}

render(html`<${App} />`, document.getElementById('app'));
boot();
