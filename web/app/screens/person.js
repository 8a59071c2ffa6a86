// person.js - one person: basic information and needs from the latest
// survey, and a year-by-year timeline: each year's survey with what
// changed, and each year's 一人一策 plan with what the person received
// (items, the five elements, deliveries). Shown from the local copy when
// the server cannot be reached.
import { html, useState } from '../lib.js';
import { api, OfflineError } from '../api.js';
import { t } from '../i18n.js';
import * as idb from '../idb.js';
import { loadCatalog, formatValue, isSet, sameValue, today } from
    '../catalog.js';
import { age } from '../expr.js';
import { refreshPerson, pendingFor } from '../outbox.js';
import { getState, canWrite, canAudit, canReadPersons } from
    '../state.js';
import { ItemCard, DraftBadge, money, openCount } from '../items.js';
import { Page, Alert, Loading, useAsync, errorText, label, genderText,
    statusText, fmtTime } from '../ui.js';

const KEY_BASIC = ['disability_category', 'disability_grade',
    'multi_disability_detail', 'card_status', 'self_care_ability',
    'hukou_type', 'residence_address', 'contact_name', 'contact_relation',
    'contact_mobile'];

async function load(id) {
	const year = new Date().getFullYear();
	const [cat, pending] = await Promise.all([loadCatalog(),
	    pendingFor(id, year).catch(() => null)]);

	try {
		return { cat, pending, data: await refreshPerson(id) };
	} catch (e) {
		if (!(e instanceof OfflineError))
			throw e;
		const data = await idb.get('persons', id).catch(() => null);

		if (!data)
			throw e;
		return { cat, pending, data, offline: data.saved };
	}
}

function fmt(f, v) {
	return formatValue(f, v, t('yes'), t('no'));
}

function Facts({ cat, codes, survey }) {
	const rows = codes.map((c) => cat.byCode[c])
	    .filter((f) => f && isSet(survey[f.code]));

	return html`<dl class="facts">${rows.map((f) => html`
		<div key=${f.code}><dt>${label(f)}</dt>
		<dd>${fmt(f, survey[f.code])}</dd></div>`)}</dl>`;
}

// Need items that hold: bool true, a multi or enum other than "none".
function needs(cat, survey) {
	return cat.sections[2].fields.filter((f) => {
		const v = survey[f.code];

		if (!isSet(v) || f.code.endsWith('_need_any'))
			return false;
		if (f.type === 'bool')
			return v === true;
		if (f.type === 'multi')
			return !(v.length === 1 && v[0] === f.exclusive);
		if (f.type === 'enum')
			return v !== f.exclusive;
		return true;
	});
}

function changes(cat, prev, cur) {
	return cat.fields.filter((f) => f.section !== 'envelope' &&
	    !sameValue(prev[f.code], cur[f.code]));
}

function SurveyYear({ cat, y, before }) {
	const s = y.survey;
	const ch = before ? changes(cat, before.survey, s) : [];

	return html`<p class="pmeta">${t('person.filled', {
	    date: s.fill_date || '—', who: s.surveyor_name || '—' }) + ' · ' +
	    fmt(cat.byCode.survey_method, s.survey_method)}</p>
	    ${before && (ch.length === 0 ? html`<p>${t('person.nochange')}</p>` :
	    html`<details><summary>${t('person.changes', { n: ch.length })}
	    </summary><ul class="changes">${ch.map((f) => html`
	    <li key=${f.code}><span class="clabel">${label(f)}</span>:
	    ${fmt(f, before.survey[f.code])} → ${fmt(f, s[f.code])}</li>`)}
	    </ul></details>`)}`;
}

// A year's plan: what the person received (accepted items), the rest
// folded away.
function PlanYear({ cat, pl }) {
	const kept = pl.items.filter((it) => it.decision.code !== 2);
	const dropped = pl.items.filter((it) => it.decision.code === 2);
	const sum = (k) => kept.reduce((n, it) => n + it.five.funds[k], 0);

	return html`<div class="plan-year">
		<p class="plan-line"><strong>${t('plan.short')}</strong>
		    ${pl.plan.status === 'draft' && html` <${DraftBadge} />`}${' · ' +
		    t('plan.status.' + pl.plan.status) + ' · ' +
		    t('person.planSum', { n: kept.length, planned:
		    money(sum('planned')), spent: money(sum('spent')) })}</p>
		${openCount(pl.items) > 0 && html`<p class="hint">
		    ${t('plan.open', { n: openCount(pl.items) })}</p>`}
		${kept.map((it) => html`<${ItemCard} key=${it.id} it=${it}
		    cat=${cat} level=${4} />`)}
		${dropped.length > 0 && html`<details><summary>
		    ${t('person.rejected', { n: dropped.length })}</summary>
		    ${dropped.map((it) => html`<${ItemCard} key=${it.id} it=${it}
		    cat=${cat} level=${4} />`)}</details>`}
	</div>`;
}

// "已调查 (2025-03-02) · 一人一策 已确认, 4 项": a year in one line.
function yearSummary(y, pl) {
	const parts = [y ? t('person.sumSurvey', { date: y.survey.fill_date ||
	    '—' }) : t('person.noSurveyYear')];

	if (pl)
		parts.push(t('person.sumPlan', { status: t('plan.status.' +
		    pl.plan.status), n: pl.items.filter((it) =>
		    it.decision.code !== 2).length }));
	return parts.join(' · ');
}

function Timeline({ id, cat, years, plans, pending, user }) {
	const nums = [...new Set([...years.map((y) => y.year),
	    ...plans.map((p) => p.year)])].sort((a, b) => b - a);
	const byYear = (list, y) => list.find((x) => x.year === y);
	const prev = (y) => years.filter((x) => x.year < y).pop();

	return html`<ol class="timeline">
		${pending && html`<li class="tl-pending">
			<h3>${t('person.yearTitle', { year: pending.year })}</h3>
			<p>${t('person.pending.' + pending.state)}
			    <a href=${'#/outbox'}>${t('person.toOutbox')}</a></p>
		</li>`}
		${nums.map((n, i) => {
			const y = byYear(years, n);
			const pl = byYear(plans, n);

			// each year folds under a summary line; the newest
			// is open
			return html`<li key=${n}>
				<h3>${t('person.yearTitle', { year: n })}</h3>
				<details open=${i === 0 || undefined}>
				<summary class="tl-sum">${yearSummary(y, pl)}</summary>
				${y ? html`<${SurveyYear} cat=${cat} y=${y}
				    before=${prev(n)} />` :
				    html`<p>${t('person.noSurveyYear')}</p>`}
				${pl && html`<${PlanYear} cat=${cat} pl=${pl} />`}
				${(pl ? canReadPersons(user) : canWrite(user)) &&
				    html`<p><a
				    href=${`#/person/${id}/plan/${n}`}
				    class="button small">${pl ? t('person.toPlan',
				    { year: n }) : t('person.makePlan',
				    { year: n })}</a></p>`}
				</details>
			</li>`;
		})}
	</ol>`;
}

function Reveal({ id, cat }) {
	const [full, setFull] = useState(null);
	const [err, setErr] = useState(null);

	async function run() {
		try {
			setFull(await api('POST', `/persons/${id}/reveal`));
		} catch (e) {
			setErr(errorText(e));
		}
	}
	if (full)
		return html`<dl class="facts revealed">${Object.entries(full)
		    .map(([k, v]) => html`<div key=${k}>
		    <dt>${cat.byCode[k] ? label(cat.byCode[k]) : k}</dt>
		    <dd class="mono">${v}</dd></div>`)}</dl>`;
	return html`<div>
		<button type="button" onClick=${run}>${t('person.reveal')}</button>
		<p class="hint">${t('person.revealHint')}</p>
		${err && html`<${Alert} kind="error">${err}<//>`}
	</div>`;
}

export function Person({ id }) {
	const user = getState().user;
	const { loading, error, data } = useAsync(() => load(id), [id]);
	const year = new Date().getFullYear();

	if (!data)
		return html`<${Page} title=${t('person.title')}>
			${loading && html`<${Loading} />`}
			${error && html`<${Alert} kind="error">${errorText(error)}<//>`}
		<//>`;
	const { cat, pending } = data;
	const p = data.data.person;
	const years = data.data.years;
	const latest = years.length ? years[years.length - 1].survey : {};
	const has = years.some((y) => y.year === year);
	const a = age(p.birth_date, today());
	const need = needs(cat, latest);

	return html`<${Page} title=${p.name}>
		${data.offline && html`<${Alert} kind="info">${t('person.offline',
		    { time: fmtTime(data.offline) })}<//>`}
		<dl class="facts">
			<div><dt>${t('person.idnum')}</dt>
			    <dd class="mono">${p.id_number}</dd></div>
			<div><dt>${t('person.gender')}</dt>
			    <dd>${genderText(p.gender)}</dd></div>
			<div><dt>${t('person.birth')}</dt><dd>${p.birth_date}
			    ${a >= 0 && ` (${t('age.years', { n: a })})`}</dd></div>
			<div><dt>${t('person.region')}</dt>
			    <dd>${p.region_name || p.region}</dd></div>
			<div><dt>${t('person.status')}</dt>
			    <dd>${statusText(p.status)}</dd></div>
		</dl>
		<div class="actions">
			${canWrite(user) && html`<a class="button primary"
			    href=${pending && pending.state === 'conflict' ?
			    '#/outbox/' + pending.cid :
			    `#/person/${id}/survey/${year}`}>
			    ${pending ? t('person.continue', { year }) : has ?
			    t('person.edit', { year }) : t('person.survey',
			    { year })}</a>`}
			${canAudit(user) && html`<a class="button"
			    href=${'#/audit?person=' + id}>${t('person.audit')}</a>`}
		</div>
		${canWrite(user) && !data.offline && html`<${Reveal} id=${id}
		    cat=${cat} />`}
		<section aria-labelledby="h-basic">
			<h2 id="h-basic">${t('person.basic')}</h2>
			${years.length === 0 ? html`<p>${t('person.nosurvey')}</p>` :
			    html`<${Facts} cat=${cat} codes=${KEY_BASIC}
			    survey=${latest} />
			    <details><summary>${t('person.allBasic')}</summary>
			    <${Facts} cat=${cat} codes=${cat.sections[1].fields
			    .map((f) => f.code)} survey=${latest} /></details>`}
		</section>
		<section aria-labelledby="h-need">
			<h2 id="h-need">${t('person.needs')}</h2>
			${need.length === 0 ? html`<p>${t('person.noneeds')}</p>` :
			    html`<details open=${need.length <= 6 || undefined}>
			    <summary class="tl-sum">${t('person.needSum',
			    { n: need.length })}</summary>
			    <ul class="needs">${need.map((f) => html`
			    <li key=${f.code}>${label(f)}${f.type !== 'bool' &&
			    `: ${fmt(f, latest[f.code])}`}</li>`)}</ul></details>`}
		</section>
		<section aria-labelledby="h-years">
			<h2 id="h-years">${t('person.years')}</h2>
			<${Timeline} id=${id} cat=${cat} years=${years}
			    plans=${data.data.plans || []} pending=${pending}
			    user=${user} />
		</section>
	<//>`;
}
