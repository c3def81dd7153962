import { describe, it, expect } from '@jest/globals';
import { parseQuery, parseQueryParameter, escapeQueryString, QuerySyntaxError, matches } from '../../simulator/index.js';
import type { QueryNode } from '../../simulator/index.js';

const entity = (fields: Record<string, unknown>) => ({ id: '1', type: 'defect', ...fields });
const none = () => undefined;

describe('parseQuery', () => {
  it('parses a comparison with each operator, words and symbols alike', () => {
    for (const [text, op] of [
      ['id EQ 5', 'EQ'],
      ['id=5', 'EQ'],
      ['id LT 5', 'LT'],
      ['id<5', 'LT'],
      ['id GT 5', 'GT'],
      ['id>5', 'GT'],
      ['id LE 5', 'LE'],
      ['id<=5', 'LE'],
      ['id GE 5', 'GE'],
      ['id >= 5', 'GE']
    ]) {
      expect(parseQuery(text!)).toEqual({ kind: 'compare', field: 'id', op, values: [{ kind: 'number', value: 5, raw: '5' }] });
    }
  });

  it('binds ; tighter than || and lets parentheses override', () => {
    const flat = parseQuery('a EQ 1;b EQ 2||c EQ 3');
    expect(flat.kind).toBe('or');
    expect((flat as Extract<QueryNode, { kind: 'or' }>).items[0]!.kind).toBe('and');
    const grouped = parseQuery('a EQ 1;(b EQ 2||c EQ 3)');
    expect(grouped.kind).toBe('and');
    expect((grouped as Extract<QueryNode, { kind: 'and' }>).items[1]!.kind).toBe('or');
    // Meaning, not just shape: a=0,b=0,c=3 matches the flat form only.
    const e = entity({ a: 0, b: 0, c: 3 });
    expect(matches(flat, e, none)).toBe(true);
    expect(matches(grouped, e, none)).toBe(false);
  });

  it('negates with !', () => {
    const q = parseQuery('!name EQ ^x^');
    expect(matches(q, entity({ name: 'x' }), none)).toBe(false);
    expect(matches(q, entity({ name: 'y' }), none)).toBe(true);
    expect(matches(parseQuery('!(name EQ ^x^||name EQ ^y^)'), entity({ name: 'y' }), none)).toBe(false);
  });

  it('reads backslash escapes literally and splits on unescaped * only', () => {
    const q = parseQuery(String.raw`name EQ ^R1 \^x\' \"\(y\)\" \\ \*^`);
    expect(q).toEqual({
      kind: 'compare',
      field: 'name',
      op: 'EQ',
      values: [{ kind: 'string', value: `R1 ^x' "(y)" \\ *`, segments: [`R1 ^x' "(y)" \\ *`] }]
    });
    const w = parseQuery('name EQ ^ab*cd^');
    expect(w).toMatchObject({ values: [{ kind: 'string', segments: ['ab', 'cd'] }] });
  });

  it('round-trips any text through escapeQueryString', () => {
    for (const text of ['plain', `R1 ^x' "(y)" \\ *`, '; || ! { } , ..', 'Ünïcödé 漢字 🚀', '\\\\', '*', '^^^']) {
      const q = parseQuery(`name EQ ^${escapeQueryString(text)}^`);
      expect(q).toMatchObject({ values: [{ kind: 'string', value: text, segments: [text] }] });
      expect(matches(q, entity({ name: text }), none)).toBe(true);
      expect(matches(q, entity({ name: `${text}x` }), none)).toBe(false);
    }
  });

  it('matches wildcards and text case-insensitively', () => {
    expect(matches(parseQuery('name EQ ^crash*^'), entity({ name: 'Crash on login' }), none)).toBe(true);
    expect(matches(parseQuery('name EQ ^*login^'), entity({ name: 'Crash on login' }), none)).toBe(true);
    expect(matches(parseQuery('name EQ ^*logout^'), entity({ name: 'Crash on login' }), none)).toBe(false);
    expect(matches(parseQuery('name EQ ^CRASH ON LOGIN^'), entity({ name: 'Crash on login' }), none)).toBe(true);
    expect(matches(parseQuery(String.raw`name EQ ^a\*^`), entity({ name: 'abc' }), none)).toBe(false);
    expect(matches(parseQuery(String.raw`name EQ ^a\*^`), entity({ name: 'a*' }), none)).toBe(true);
  });

  it('supports IN, BTW, null and single-quoted strings', () => {
    expect(matches(parseQuery('id IN 1,2, 3'), entity({ id: '2' }), none)).toBe(true);
    expect(matches(parseQuery('id IN 1,3'), entity({ id: '2' }), none)).toBe(false);
    expect(matches(parseQuery('id BTW 1...3'), entity({ id: '3' }), none)).toBe(true);
    expect(matches(parseQuery('id BTW 1..3'), entity({ id: '4' }), none)).toBe(false);
    expect(matches(parseQuery('release EQ null'), entity({ release: null }), none)).toBe(true);
    expect(matches(parseQuery('release EQ null'), entity({ release: { type: 'release', id: '9' } }), none)).toBe(false);
    expect(matches(parseQuery("name EQ 'a^b'"), entity({ name: 'a^b' }), none)).toBe(true);
  });

  it('evaluates cross filters against the referenced entity, and any of a multi-reference', () => {
    const targets: Record<string, { id: string; type: string; name: string }> = {
      '7': { id: '7', type: 'release', name: '2026.4' },
      '8': { id: '8', type: 'release', name: '2026.5' }
    };
    const resolve = (r: { id: string }) => targets[r.id];
    const q = parseQuery('release EQ {name EQ ^2026.4^}');
    expect(q).toMatchObject({ values: [{ kind: 'cross', query: { kind: 'compare', field: 'name' } }] });
    expect(matches(q, entity({ release: { type: 'release', id: '7' } }), resolve)).toBe(true);
    expect(matches(q, entity({ release: { type: 'release', id: '8' } }), resolve)).toBe(false);
    expect(matches(q, entity({ release: { type: 'release', id: '404' } }), resolve)).toBe(false);
    const multi = entity({
      release: {
        data: [
          { type: 'release', id: '8' },
          { type: 'release', id: '7' }
        ]
      }
    });
    expect(matches(q, multi, resolve)).toBe(true);
    expect(
      matches(parseQuery('release EQ {id IN 8,9}||release EQ {id EQ 7}'), entity({ release: { type: 'release', id: '7' } }), resolve)
    ).toBe(true);
  });

  it('rejects bad syntax with a QuerySyntaxError', () => {
    for (const bad of [
      '',
      'name',
      'name EQ',
      'name XX 1',
      'name EQ ^open',
      'name EQ ^a\\',
      'name EQ ^a^ b',
      '(id EQ 1',
      'id EQ 1;',
      'release EQ {id EQ 1',
      'name EQ abc',
      'id BTW 1',
      'id EQ 1 || || id EQ 2',
      '; id EQ 1'
    ]) {
      expect(() => parseQuery(bad)).toThrow(QuerySyntaxError);
    }
  });

  it('detects text that breaks out of a badly escaped string', () => {
    // The ^ in the name ends the string early; the rest is not a valid query.
    expect(() => parseQuery(`name EQ ^R1 ^x^`)).toThrow(QuerySyntaxError);
  });

  it('requires the query parameter to be enclosed in double quotes', () => {
    expect(parseQueryParameter('"id EQ 1"')).toMatchObject({ kind: 'compare' });
    for (const bad of ['id EQ 1', '"id EQ 1', 'id EQ 1"', '"']) expect(() => parseQueryParameter(bad)).toThrow(QuerySyntaxError);
  });
});

describe('parseQuery escaping modes (Octane documents none)', () => {
  const str = (text: string, escaping: 'any' | 'ci-sdk' | 'none') => {
    const q = parseQuery(`name EQ ^${text}^`, { escaping });
    return (q as Extract<QueryNode, { kind: 'compare' }>).values[0];
  };

  it("defaults to 'any': a backslash makes any next character literal", () => {
    expect(parseQuery(String.raw`name EQ ^a\^b\;c\*^`)).toEqual(parseQuery(String.raw`name EQ ^a\^b\;c\*^`, { escaping: 'any' }));
    expect(str(String.raw`a\^b\;c\*`, 'any')).toEqual({ kind: 'string', value: 'a^b;c*', segments: ['a^b;c*'] });
  });

  it("'ci-sdk' escapes only \\ \" ' ( ) and keeps any other backslash as text", () => {
    expect(str(String.raw`a\\b\"c\'d\(e\)`, 'ci-sdk')).toEqual({ kind: 'string', value: `a\\b"c'd(e)`, segments: [`a\\b"c'd(e)`] });
    expect(str(String.raw`a\;b\,c\{d\}`, 'ci-sdk')).toMatchObject({ value: String.raw`a\;b\,c\{d\}` });
    // \* is a literal backslash followed by a wildcard.
    expect(str(String.raw`a\*b`, 'ci-sdk')).toEqual({ kind: 'string', value: String.raw`a\*b`, segments: ['a\\', 'b'] });
    const star = parseQuery(String.raw`name EQ ^a\*b^`, { escaping: 'ci-sdk' });
    expect(matches(star, entity({ name: 'a\\xyzb' }), none)).toBe(true);
    expect(matches(star, entity({ name: 'a*b' }), none)).toBe(false);
  });

  it("'ci-sdk': \\^ ends the string, so what follows is read as query syntax", () => {
    expect(() => parseQuery(String.raw`name EQ ^a\^b^`, { escaping: 'ci-sdk' })).toThrow(QuerySyntaxError);
    // A string that ends in a backslash is just that.
    expect(str('a\\', 'ci-sdk')).toMatchObject({ value: 'a\\' });
    // What follows \^ is syntax: here it happens to be a valid query that means something else.
    const q = parseQuery(String.raw`name EQ ^a\^||name EQ ^b^`, { escaping: 'ci-sdk' });
    expect(matches(q, entity({ name: 'b' }), none)).toBe(true);
  });

  it("'none': a backslash is an ordinary character", () => {
    expect(str(String.raw`a\\b\(c\)`, 'none')).toEqual({ kind: 'string', value: String.raw`a\\b\(c\)`, segments: [String.raw`a\\b\(c\)`] });
    expect(str(String.raw`a\*b`, 'none')).toMatchObject({ segments: ['a\\', 'b'] });
    expect(() => parseQuery(String.raw`name EQ ^a\^b^`, { escaping: 'none' })).toThrow(QuerySyntaxError);
    expect(() => parseQuery(String.raw`name EQ 'a\'b'`, { escaping: 'none' })).toThrow(QuerySyntaxError);
    expect(str('a\\', 'none')).toMatchObject({ value: 'a\\' });
  });

  it('treats an unescaped * as a wildcard under every mode', () => {
    for (const escaping of ['any', 'ci-sdk', 'none'] as const) {
      const q = parseQuery('name EQ ^R1 *x* *y*^', { escaping });
      expect(matches(q, entity({ name: `R1 ^x' "(y)" \\ *` }), none)).toBe(true);
      expect(matches(q, entity({ name: 'R2 x y' }), none)).toBe(false);
    }
  });

  it('passes the mode on from parseQueryParameter', () => {
    expect(() => parseQueryParameter(String.raw`"name EQ ^a\^b^"`, { escaping: 'none' })).toThrow(QuerySyntaxError);
    expect(parseQueryParameter(String.raw`"name EQ ^a\^b^"`)).toMatchObject({ values: [{ value: 'a^b' }] });
  });
});
