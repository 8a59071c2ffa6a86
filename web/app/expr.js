// expr.js - the catalog's skip-rule language (src/core/expr.h), evaluated
// in the browser: the server offers no evaluation call, and the form must
// show and hide items as the answers change. The server still validates
// every survey it is sent with its own compiled rules.
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
// value is false. compile() throws Error on a syntax error or unknown
// name; the returned function takes (values, refDate 'YYYY-MM-DD').

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

function isSet(v) {
	return v !== undefined && v !== null && v !== '' &&
	    !(Array.isArray(v) && v.length === 0);
}

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
		return t.v;
	}

	set() {
		const vals = [];

		this.expect('{');
		do
			vals.push(this.value());
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

			l = (v, r) => a(v, r) || b(v, r);
		}
		return l;
	}

	and() {
		let l = this.unary();

		while (this.word('and')) {
			const a = l, b = this.unary();

			l = (v, r) => a(v, r) && b(v, r);
		}
		return l;
	}

	unary() {
		if (this.word('not')) {
			const a = this.unary();

			return (v, r) => !a(v, r);
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
		if (t.v === 'disaster_region')
			return () => false;	// needs the server's context
		return this.nameTest(t.v);
	}

	// The value a test reads (numbers for coded and numeric items,
	// arrays for multi, strings for text and dates), or undefined.
	loader(name) {
		if (name === 'age')
			return { type: 'int', load: (v, ref) =>
			    isSet(v.birth_date) ? age(v.birth_date, ref) :
			    undefined };
		const f = this.fields[name];

		if (!f)
			throw new Error(`unknown name ${name}`);
		const scale = 10 ** (f.scale || 0);
		const load = (v) => {
			const x = v[name];

			if (!isSet(x))
				return undefined;
			if (f.type === 'bool')
				return x === true ? 1 : 0;
			if (f.type === 'decimal')
				return Math.round(parseFloat(x) * scale);
			return x;
		};
		return { type: f.type, load };
	}

	nameTest(name) {
		const { type, load } = this.loader(name);

		if (this.word('has_any') || this.word('has')) {
			const any = this.toks[this.i - 1].v === 'has_any';
			const want = any ? this.set() : [this.value()];

			if (type !== 'multi')
				throw new Error(`has needs a multi item: ${name}`);
			return (v, r) => {
				const x = load(v, r);

				return x !== undefined &&
				    want.some((w) => x.includes(w));
			};
		}
		if (this.word('in')) {
			const t = this.peek();

			if (t && t.k === 'p' && t.v === '{') {
				const want = this.set();

				return (v, r) => {
					const x = load(v, r);

					return x !== undefined &&
					    want.includes(x);
				};
			}
			const lo = this.value();

			this.expect('..');
			const hi = this.value();

			return (v, r) => {
				const x = load(v, r);

				return x !== undefined && x >= lo && x <= hi;
			};
		}
		const op = this.peek();

		if (op && op.k === 'p' &&
		    ['=', '!=', '<', '<=', '>', '>='].includes(op.v)) {
			this.i++;
			const want = this.value();

			return (v, r) => {
				const x = load(v, r);

				return x !== undefined && cmp(op.v, x, want);
			};
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

// fields: catalog fields by code. Returns fn(values, refDate) -> boolean.
export function compile(src, fields) {
	if (!src || !src.trim())
		return () => true;
	return new Parser(src, fields, 0).parse();
}
