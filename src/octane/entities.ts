import type { Reference } from './api.js';

/** Numeric ids compare as numbers (newer entities have larger ones); other ids as text. */
export function compareIds(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  return Number.isFinite(na) && Number.isFinite(nb) ? na - nb : a.localeCompare(b);
}

/** A reference field as Octane answered it, its id as a string (some servers answer numbers); undefined when it has no id. */
export function refOf(value: unknown): Reference | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const id = (value as { id?: unknown }).id;
  return typeof id === 'string' || typeof id === 'number' ? ({ ...(value as object), id: String(id) } as Reference) : undefined;
}

/*
 * Field readers for entities as Octane answered them. None trims: names are compared exactly (a
 * name with spaces around it is reported as such), unlike error texts (errors.ts), which are.
 */

/** A text field (or a numeric one, as some servers answer) as text; '' for anything else. */
export function textOf(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

/** A field that is a non-empty string, as it is; undefined otherwise (numbers too). */
export function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The name of a reference field ({type, id, name}); '' when it has no string name. */
export function refName(value: unknown): string {
  return value !== null && typeof value === 'object' ? (stringOf((value as { name?: unknown }).name) ?? '') : '';
}
