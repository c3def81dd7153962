// Property (issue 3, "Security suite"): whatever a release name is made of (query metacharacters,
// Unicode incl. astral characters), the look-up the action does through the real client against the
// simulator finds exactly that release: the query parses (no 400), its answer holds the release and
// none of the decoys around it, and findRelease returns its id.
import { beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { OctaneApi, Page } from '../../src/octane/api.js';
import { findRelease } from '../../src/lookups.js';
import { tampered, useSignedInClient } from '../helpers/octane-client.js';

const METACHARACTERS = ['^', "'", '"', '(', ')', '\\', '*', ';', '|', ',', '{', '}', '!'];
const UNICODE = ['é', 'ß', 'Ω', '漢', '😀', '𝕏', '👩‍💻', '\u0301', ' ', 'a', 'Z', '0', '.', '%', '+', '&', '=', '<', '>', '?', '#', '/'];

const piece = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...METACHARACTERS) },
  { weight: 2, arbitrary: fc.constantFrom(...UNICODE) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) }
);
// Names as the action accepts them: no leading/trailing space (inputs are trimmed), no controls.
const isControl = (c: string): boolean => c.codePointAt(0)! <= 0x1f || (c.codePointAt(0)! >= 0x7f && c.codePointAt(0)! <= 0x9f);
const usable = (name: string): boolean => name.trim() === name && name !== '' && !Array.from(name).some(isControl);
const nameArb = fc
  .array(piece, { minLength: 1, maxLength: 20 })
  .map((parts) => parts.join(''))
  .filter(usable);

/**
 * Names one character away from `name` (replaced, removed, inserted), plus its case variants. Each
 * decoy is tagged with whether a case-insensitive server may rightly return it for the query.
 */
function decoys(name: string, extra: string, at: number): Array<{ name: string; sameButCase: boolean }> {
  const chars = Array.from(name);
  const i = at % (chars.length + 1);
  const raw: string[] = [];
  if (i < chars.length) {
    raw.push([...chars.slice(0, i), extra, ...chars.slice(i + 1)].join(''));
    raw.push([...chars.slice(0, i), ...chars.slice(i + 1)].join(''));
  }
  raw.push([...chars.slice(0, i), extra, ...chars.slice(i)].join(''));
  raw.push(`${name}*`, `*${name}`, name.toUpperCase(), name.toLowerCase());
  const seen = new Set<string>([name]);
  const out: Array<{ name: string; sameButCase: boolean }> = [];
  for (const d of raw) {
    if (seen.has(d) || !usable(d)) continue;
    seen.add(d);
    // The look-up also asks for the name's NFC and NFD forms, so a decoy that differs only in case once
    // decomposed (upper-case ὔ is Υ plus two combining marks) may rightly come back from a case-blind server.
    const folded = (text: string, form: 'NFC' | 'NFD'): string => text.normalize(form).toLowerCase();
    const sameButCase = (['NFC', 'NFD'] as const).some((f) => folded(d, f) === folded(name, f)) || d.toLowerCase() === name.toLowerCase();
    out.push({ name: d, sameButCase });
  }
  return out;
}

const { sim, client } = useSignedInClient({ seed: 'empty' }, { retries: 0 });
/** The pages the look-up got, to check what the query itself matched. */
const pages: Page[] = [];
let api: OctaneApi;

beforeAll(() => {
  api = tampered(client(), (_collection, params, page) => {
    if (params.query !== undefined) pages.push(page);
    return page;
  });
});

/** Adds the release and its decoys (each name once in the store), looks it up, checks the answer. */
async function check(name: string, extra: string, at: number): Promise<void> {
  const existing = new Set(
    sim()
      .store.all('releases')
      .map((r) => String(r.name))
  );
  const around = decoys(name, extra, at).filter((d) => !existing.has(d.name));
  fc.pre(!existing.has(name));
  const target = sim().store.add('releases', { name });
  for (const d of around) sim().store.add('releases', { name: d.name });

  pages.length = 0;
  const found = await findRelease(api, name);
  expect(found).toEqual({ id: target.id, name });
  // The query alone already told the release apart from every decoy that differs in more than case.
  const answered = pages.flatMap((p) => p.data.map((e) => String(e.name)));
  expect(answered).toContain(name);
  for (const d of around) if (!d.sameButCase) expect(answered).not.toContain(d.name);
}

describe('findRelease over hostile names', () => {
  it('finds exactly the named release among decoys one character away', async () => {
    await fc.assert(fc.asyncProperty(nameArb, fc.constantFrom(...METACHARACTERS, ...UNICODE, 'x'), fc.nat(64), check), { numRuns: 60 });
  });

  it('a name of only * or mostly \\ never matches a decoy', async () => {
    const starsAndSlashes = fc
      .array(fc.constantFrom('*', '\\', '\\', '*', '^', 'a'), { minLength: 1, maxLength: 12 })
      .map((parts) => parts.join(''))
      .filter((n) => /^[*]+$/.test(n) || (n.match(/\\/g) ?? []).length * 2 >= n.length);
    await fc.assert(fc.asyncProperty(starsAndSlashes, fc.constantFrom('*', '\\', 'a', '^'), fc.nat(16), check), { numRuns: 60 });
  });

  it('a name ending in a * is found, not the longer names the * would match as a wildcard', async () => {
    await check(`T1 ^x' "(y)" \\ *`, '-', 100);
  });
});
