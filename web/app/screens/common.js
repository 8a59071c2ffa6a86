// common.js - a person in a list (home, search).
import { html } from '../lib.js';
import { t } from '../i18n.js';
import { genderText } from '../ui.js';
import { age } from '../expr.js';
import { today } from '../catalog.js';

export function PersonItem({ p, note }) {
	const a = age(p.birth_date, today());

	return html`<li class="person-item">
		<a href=${'#/person/' + p.id} class="person-link">
			<span class="pname">${p.name}</span>
			<span class="pmeta">${[genderText(p.gender),
			    a >= 0 ? t('age.years', { n: a }) : '—', p.id_number,
			    p.region_name].filter(Boolean).join(' · ')}</span>
		</a>
		${note && html`<span class="tag">${note}</span>`}
	</li>`;
}

// The parent of a region code (12 → 9 → 6 → 4 → 2 digits), or ''.
export function parentRegion(code) {
	const cut = { 12: 9, 9: 6, 6: 4, 4: 2 }[code.length];

	return cut ? code.slice(0, cut) : '';
}
