/**
 * Ids are opaque strings, but some servers answer them as JSON numbers (entities, references,
 * multi-references). They are made strings once, here, as answers are read, so that no later
 * code (comparisons, links, the job summary's escaping) meets a number where it expects text.
 * Nothing else changes: an id of any other shape stays as it came, for the readers to refuse.
 */

function stringId(value: object): object {
  const id = (value as { id?: unknown }).id;
  return typeof id === 'number' && Number.isFinite(id) ? { ...value, id: String(id) } : value;
}

function isReference(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'id' in value;
}

/** The entity with string ids: its own, each reference's, and each in a multi-reference's `data`. */
export function withStringIds<T>(entity: T): T {
  if (typeof entity !== 'object' || entity === null || Array.isArray(entity)) return entity;
  const out: Record<string, unknown> = { ...(stringId(entity) as Record<string, unknown>) };
  for (const [field, value] of Object.entries(out)) {
    if (field === 'id' || typeof value !== 'object' || value === null) continue;
    const data = (value as { data?: unknown }).data;
    if (Array.isArray(data)) out[field] = { ...value, data: data.map((r) => (isReference(r) ? stringId(r) : r)) };
    else if (isReference(value)) out[field] = stringId(value);
  }
  return out as T;
}
