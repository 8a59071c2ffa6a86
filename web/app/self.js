// self.js - the entry of the self-service page (/self.html, 开放量服): a
// person or their family opens their own plan with the one-time code a
// worker gave them and the last six characters of the ID number. No
// account and no part of the workers' app: its own session (cookie
// lf_self), its own routes (/api/v1/self...), the same strict CSP.
import { html, render } from './lib.js';
import { initLang } from './i18n.js';
import { SelfService } from './screens/selfservice.js';

initLang();
render(html`<${SelfService} />`, document.getElementById('app'));
