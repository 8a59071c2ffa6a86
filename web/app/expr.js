// expr.js - the catalog's skip-rule language (src/core/expr.h), evaluated
// in the browser: the form must show and hide items as the answers
// change, without a round trip per keystroke. The server still validates
// every survey it is sent with its own compiled rules, and explains the
// plans' rules itself (the plan page shows its words, never ours).
//
// This is a second implementation of one language, so it is held to the
// first: tests/e2e/conformance.test.mjs evaluates some 150 000 vectors
// written by the C engine (tests/e2e/expr_vectors.c: every ask_if, every
// policy and amount rule, and every operator on every item type, over
// 2 000 synthetic surveys) and requires the same result for each, and
// that every expression C refuses is refused here too.
//
//   expr  := or;  or := and ("or" and)*;  and := unary ("and" unary)*
//   unary := "not" unary | test
//   test  := "(" expr ")" | "true" | "false" | name
//          | name op value  (op: = != < <= > >=)
//          | name "in" "{" value ("," value)* "}" | name "in" INT ".." INT
//          | name "has" value | name "has_any" "{" value ("," value)* "}"
//   value := INT | 'text'
//
// Names are catalog codes, `age` (whole years from birth_date at the
// reference date) and the derived names below. A test on an item with no
// value is false. Values compare as the C engine stores them: codes and
// numbers as integers, decimals in units of 10^-scale, dates as days
// since 1970-01-01 (a 'YYYY-MM-DD' literal is read as one), region codes
// as integers; only text items compare as text (= and != only).
// compile() throws Error where the C compiler refuses (syntax, unknown
// name, a value that is not an option, a type that does not fit the
// operator); the returned function takes (values, refDate 'YYYY-MM-DD',
// ctx) where ctx.disaster_region (the server's to know) defaults to false.

const DERIVED = {
	severe: 'disability_grade in {1,2}',
	dibao: 'urban_income_status = 1 or rural_poverty_status = 4 or ' +
	    'social_assistance_received has 1',
	reg_poor: 'rural_poverty_status in {1,2,3}',
	valid_card: 'card_status = 1'
};

const TOKEN = /\s*(?:([A-Za-z_][A-Za-z0-9_]*)|(-?\d+)|'([^']*)'|(\.\.|!=|<=|>=|[=<>(){},]))/y;

function tokenize(src) {
	const out = [];
	let m;

	TOKEN.lastIndex = 0;
	while (TOKEN.lastIndex < src.length) {
		const at = TOKEN.lastIndex;

		if (/^\s*$/.test(src.slice(at)))
			break;
		if ((m = TOKEN.exec(src)) === null)
			throw new Error(`unexpected character at ${at + 1}`);
		if (m[1] !== undefined)
			out.push({ k: 'id', v: m[1] });
		else if (m[2] !== undefined)
			out.push({ k: 'int', v: Number(m[2]) });
		else if (m[3] !== undefined)
			out.push({ k: 'str', v: m[3] });
		else
			out.push({ k: 'p', v: m[4] });
	}
	return out;
}

// Whole years from birth to at (both 'YYYY-MM-DD'), as date_age() does.
export function age(birth, at) {
	if (!birth || !at || at < birth)
		return -1;
	const [by, bm, bd] = birth.split('-').map(Number);
	const [ay, am, ad] = at.split('-').map(Number);
	let n = ay - by;

	if (am < bm || (am === bm && ad < bd))
		n--;
	return n;
}

// Days since 1970-01-01 of a real date 'YYYY-MM-DD' (years 1800..2999,
// as date_parse() takes them), else undefined.
export function days(s) {
	const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(typeof s === 'string' ?
	    s : '');

	if (!m)
		return undefined;
	const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
	const t = Date.UTC(y, mo - 1, d);
	const back = new Date(t);

	if (y < 1800 || y > 2999 || back.getUTCMonth() !== mo - 1 ||
	    back.getUTCDate() !== d)
		return undefined;
	return t / 86400000;
}

// A decimal text in units of 10^-scale (exact, no floating point), else
// undefined: at most `scale` places, as record_parse_value() takes it.
function scaled(s, scale) {
	const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(typeof s === 'string' ?
	    s.trim() : String(s));

	if (!m || (m[3] || '').length > scale)
		return undefined;
	const n = Number(m[2] + (m[3] || '').padEnd(scale, '0'));

	return m[1] ? -n : n;
}

function isSet(v) {
	return v !== undefined && v !== null && v !== '' &&
	    !(Array.isArray(v) && v.length === 0);
}

const NUMERIC = ['enum', 'bool', 'int', 'money', 'decimal', 'date',
    'region'];

class Parser {
	constructor(src, fields, depth) {
		this.toks = tokenize(src);
		this.i = 0;
		this.fields = fields;
		this.depth = depth;
	}

	peek() {
		return this.toks[this.i];
	}

	word(w) {
		const t = this.peek();

		if (t && t.k === 'id' && t.v === w) {
			this.i++;
			return true;
		}
		return false;
	}

	punct(p) {
		const t = this.peek();

		if (t && t.k === 'p' && t.v === p) {
			this.i++;
			return true;
		}
		return false;
	}

	expect(p) {
		if (!this.punct(p))
			throw new Error(`expected '${p}'`);
	}

	value() {
		const t = this.toks[this.i++];

		if (!t || (t.k !== 'int' && t.k !== 'str'))
			throw new Error('expected a number or \'text\'');
		return t;
	}

	set(check) {
		const vals = [];

		this.expect('{');
		do
			vals.push(check(this.value()));
		while (this.punct(','));
		this.expect('}');
		return vals;
	}

	parse() {
		const fn = this.or();

		if (this.i !== this.toks.length)
			throw new Error('expected and, or or the end');
		return fn;
	}

	or() {
		let l = this.and();

		while (this.word('or')) {
			const a = l, b = this.and();

			l = (v, r, c) => a(v, r, c) || b(v, r, c);
		}
		return l;
	}

	and() {
		let l = this.unary();

		while (this.word('and')) {
			const a = l, b = this.unary();

			l = (v, r, c) => a(v, r, c) && b(v, r, c);
		}
		return l;
	}

	unary() {
		if (this.word('not')) {
			const a = this.unary();

			return (v, r, c) => !a(v, r, c);
		}
		return this.test();
	}

	test() {
		if (this.punct('(')) {
			const a = this.or();

			this.expect(')');
			return a;
		}
		if (this.word('true'))
			return () => true;
		if (this.word('false'))
			return () => false;
		const t = this.toks[this.i++];

		if (!t || t.k !== 'id' || ['and', 'or'].includes(t.v))
			throw new Error('expected a name, \'(\', true or false');
		if (DERIVED[t.v] !== undefined) {
			if (this.depth > 8)
				throw new Error('nested too deeply');
			return new Parser(DERIVED[t.v], this.fields,
			    this.depth + 1).parse();
		}
		if (t.v === 'disaster_region')	// the server's context
			return (v, r, c) => !!(c && c.disaster_region);
		return this.nameTest(t.v);
	}

	// The item a test reads: {f (undefined for age), type, load}; load
	// gives the value as the C engine holds it, or undefined.
	loader(name) {
		if (name === 'age')
			return { type: 'age', load: (v, ref) =>
			    isSet(v.birth_date) ? age(v.birth_date, ref) :
			    undefined };
		const f = this.fields[name];

		if (!f)
			throw new Error(`unknown name ${name}`);
		const load = (v) => {
			const x = v[name];

			if (!isSet(x))
				return undefined;
			switch (f.type) {
			case 'bool':
				return x === true ? 1 : 0;
			case 'decimal':
				return scaled(x, f.scale || 0);
			case 'date':
				return days(x);
			case 'region':
				return /^\d{12}$/.test(x) ? Number(x) :
				    undefined;
			default:
				return x;
			}
		};
		return { f, type: f.type, load };
	}

	// A literal for a test on item f of type: what C's check_value()
	// accepts, as the number the engine compares.
	checked(f, type, t) {
		if (type === 'date' && t.k === 'str') {
			const d = days(t.v);

			if (d === undefined)
				throw new Error('date must be \'YYYY-MM-DD\'');
			return d;
		}
		if (t.k === 'str')
			throw new Error(`${f ? f.code : 'age'} compares with ` +
			    'an integer');
		if ((type === 'enum' || type === 'multi') &&
		    !(f.options || []).some((o) => o.code === t.v))
			throw new Error(`${t.v} is not an option of ${f.code}`);
		if (type === 'bool' && t.v !== 0 && t.v !== 1)
			throw new Error(`${f.code} is a bool: 0 or 1`);
		return t.v;
	}

	nameTest(name) {
		const { f, type, load } = this.loader(name);
		const check = (t) => this.checked(f, type, t);

		if (this.word('has_any') || this.word('has')) {
			const any = this.toks[this.i - 1].v === 'has_any';

			if (type !== 'multi')
				throw new Error(`has needs a multi item: ${name}`);
			const want = any ? this.set(check) : [check(this.value())];

			return (v, r) => {
				const x = load(v, r);

				return x !== undefined &&
				    want.some((w) => x.includes(w));
			};
		}
		if (this.word('in'))
			return this.inTest(type, load, check);
		const op = this.peek();

		if (op && op.k === 'p' &&
		    ['=', '!=', '<', '<=', '>', '>='].includes(op.v)) {
			this.i++;
			return this.cmpTest(op.v, type, load, check);
		}
		// a bare name: bool true, multi non-empty, others set
		return (v, r) => {
			const x = load(v, r);

			if (x === undefined)
				return false;
			if (type === 'bool')
				return x === 1;
			return true;
		};
	}

	inTest(type, load, check) {
		const t = this.peek();

		if (t && t.k === 'p' && t.v === '{') {
			if (!NUMERIC.includes(type) && type !== 'age')
				throw new Error('in {…} needs a coded or ' +
				    'numeric item');
			const want = this.set(check);

			return (v, r) => {
				const x = load(v, r);

				return x !== undefined && want.includes(x);
			};
		}
		const lo = this.value();

		if (lo.k !== 'int' || !this.punct('..'))
			throw new Error('expected {…} or A..B');
		const hi = this.value();

		if (hi.k !== 'int' || hi.v < lo.v)
			throw new Error('range end must be an integer not ' +
			    'below its start');
		return (v, r) => {
			const x = load(v, r);

			return typeof x === 'number' && x >= lo.v && x <= hi.v;
		};
	}

	cmpTest(op, type, load, check) {
		const t = this.value();

		if (type === 'multi')
			throw new Error('a multi item: use has');
		if (type === 'text' && t.k === 'str') {
			if (op !== '=' && op !== '!=')
				throw new Error('text compares with = or !=');
			return (v, r) => {
				const x = load(v, r);

				return x !== undefined && (x === t.v) ===
				    (op === '=');
			};
		}
		const want = check(t);

		return (v, r) => {
			const x = load(v, r);

			return x !== undefined && cmp(op, x, want);
		};
	}
}

function cmp(op, x, y) {
	switch (op) {
	case '=': return x === y;
	case '!=': return x !== y;
	case '<': return x < y;
	case '<=': return x <= y;
	case '>': return x > y;
	default: return x >= y;
	}
}

// fields: catalog fields by code. Returns fn(values, refDate, ctx) ->
// boolean.
export function compile(src, fields) {
	if (!src || !src.trim())
		return () => true;
	return new Parser(src, fields, 0).parse();
}
