/** Which collections exist, the entity type each holds, and the fields each type has (for validation). */

export type FieldKind = 'id' | 'string' | 'number' | 'boolean' | 'date' | 'ref' | 'multiref';
export interface FieldDef {
  kind: FieldKind;
  /** Entity type a reference points at ('work_item' = any work item). */
  target?: string;
}

export const COLLECTION_TYPE: Record<string, string> = {
  defects: 'defect',
  releases: 'release',
  phases: 'phase',
  list_nodes: 'list_node',
  work_items: 'work_item',
  work_item_roots: 'work_item_root',
  comments: 'comment',
  metaphases: 'metaphase'
};

/** The collections that hold entities of a type ('work_item' spans several). */
export const TYPE_COLLECTIONS: Record<string, string[]> = {
  defect: ['defects'],
  release: ['releases'],
  phase: ['phases'],
  list_node: ['list_nodes'],
  work_item: ['work_item_roots', 'defects'],
  work_item_root: ['work_item_roots'],
  comment: ['comments'],
  metaphase: ['metaphases']
};

const common: Record<string, FieldDef> = {
  id: { kind: 'id' },
  name: { kind: 'string' },
  creation_time: { kind: 'date' },
  last_modified: { kind: 'date' }
};

const workItem: Record<string, FieldDef> = {
  ...common,
  subtype: { kind: 'string' },
  description: { kind: 'string' },
  parent: { kind: 'ref', target: 'work_item' },
  release: { kind: 'ref', target: 'release' },
  phase: { kind: 'ref', target: 'phase' },
  severity: { kind: 'ref', target: 'list_node' },
  priority: { kind: 'ref', target: 'list_node' },
  item_origin: { kind: 'ref', target: 'list_node' },
  owner: { kind: 'ref', target: 'workspace_user' },
  detected_by: { kind: 'ref', target: 'workspace_user' },
  team: { kind: 'ref', target: 'team' },
  is_draft: { kind: 'boolean' }
};

export const TYPE_FIELDS: Record<string, Record<string, FieldDef>> = {
  defect: workItem,
  work_item: workItem,
  work_item_root: { ...common, subtype: { kind: 'string' } },
  release: { ...common, start_date: { kind: 'date' }, end_date: { kind: 'date' } },
  phase: { ...common, logical_name: { kind: 'string' }, entity: { kind: 'string' }, metaphase: { kind: 'ref', target: 'metaphase' } },
  list_node: { ...common, logical_name: { kind: 'string' }, list_root: { kind: 'ref', target: 'list_node' }, activity_level: { kind: 'number' } },
  comment: { ...common, text: { kind: 'string' }, owner_work_item: { kind: 'ref', target: 'work_item' }, author: { kind: 'ref', target: 'workspace_user' } },
  metaphase: { ...common, logical_name: { kind: 'string' } }
};

/** Field definition, or undefined when the type has no such field. User-defined fields (`*_udf`) exist on work items. */
export function fieldDef(type: string, field: string): FieldDef | undefined {
  const def = TYPE_FIELDS[type]?.[field];
  if (def) return def;
  if ((type === 'defect' || type === 'work_item') && /^[a-z][a-z0-9_]*_udf$/.test(field)) return { kind: 'string' };
  return undefined;
}

/** Types whose references come back with their logical_name as well. */
export const HAS_LOGICAL_NAME = new Set(['phase', 'list_node', 'metaphase']);
