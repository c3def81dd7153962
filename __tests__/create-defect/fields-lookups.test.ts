// Fields by name (create-defect's team, owner, milestone, sprint, application-modules, tags,
// priority, feature) against an in-process Octane under the three readings of a backslash: each
// name is found, a look-alike never is, and unknown or ambiguous names fail naming their input.
import { describe, expect, it } from '@jest/globals';
import type { Escaping } from '../../simulator/query/parser.js';
import type { EntityLike } from '../../simulator/query/evaluate.js';
import { resolveFieldNames } from '../../src/create-defect/fields.js';
import { findRelease, LookupError, type LookupProblem, type Resolved } from '../../src/lookups.js';
import type { FieldNames } from '../../src/inputs/field-names.js';
import { fakeOctane } from '../helpers/fake-octane.js';

const MODES: Escaping[] = ['any', 'ci-sdk', 'none'];
const TRICKY = `T ^x' "(y)" \\ *`;
const REL = `R1 ^x' "(y)" \\ *`;

let ids = 7000;
const e = (type: string, fields: Record<string, unknown>): EntityLike => ({ id: String(++ids), type, ...fields });
const ref = (x: EntityLike): { type: string; id: string } => ({ type: x.type, id: x.id });

/** A workspace where every name has look-alikes: the same name with a suffix, with the metacharacters replaced, in another release. */
function workspace() {
  const release = e('release', { name: REL });
  const other = e('release', { name: `${REL}-old` });
  const team = e('team', { name: TRICKY });
  const user = e('workspace_user', { name: 'x@example.com', email: 'x@example.com', full_name: TRICKY, is_api_key: false });
  const sprint = e('sprint', { name: TRICKY, release: ref(release) });
  const milestone = e('milestone', { name: TRICKY, release: ref(release) });
  const module = e('product_area', { name: TRICKY, parent: null });
  const tag = e('user_tag', { name: TRICKY });
  const feature = e('work_item', { name: TRICKY, subtype: 'feature' });
  const root = e('list_node', { name: 'Priority', logical_name: 'list_node.priority', list_root: null });
  const high = e('list_node', { name: 'High', logical_name: 'list_node.priority.high', list_root: ref(root) });
  const decoys = (type: string, extra: Record<string, unknown> = {}): EntityLike[] =>
    [`${TRICKY}-old`, TRICKY.replace(/[\\^'"()*]/g, 'Z'), TRICKY.replace(/[\\^'"()*]/g, (c) => `\\${c}`)].map((name) =>
      e(type, { name, ...extra })
    );
  const store = {
    releases: [release, other],
    teams: [team, ...decoys('team')],
    workspace_users: [user, ...decoys('workspace_user', { full_name: `${TRICKY}-old`, email: 'old@example.com', is_api_key: false })],
    // The same sprint and milestone name in the look-alike release: only the resolved release's may be taken.
    sprints: [e('sprint', { name: TRICKY, release: ref(other) }), sprint, ...decoys('sprint', { release: ref(release) })],
    milestones: [e('milestone', { name: TRICKY, release: ref(other) }), milestone, ...decoys('milestone', { release: ref(release) })],
    product_areas: [module, ...decoys('product_area', { parent: null })],
    user_tags: [tag, ...decoys('user_tag')],
    work_items: [feature, e('work_item', { name: TRICKY, subtype: 'defect' }), ...decoys('work_item', { subtype: 'feature' })],
    list_nodes: [root, high]
  };
  return { store, release, team, user, sprint, milestone, module, tag, feature, high };
}

const all = (over: Partial<FieldNames> = {}): FieldNames => ({
  team: TRICKY,
  owner: TRICKY,
  sprint: TRICKY,
  milestone: TRICKY,
  applicationModules: [TRICKY],
  tags: [TRICKY],
  priority: 'high',
  feature: TRICKY,
  ...over
});

async function failure(p: Promise<unknown>): Promise<readonly LookupProblem[]> {
  const err = await p.then(
    () => undefined,
    (x: unknown) => x
  );
  expect(err).toBeInstanceOf(LookupError);
  return (err as LookupError).problems;
}

describe.each(MODES)("fields by name when the server's escaping is '%s'", (escaping) => {
  it('resolves every field with metacharacters to the exact entity, never a look-alike or another release', async () => {
    const w = workspace();
    const api = fakeOctane(w.store, escaping);
    const release = findRelease(api, REL);
    const r = await resolveFieldNames(api, all(), REL, release);
    expect(r.fields).toEqual({
      team: { type: 'team', id: w.team.id },
      owner: { type: 'workspace_user', id: w.user.id },
      sprint: { type: 'sprint', id: w.sprint.id },
      milestone: { type: 'milestone', id: w.milestone.id },
      product_areas: { data: [{ type: 'product_area', id: w.module.id }] },
      user_tags: { data: [{ type: 'user_tag', id: w.tag.id }] },
      priority: { type: 'list_node', id: w.high.id }
    });
    expect(r.feature).toEqual({ id: w.feature.id, name: TRICKY });
    expect(r.shown.map((f) => f.input)).toEqual([
      'team',
      'owner',
      'sprint',
      'milestone',
      'application-modules',
      'tags',
      'priority',
      'feature'
    ]);
  });

  it('reports every unknown name at once, each naming its input', async () => {
    const w = workspace();
    const api = fakeOctane(w.store, escaping);
    const names = all({
      team: `${TRICKY}x`,
      owner: 'nobody@example.com',
      sprint: 'Sprint 9',
      tags: [TRICKY, 'nope'],
      priority: 'Highest',
      feature: '999999'
    });
    const problems = await failure(resolveFieldNames(api, names, REL, findRelease(api, REL)));
    expect(problems.map((p) => p.input).sort()).toEqual(['feature', 'owner', 'priority', 'sprint', 'tags', 'team']);
    const byInput = new Map(problems.map((p) => [p.input, p.message]));
    expect(byInput.get('team')).toContain(JSON.stringify(TRICKY)); // the valid teams are listed
    expect(byInput.get('tags')).toContain('Unknown tag "nope"');
    expect(byInput.get('priority')).toContain('High (list_node.priority.high)');
    expect(byInput.get('sprint')).toContain(`sprints of release ${JSON.stringify(REL)} there:`);
  });
});

describe('fields by name: choosing among several', () => {
  const base = (): ReturnType<typeof workspace> => workspace();
  const run = (w: ReturnType<typeof workspace>, names: Partial<FieldNames>): Promise<unknown> => {
    const api = fakeOctane(w.store, 'any');
    const release: Promise<Resolved> = findRelease(api, REL);
    return resolveFieldNames(api, { applicationModules: [], tags: [], ...names }, REL, release);
  };

  it('an owner full name that two people share fails and lists their emails; the email picks one', async () => {
    const w = base();
    w.store.workspace_users.push(
      e('workspace_user', { name: 'sam1', email: 'sam.reyes@example.com', full_name: 'Sam Reyes', is_api_key: false }),
      e('workspace_user', { name: 'sam2', email: 'sam.r@example.org', full_name: 'Sam Reyes', is_api_key: false })
    );
    const [p] = await failure(run(w, { owner: 'Sam Reyes' }));
    expect(p!.input).toBe('owner');
    expect(p!.message).toContain('sam.reyes@example.com');
    expect(p!.message).toContain('sam.r@example.org');
    const r = (await run(w, { owner: 'SAM.R@example.org' })) as Awaited<ReturnType<typeof resolveFieldNames>>;
    expect(r.fields.owner).toEqual({ type: 'workspace_user', id: w.store.workspace_users.at(-1)!.id });
  });

  it('an API key is never an owner, even with the only matching full name', async () => {
    const w = base();
    w.store.workspace_users.push(e('workspace_user', { name: 'ci-key', email: null, full_name: 'Build Bot', is_api_key: true }));
    const [p] = await failure(run(w, { owner: 'Build Bot' }));
    expect(p!.message).toContain('Unknown owner "Build Bot"');
  });

  it('two application modules of one name in two branches are ambiguous, shown with their parents', async () => {
    const w = base();
    const a = e('product_area', { name: 'Checkout', parent: null });
    const b = e('product_area', { name: 'Reports', parent: null });
    w.store.product_areas.push(
      a,
      b,
      e('product_area', { name: 'Export', parent: ref(a) }),
      e('product_area', { name: 'Export', parent: ref(b) })
    );
    const [p] = await failure(run(w, { applicationModules: ['Export'] }));
    expect(p!.input).toBe('application-modules');
    expect(p!.message).toMatch(/under "Checkout".*under "Reports"/);
  });

  it('a feature by id must be a feature: a defect id is refused', async () => {
    const w = base();
    const defect = w.store.work_items.find((x) => x.subtype === 'defect')!;
    const [p] = await failure(run(w, { feature: defect.id }));
    expect(p!.input).toBe('feature');
    expect(p!.message).toContain(`No feature with id ${defect.id}`);
    const r = (await run(w, { feature: w.feature.id })) as Awaited<ReturnType<typeof resolveFieldNames>>;
    expect(r.feature?.id).toBe(w.feature.id);
  });

  it('an all-digit feature name that is no feature id is found by name, and the result says so', async () => {
    const w = base();
    const named = e('work_item', { name: '2024', subtype: 'feature' });
    w.store.work_items.push(named);
    expect(w.store.work_items.some((x) => x.id === '2024')).toBe(false);
    const r = (await run(w, { feature: '2024' })) as Awaited<ReturnType<typeof resolveFieldNames>>;
    expect(r.feature).toEqual({ id: named.id, name: '2024 (by name: no feature has id 2024)' });
    const [p] = await failure(run(w, { feature: '2025' }));
    expect(p!.message).toContain('No feature with id 2025, nor one named "2025", in the workspace; features there:');
  });

  it('caps the list of valid names with "and N more"', async () => {
    const w = base();
    for (let i = 0; i < 30; i++) w.store.teams.push(e('team', { name: `Team ${i}` }));
    const [p] = await failure(run(w, { team: 'Nobody' }));
    expect(p!.message).toContain(`and ${w.store.teams.length - 20} more`);
  });

  it('a failed release leaves sprint and milestone unreported: the release look-up names the problem', async () => {
    const w = base();
    const api = fakeOctane(w.store, 'any');
    const release = findRelease(api, 'No such release');
    release.catch(() => undefined);
    const r = await resolveFieldNames(
      api,
      { applicationModules: [], tags: [], sprint: TRICKY, milestone: TRICKY },
      'No such release',
      release
    );
    expect(r.fields).toEqual({});
  });
});
