/** Validation of POSTed defects and comments, the way Octane refuses bad ones with 400. */
import type { Store, Ref } from './store.js';
import { OctaneError } from './errors.js';
import type { SimEntity } from './types.js';

const DEFECT_FIELDS = new Set([
  'type',
  'name',
  'description',
  'parent',
  'release',
  'phase',
  'severity',
  'priority',
  'owner',
  'team',
  'item_origin',
  'is_draft',
  'detected_by',
  'qa_owner',
  'sprint',
  'milestone',
  'detected_in_release',
  'defect_type',
  'product_areas',
  'user_tags'
]);
const COMMENT_FIELDS = new Set(['type', 'text', 'owner_work_item', 'author']);

function bad(code: string, description: string): never {
  throw new OctaneError(400, code, description);
}

/** The items of a `{"data":[...]}` body. */
export function bodyItems(body: string): Array<Record<string, unknown>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    bad('platform.json_parse_error', 'The request body is not valid JSON');
  }
  const data = (parsed as { data?: unknown } | null)?.data;
  if (!Array.isArray(data) || data.length === 0)
    bad('platform.invalid_request_body', 'The request body must be {"data":[{...}]} with at least one entity');
  for (const item of data) {
    if (typeof item !== 'object' || item === null || Array.isArray(item))
      bad('platform.invalid_request_body', 'Every item of "data" must be a JSON object');
  }
  return data as Array<Record<string, unknown>>;
}

interface RefRule {
  types: string[];
  /** Extra check of the referenced entity; returns a problem or undefined. */
  check?: (target: SimEntity) => string | undefined;
}

function reference(store: Store, item: Record<string, unknown>, field: string, rule: RefRule, entityType: string): Ref | null | undefined {
  const value = item[field];
  if (value === undefined || value === null) return value;
  const v = value as { type?: unknown; id?: unknown };
  if (
    typeof value !== 'object' ||
    Array.isArray(value) ||
    typeof v.type !== 'string' ||
    (typeof v.id !== 'string' && typeof v.id !== 'number')
  ) {
    bad('platform.invalid_field_value', `Field '${field}' of ${entityType} must be a reference {"type": "...", "id": "..."}`);
  }
  if (!rule.types.includes(v.type)) {
    bad('platform.invalid_reference_type', `Field '${field}' of ${entityType} must reference ${rule.types.join(' or ')}, not '${v.type}'`);
  }
  const ref = { type: v.type, id: String(v.id) };
  const target = store.resolve(ref);
  if (!target) bad('platform.entity_not_found', `Field '${field}' of ${entityType} references ${ref.type} ${ref.id}, which does not exist`);
  const problem = rule.check?.(target);
  if (problem) bad('platform.invalid_field_value', `Field '${field}' of ${entityType}: ${problem}`);
  return ref;
}

/** A multi-reference `{"data": [refs]}` (a bare array is refused, as Octane wants the wrapper). */
function multiReference(store: Store, item: Record<string, unknown>, field: string, rule: RefRule): { data: Ref[] } | undefined {
  const value = item[field];
  if (value === undefined || value === null) return value === null ? { data: [] } : undefined;
  const data = (value as { data?: unknown }).data;
  if (typeof value !== 'object' || Array.isArray(value) || !Array.isArray(data)) {
    bad('platform.invalid_field_value', `Field '${field}' of defect must be a multi-reference {"data": [{"type": "...", "id": "..."}]}`);
  }
  const refs = data.map((element, i) => reference(store, { [`${field}[${i}]`]: element }, `${field}[${i}]`, rule, 'defect'));
  return { data: refs.filter((r): r is Ref => Boolean(r)) };
}

function inList(store: Store, rootLogical: string): (target: SimEntity) => string | undefined {
  return (target) => {
    const root = store.all('list_nodes').find((n) => n.logical_name === rootLogical);
    const parent = target.list_root as Ref | null | undefined;
    return root && parent?.id === root.id ? undefined : `list node ${target.id} is not a node of the list ${rootLogical}`;
  };
}

/** Validates one defect to create and returns the fields to store. */
export function validateDefect(store: Store, item: Record<string, unknown>): Record<string, unknown> {
  for (const field of Object.keys(item)) {
    if (!DEFECT_FIELDS.has(field) && !/^[a-z][a-z0-9_]*_udf$/.test(field)) {
      bad('platform.unknown_field', `Field '${field}' does not exist in entity 'defect' or cannot be set`);
    }
  }
  if (item.type !== undefined && item.type !== 'defect') bad('platform.invalid_field_value', `Field 'type' must be 'defect'`);
  if (typeof item.name !== 'string' || item.name.trim() === '')
    bad('platform.missing_required_field', "Field 'name' is required and must be a non-empty string");
  if (item.description !== undefined && item.description !== null && typeof item.description !== 'string') {
    bad('platform.invalid_field_value', "Field 'description' must be a string");
  }
  if (item.is_draft !== undefined && typeof item.is_draft !== 'boolean')
    bad('platform.invalid_field_value', "Field 'is_draft' must be true or false");

  const fields: Record<string, unknown> = { ...item };
  delete fields.type;
  const parent = reference(
    store,
    item,
    'parent',
    {
      types: ['work_item_root', 'feature', 'work_item'],
      // A defect hangs under the backlog root or a feature (as in Octane's backlog), never under another defect.
      check: (t) => (t.type === 'work_item_root' || t.type === 'feature' ? undefined : `work item ${t.id} cannot be the parent of a defect`)
    },
    'defect'
  );
  fields.parent = parent ?? { type: 'work_item_root', id: store.all('work_item_roots')[0]?.id ?? '1001' };
  fields.release = reference(store, item, 'release', { types: ['release'] }, 'defect');
  const phase = reference(
    store,
    item,
    'phase',
    { types: ['phase'], check: (t) => (t.entity === 'defect' ? undefined : `phase ${t.id} is not a defect phase`) },
    'defect'
  );
  fields.severity = reference(store, item, 'severity', { types: ['list_node'], check: inList(store, 'list_node.severity') }, 'defect');
  fields.priority = reference(store, item, 'priority', { types: ['list_node'], check: inList(store, 'list_node.priority') }, 'defect');
  fields.item_origin = reference(
    store,
    item,
    'item_origin',
    { types: ['list_node'], check: inList(store, 'list_node.item_origin') },
    'defect'
  );
  for (const field of ['owner', 'qa_owner', 'detected_by'])
    fields[field] = reference(store, item, field, { types: ['workspace_user'] }, 'defect');
  fields.team = reference(store, item, 'team', { types: ['team'] }, 'defect');
  fields.sprint = reference(store, item, 'sprint', { types: ['sprint'] }, 'defect');
  fields.milestone = reference(store, item, 'milestone', { types: ['milestone'] }, 'defect');
  fields.detected_in_release = reference(store, item, 'detected_in_release', { types: ['release'] }, 'defect');
  fields.defect_type = reference(
    store,
    item,
    'defect_type',
    { types: ['list_node'], check: inList(store, 'list_node.defect_type') },
    'defect'
  );
  fields.product_areas = multiReference(store, item, 'product_areas', { types: ['product_area'] });
  fields.user_tags = multiReference(store, item, 'user_tags', { types: ['user_tag'] });

  // A draft (is_draft omitted or true) skips the workspace's required-field rules.
  const draft = item.is_draft !== false;
  if (!draft) {
    const missing = ['severity', 'phase'].filter((f) => item[f] === undefined || item[f] === null);
    if (missing.length) bad('platform.missing_required_field', `Required fields missing for a non-draft defect: ${missing.join(', ')}`);
  }
  fields.is_draft = draft;
  const newPhase = store.all('phases').find((p) => p.logical_name === 'phase.defect.new');
  fields.phase = phase ?? (newPhase ? { type: 'phase', id: newPhase.id } : null);
  for (const key of Object.keys(fields)) if (fields[key] === undefined) delete fields[key];
  return fields;
}

/** Validates one comment to create and returns the fields to store. */
export function validateComment(store: Store, item: Record<string, unknown>): Record<string, unknown> {
  for (const field of Object.keys(item)) {
    if (!COMMENT_FIELDS.has(field)) bad('platform.unknown_field', `Field '${field}' does not exist in entity 'comment' or cannot be set`);
  }
  if (typeof item.text !== 'string' || item.text.trim() === '')
    bad('platform.missing_required_field', "Field 'text' is required and must be a non-empty string");
  const owner = reference(store, item, 'owner_work_item', { types: ['work_item', 'defect'] }, 'comment');
  if (!owner) bad('platform.missing_required_field', "Field 'owner_work_item' is required");
  const fields: Record<string, unknown> = { text: item.text, owner_work_item: owner };
  const author = reference(store, item, 'author', { types: ['workspace_user'] }, 'comment');
  if (author) fields.author = author;
  return fields;
}

/** Fields a PUT may change on a defect here: only what clients of this simulator change. */
const UPDATABLE_DEFECT_FIELDS = new Set(['name', 'description', 'phase']);

/**
 * Validates a change to a stored defect and returns the fields to set. A phase change must follow
 * the workflow: a transition from the defect's phase to the new one (Octane's clients offer only
 * those; the simulator assumes the server refuses the rest, as the REST notes advise).
 */
export function validateDefectUpdate(store: Store, current: SimEntity, item: Record<string, unknown>): Record<string, unknown> {
  for (const field of Object.keys(item)) {
    if (field === 'id' || field === 'type') continue;
    if (!UPDATABLE_DEFECT_FIELDS.has(field)) {
      bad(
        DEFECT_FIELDS.has(field) ? 'platform.field_not_updatable' : 'platform.unknown_field',
        `Field '${field}' of entity 'defect' cannot be updated here`
      );
    }
  }
  if (item.id !== undefined && String(item.id) !== current.id)
    bad('platform.invalid_field_value', `Field 'id' (${String(item.id)}) does not match defect ${current.id}`);
  if (item.type !== undefined && item.type !== 'defect') bad('platform.invalid_field_value', `Field 'type' must be 'defect'`);
  const fields: Record<string, unknown> = {};
  if (item.name !== undefined) {
    if (typeof item.name !== 'string' || item.name.trim() === '')
      bad('platform.missing_required_field', "Field 'name' must be a non-empty string");
    fields.name = item.name;
  }
  if (item.description !== undefined) {
    if (item.description !== null && typeof item.description !== 'string')
      bad('platform.invalid_field_value', "Field 'description' must be a string");
    fields.description = item.description;
  }
  if (item.phase !== undefined) {
    if (item.phase === null) bad('platform.missing_required_field', "Field 'phase' of a defect cannot be empty");
    const phase = reference(
      store,
      item,
      'phase',
      { types: ['phase'], check: (t) => (t.entity === 'defect' ? undefined : `phase ${t.id} is not a defect phase`) },
      'defect'
    )!;
    const from = (current.phase as Ref | null | undefined)?.id;
    if (from !== phase.id) {
      const allowed = store
        .all('transitions')
        .some((t) => (t.source_phase as Ref | undefined)?.id === from && (t.target_phase as Ref | undefined)?.id === phase.id);
      if (!allowed) {
        const names = (id: string | undefined): string => String(store.get('phases', id ?? '')?.name ?? id);
        bad(
          'platform.transition_not_allowed',
          `The workflow has no transition from phase '${names(from)}' to phase '${names(phase.id)}' for defect ${current.id}`
        );
      }
    }
    fields.phase = phase;
  }
  return fields;
}
