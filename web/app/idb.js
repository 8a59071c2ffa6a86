// idb.js - the local copy in IndexedDB, for working without a network.
//
// Stores: meta (the user, the catalog, the surveyor's own name and phone,
// keyed by name), persons (person pages as the API returned them, masked,
// keyed by id), todo (a village's list of persons still to survey, keyed
// by village code) and outbox (surveys waiting to be sent, keyed by the
// client-made id `cid`). wipe() deletes it all (at logout).
const NAME = 'liangfu';
const VERSION = 1;
const STORES = { meta: null, persons: 'id', todo: 'code', outbox: 'cid' };
let dbp = null;

function req(r) {
	return new Promise((resolve, reject) => {
		r.onsuccess = () => resolve(r.result);
		r.onerror = () => reject(r.error);
	});
}

function open() {
	if (dbp)
		return dbp;
	dbp = new Promise((resolve, reject) => {
		const r = indexedDB.open(NAME, VERSION);

		r.onupgradeneeded = () => {
			for (const [name, key] of Object.entries(STORES))
				if (!r.result.objectStoreNames.contains(name))
					r.result.createObjectStore(name,
					    key ? { keyPath: key } : undefined);
		};
		r.onsuccess = () => {
			r.result.onversionchange = () => {
				r.result.close();
				dbp = null;
			};
			resolve(r.result);
		};
		r.onerror = () => {
			dbp = null;
			reject(r.error);
		};
	});
	return dbp;
}

async function store(name, mode) {
	const db = await open();

	return db.transaction(name, mode).objectStore(name);
}

export async function get(name, key) {
	return req((await store(name, 'readonly')).get(key));
}

export async function all(name) {
	return req((await store(name, 'readonly')).getAll());
}

// put(name, value) for stores with a key path, put(name, value, key) for
// meta.
export async function put(name, value, key) {
	const s = await store(name, 'readwrite');

	return req(key === undefined ? s.put(value) : s.put(value, key));
}

export async function del(name, key) {
	return req((await store(name, 'readwrite')).delete(key));
}

export async function count(name) {
	return req((await store(name, 'readonly')).count());
}

// Deletes the whole database: every person, list and queued survey.
export async function wipe() {
	if (dbp) {
		try {
			(await dbp).close();
		} catch (e) {
			// it never opened: nothing to close
		}
		dbp = null;
	}
	await new Promise((resolve) => {
		const r = indexedDB.deleteDatabase(NAME);

		r.onsuccess = r.onerror = r.onblocked = () => resolve();
	});
}
