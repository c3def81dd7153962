/**
 * The workspace every simulator starts with: a backlog root, the defect and story phases, the
 * severity, priority and item-origin lists, releases, and (seed 'sample') a handful of defects.
 */
import type { Store } from './store.js';
import type { SimEntity } from './types.js';

export interface SeedOptions {
  seed: 'sample' | 'empty';
  urgentName: string;
  phaseIds: 'numeric' | 'logical';
}

/** The release whose name is made of the query language's metacharacters. */
export const TRICKY_RELEASE = 'R1 ^x\' "(y)" \\ *';

const DEFECT_PHASES: Array<[string, string, string]> = [
  ['New', 'new', 'metaphase.work_item.new'],
  ['Opened', 'opened', 'metaphase.work_item.inprogress'],
  ['Fixed', 'fixed', 'metaphase.work_item.inprogress'],
  ['Proposed Close', 'proposeclose', 'metaphase.work_item.done'],
  ['Closed', 'closed', 'metaphase.work_item.done'],
  ['Rejected', 'rejected', 'metaphase.work_item.done'],
  ['Deferred', 'deferred', 'metaphase.work_item.new'],
  ['Duplicate', 'duplicate', 'metaphase.work_item.done']
];

/** [name, phase, severity] of the sample defects, per release. */
const SAMPLE_DEFECTS: Record<string, Array<[string, string, string]>> = {
  '2026.4': [
    ['Crash on sign-in when the password contains Unicode', 'new', 'urgent'],
    ['Export loses the last row of every sheet', 'opened', 'very_high'],
    ['Dashboard takes 20 s to load', 'opened', 'high'],
    ['Table | pipes & <b>markup</b> in a name', 'new', 'medium'],
    ['Search ignores accents (é vs e)', 'deferred', 'high'],
    ['Null pointer in the report scheduler', 'fixed', 'urgent'],
    ['Payment retried twice on timeout', 'closed', 'very_high'],
    ['Typo on the About page', 'closed', 'low'],
    ['Tooltip cut off on small screens', 'new', 'low'],
    ['Date picker starts weeks on Sunday', 'opened', 'medium'],
    ['Old icon in the installer', 'deferred', 'low'],
    ['Session lost after password change', 'fixed', 'high']
  ],
  '2026.5': [
    ['Memory leak in the sync worker', 'closed', 'urgent'],
    ['Wrong currency symbol for CHF', 'closed', 'very_high'],
    ['Help link opens in the same tab', 'new', 'low'],
    ['Footer misaligned in dark mode', 'opened', 'low']
  ],
  [TRICKY_RELEASE]: [['Release name with metacharacters breaks the filter', 'opened', 'high']]
};

export function seedStore(store: Store, options: SeedOptions): void {
  const logicalId = (logicalName: string): Record<string, unknown> => (options.phaseIds === 'logical' ? { id: logicalName } : {});

  store.add('work_item_roots', { name: 'Backlog', subtype: 'work_item_root' });

  const metaphases = new Map<string, SimEntity>();
  for (const [name, logical] of [['New', 'metaphase.work_item.new'], ['In Progress', 'metaphase.work_item.inprogress'], ['Done', 'metaphase.work_item.done']] as const) {
    metaphases.set(logical, store.add('metaphases', { ...logicalId(logical), name, logical_name: logical }));
  }
  // Story phases reuse the defect phase names: only `entity` tells them apart.
  for (const entity of ['defect', 'story']) {
    for (const [name, key, meta] of DEFECT_PHASES) {
      const logical = `phase.${entity}.${key}`;
      store.add('phases', { ...logicalId(logical), name, logical_name: logical, entity, metaphase: metaphases.get(meta) });
    }
  }

  const list = (rootLogical: string, rootName: string, nodes: Array<[string, string]>): void => {
    const root = store.add('list_nodes', { ...logicalId(rootLogical), name: rootName, logical_name: rootLogical, list_root: null, activity_level: 0 });
    for (const [name, key] of nodes) {
      const logical = `${rootLogical}.${key}`;
      store.add('list_nodes', { ...logicalId(logical), name, logical_name: logical, list_root: root, activity_level: 0 });
    }
  };
  list('list_node.severity', 'Severity', [['Low', 'low'], ['Medium', 'medium'], ['High', 'high'], ['Very High', 'very_high'], [options.urgentName, 'urgent']]);
  list('list_node.priority', 'Priority', [['Low', 'low'], ['Medium', 'medium'], ['High', 'high'], ['Urgent', 'urgent']]);
  list('list_node.item_origin', 'Item origin', [['GitHub Actions', 'github_actions'], ['Jenkins', 'jenkins'], ['Manual', 'manual']]);

  store.add('releases', { name: '2026.4', start_date: '2026-04-01T00:00:00Z', end_date: '2026-04-30T00:00:00Z' });
  store.add('releases', { name: '2026.5', start_date: '2026-05-01T00:00:00Z', end_date: '2026-05-31T00:00:00Z' });
  store.add('releases', { name: TRICKY_RELEASE, start_date: '2026-06-01T00:00:00Z', end_date: '2026-06-30T00:00:00Z' });
  // Matches TRICKY_RELEASE when its '*' is left unescaped (a wildcard): a trap for naive queries.
  store.add('releases', { name: `${TRICKY_RELEASE}-old`, start_date: '2025-06-01T00:00:00Z', end_date: '2025-06-30T00:00:00Z' });

  if (options.seed !== 'sample') return;
  const root = store.all('work_item_roots')[0]!;
  for (const [releaseName, defects] of Object.entries(SAMPLE_DEFECTS)) {
    const release = store.releaseByName(releaseName);
    for (const [name, phase, severity] of defects) {
      store.add('defects', {
        name,
        description: `<p>${name.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}</p>`,
        parent: root,
        release,
        phase: store.byLogicalName(`phase.defect.${phase}`),
        severity: store.byLogicalName(`list_node.severity.${severity}`),
        is_draft: false
      });
    }
  }
}
