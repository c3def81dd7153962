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
