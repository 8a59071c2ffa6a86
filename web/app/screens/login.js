// login.js - the login form. The server's message is shown as it is
// (Chinese, then English) and read at once (role=alert).
import { html, useState, useRef } from '../lib.js';
import { api, ApiError } from '../api.js';
import { t } from '../i18n.js';
import { Page, Alert, errorText } from '../ui.js';
import { signedIn } from '../session.js';

export function Login() {
	const [login, setLogin] = useState('');
	const [password, setPassword] = useState('');
	const [error, setError] = useState(null);
	const [busy, setBusy] = useState(false);
	const loginRef = useRef(null);

	async function submit(e) {
		e.preventDefault();
		if (!login.trim() || !password) {
			setError({ text: t('login.missing'), field:
			    !login.trim() ? 'login' : 'password' });
			return;
		}
		setBusy(true);
		setError(null);
		try {
			const s = await api('POST', '/session', { login:
			    login.trim(), password }, { login: true });

			setPassword('');
			await signedIn(s.user, s.csrf);
			if (location.hash && location.hash !== '#/')
				location.hash = '#/';
		} catch (err) {
			setError({ text: errorText(err), field: err instanceof
			    ApiError && err.code === 'bad_login' ? 'password' :
			    '' });
			setBusy(false);
		}
	}
	return html`<${Page} title=${t('login.title')}>
		<p class="lead">${t('app.tagline')}</p>
		<form class="card narrow" onSubmit=${submit} noValidate>
			${error && html`<${Alert} kind="error">
			    <span id="login-err">${error.text}</span><//>`}
			<div class="field">
				<label for="login">${t('login.login')}</label>
				<input id="login" ref=${loginRef} name="username"
				    autocomplete="username" autocapitalize="off"
				    spellcheck="false" required value=${login}
				    aria-invalid=${error && error.field === 'login'
				    ? 'true' : undefined}
				    aria-describedby=${error ? 'login-err' :
				    undefined}
				    onInput=${(e) => setLogin(e.target.value)} />
			</div>
			<div class="field">
				<label for="password">${t('login.password')}</label>
				<input id="password" type="password"
				    name="password" autocomplete="current-password"
				    required value=${password}
				    aria-invalid=${error && error.field ===
				    'password' ? 'true' : undefined}
				    aria-describedby=${error ? 'login-err' :
				    undefined}
				    onInput=${(e) => setPassword(e.target.value)} />
			</div>
			<button type="submit" class="primary" disabled=${busy}>
			    ${busy ? t('login.busy') : t('login.submit')}</button>
		</form>
		<p><a href="/self.html">${t('self.link')}</a></p>
	<//>`;
}
