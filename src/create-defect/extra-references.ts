/**
 * A dry run checks that the references in extra-fields exist, because the real create would be
 * answered 400 for one that does not, and a dry run that passes there would promise too much.
 * One GET per collection, by id; only the types whose collection this action already reads
 * can be checked, the others are named as unchecked.
 */
import type { Collection, OctaneApi } from '../octane/api.js';
import type { Log } from '../log.js';
import { ID_PATTERN, idIn } from '../octane/query.js';
import { LookupError } from '../lookups.js';

/** Entity type -> the workspace collection that holds it. */
const COLLECTION_OF: Readonly<Record<string, Collection>> = {
  list_node: 'list_nodes',
  phase: 'phases',
  release: 'releases',
  defect: 'defects',
  work_item: 'work_items',
  work_item_root: 'work_item_roots'
};

/** Ids asked for in one GET; far below the 1000 a page may hold, and extra-fields rarely has more than a few. */
const CHUNK = 100;

export interface ExtraReference {
  field: string;
  type: string;
  id: string;
}

function referenceOf(value: unknown): { type: string; id: string } | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const { type, id } = value as { type?: unknown; id?: unknown };
  if (typeof type !== 'string') return undefined;
  if (typeof id === 'string') return { type, id };
  if (typeof id === 'number' && Number.isSafeInteger(id)) return { type, id: String(id) };
  return undefined;
}

/** Every `{type, id}` in the fields, and each element of a multi-reference `{data: [...]}`. */
export function referencesIn(fields: Record<string, unknown>): ExtraReference[] {
  const out: ExtraReference[] = [];
  for (const [field, value] of Object.entries(fields)) {
    const data = value && typeof value === 'object' ? (value as { data?: unknown }).data : undefined;
    const items = Array.isArray(data) ? data : [value];
    for (const item of items) {
      const ref = referenceOf(item);
      if (ref) out.push({ field, ...ref });
    }
  }
  return out;
}

const shown = (r: ExtraReference): string => `"${r.field}" (${r.type} ${JSON.stringify(r.id.slice(0, 40))})`;

/** Throws a LookupError for extra-fields naming each reference that does not exist. */
export async function checkExtraReferences(api: OctaneApi, fields: Record<string, unknown>, log: Log): Promise<void> {
  const refs = referencesIn(fields);
  if (refs.length === 0) return;
  const unchecked = refs.filter((r) => COLLECTION_OF[r.type] === undefined);
  const malformed = refs.filter((r) => COLLECTION_OF[r.type] !== undefined && !ID_PATTERN.test(r.id));
  const checkable = refs.filter((r) => COLLECTION_OF[r.type] !== undefined && ID_PATTERN.test(r.id));

  const byCollection = new Map<Collection, string[]>();
  for (const r of checkable) {
    const collection = COLLECTION_OF[r.type]!;
    const ids = byCollection.get(collection) ?? [];
    if (!ids.includes(r.id)) ids.push(r.id);
    byCollection.set(collection, ids);
  }
  const asked = [...byCollection].flatMap(([collection, ids]) =>
    Array.from({ length: Math.ceil(ids.length / CHUNK) }, (_, i) => ({ collection, ids: ids.slice(i * CHUNK, (i + 1) * CHUNK) }))
  );
  const pages = await Promise.all(
    asked.map(({ collection, ids }) => api.list(collection, { query: idIn('id', ids), fields: ['id'], limit: ids.length }))
  );

  const found = new Set<string>();
  pages.forEach((page, i) => {
    for (const e of page.data) if (e.id) found.add(`${asked[i]!.collection}|${e.id}`);
  });
  const missing = checkable.filter((r) => !found.has(`${COLLECTION_OF[r.type]}|${r.id}`));

  if (unchecked.length > 0) {
    log.info(`extra-fields: not checked, no collection known for ${unchecked.map(shown).join(', ')}; the real create checks them`);
  }
  const problems = [
    ...malformed.map((r) => `${shown(r)} is not an Octane id`),
    ...missing.map((r) => `${shown(r)} does not exist in the workspace`)
  ];
  if (problems.length > 0) {
    throw LookupError.of('extra-fields', `${problems.join('; ')}. The real create would be refused (400); fix extra-fields`);
  }
  if (checkable.length > 0)
    log.info(`extra-fields: ${checkable.length === 1 ? 'the reference exists' : `all ${checkable.length} references exist`}`);
}
