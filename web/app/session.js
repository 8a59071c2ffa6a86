// session.js - logging in and out. Logging out wipes every local copy:
// persons, lists, the catalog, queued surveys.
import { api, setCsrf } from './api.js';
import * as idb from './idb.js';
import { startSync, refreshCount } from './outbox.js';
import { setState } from './state.js';

// The user is known: remember who (for starts without a network), count
// the outbox and start sending it.
export async function signedIn(user, csrf) {
	const prev = await idb.get('meta', 'user').catch(() => null);

	if (prev && prev.login !== user.login)
		await idb.wipe();	// another person's data: not for this one
	setCsrf(csrf);
	await idb.put('meta', user, 'user').catch(() => {});
	setState({ user, boot: 'user' });
	await refreshCount();
	startSync();
}

// Ends the session on the server (if it answers) and wipes local data.
export async function logout() {
	try {
		await api('DELETE', '/session');
		localStorage.removeItem('lf.logout');
	} catch (e) {
		// offline: the cookie cannot be dropped from here (HttpOnly),
		// so the next start ends the session before anything else
		if (e.name === 'OfflineError')
			localStorage.setItem('lf.logout', '1');
	}
	await idb.wipe();
	setCsrf('');
	localStorage.removeItem('lf.surveyor');
	setState({ user: null, boot: 'anon', pending: 0 });
	location.hash = '#/';
}

// A logout made offline is finished at the next start: the server ends
// the session. Returns true while it is still pending.
export async function finishLogout() {
	if (!localStorage.getItem('lf.logout'))
		return false;
	try {
		await api('DELETE', '/session');
	} catch (e) {
		if (e.name === 'OfflineError')
			return true;
	}
	localStorage.removeItem('lf.logout');
	return false;
}
