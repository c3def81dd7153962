/** Turns stored entities into what Octane answers: id and type always, other fields only when asked. */
import type { Store, Ref } from './store.js';
import { isMultiRef, isRef } from './store.js';
import { HAS_LOGICAL_NAME } from './schema.js';
import type { SimEntity } from './types.js';

function renderRef(store: Store, ref: Ref): Record<string, unknown> {
  const target = store.resolve(ref);
  const out: Record<string, unknown> = { type: ref.type, id: ref.id, name: target?.name ?? null };
  if (HAS_LOGICAL_NAME.has(ref.type)) out.logical_name = target?.logical_name ?? null;
  return out;
}

function renderValue(store: Store, value: unknown): unknown {
  if (value === undefined) return null;
  if (isRef(value)) return renderRef(store, value);
  if (isMultiRef(value)) return { total_count: value.data.length, data: value.data.map((r) => renderRef(store, r)) };
  return value;
}

/**
 * @param viewType the type to answer with when the collection is a supertype view (work_items answers 'work_item' with a subtype).
 */
export function renderEntity(store: Store, entity: SimEntity, fields: string[], viewType?: string): Record<string, unknown> {
  const out: Record<string, unknown> = { type: viewType ?? entity.type, id: entity.id };
  if (viewType && viewType !== entity.type) out.subtype = entity.subtype ?? entity.type;
  for (const field of fields) {
    if (field === 'id' || field === 'type') continue;
    out[field] = renderValue(store, entity[field]);
  }
  return out;
}
