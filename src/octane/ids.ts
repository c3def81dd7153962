/**
 * Ids in Octane's answers, checked before anything else sees them: an id is printed, output
 * (workflows paste `defect-id` into shell), linked and put in queries, so an answer whose id is
 * not an id (`5007\n::error::x`) is an unreadable answer, never passed on. Safe integers are the
 * same ids written as numbers (some servers answer so) and become strings.
 */
import { ID_PATTERN } from './query.js';

/** The id as a string, undefined when absent, or null when it is present but not an id. */
export function readId(value: unknown): string | undefined | null {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? String(value) : null;
  return typeof value === 'string' && ID_PATTERN.test(value) ? value : null;
}

/** What an unreadable id looks like, without echoing it (it may hold workflow commands). */
export function idShape(value: unknown): string {
  if (typeof value === 'string') return `a text of ${value.length} characters, not only letters, digits, _ and .`;
  if (typeof value === 'number') return `the number ${Number.isFinite(value) ? value : String(value)}, not a whole number id`;
  return `a ${Array.isArray(value) ? 'list' : typeof value}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * `entity` with its id, and the ids of the references in its fields (`{type, id}`, and the
 * `{total_count, data: [...]}` of a multi-reference), as strings. Throws `fail(field, id)` at the
 * first id that is not one.
 */
export function withCheckedIds<T>(entity: Record<string, unknown>, fail: (field: string, id: unknown) => Error): T {
  const out: Record<string, unknown> = { ...entity };
  const id = readId(entity.id);
  if (id === null) throw fail('id', entity.id);
  if (id !== undefined) out.id = id;
  for (const [field, value] of Object.entries(entity)) {
    if (field === 'id' || !isRecord(value)) continue;
    if (Array.isArray(value.data)) {
      out[field] = { ...value, data: value.data.map((item: unknown) => (isRecord(item) ? reference(item, field, fail) : item)) };
    } else if (typeof value.type === 'string' && 'id' in value) {
      out[field] = reference(value, field, fail);
    }
  }
  return out as T;
}

function reference(ref: Record<string, unknown>, field: string, fail: (field: string, id: unknown) => Error): Record<string, unknown> {
  const id = readId(ref.id);
  if (id === null) throw fail(`${field}.id`, ref.id);
  return id === undefined ? ref : { ...ref, id };
}
