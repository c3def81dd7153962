/**
 * Turns stored entities into what Octane answers: id and type always, other fields only when asked.
 * References come back the way a real server shows them (the JS REST SDK's test fixture of a defect,
 * alm-octane-js-rest-sdk test/models/reference.test.js): {type, id, name}, phases and list nodes also
 * `index`, users also `full_name`, never `logical_name` (a client that needs it asks the entity itself),
 * and a work item reference carries the item's concrete type (`defect`), not `work_item`.
 */
import type { Store, Ref } from './store.js';
import { isMultiRef, isRef } from './store.js';
import { REF_HAS_INDEX } from './schema.js';
import type { SimEntity } from './types.js';

export interface RenderOptions {
  /** Ids as JSON numbers where they are digits (a server that answers numbers). */
  numericIds?: boolean;
}

function outId(id: string, options: RenderOptions): string | number {
  return options.numericIds && /^\d{1,15}$/.test(id) ? Number(id) : id;
}

function renderRef(store: Store, ref: Ref, options: RenderOptions): Record<string, unknown> {
  const target = store.resolve(ref);
  const type = ref.type === 'work_item' && target ? target.type : ref.type;
  const out: Record<string, unknown> = { type, id: outId(ref.id, options), name: target?.name ?? null };
  if (REF_HAS_INDEX.has(type) && typeof target?.index === 'number') out.index = target.index;
  if (type === 'workspace_user' && target) out.full_name = target.full_name ?? null;
  return out;
}

function renderValue(store: Store, value: unknown, options: RenderOptions): unknown {
  if (value === undefined) return null;
  if (isRef(value)) return renderRef(store, value, options);
  if (isMultiRef(value)) return { total_count: value.data.length, data: value.data.map((r) => renderRef(store, r, options)) };
  return value;
}

/**
 * @param viewType the type to answer with when the collection is a supertype view (work_items answers 'work_item' with a subtype).
 */
export function renderEntity(
  store: Store,
  entity: SimEntity,
  fields: string[],
  viewType?: string,
  options: RenderOptions = {}
): Record<string, unknown> {
  const out: Record<string, unknown> = { type: viewType ?? entity.type, id: outId(entity.id, options) };
  if (viewType && viewType !== entity.type) out.subtype = entity.subtype ?? entity.type;
  for (const field of fields) {
    if (field === 'id' || field === 'type') continue;
    out[field] = renderValue(store, entity[field], options);
  }
  return out;
}
