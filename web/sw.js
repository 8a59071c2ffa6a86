// sw.js - the service worker: keeps the app shell for use without a
// network. Files are fetched from the network first (so a new version
// shows at once) and from the cache when the server cannot be reached.
// API calls are never cached here: person data lives in IndexedDB, under
// the app's control, and is wiped at logout.
const CACHE = 'liangfu-shell-6';
const SHELL = [
	'/', '/index.html', '/style.css', '/manifest.webmanifest', '/icon.svg',
	'/vendor/preact.mjs', '/vendor/hooks.mjs', '/vendor/htm.mjs',
	'/app/main.js', '/app/lib.js', '/app/state.js', '/app/api.js',
	'/app/idb.js', '/app/i18n.js', '/app/expr.js', '/app/catalog.js',
	'/app/outbox.js', '/app/session.js', '/app/ui.js', '/app/fields.js',
	'/app/items.js',
	'/app/screens/common.js', '/app/screens/login.js',
	'/app/screens/home.js', '/app/screens/search.js',
	'/app/screens/person.js', '/app/screens/survey.js',
	'/app/screens/outbox.js', '/app/screens/audit.js',
	'/app/screens/settings.js', '/app/screens/plan.js',
	'/app/screens/inbox.js', '/app/screens/stats.js', '/app/chart.js',
	'/app/screens/feedback.js', '/app/screens/selfservice.js',
	'/app/self.js', '/self.html',
	'/app/screens/whatif.js',
	'/app/screens/supervise.js', '/app/screens/check.js',
	'/app/screens/findings.js',
	'/app/screens/insight.js'
];
// Fetched only by the statistics dashboard (ECharts, 700 KB): not worth
// every phone's install; the fetch handler below keeps it once used.
const LATER = ['/vendor/echarts.mjs'];
const TIMEOUT_MS = 5000;

self.addEventListener('install', (e) => {
	e.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL))
	    .then(() => self.skipWaiting()));
});

self.addEventListener('activate', (e) => {
	e.waitUntil(caches.keys().then((keys) => Promise.all(keys
	    .filter((k) => k !== CACHE).map((k) => caches.delete(k))))
	    .then(() => self.clients.claim()));
});

async function fromNetwork(req) {
	const ctl = new AbortController();
	const timer = setTimeout(() => ctl.abort(), TIMEOUT_MS);

	try {
		const res = await fetch(req, { signal: ctl.signal });

		if (res.ok) {
			const copy = res.clone();

			caches.open(CACHE).then((c) => c.put(req, copy));
		}
		return res;
	} finally {
		clearTimeout(timer);
	}
}

async function respond(req) {
	try {
		return await fromNetwork(req);
	} catch (err) {
		const hit = await caches.match(req, { ignoreSearch: true });

		if (hit)
			return hit;
		if (req.mode === 'navigate')
			return caches.match('/index.html');
		throw err;
	}
}

self.addEventListener('fetch', (e) => {
	const url = new URL(e.request.url);

	if (e.request.method !== 'GET' || url.origin !== self.location.origin ||
	    url.pathname.startsWith('/api/'))
		return;
	e.respondWith(respond(e.request));
});
