/**
 * The workspace every simulator starts with: a backlog root, the defect and story phases, the
 * severity, priority, defect-type and item-origin lists, releases, teams, sprints, milestones,
 * application modules, tags, users, and (seed 'sample') a handful of defects.
 */
import type { Store } from './store.js';
import type { SimEntity } from './types.js';

export interface SeedOptions {
  seed: 'sample' | 'empty';
  urgentName: string;
  phaseIds: 'numeric' | 'logical';
  /** A stock workspace's names: "Proposed Closed", the stock item-origin nodes (no GitHub node). */
  stockWorkspace?: boolean;
}

/**
 * Stock item-origin nodes, as the Java REST SDK's generated enum lists them
 * (ALMOctaneJavaRESTSDK, enums/lists/list_node/item_origin/ItemOrigin.java).
 */
const STOCK_ORIGINS: Array<[string, string]> = [
  ['ALM', 'alm'],
  ['AGM', 'agm'],
  ['Jira', 'jira'],
  ['XL Release', 'xl_release'],
  ['Service Anywhere', 'service_anywhere']
];

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

/**
 * The defect workflow: [source, target, is_primary] by logical-name key, a stock-like one (New ->
 * Opened -> Fixed -> Proposed Close -> Closed, with rejects, deferrals and reopening). Fixed cannot
 * go back to New, and New cannot go straight to Fixed: tests of "no transition" use these.
 */
const DEFECT_WORKFLOW: Array<[string, string, boolean]> = [
  ['new', 'opened', true],
  ['new', 'rejected', false],
  ['new', 'deferred', false],
  ['new', 'duplicate', false],
  ['opened', 'fixed', true],
  ['opened', 'rejected', false],
  ['opened', 'deferred', false],
  ['opened', 'duplicate', false],
  ['fixed', 'proposeclose', true],
  ['fixed', 'opened', false],
  ['proposeclose', 'closed', true],
  ['proposeclose', 'opened', false],
  ['closed', 'opened', false],
  ['rejected', 'opened', false],
  ['deferred', 'opened', true],
  ['duplicate', 'opened', false]
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
  for (const [name, logical] of [
    ['New', 'metaphase.work_item.new'],
    ['In Progress', 'metaphase.work_item.inprogress'],
    ['Done', 'metaphase.work_item.done']
  ] as const) {
    metaphases.set(logical, store.add('metaphases', { ...logicalId(logical), name, logical_name: logical }));
  }
  // Story phases reuse the defect phase names: only `entity` tells them apart.
  for (const entity of ['defect', 'story']) {
    DEFECT_PHASES.forEach(([name, key, meta], index) => {
      const logical = `phase.${entity}.${key}`;
      // A stock workspace says "Proposed Closed" (the JS REST SDK's defect fixture); this simulator's sample says "Proposed Close".
      const shown = options.stockWorkspace && key === 'proposeclose' ? 'Proposed Closed' : name;
      store.add('phases', { ...logicalId(logical), name: shown, logical_name: logical, entity, index, metaphase: metaphases.get(meta) });
    });
  }

  seedWorkflow(store, 'defect');

  const list = (rootLogical: string, rootName: string, nodes: Array<[string, string]>): void => {
    const root = store.add('list_nodes', {
      ...logicalId(rootLogical),
      name: rootName,
      logical_name: rootLogical,
      list_root: null,
      index: 0,
      activity_level: 0
    });
    nodes.forEach(([name, key], i) => {
      const logical = `${rootLogical}.${key}`;
      store.add('list_nodes', { ...logicalId(logical), name, logical_name: logical, list_root: root, index: i + 1, activity_level: 0 });
    });
  };
  list('list_node.severity', 'Severity', [
    ['Low', 'low'],
    ['Medium', 'medium'],
    ['High', 'high'],
    ['Very High', 'very_high'],
    [options.urgentName, 'urgent']
  ]);
  list('list_node.priority', 'Priority', [
    ['Low', 'low'],
    ['Medium', 'medium'],
    ['High', 'high'],
    ['Urgent', 'urgent']
  ]);
  list(
    'list_node.item_origin',
    'Item origin',
    options.stockWorkspace
      ? STOCK_ORIGINS
      : [
          ['GitHub Actions', 'github_actions'],
          ['Jenkins', 'jenkins'],
          ['Manual', 'manual']
        ]
  );
  // The stock defect types (the Java REST SDK's enum DefectType: PreRelease, Escaped; names as the JS SDK's fixture shows).
  list('list_node.defect_type', 'Defect type', [
    ['Pre-release', 'PreRelease'],
    ['Escaped', 'Escaped']
  ]);

  store.add('releases', { name: '2026.4', start_date: '2026-04-01T00:00:00Z', end_date: '2026-04-30T00:00:00Z' });
  store.add('releases', { name: '2026.5', start_date: '2026-05-01T00:00:00Z', end_date: '2026-05-31T00:00:00Z' });
  store.add('releases', { name: TRICKY_RELEASE, start_date: '2026-06-01T00:00:00Z', end_date: '2026-06-30T00:00:00Z' });
  // Matches TRICKY_RELEASE when its '*' is left unescaped (a wildcard): a trap for naive queries.
  store.add('releases', { name: `${TRICKY_RELEASE}-old`, start_date: '2025-06-01T00:00:00Z', end_date: '2025-06-30T00:00:00Z' });

  seedPlanning(store);

  if (options.seed !== 'sample') return seedLast(store);
  const root = store.all('work_item_roots')[0]!;
  const teams = store.all('teams');
  const users = store.all('workspace_users');
  const modules = store.all('product_areas');
  const tags = store.all('user_tags');
  let n = 0;
  for (const [releaseName, defects] of Object.entries(SAMPLE_DEFECTS)) {
    const release = store.releaseByName(releaseName);
    const sprints = store.find('sprints', (s) => (s.release as { id?: string } | undefined)?.id === release.id);
    for (const [name, phase, severity] of defects) {
      const i = n++;
      // Planning fields spread over the sample, so later filters (team, sprint, module, tag, created after) have something to find.
      const created = new Date(Date.parse(String(release.start_date)) + i * 86_400_000).toISOString().replace('.000Z', 'Z');
      store.add('defects', {
        creation_time: created,
        team: teams[i % teams.length],
        owner: users[i % users.length],
        detected_by: users[(i + 1) % users.length],
        ...(sprints.length ? { sprint: sprints[i % sprints.length] } : {}),
        product_areas: { data: i % 2 === 0 ? [modules[i % modules.length]!] : [] },
        user_tags: { data: i % 3 === 0 ? [tags[0]!, tags[1]!] : [] },
        defect_type: store.byLogicalName(i % 4 === 3 ? 'list_node.defect_type.Escaped' : 'list_node.defect_type.PreRelease'),
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
  seedLast(store);
}

/** Seeded after the sample defects, which keep their ids and their spread over the users. */
function seedLast(store: Store): void {
  // Features under the backlog root, possible parents of a defect.
  const root = store.all('work_item_roots')[0]!;
  for (const name of ['Checkout flow', 'Reporting', 'Sign-in']) store.add('features', { name, parent: root });
  // The sample API key is a workspace user too (is_api_key: true), as API keys are in Octane (FINDINGS 2, CS WorkspaceUser).
  store.add('workspace_users', { name: 'sim-client', full_name: 'CI key', email: null, is_api_key: true });
}

/** Teams, users, sprints and milestones of the two plain releases, application modules (two trees) and tags. */
function seedPlanning(store: Store): void {
  for (const name of ['Platform', 'Mobile', 'Payments']) store.add('teams', { name });
  for (const [name, full] of [
    ['ana.lima@example.com', 'Ana Lima'],
    ['ben.okafor@example.com', 'Ben Okafor'],
    ['chen.wei@example.com', 'Chen Wei']
  ]) {
    store.add('workspace_users', { name, full_name: full, email: name, is_api_key: false });
  }
  for (const releaseName of ['2026.4', '2026.5']) {
    const release = store.releaseByName(releaseName);
    const start = Date.parse(String(release.start_date));
    const day = (d: number): string => new Date(start + d * 86_400_000).toISOString().replace('.000Z', 'Z');
    // Every release has its "Sprint 1": a sprint's name is unique only within its release.
    store.add('sprints', { name: 'Sprint 1', release, start_date: day(0), end_date: day(14) });
    store.add('sprints', { name: 'Sprint 2', release, start_date: day(14), end_date: day(28) });
    store.add('milestones', { name: `${releaseName} code freeze`, release, date: day(25) });
  }
  const checkout = store.add('product_areas', { name: 'Checkout', parent: null });
  store.add('product_areas', { name: 'Payments', parent: checkout });
  const reports = store.add('product_areas', { name: 'Reports', parent: null });
  store.add('product_areas', { name: 'Export', parent: reports });
  for (const name of ['regression', 'customer', 'flaky']) store.add('user_tags', { name });
}

/** The workflow's transitions of one entity's phases (only defects here). */
function seedWorkflow(store: Store, entity: string): void {
  for (const [from, to, primary] of DEFECT_WORKFLOW) {
    store.add('transitions', {
      entity,
      source_phase: store.byLogicalName(`phase.${entity}.${from}`),
      target_phase: store.byLogicalName(`phase.${entity}.${to}`),
      is_primary: primary
    });
  }
}
