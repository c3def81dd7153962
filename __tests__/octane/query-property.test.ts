// Property: whatever a name is made of, the query the action sends for it parses, and matches the
// entity with exactly that name and no other, in the simulator's parser and evaluator.
import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import { eq, and, idEq } from '../../src/octane/query.js';
import { parseQuery, parseQueryParameter } from '../../simulator/query/parser.js';
import { matches, type EntityLike } from '../../simulator/query/evaluate.js';

const METACHARACTERS = ['^', "'", '"', '(', ')', '\\', '*', ';', '|', ',', '{', '}', '!'];
const UNICODE = ['é', 'ß', 'İ', 'ı', 'Ω', '漢', '😀', '𝕏', '👩‍💻', '\u200d', '\u0301', ' ', 'a', 'Z', '0', '.', '%', '+', '&', '=', '<', '>'];

/** One code point or grapheme: mostly metacharacters, mixed with Unicode (astral included). */
const piece = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...METACHARACTERS) },
  { weight: 1, arbitrary: fc.constantFrom(...UNICODE) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) }
);
const nameArb = fc.array(piece, { minLength: 1, maxLength: 24 }).map((parts) => parts.join(''));

/** Names that differ from `name` by one character (replaced, inserted or removed), and in more than case,
 * since the simulator (like Octane) compares text without regard to case. */
function neighbours(name: string, replacement: string, at: number): string[] {
  const chars = Array.from(name);
  const i = at % (chars.length + 1);
  const out: string[] = [];
  if (i < chars.length) {
    out.push([...chars.slice(0, i), replacement, ...chars.slice(i + 1)].join(''));
    out.push([...chars.slice(0, i), ...chars.slice(i + 1)].join(''));
  }
  out.push([...chars.slice(0, i), replacement, ...chars.slice(i)].join(''));
  return out.filter((other) => other.toLowerCase() !== name.toLowerCase());
}

const resolve = (): undefined => undefined;
const entity = (id: string, name: string): EntityLike => ({ id, type: 'release', name });

describe('eq(name) over hostile names', () => {
  it('parses, reads back the exact name, and matches that name and no neighbour', () => {
    fc.assert(
      fc.property(nameArb, fc.constantFrom(...METACHARACTERS, ...UNICODE, 'x'), fc.nat(64), (name, replacement, at) => {
        const query = eq('name', name);
        const node = parseQuery(query);
        // One comparison on one string value, the name verbatim, without wildcard segments.
        expect(node).toEqual({ kind: 'compare', field: 'name', op: 'EQ', values: [{ kind: 'string', value: name, segments: [name] }] });
        expect(matches(node, entity('1', name), resolve)).toBe(true);
        for (const other of neighbours(name, replacement, at)) {
          expect(matches(node, entity('2', other), resolve)).toBe(false);
        }
      }),
      { numRuns: 1000 }
    );
  });

  it('survives the trip through the query parameter: enclosing quotes and URL encoding', () => {
    fc.assert(
      fc.property(nameArb, nameArb, (name, other) => {
        const query = and(idEq('id', '1'), eq('name', name));
        const sent = new URLSearchParams({ query: `"${query}"` }).toString();
        const received = new URLSearchParams(sent).get('query')!;
        const node = parseQueryParameter(received);
        expect(matches(node, entity('1', name), resolve)).toBe(true);
        expect(matches(node, entity('2', name), resolve)).toBe(false);
        if (other.toLowerCase() !== name.toLowerCase()) expect(matches(node, entity('1', other), resolve)).toBe(false);
      }),
      { numRuns: 500 }
    );
  });

  it('keeps two names apart in one query', () => {
    fc.assert(
      fc.property(nameArb, nameArb, (a, b) => {
        const node = parseQuery(and(eq('name', a), eq('description', b)));
        expect(node.kind).toBe('and');
        const e = { id: '1', type: 'defect', name: a, description: b };
        expect(matches(node, e, resolve)).toBe(true);
      }),
      { numRuns: 300 }
    );
  });
});
