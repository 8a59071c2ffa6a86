// fields.js - one form control per catalog item type, each with its
// label, hint and error tied to it (aria-describedby, aria-invalid).
//   enum: radio buttons (up to 6 options) or a list box; multi: check
//   boxes (the "none" option stands alone); bool: yes/no radios; date;
//   int, money (yuan on screen, fen sent) and decimal as text with a
//   numeric keyboard; phone; ID number; region code; text.
// Secret items arrive masked: they show as masked text with a button to
// type a new value; the person's own ID number cannot be changed here.
import { html, useState, useEffect } from './lib.js';
import { t } from './i18n.js';
import { isSet, isMasked, yuan, parseYuan } from './catalog.js';
import { label, optLabel } from './ui.js';

function Req({ f }) {
	return f.required ? html`<span class="req"><span aria-hidden="true">
	    *</span><span class="sr-only">${t('form.required')}</span></span>` :
	    null;
}

function describedBy(id, error, hint) {
	return [error && id + '-err', hint && id + '-hint']
	    .filter(Boolean).join(' ') || undefined;
}

function Messages({ id, error, hint }) {
	return html`
		${hint && html`<p class="hint" id=${id + '-hint'}>${hint}</p>`}
		${error && html`<p class="error" id=${id + '-err'}>${error}</p>`}
	`;
}

function hintFor(f) {
	switch (f.type) {
	case 'text':
		return f.max ? t('hint.text', { min: f.min, max: f.max }) : '';
	case 'id_number':
		return t('hint.id');
	case 'phone':
		return t('hint.phone');
	case 'region':
		return t('hint.region');
	case 'money':
		return t('hint.money');
	case 'decimal':
		return t('hint.decimal', { n: f.scale });
	case 'int':
		return f.max > f.min ? t('hint.range', { min: f.min,
		    max: f.max }) : '';
	case 'multi':
		return t('hint.multi');
	default:
		return '';
	}
}

function Choices({ f, id, value, onChange, error, hint, multi }) {
	const opts = f.type === 'bool' ? [{ code: true, label: t('yes') },
	    { code: false, label: t('no') }] : f.options;
	const has = (c) => multi ? (value || []).includes(c) : value === c;

	function pick(c, on) {
		if (!multi)
			return onChange(c);
		let v = (value || []).filter((x) => x !== c);

		if (on)
			v = c === f.exclusive ? [c] : [...v.filter((x) => x !==
			    f.exclusive), c];
		onChange(v.length ? v : undefined);
	}
	return html`<fieldset class=${'field choices' + (error ? ' bad' : '')}
	    id=${id} tabindex="-1" aria-describedby=${describedBy(id, error,
	    hint)}>
		<legend>${label(f)}<${Req} f=${f} /></legend>
		<div class=${opts.length <= 3 ? 'inline' : 'stack'}>
		${opts.map((o, i) => html`<label key=${String(o.code)}>
			<input type=${multi ? 'checkbox' : 'radio'}
			    name=${f.code} id=${i === 0 ? id + '-0' : undefined}
			    checked=${has(o.code)}
			    aria-invalid=${error ? 'true' : undefined}
			    onChange=${(e) => pick(o.code, e.target.checked)} />
			<span>${optLabel(o)}</span>
		</label>`)}
		</div>
		${!multi && !f.required && isSet(value) && html`<button
		    type="button" class="link small" onClick=${() =>
		    onChange(undefined)}>${t('form.clear', { what:
		    label(f) })}</button>`}
		<${Messages} id=${id} error=${error} hint=${hint} />
	</fieldset>`;
}

function Select({ f, id, value, onChange, error, hint }) {
	return html`<div class=${'field' + (error ? ' bad' : '')}>
		<label for=${id}>${label(f)}<${Req} f=${f} /></label>
		<select id=${id} aria-invalid=${error ? 'true' : undefined}
		    aria-describedby=${describedBy(id, error, hint)}
		    onChange=${(e) => onChange(e.target.value === '' ?
		    undefined : Number(e.target.value))}>
			<option value="" selected=${!isSet(value)}>
			    ${t('form.choose')}</option>
			${f.options.map((o) => html`<option key=${o.code}
			    value=${o.code} selected=${value === o.code}>
			    ${optLabel(o)}</option>`)}
		</select>
		<${Messages} id=${id} error=${error} hint=${hint} />
	</div>`;
}

// The text shown for a value, and the value from typed text.
function toText(f, v) {
	if (!isSet(v))
		return '';
	if (f.type === 'money' && typeof v === 'number')
		return yuan(v);
	return String(v);
}

function fromText(f, s) {
	s = s.trim();
	if (s === '')
		return undefined;
	if (f.type === 'int' && /^-?\d+$/.test(s))
		return Number(s);
	if (f.type === 'money' && parseYuan(s) !== undefined)
		return parseYuan(s);
	if (f.type === 'id_number')
		return s.toUpperCase();
	return s;	// text kinds, or a number not yet valid (flagged)
}

const INPUT = {
	date: { type: 'date' },
	phone: { type: 'tel', inputMode: 'tel', autocomplete: 'off' },
	int: { inputMode: 'numeric' },
	money: { inputMode: 'decimal' },
	decimal: { inputMode: 'decimal' },
	region: { inputMode: 'numeric', maxLength: 12 },
	id_number: { maxLength: 18 }
};

function TextInput({ f, id, value, onChange, error, hint }) {
	const [text, setText] = useState(toText(f, value));
	const extra = INPUT[f.type] || {};

	useEffect(() => {
		// a value set from outside (a merge, a reset) replaces ours
		if (fromText(f, text) !== value && !(value === undefined &&
		    text.trim() === ''))
			setText(toText(f, value));
	}, [value]);
	return html`<div class=${'field' + (error ? ' bad' : '')}>
		<label for=${id}>${label(f)}<${Req} f=${f} /></label>
		<input id=${id} type=${extra.type || 'text'} value=${text}
		    inputMode=${extra.inputMode} autocomplete="off"
		    maxLength=${extra.maxLength || (f.type === 'text' && f.max ?
		    f.max : undefined)}
		    aria-invalid=${error ? 'true' : undefined}
		    aria-describedby=${describedBy(id, error, hint)}
		    onInput=${(e) => {
			setText(e.target.value);
			onChange(fromText(f, e.target.value));
		    }} />
		<${Messages} id=${id} error=${error} hint=${hint} />
	</div>`;
}

// A masked secret: shown masked; "change" opens an empty input.
function Secret({ f, id, value, onChange, error, original }) {
	const locked = f.code === 'id_number';

	if (isMasked(value))
		return html`<div class=${'field' + (error ? ' bad' : '')}
		    role="group" aria-labelledby=${id + '-l'}
		    aria-describedby=${describedBy(id, error, 1)}>
			<span class="label" id=${id + '-l'}>${label(f)}
			    <${Req} f=${f} /></span>
			<p class="mono masked" id=${id} tabindex="-1">${value}</p>
			${!locked && html`<button type="button" class="small"
			    onClick=${() => onChange('')}>${t('form.change',
			    { what: label(f) })}</button>`}
			<${Messages} id=${id} error=${error}
			    hint=${locked ? t('hint.idLocked') :
			    t('hint.masked')} />
		</div>`;
	return html`<div>
		<${TextInput} f=${f} id=${id} value=${value} onChange=${onChange}
		    error=${error} hint=${hintFor(f)} />
		${isMasked(original) && html`<button type="button"
		    class="link small" onClick=${() => onChange(original)}>
		    ${t('form.keep', { what: label(f) })}</button>`}
	</div>`;
}

// One item of the form. original: the value the form started with.
export function Field({ f, value, onChange, error, original }) {
	const id = 'f-' + f.code;
	const hint = hintFor(f);

	if (isMasked(value) || isMasked(original))
		return html`<${Secret} f=${f} id=${id} value=${value}
		    onChange=${onChange} error=${error} original=${original} />`;
	switch (f.type) {
	case 'bool':
		return html`<${Choices} f=${f} id=${id} value=${value}
		    onChange=${onChange} error=${error} />`;
	case 'multi':
		return html`<${Choices} f=${f} id=${id} value=${value}
		    onChange=${onChange} error=${error} hint=${hint} multi />`;
	case 'enum':
		return f.options.length <= 6 ? html`<${Choices} f=${f} id=${id}
		    value=${value} onChange=${onChange} error=${error} />` :
		    html`<${Select} f=${f} id=${id} value=${value}
		    onChange=${onChange} error=${error} />`;
	default:
		return html`<${TextInput} f=${f} id=${id} value=${value}
		    onChange=${onChange} error=${error} hint=${hint} />`;
	}
}

// What the browser can tell before the server does: required items,
// lengths, number forms. Returns {code: message}.
export function localErrors(cat, eff, asked) {
	const errs = {};

	for (const f of cat.fields) {
		if (!asked.has(f.code))
			continue;
		const v = eff[f.code];

		if (!isSet(v)) {
			if (f.required)
				errs[f.code] = t('err.required');
			continue;
		}
		if (isMasked(v))
			continue;
		if (f.type === 'text' && f.max && ([...v].length < f.min ||
		    [...v].length > f.max))
			errs[f.code] = t('hint.text', { min: f.min, max: f.max });
		else if ((f.type === 'int' || f.type === 'money') &&
		    typeof v !== 'number')
			errs[f.code] = f.type === 'money' ? t('hint.money') :
			    t('err.int');
		else if (f.type === 'decimal' && !/^-?\d+(\.\d+)?$/.test(v))
			errs[f.code] = t('hint.decimal', { n: f.scale });
		else if (f.type === 'id_number' && !/^\d{17}[\dX]$/.test(v))
			errs[f.code] = t('hint.id');
		else if (f.type === 'region' && !/^\d{12}$/.test(v))
			errs[f.code] = t('hint.region');
		else if (f.type === 'date' && !/^\d{4}-\d{2}-\d{2}$/.test(v))
			errs[f.code] = t('err.date');
	}
	return errs;
}
