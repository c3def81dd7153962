/**
 * Parser of Octane's query language, the text between the enclosing double quotes of `query="..."`.
 *
 *   expr    := and ('||' and)*          -- ';' binds tighter than '||'
 *   and     := unary (';' unary)*
 *   unary   := '!' unary | '(' expr ')' | compare
 *   compare := field OP value | field IN value (',' value)* | field BTW value ('..'|'...') value
 *   OP      := EQ LT GT LE GE | = < > <= >=
 *   value   := ^string^ | 'string' | number | null | true | false | '{' expr '}'  (a cross filter)
 *
 * Inside a string an unescaped '*' is a wildcard. What a backslash means is not documented, so it
 * depends on `escaping` (see ParseOptions). Anything else is a QuerySyntaxError.
 */

export type CompareOp = 'EQ' | 'LT' | 'GT' | 'LE' | 'GE' | 'IN' | 'BTW';

export type QueryValue =
  /** `segments` are the literal pieces between unescaped '*' wildcards: one segment means no wildcard. */
  | { kind: 'string'; value: string; segments: string[] }
  | { kind: 'number'; value: number; raw: string }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  /** `field EQ {subquery}`: the referenced entity must match the subquery. */
  | { kind: 'cross'; query: QueryNode };

export type QueryNode =
  | { kind: 'and'; items: QueryNode[] }
  | { kind: 'or'; items: QueryNode[] }
  | { kind: 'not'; operand: QueryNode }
  /** EQ/LT/GT/LE/GE have one value, IN one or more, BTW two. */
  | { kind: 'compare'; field: string; op: CompareOp; values: QueryValue[] };

export class QuerySyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number
  ) {
    super(`${message} at position ${position}`);
    this.name = 'QuerySyntaxError';
  }
}

/**
 * How a backslash inside a string is read, one mode per plausible server (Octane documents none):
 *  'any'    a backslash makes any next character literal (so \^ \\ \* \' \" \( \) are plain text);
 *  'ci-sdk' only \ " ' ( ) can be escaped (the CI SDK's set); before anything else the backslash is
 *           a literal character and the next one keeps its meaning, so `\^` ends the string and
 *           `\*` is a backslash followed by a wildcard;
 *  'none'   a backslash is an ordinary character.
 */
export type Escaping = 'any' | 'ci-sdk' | 'none';

export interface ParseOptions {
  /** Default 'any'. */
  escaping?: Escaping;
}

const CI_SDK_ESCAPABLE = new Set(['\\', '"', "'", '(', ')']);

const WORD_OPS: Record<string, CompareOp> = { EQ: 'EQ', LT: 'LT', GT: 'GT', LE: 'LE', GE: 'GE', IN: 'IN', BTW: 'BTW' };

class Parser {
  private pos = 0;
  constructor(
    private readonly text: string,
    private readonly escaping: Escaping = 'any'
  ) {}

  parse(): QueryNode {
    const node = this.expr();
    this.skipSpace();
    if (this.pos < this.text.length) this.fail(`unexpected '${this.text[this.pos]}'`);
    return node;
  }

  private fail(message: string): never {
    throw new QuerySyntaxError(message, this.pos);
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  private peek(s: string): boolean {
    this.skipSpace();
    return this.text.startsWith(s, this.pos);
  }

  private eat(s: string): boolean {
    if (this.peek(s)) {
      this.pos += s.length;
      return true;
    }
    return false;
  }

  private expr(): QueryNode {
    const items = [this.and()];
    while (this.eat('||')) items.push(this.and());
    return items.length === 1 ? items[0]! : { kind: 'or', items };
  }

  private and(): QueryNode {
    const items = [this.unary()];
    while (this.eat(';')) items.push(this.unary());
    return items.length === 1 ? items[0]! : { kind: 'and', items };
  }

  private unary(): QueryNode {
    if (this.eat('!')) return { kind: 'not', operand: this.unary() };
    if (this.eat('(')) {
      const inner = this.expr();
      if (!this.eat(')')) this.fail("expected ')'");
      return inner;
    }
    return this.compare();
  }

  private compare(): QueryNode {
    this.skipSpace();
    const field = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos))?.[0];
    if (!field)
      this.fail(this.pos >= this.text.length ? 'unexpected end of query' : `expected a field name, found '${this.text[this.pos]}'`);
    this.pos += field.length;
    const op = this.operator();
    if (op === 'IN') {
      const values = [this.value()];
      while (this.eat(',')) values.push(this.value());
      return { kind: 'compare', field, op, values };
    }
    if (op === 'BTW') {
      const low = this.value();
      if (!this.eat('...') && !this.eat('..')) this.fail("expected '...' in BTW");
      return { kind: 'compare', field, op, values: [low, this.value()] };
    }
    return { kind: 'compare', field, op, values: [this.value()] };
  }

  private operator(): CompareOp {
    this.skipSpace();
    for (const [sym, op] of [
      ['<=', 'LE'],
      ['>=', 'GE'],
      ['=', 'EQ'],
      ['<', 'LT'],
      ['>', 'GT']
    ] as const) {
      if (this.text.startsWith(sym, this.pos)) {
        this.pos += sym.length;
        return op;
      }
    }
    const word = /^[A-Za-z]+/.exec(this.text.slice(this.pos))?.[0] ?? '';
    const op = WORD_OPS[word];
    if (!op) this.fail(word ? `unknown operator '${word}'` : 'expected an operator');
    this.pos += word.length;
    return op;
  }

  private value(): QueryValue {
    this.skipSpace();
    const c = this.text[this.pos];
    if (c === undefined) this.fail('expected a value, found the end of the query');
    if (c === '^' || c === "'") return this.string(c);
    if (c === '{') {
      this.pos++;
      const query = this.expr();
      if (!this.eat('}')) this.fail("expected '}'");
      return { kind: 'cross', query };
    }
    const num = /^-?\d+(?:\.\d+)?/.exec(this.text.slice(this.pos))?.[0];
    if (num) {
      this.pos += num.length;
      return { kind: 'number', value: Number(num), raw: num };
    }
    const word = /^[A-Za-z_]+/.exec(this.text.slice(this.pos))?.[0];
    if (word === 'null') {
      this.pos += 4;
      return { kind: 'null' };
    }
    if (word === 'true' || word === 'false') {
      this.pos += word.length;
      return { kind: 'boolean', value: word === 'true' };
    }
    this.fail(`expected a value (^string^, number, null or {cross filter}), found '${c}'`);
  }

  private string(quote: string): QueryValue {
    const start = this.pos;
    this.pos++;
    const segments: string[] = [];
    let current = '';
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined) throw new QuerySyntaxError('unterminated string', start);
      this.pos++;
      if (c === quote) break;
      if (c === '\\' && this.escaping !== 'none') {
        const next = this.text[this.pos];
        if (this.escaping === 'any') {
          if (next === undefined) throw new QuerySyntaxError('backslash at the end of a string', this.pos - 1);
          current += next;
          this.pos++;
        } else if (next !== undefined && CI_SDK_ESCAPABLE.has(next)) {
          current += next;
          this.pos++;
        } else {
          // Not escapable here: the backslash is text and the next character is read as usual.
          current += c;
        }
      } else if (c === '*') {
        segments.push(current);
        current = '';
      } else {
        current += c;
      }
    }
    segments.push(current);
    return { kind: 'string', value: segments.join('*'), segments };
  }
}

/** Parses a query expression (without the enclosing double quotes). Throws QuerySyntaxError. */
export function parseQuery(text: string, options: ParseOptions = {}): QueryNode {
  return new Parser(text, options.escaping).parse();
}

/**
 * Parses the raw `query` parameter as sent (after URL decoding): it must be enclosed in double quotes.
 * Throws QuerySyntaxError otherwise.
 */
export function parseQueryParameter(raw: string, options: ParseOptions = {}): QueryNode {
  if (raw.length < 2 || !raw.startsWith('"') || !raw.endsWith('"')) {
    throw new QuerySyntaxError('the query must be enclosed in double quotes', 0);
  }
  return parseQuery(raw.slice(1, -1), options);
}

/** Escapes text so that it is literal inside ^...^ (backslash before every metacharacter). */
export function escapeQueryString(text: string): string {
  return text.replace(/[\\^'"()*]/g, (m) => `\\${m}`);
}
