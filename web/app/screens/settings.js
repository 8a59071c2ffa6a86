// settings.js - language, text size, the account, logout (which wipes
// every local copy, queued surveys included, after a warning).
import { html, useState } from '../lib.js';
import { t } from '../i18n.js';
import { logout } from '../session.js';
import { useAppState, setState } from '../state.js';
import { Page } from '../ui.js';

const SIZES = ['normal', 'large', 'larger'];

export function applyTextSize(size) {
	const root = document.documentElement;

	for (const s of SIZES)
		root.classList.toggle('text-' + s, s === size);
	setState({ textSize: size });
}

function Choice({ name, value, options, onPick, legend }) {
	return html`<fieldset class="field choices">
		<legend>${legend}</legend>
		<div class="stack">${options.map((o) => html`<label key=${o.value}>
			<input type="radio" name=${name} value=${o.value}
			    checked=${value === o.value}
			    onChange=${() => onPick(o.value)} />
			<span lang=${o.lang}>${o.label}</span>
		</label>`)}</div>
	</fieldset>`;
}

export function Settings() {
	const st = useAppState();
	const [sure, setSure] = useState(false);
	const u = st.user;

	return html`<${Page} title=${t('settings.title')}>
		<div class="card">
			<${Choice} name="lang" legend=${t('settings.lang')}
			    value=${st.lang} options=${[
				{ value: 'zh', label: '中文', lang: 'zh-CN' },
				{ value: 'en', label: 'English', lang: 'en' }]}
			    onPick=${(v) => {
				localStorage.setItem('lf.lang', v);
				setState({ lang: v });
			    }} />
			<${Choice} name="text" legend=${t('settings.text')}
			    value=${st.textSize} options=${SIZES.map((s) => ({
				value: s, label: t('settings.text.' + s) }))}
			    onPick=${(v) => {
				localStorage.setItem('lf.text', v);
				applyTextSize(v);
			    }} />
		</div>
		${u && html`<section class="card" aria-labelledby="acct-h">
			<h2 id="acct-h">${t('settings.account')}</h2>
			<dl class="facts">
				<div><dt>${t('settings.login')}</dt><dd>${u.login}</dd></div>
				<div><dt>${t('settings.role')}</dt>
				    <dd>${t('role.' + u.role)}</dd></div>
				<div><dt>${t('settings.region')}</dt>
				    <dd>${u.region_name} (${u.region})</dd></div>
			</dl>
			${sure && st.pending > 0 && html`<p class="alert alert-error"
			    role="alert">${t('settings.pendingWarn',
			    { n: st.pending })}</p>`}
			${sure ? html`<p class="actions">
				<button type="button" class="danger"
				    onClick=${logout}>${t('settings.logoutSure')}</button>
				<button type="button" onClick=${() =>
				    setSure(false)}>${t('cancel')}</button>
			</p>` : html`<button type="button" onClick=${() =>
			    setSure(true)}>${t('settings.logout')}</button>
			    <p class="hint">${t('settings.logoutHint')}</p>`}
		</section>`}
	<//>`;
}
