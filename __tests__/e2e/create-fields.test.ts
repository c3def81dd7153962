// Fields by name on create-defect through the bundle, as the runner would run it: the references
// stored, failures before any write, and names with query metacharacters under escape-none.
import { describe, expect, it } from '@jest/globals';
import type { Simulator, SimEntity } from '../../simulator/index.js';
import { TRICKY_RELEASE } from '../../simulator/seed.js';
import { connectionInputs, getsOf, refId, uniqueName, useSimulator, writes } from '../helpers/e2e-simulator.js';
import { runAction } from '../../test-support/run-action.js';

const sim = useSimulator();
const plain = useSimulator({ profile: 'escape-none' });

const ref = (e: SimEntity): { type: string; id: string } => ({ type: e.type, id: e.id });
const only = (s: Simulator, collection: string, pred: (e: SimEntity) => boolean): SimEntity => {
  const found = s.store.find(collection, pred);
  expect(found).toHaveLength(1);
  return found[0]!;
};

function inputs(s: Simulator, name: string, more: Record<string, string> = {}): Record<string, string> {
  return { mode: 'create-defect', ...connectionInputs(s), 'release-name': '2026.4', 'defect-name': name, ...more };
}

describe('create-defect fields by name (bundle)', () => {
  it('a create with every field by name stores the right references', async () => {
    const name = uniqueName('Fields');
    const run = await runAction(
      inputs(sim(), name, {
        team: 'Mobile',
        owner: 'chen.wei@example.com',
        milestone: '2026.4 code freeze',
        sprint: 'Sprint 1',
        'application-modules': 'Payments\nExport',
        tags: 'customer, flaky',
        priority: 'Medium',
        feature: 'Sign-in'
      })
    );
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    const s = sim();
    const d = only(s, 'defects', (x) => x.name === name);
    const release = s.store.releaseByName('2026.4').id;
    expect(run.outputs['defect-id']).toBe(d.id);
    expect(refId(d.team)).toBe(only(s, 'teams', (t) => t.name === 'Mobile').id);
    expect(refId(d.owner)).toBe(only(s, 'workspace_users', (u) => u.email === 'chen.wei@example.com').id);
    expect(refId(d.milestone)).toBe(only(s, 'milestones', (m) => m.name === '2026.4 code freeze').id);
    expect(refId(d.sprint)).toBe(only(s, 'sprints', (x) => x.name === 'Sprint 1' && refId(x.release) === release).id);
    expect((d.product_areas as { data: unknown[] }).data.map(refId)).toEqual(
      ['Payments', 'Export'].map((n) => only(s, 'product_areas', (p) => p.name === n).id)
    );
    expect((d.user_tags as { data: unknown[] }).data.map(refId)).toEqual(
      ['customer', 'flaky'].map((n) => only(s, 'user_tags', (t) => t.name === n).id)
    );
    expect(refId(d.priority)).toBe(s.store.byLogicalName('list_node.priority.medium').id);
    expect(d.parent).toEqual(ref(only(s, 'features', (f) => f.name === 'Sign-in')));
    expect(run.summary).toContain('Mobile');
  });

  it('an unknown team and owner fail the step with zero writes, naming both inputs', async () => {
    const before = writes(sim());
    const run = await runAction(inputs(sim(), uniqueName('Unknown'), { team: 'Mobil', owner: 'Chen W' }));
    expect(run.code).not.toBe(0);
    const text = run.errors.join('\n');
    expect(text).toContain('Unknown team "Mobil"');
    expect(text).toContain('"Mobile"');
    expect(text).toContain('Unknown owner "Chen W"');
    expect(writes(sim())).toBe(before);
  });

  it('an owner full name two people share lists the emails to use, and writes nothing', async () => {
    const s = sim();
    s.store.add('workspace_users', { name: 'jo.k@example.com', email: 'jo.k@example.com', full_name: 'Jo Kim', is_api_key: false });
    s.store.add('workspace_users', { name: 'jkim@example.org', email: 'jkim@example.org', full_name: 'Jo Kim', is_api_key: false });
    const before = writes(s);
    const run = await runAction(inputs(s, uniqueName('Ambiguous'), { owner: 'Jo Kim' }));
    expect(run.code).not.toBe(0);
    const text = run.errors.join('\n');
    expect(text).toContain('Several workspace users are named "Jo Kim"');
    expect(text).toContain('jo.k@example.com');
    expect(text).toContain('jkim@example.org');
    expect(writes(s)).toBe(before);
  });

  it('the same field in extra-fields and by name is an input error before any call', async () => {
    const before = sim().log.length;
    const run = await runAction(
      inputs(sim(), uniqueName('Twice'), { team: 'Mobile', 'extra-fields': '{"team": {"type": "team", "id": "1001"}}' })
    );
    expect(run.code).not.toBe(0);
    expect(run.errors.join('\n')).toContain('extra-fields: must not set "team" when the team input is given');
    expect(sim().log.length).toBe(before);
  });

  it('under escape-none, a team and a sprint with metacharacters in the tricky release resolve exactly, never a look-alike', async () => {
    const s = plain();
    const tricky = `T ^x' "(y)" \\ *`;
    const release = s.store.releaseByName(TRICKY_RELEASE);
    const decoyRelease = s.store.releaseByName(`${TRICKY_RELEASE}-old`);
    const team = s.store.add('teams', { name: tricky });
    s.store.add('teams', { name: `${tricky}-old` });
    s.store.add('sprints', { name: tricky, release: ref(decoyRelease) });
    const sprint = s.store.add('sprints', { name: tricky, release: ref(release) });
    s.store.add('sprints', { name: `${tricky}-old`, release: ref(release) });
    const name = uniqueName('Tricky');
    const run = await runAction(inputs(s, name, { 'release-name': TRICKY_RELEASE, team: tricky, sprint: tricky }));
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    const d = only(s, 'defects', (x) => x.name === name);
    expect(refId(d.team)).toBe(team.id);
    expect(refId(d.sprint)).toBe(sprint.id);
    // The escaped names found nothing on this server: the wildcard search (no backslash) did.
    const sprintQueries = getsOf(s, 'sprints').map((r) => r.query.query ?? '');
    expect(sprintQueries.some((q) => !q.includes('\\') && q.includes('*'))).toBe(true);
  });
});
