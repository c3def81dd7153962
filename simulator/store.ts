import type { SimEntity, SimStore } from './types.js';
import { COLLECTION_TYPE, TYPE_COLLECTIONS } from './schema.js';

/** Collections whose entities share one id sequence (Octane numbers all work items together). */
const ID_SPACE: Record<string, string> = { defects: 'work_items', work_item_roots: 'work_items', features: 'work_items' };

/** Octane-like id order: numeric ids numerically, before any non-numeric (logical-name) ids. */
export function compareIds(a: string, b: string): number {
  const na = /^\d+$/.test(a);
  const nb = /^\d+$/.test(b);
  if (na && nb) return Number(a) - Number(b);
  if (na !== nb) return na ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A reference as stored: just type and id. */
export interface Ref {
  type: string;
  id: string;
}

export function isRef(value: unknown): value is Ref {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'id' in value && 'type' in value && !('data' in value);
}

export function isMultiRef(value: unknown): value is { data: Ref[] } {
  return typeof value === 'object' && value !== null && Array.isArray((value as { data?: unknown }).data);
}

/** Normalises a reference given as an entity or {type,id} to a plain stored {type,id}. */
function normaliseValue(value: unknown): unknown {
  if (isRef(value)) return { type: String(value.type), id: String(value.id) };
  if (isMultiRef(value)) return { data: value.data.map((r) => normaliseValue(r)) };
  return value;
}

/** In-memory entities: an array per collection (insertion = id order) plus an id index. */
export class Store implements SimStore {
  private readonly lists = new Map<string, SimEntity[]>();
  private readonly index = new Map<string, Map<string, SimEntity>>();
  private readonly nextId = new Map<string, number>();

  private list(collection: string): SimEntity[] {
    let list = this.lists.get(collection);
    if (!list) {
      if (!COLLECTION_TYPE[collection] || collection === 'work_items') throw new Error(`unknown collection ${collection}`);
      list = [];
      this.lists.set(collection, list);
      this.index.set(collection, new Map());
    }
    return list;
  }

  private allocateId(collection: string): string {
    const space = ID_SPACE[collection] ?? collection;
    const id = this.nextId.get(space) ?? 1001;
    this.nextId.set(space, id + 1);
    return String(id);
  }

  all(collection: string): SimEntity[] {
    if (collection === 'work_items')
      return [...this.all('work_item_roots'), ...this.all('features'), ...this.all('defects')].sort((a, b) => compareIds(a.id, b.id));
    return this.list(collection);
  }

  get(collection: string, id: string): SimEntity | undefined {
    if (collection === 'work_items') return this.get('work_item_roots', id) ?? this.get('features', id) ?? this.get('defects', id);
    this.list(collection);
    return this.index.get(collection)!.get(id);
  }

  /** The entity a reference points at, looked up by the reference's type. */
  resolve(ref: Ref): SimEntity | undefined {
    for (const collection of TYPE_COLLECTIONS[ref.type] ?? []) {
      const found = this.get(collection, ref.id);
      if (found) return found;
    }
    return undefined;
  }

  add(collection: string, fields: Record<string, unknown>): SimEntity {
    const list = this.list(collection);
    const id = fields.id !== undefined ? String(fields.id) : this.allocateId(collection);
    const entity: SimEntity = { id, type: COLLECTION_TYPE[collection]!, creation_time: new Date().toISOString() };
    for (const [key, value] of Object.entries(fields)) {
      if (key !== 'id' && key !== 'type') entity[key] = normaliseValue(value);
    }
    if (collection === 'defects' || collection === 'work_item_roots' || collection === 'features') entity.subtype ??= entity.type;
    if (this.index.get(collection)!.has(id)) throw new Error(`duplicate id ${id} in ${collection}`);
    if (fields.id !== undefined) {
      // Keep the list in id order (GET answers rely on it) and never allocate this id later.
      const space = ID_SPACE[collection] ?? collection;
      if (/^\d+$/.test(id) && Number(id) >= (this.nextId.get(space) ?? 1001)) this.nextId.set(space, Number(id) + 1);
      let at = list.length;
      while (at > 0 && compareIds(list[at - 1]!.id, id) > 0) at--;
      list.splice(at, 0, entity);
    } else {
      list.push(entity);
    }
    this.index.get(collection)!.set(id, entity);
    return entity;
  }

  addDefects(count: number, fields: Record<string, unknown>): void {
    const list = this.list('defects');
    const index = this.index.get('defects')!;
    const shared: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(fields)) {
      if (key !== 'name' && key !== 'id' && key !== 'type') shared[key] = normaliseValue(value);
    }
    const name = fields.name;
    const now = new Date().toISOString();
    for (let i = 0; i < count; i++) {
      const id = this.allocateId('defects');
      const entity: SimEntity = {
        id,
        type: 'defect',
        subtype: 'defect',
        creation_time: now,
        name:
          typeof name === 'function'
            ? String((name as (i: number) => unknown)(i))
            : typeof name === 'string'
              ? name
              : `Generated defect ${id}`,
        ...shared
      };
      list.push(entity);
      index.set(id, entity);
    }
  }

  find(collection: string, predicate: (e: SimEntity) => boolean): SimEntity[] {
    return this.all(collection).filter(predicate);
  }

  byLogicalName(logicalName: string): SimEntity {
    const found =
      this.all('phases').find((e) => e.logical_name === logicalName) ?? this.all('list_nodes').find((e) => e.logical_name === logicalName);
    if (!found) throw new Error(`no phase or list node with logical name ${logicalName}`);
    return found;
  }

  releaseByName(name: string): SimEntity {
    const found = this.all('releases').find((e) => e.name === name);
    if (!found) throw new Error(`no release named ${name}`);
    return found;
  }
}
