// The trials query box: a small expression language over a trial's fields, params and last reported
// metrics (`lr < 1e-3 and val_acc > 0.98`), parsed by hand (never eval) into a tree, then evaluated
// per trial. Grammar:
//   expr    := or
//   or      := and ("or" and)*
//   and     := not ("and" not)*
//   not     := "not" not | primary
//   primary := "(" expr ")" | operand (op operand)?
//   op      := < <= > >= == = != ~ (~ is "contains", case-insensitive)
//   operand := number | 'string' | "string" | true | false | null | name | `any name`
// A name is looked up as a trial field (number, state, value, worker, error), then a param, then a
// metric, then a user attribute; `params.x`, `metrics.x` (or `m.x`), `p.x` and `attr.x` (or `a.x`)
// name one of them explicitly. A bare name on its
// own is true when the value is present and truthy. Comparisons with a missing value are false.
// A name may resolve to a list (a trial's `tags`): `tags = "x"` is true when some element equals x,
// `tags ~ "x"` when some element contains it, `tags != "x"` when none equals it; a bare list is true
// when non-empty; the ordering operators are false on a list.

export type QueryValue = number | string | boolean | null;
/** What a name resolves to: a scalar, or a list of strings (a trial's tags). */
export type ResolvedValue = QueryValue | readonly string[];

export type QueryNode =
  | { kind: 'or' | 'and'; left: QueryNode; right: QueryNode }
  | { kind: 'not'; arg: QueryNode }
  | { kind: 'cmp'; op: CmpOp; left: Operand; right: Operand }
  | { kind: 'truthy'; arg: Operand };

export type CmpOp = '<' | '<=' | '>' | '>=' | '==' | '!=' | '~';
export type Operand = { kind: 'lit'; value: QueryValue } | { kind: 'name'; name: string };

/** A query the parser refused: `at` is the character offset the problem starts at. */
export class QueryError extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
    this.name = 'QueryError';
  }
}

type Token =
  | { t: 'num'; v: number; at: number }
  | { t: 'str'; v: string; at: number }
  | { t: 'name'; v: string; at: number }
  | { t: 'op'; v: CmpOp; at: number }
  | { t: '(' | ')'; at: number }
  | { t: 'kw'; v: 'and' | 'or' | 'not' | 'true' | 'false' | 'null'; at: number };

const KEYWORDS = new Set(['and', 'or', 'not', 'true', 'false', 'null']);
const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/;
const NAME_RE = /^[A-Za-z_][A-Za-z0-9_.]*/;
const MAX_LENGTH = 2000;

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i] ?? '';
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === '(' || ch === ')') {
      out.push({ t: ch, at: i });
      i++;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (two === '<=' || two === '>=' || two === '==' || two === '!=') {
      out.push({ t: 'op', v: two, at: i });
      i += 2;
      continue;
    }
    if (ch === '<' || ch === '>' || ch === '~') {
      out.push({ t: 'op', v: ch, at: i });
      i++;
      continue;
    }
    if (ch === '=') {
      out.push({ t: 'op', v: '==', at: i });
      i++;
      continue;
    }
    if (ch === '&' && src[i + 1] === '&') {
      out.push({ t: 'kw', v: 'and', at: i });
      i += 2;
      continue;
    }
    if (ch === '|' && src[i + 1] === '|') {
      out.push({ t: 'kw', v: 'or', at: i });
      i += 2;
      continue;
    }
    if (ch === '!') {
      out.push({ t: 'kw', v: 'not', at: i });
      i++;
      continue;
    }
    if (ch === '"' || ch === "'" || ch === '`') {
      const end = src.indexOf(ch, i + 1);
      if (end < 0) throw new QueryError(`Unclosed ${ch}`, i);
      const text = src.slice(i + 1, end);
      out.push(ch === '`' ? { t: 'name', v: text, at: i } : { t: 'str', v: text, at: i });
      i = end + 1;
      continue;
    }
    const rest = src.slice(i);
    // a sign is part of a number only where an operand starts (after an operator, "(" or at the start)
    const prev = out[out.length - 1];
    const operandStart = !prev || prev.t === 'op' || prev.t === '(' || prev.t === 'kw';
    const num =
      /^[0-9.]/.test(ch) || (operandStart && /^[+-][0-9.]/.test(rest)) ? NUMBER_RE.exec(rest) : null;
    if (num) {
      out.push({ t: 'num', v: Number(num[0]), at: i });
      i += num[0].length;
      continue;
    }
    const name = NAME_RE.exec(rest);
    if (name) {
      const word = name[0];
      const lower = word.toLowerCase();
      if (KEYWORDS.has(lower)) out.push({ t: 'kw', v: lower as 'and', at: i });
      else out.push({ t: 'name', v: word, at: i });
      i += word.length;
      continue;
    }
    throw new QueryError(`Unexpected "${ch}"`, i);
  }
  return out;
}

/** Parses a query; the empty query is null (every trial matches). Throws QueryError. */
export function parseQuery(src: string): QueryNode | null {
  if (src.length > MAX_LENGTH)
    throw new QueryError(`A query is at most ${MAX_LENGTH} characters`, MAX_LENGTH);
  const tokens = tokenize(src);
  if (tokens.length === 0) return null;
  let pos = 0;
  const peek = () => tokens[pos];
  const end = src.length;
  const isKw = (v: string) => {
    const t = peek();
    return t?.t === 'kw' && t.v === v;
  };

  function or(): QueryNode {
    let left = and();
    while (isKw('or')) {
      pos++;
      left = { kind: 'or', left, right: and() };
    }
    return left;
  }
  function and(): QueryNode {
    let left = not();
    while (isKw('and')) {
      pos++;
      left = { kind: 'and', left, right: not() };
    }
    return left;
  }
  function not(): QueryNode {
    if (isKw('not')) {
      pos++;
      return { kind: 'not', arg: not() };
    }
    return primary();
  }
  function primary(): QueryNode {
    const t = peek();
    if (t?.t === '(') {
      pos++;
      const inner = or();
      const close = peek();
      if (close?.t !== ')') throw new QueryError('Missing ")"', close?.at ?? end);
      pos++;
      return inner;
    }
    const left = operand();
    const op = peek();
    if (op?.t === 'op') {
      pos++;
      return { kind: 'cmp', op: op.v, left, right: operand() };
    }
    if (left.kind === 'lit') throw new QueryError('Expected a comparison after a value', op?.at ?? end);
    return { kind: 'truthy', arg: left };
  }
  function operand(): Operand {
    const t = peek();
    if (!t) throw new QueryError('The query ends too early', end);
    pos++;
    if (t.t === 'num') return { kind: 'lit', value: t.v };
    if (t.t === 'str') return { kind: 'lit', value: t.v };
    if (t.t === 'name') return { kind: 'name', name: t.v };
    if (t.t === 'kw' && (t.v === 'true' || t.v === 'false')) return { kind: 'lit', value: t.v === 'true' };
    if (t.t === 'kw' && t.v === 'null') return { kind: 'lit', value: null };
    throw new QueryError(`Expected a name or a value, found "${'v' in t ? t.v : t.t}"`, t.at);
  }

  const tree = or();
  const extra = peek();
  if (extra) throw new QueryError(`Unexpected "${'v' in extra ? extra.v : extra.t}"`, extra.at);
  return tree;
}

/** Looks a name up on one trial: undefined when it has no such field, param or metric. */
export type Resolve = (name: string) => ResolvedValue | undefined;

function operandValue(o: Operand, resolve: Resolve): ResolvedValue | undefined {
  return o.kind === 'lit' ? o.value : resolve(o.name);
}

const isList = (v: ResolvedValue | undefined): v is readonly string[] => Array.isArray(v);

function compare(op: CmpOp, a: ResolvedValue | undefined, b: ResolvedValue | undefined): boolean {
  // a list on either side: some element compares (`!=`: no element equals)
  if (isList(a) || isList(b)) {
    if (isList(a) && isList(b)) return false;
    const [list, other] = isList(a) ? [a, b as QueryValue | undefined] : [b as readonly string[], a];
    if (op === '!=') return !list.some((e) => compare('==', e, other));
    if (op === '==' || op === '~')
      return list.some((e) => (isList(a) ? compare(op, e, other) : compare(op, other, e)));
    return false;
  }
  if (op === '==' || op === '!=') {
    // null compares to a missing value: `error == null` is true for a trial without an error
    const eq =
      (a === undefined || a === null) && (b === undefined || b === null)
        ? true
        : typeof a === 'string' && typeof b === 'string'
          ? a.toLowerCase() === b.toLowerCase()
          : a === b;
    return op === '==' ? eq : !eq;
  }
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (op === '~') return String(a).toLowerCase().includes(String(b).toLowerCase());
  if (typeof a === 'number' && typeof b === 'number') {
    if (op === '<') return a < b;
    if (op === '<=') return a <= b;
    if (op === '>') return a > b;
    return a >= b;
  }
  if (typeof a === 'string' && typeof b === 'string') {
    const c = a.localeCompare(b);
    if (op === '<') return c < 0;
    if (op === '<=') return c <= 0;
    if (op === '>') return c > 0;
    return c >= 0;
  }
  return false;
}

export function evaluate(node: QueryNode, resolve: Resolve): boolean {
  switch (node.kind) {
    case 'or':
      return evaluate(node.left, resolve) || evaluate(node.right, resolve);
    case 'and':
      return evaluate(node.left, resolve) && evaluate(node.right, resolve);
    case 'not':
      return !evaluate(node.arg, resolve);
    case 'truthy': {
      const v = operandValue(node.arg, resolve);
      if (isList(v)) return v.length > 0;
      return v !== undefined && v !== null && v !== false && v !== 0 && v !== '';
    }
    case 'cmp':
      return compare(node.op, operandValue(node.left, resolve), operandValue(node.right, resolve));
  }
}

/** Every name a query refers to (for "unknown name" hints). */
export function queryNames(node: QueryNode | null): string[] {
  const out = new Set<string>();
  const walk = (n: QueryNode) => {
    if (n.kind === 'or' || n.kind === 'and') {
      walk(n.left);
      walk(n.right);
    } else if (n.kind === 'not') walk(n.arg);
    else if (n.kind === 'truthy') {
      if (n.arg.kind === 'name') out.add(n.arg.name);
    } else {
      if (n.left.kind === 'name') out.add(n.left.name);
      if (n.right.kind === 'name') out.add(n.right.name);
    }
  };
  if (node) walk(node);
  return [...out];
}
