/**
 * DynamoDB's expression language, as much of it as this system uses — condition expressions
 * (comparisons, IN, AND/OR/NOT, attribute_exists/attribute_not_exists, begins_with), key
 * conditions, and update expressions (SET path = operand, REMOVE path) — evaluated on plain JS
 * items (the DocumentClient's form). Names and values must all be used, as DynamoDB insists.
 */

type Token =
  | { t: 'name'; v: string } // #alias or a bare attribute name
  | { t: 'value'; v: string } // :value
  | { t: 'op'; v: string } // = <> < <= > >= ( ) ,
  | { t: 'word'; v: string }; // AND OR NOT IN BETWEEN SET REMOVE and function names

export class ExpressionError extends Error {
  override name = 'ValidationException';
}

const tokenize = (text: string): Token[] => {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (['<>', '<=', '>='].includes(two)) {
      out.push({ t: 'op', v: two });
      i += 2;
      continue;
    }
    if ('=<>(),'.includes(c)) {
      out.push({ t: 'op', v: c });
      i++;
      continue;
    }
    const m = /^[#:]?[A-Za-z0-9_]+/.exec(text.slice(i));
    if (!m) throw new ExpressionError(`Invalid expression: unexpected character at ${i}`);
    const word = m[0];
    i += word.length;
    if (word.startsWith(':')) out.push({ t: 'value', v: word });
    else if (word.startsWith('#')) out.push({ t: 'name', v: word });
    else if (/^(AND|OR|NOT|IN|BETWEEN|SET|REMOVE|ADD|DELETE)$/i.test(word))
      out.push({ t: 'word', v: word.toUpperCase() });
    else if (/^(attribute_exists|attribute_not_exists|begins_with|size|if_not_exists)$/.test(word))
      out.push({ t: 'word', v: word });
    else out.push({ t: 'name', v: word });
  }
  return out;
};

export interface Context {
  names: Record<string, string>;
  values: Record<string, unknown>;
  usedNames: Set<string>;
  usedValues: Set<string>;
}

export const context = (names?: Record<string, string>, values?: Record<string, unknown>): Context => ({
  names: names ?? {},
  values: values ?? {},
  usedNames: new Set(),
  usedValues: new Set(),
});

/** DynamoDB refuses a request that defines a name or value its expressions do not use. */
export const checkAllUsed = (ctx: Context) => {
  for (const k of Object.keys(ctx.values))
    if (!ctx.usedValues.has(k))
      throw new ExpressionError(
        `Value provided in ExpressionAttributeValues unused in expressions: keys: {${k}}`,
      );
  for (const k of Object.keys(ctx.names))
    if (!ctx.usedNames.has(k))
      throw new ExpressionError(
        `Value provided in ExpressionAttributeNames unused in expressions: keys: {${k}}`,
      );
};

const attributeName = (ctx: Context, tok: Token): string => {
  if (tok.t !== 'name') throw new ExpressionError('Invalid expression: an attribute name was expected');
  if (!tok.v.startsWith('#')) return tok.v;
  const name = ctx.names[tok.v];
  if (name === undefined)
    throw new ExpressionError(
      `An expression attribute name used in the document path is not defined; attribute name: ${tok.v}`,
    );
  ctx.usedNames.add(tok.v);
  return name;
};

const valueOf = (ctx: Context, tok: Token): unknown => {
  if (!(tok.v in ctx.values))
    throw new ExpressionError(
      `An expression attribute value used in expression is not defined; attribute value: ${tok.v}`,
    );
  ctx.usedValues.add(tok.v);
  return ctx.values[tok.v];
};

type Operand = { kind: 'path'; name: string } | { kind: 'value'; value: unknown };

class Parser {
  private i = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly ctx: Context,
  ) {}
  private peek = () => this.tokens[this.i];
  private next = () => {
    const tok = this.tokens[this.i++];
    if (!tok) throw new ExpressionError('Invalid expression: unexpected end');
    return tok;
  };
  private expect(v: string) {
    const tok = this.next();
    if (tok.v !== v) throw new ExpressionError(`Invalid expression: expected ${v}, found ${tok.v}`);
  }
  done() {
    if (this.i !== this.tokens.length)
      throw new ExpressionError(`Invalid expression: unexpected ${this.peek()?.v}`);
  }
  operand(): Operand {
    const tok = this.next();
    if (tok.t === 'value') return { kind: 'value', value: valueOf(this.ctx, tok) };
    return { kind: 'path', name: attributeName(this.ctx, tok) };
  }
  /** condition := or */
  condition(): (item: Record<string, unknown> | undefined) => boolean {
    let left = this.and();
    while (this.peek()?.v === 'OR') {
      this.next();
      const l = left;
      const r = this.and();
      left = (item) => l(item) || r(item);
    }
    return left;
  }
  private and(): (item: Record<string, unknown> | undefined) => boolean {
    let left = this.not();
    while (this.peek()?.v === 'AND') {
      this.next();
      const l = left;
      const r = this.not();
      left = (item) => l(item) && r(item);
    }
    return left;
  }
  private not(): (item: Record<string, unknown> | undefined) => boolean {
    if (this.peek()?.v === 'NOT') {
      this.next();
      const inner = this.not();
      return (item) => !inner(item);
    }
    return this.primary();
  }
  private primary(): (item: Record<string, unknown> | undefined) => boolean {
    const tok = this.peek();
    if (tok?.v === '(') {
      this.next();
      const inner = this.condition();
      this.expect(')');
      return inner;
    }
    if (tok?.t === 'word' && ['attribute_exists', 'attribute_not_exists', 'begins_with'].includes(tok.v)) {
      this.next();
      this.expect('(');
      const path = this.operand();
      if (path.kind !== 'path')
        throw new ExpressionError(`Invalid ${tok.v}: the first operand must be a path`);
      if (tok.v === 'begins_with') {
        this.expect(',');
        const prefix = this.operand();
        this.expect(')');
        return (item) => {
          const v = item?.[path.name];
          const p = resolve(prefix, item);
          return typeof v === 'string' && typeof p === 'string' && v.startsWith(p);
        };
      }
      this.expect(')');
      return tok.v === 'attribute_exists'
        ? (item) => item !== undefined && item[path.name] !== undefined
        : (item) => item === undefined || item[path.name] === undefined;
    }
    const left = this.operand();
    const op = this.next();
    if (op.v === 'IN') {
      this.expect('(');
      const options: Operand[] = [this.operand()];
      while (this.peek()?.v === ',') {
        this.next();
        options.push(this.operand());
      }
      this.expect(')');
      return (item) => {
        const l = resolve(left, item);
        return l !== undefined && options.some((o) => equal(l, resolve(o, item)));
      };
    }
    if (!['=', '<>', '<', '<=', '>', '>='].includes(op.v))
      throw new ExpressionError(`Invalid expression: unsupported operator ${op.v}`);
    const right = this.operand();
    return (item) => compare(op.v, resolve(left, item), resolve(right, item));
  }
  /** update := (SET assignments | REMOVE paths)+ */
  update(): (item: Record<string, unknown>) => Record<string, unknown> {
    const actions: ((item: Record<string, unknown>, base: Record<string, unknown>) => void)[] = [];
    const seen = new Set<string>();
    const touch = (name: string) => {
      if (seen.has(name))
        throw new ExpressionError(
          `Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [${name}]`,
        );
      seen.add(name);
    };
    while (this.peek()) {
      const clause = this.next();
      if (clause.v === 'SET') {
        do {
          if (this.peek()?.v === ',') this.next();
          const target = this.operand();
          if (target.kind !== 'path') throw new ExpressionError('Invalid UpdateExpression: SET needs a path');
          touch(target.name);
          this.expect('=');
          const source = this.operand();
          actions.push((item, base) => {
            const v = resolve(source, base);
            if (v === undefined)
              throw new ExpressionError(
                'The provided expression refers to an attribute that does not exist in the item',
              );
            item[target.name] = v;
          });
        } while (this.peek()?.v === ',');
      } else if (clause.v === 'REMOVE') {
        do {
          if (this.peek()?.v === ',') this.next();
          const target = this.operand();
          if (target.kind !== 'path')
            throw new ExpressionError('Invalid UpdateExpression: REMOVE needs a path');
          touch(target.name);
          actions.push((item) => {
            delete item[target.name];
          });
        } while (this.peek()?.v === ',');
      } else throw new ExpressionError(`Invalid UpdateExpression: unsupported clause ${clause.v}`);
    }
    return (item) => {
      const out = { ...item };
      for (const a of actions) a(out, item); // every operand reads the item as it was
      return out;
    };
  }
}

const resolve = (o: Operand, item: Record<string, unknown> | undefined): unknown =>
  o.kind === 'value' ? o.value : item?.[o.name];

const equal = (a: unknown, b: unknown): boolean =>
  a === b || (typeof a === 'object' && typeof b === 'object' && JSON.stringify(a) === JSON.stringify(b));

const compare = (op: string, a: unknown, b: unknown): boolean => {
  if (a === undefined || b === undefined)
    return op === '<>' ? !(a === undefined && b === undefined) && a !== b : false;
  if (op === '=') return equal(a, b);
  if (op === '<>') return !equal(a, b);
  // Ordering: numbers with numbers, strings with strings (by UTF-8 bytes, as DynamoDB does).
  if (typeof a !== typeof b || (typeof a !== 'number' && typeof a !== 'string')) return false;
  const c =
    typeof a === 'number'
      ? a - (b as number)
      : Buffer.compare(Buffer.from(a as string, 'utf8'), Buffer.from(b as string, 'utf8'));
  return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
};

/** The code uses a handful of expressions, over and over: each is tokenized once. */
const tokenCache = new Map<string, Token[]>();
const tokensOf = (text: string): Token[] => {
  let tokens = tokenCache.get(text);
  if (!tokens) {
    tokens = tokenize(text);
    if (tokenCache.size > 1000) tokenCache.clear();
    tokenCache.set(text, tokens);
  }
  return tokens;
};

export const parseCondition = (text: string, ctx: Context) => {
  const p = new Parser(tokensOf(text), ctx);
  const f = p.condition();
  p.done();
  return f;
};

export const parseUpdate = (text: string, ctx: Context) => {
  const p = new Parser(tokensOf(text), ctx);
  const f = p.update();
  p.done();
  return f;
};

/** A key condition: `hashKey = :v` and optionally `AND begins_with(rangeKey, :p)` or a comparison. */
export const parseKeyCondition = (text: string, ctx: Context) => parseCondition(text, ctx);
