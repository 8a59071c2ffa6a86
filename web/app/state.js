// state.js - the little global state the screens share: who is logged in,
// whether the server answers, the number of surveys waiting to be sent,
// the language and text size, and the message for the screen reader.
import { useState, useEffect } from './lib.js';

const state = {
	user: null,		// {login, role, region, region_name, department}
	boot: 'loading',	// loading | anon | user
	online: true,		// the last request reached the server
	pending: 0,		// outbox items (surveys, deliveries) not sent
	lang: 'zh',
	textSize: 'normal',	// normal | large | larger
	announce: '',		// polite live-region text
	flash: null		// {kind: 'ok' | 'error', text} for the next screen
};
const listeners = new Set();

export function getState() {
	return state;
}

export function setState(patch) {
	Object.assign(state, patch);
	for (const fn of listeners)
		fn(state);
}

// Re-renders the calling component whenever the state changes.
export function useAppState() {
	const [, tick] = useState(0);

	useEffect(() => {
		const fn = () => tick((n) => n + 1);

		listeners.add(fn);
		return () => listeners.delete(fn);
	}, []);
	return state;
}

// Says text through the polite live region (status messages).
export function announce(text) {
	// the same text twice is still read: clear, then set
	setState({ announce: '' });
	setTimeout(() => setState({ announce: text }), 50);
}

// Roles that read and write persons (survey takers at every level).
export const WRITERS = ['village', 'township', 'county', 'city', 'province'];

export function canWrite(user) {
	return !!user && WRITERS.includes(user.role);
}

export function canReadPersons(user) {
	return !!user && (canWrite(user) || user.role === 'supervisor');
}

export function canAudit(user) {
	return !!user && (user.role === 'supervisor' || user.role === 'auditor');
}

// The statistics dashboard: survey takers at every level, supervisors.
export function canStats(user) {
	return canReadPersons(user);
}

// Confirm and reopen plans: township (街道) officers and higher.
export function canConfirm(user) {
	return !!user && WRITERS.includes(user.role) && user.role !== 'village';
}

// Department officers: their inbox of service items.
export function isDept(user) {
	return !!user && user.role === 'department';
}

// Who has an outbox: survey takers, departments for deliveries, and
// supervisors for their spot checks.
export function canQueue(user) {
	return canWrite(user) || isDept(user) || canCheck(user);
}

// 精准监督: drawing samples and the precision dashboard (county and
// above, supervisors); checking (every role that reads persons).
export function canSample(user) {
	return !!user && ['county', 'city', 'province', 'supervisor']
	    .includes(user.role);
}

export function canCheck(user) {
	return canReadPersons(user);
}

// 政策测算 (POST /rules/simulate): county, city and province officers.
export function canSimulate(user) {
	return !!user && ['county', 'city', 'province'].includes(user.role);
}

// 智慧量服 (issue 16): county, city and province officers.
export function canInsight(user) {
	return !!user && ['county', 'city', 'province'].includes(user.role);
}
