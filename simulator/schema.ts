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
  features: 'feature',
  comments: 'comment',
  metaphases: 'metaphase',
  teams: 'team',
  sprints: 'sprint',
  milestones: 'milestone',
  product_areas: 'product_area',
  user_tags: 'user_tag',
  workspace_users: 'workspace_user',
  transitions: 'transition',
  attachments: 'attachment'
};

/** The collections that hold entities of a type ('work_item' spans several). */
export const TYPE_COLLECTIONS: Record<string, string[]> = {
  defect: ['defects'],
  release: ['releases'],
  phase: ['phases'],
  list_node: ['list_nodes'],
  work_item: ['work_item_roots', 'defects', 'features'],
  work_item_root: ['work_item_roots'],
  feature: ['features'],
  comment: ['comments'],
  metaphase: ['metaphases'],
  team: ['teams'],
  sprint: ['sprints'],
  milestone: ['milestones'],
  product_area: ['product_areas'],
  user_tag: ['user_tags'],
  workspace_user: ['workspace_users'],
  transition: ['transitions'],
  attachment: ['attachments']
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
  qa_owner: { kind: 'ref', target: 'workspace_user' },
  detected_by: { kind: 'ref', target: 'workspace_user' },
  team: { kind: 'ref', target: 'team' },
  sprint: { kind: 'ref', target: 'sprint' },
  milestone: { kind: 'ref', target: 'milestone' },
  detected_in_release: { kind: 'ref', target: 'release' },
  defect_type: { kind: 'ref', target: 'list_node' },
  product_areas: { kind: 'multiref', target: 'product_area' },
  user_tags: { kind: 'multiref', target: 'user_tag' },
  is_draft: { kind: 'boolean' }
};

export const TYPE_FIELDS: Record<string, Record<string, FieldDef>> = {
  defect: workItem,
  work_item: workItem,
  work_item_root: { ...common, subtype: { kind: 'string' } },
  feature: workItem,
  release: { ...common, start_date: { kind: 'date' }, end_date: { kind: 'date' } },
  phase: {
    ...common,
    logical_name: { kind: 'string' },
    entity: { kind: 'string' },
    index: { kind: 'number' },
    metaphase: { kind: 'ref', target: 'metaphase' }
  },
  list_node: {
    ...common,
    logical_name: { kind: 'string' },
    list_root: { kind: 'ref', target: 'list_node' },
    index: { kind: 'number' },
    activity_level: { kind: 'number' }
  },
  comment: {
    ...common,
    text: { kind: 'string' },
    owner_work_item: { kind: 'ref', target: 'work_item' },
    author: { kind: 'ref', target: 'workspace_user' }
  },
  metaphase: { ...common, logical_name: { kind: 'string' } },
  team: common,
  sprint: { ...common, release: { kind: 'ref', target: 'release' }, start_date: { kind: 'date' }, end_date: { kind: 'date' } },
  milestone: { ...common, release: { kind: 'ref', target: 'release' }, date: { kind: 'date' } },
  product_area: { ...common, parent: { kind: 'ref', target: 'product_area' } },
  user_tag: common,
  workspace_user: { ...common, full_name: { kind: 'string' }, email: { kind: 'string' }, is_api_key: { kind: 'boolean' } },
  // A workflow's allowed moves (OpenText's C# SDK, Transition.cs: source_phase, target_phase, is_primary).
  transition: {
    ...common,
    entity: { kind: 'string' },
    source_phase: { kind: 'ref', target: 'phase' },
    target_phase: { kind: 'ref', target: 'phase' },
    is_primary: { kind: 'boolean' }
  },
  attachment: { ...common, size: { kind: 'number' }, owner_work_item: { kind: 'ref', target: 'work_item' } }
};

/** Field definition, or undefined when the type has no such field. User-defined fields (`*_udf`) exist on work items. */
export function fieldDef(type: string, field: string): FieldDef | undefined {
  const def = TYPE_FIELDS[type]?.[field];
  if (def) return def;
  if ((type === 'defect' || type === 'work_item') && /^[a-z][a-z0-9_]*_udf$/.test(field)) return { kind: 'string' };
  return undefined;
}

/** Types whose references come back with their `index` (their place in the list or workflow) as well. */
export const REF_HAS_INDEX = new Set(['phase', 'list_node']);
