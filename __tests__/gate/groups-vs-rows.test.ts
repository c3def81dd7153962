// Grouping answers that add up yet contradict the rest (review F1): the gate fails closed, never passes.
import { describe, expect, it } from '@jest/globals';
import { runInProcess } from '../../test-support/run-in-process.js';
import { connectionInputs } from '../../test-support/run-action.js';
import { startSimulator, type Simulator, type SimEntity } from '../../simulator/index.js';

const ref = (e: SimEntity) => ({ type: 'list_node', id: e.id, name: e.name, logical_name: e.logical_name });

async function withSim<T>(profile: string, body: (sim: Simulator) => Promise<T>): Promise<T> {
  const sim = await startSimulator({ profile: profile as never });
  try {
    return await body(sim);
  } finally {
    await sim.close();
  }
}

const gate = (sim: Simulator, more: Record<string, string>) =>
  runInProcess({ mode: 'gate', ...connectionInputs(sim), 'release-name': 'R', phases: 'New', ...more }, { timeoutMs: 120000 });

describe('severity groups that contradict the rows', () => {
  it('groups that move the one Urgent defect to Low, still adding up to the total, fail the gate instead of passing Urgent == 0', async () => {
    await withSim('exceeds-never', async (sim) => {
      const s = sim.store;
      const rel = s.add('releases', { name: 'R' });
      const urgent = s.byLogicalName('list_node.severity.urgent');
      const low = s.byLogicalName('list_node.severity.low');
      s.addDefects(1, { release: rel, phase: s.byLogicalName('phase.defect.new'), severity: urgent });
      s.addDefects(4, { release: rel, phase: s.byLogicalName('phase.defect.new'), severity: low });
      sim.faults.add({ path: '/defects/groups', json: { groups: [{ count: 5, value: ref(low) }], groupsTotalCount: 1 }, times: 1 });
      const run = await gate(sim, { conditions: 'Urgent == 0' });
      expect(run.outputs['gate-result']).toBeUndefined();
      expect(run.code).not.toBe(0);
      expect(run.errors[0]).toMatch(
        /^Octane's counts disagree \(total 5, by severity 5, by phase 5\) with the defects listed \(severity id \d+: 1 listed, 0 counted\)/
      );
    });
  });

  it('the same lie with more defects than the list page holds still fails (the page holds the most severe first)', async () => {
    await withSim('exceeds-never', async (sim) => {
      const s = sim.store;
      const rel = s.add('releases', { name: 'R' });
      const urgent = s.byLogicalName('list_node.severity.urgent');
      const low = s.byLogicalName('list_node.severity.low');
      s.addDefects(3, { release: rel, phase: s.byLogicalName('phase.defect.new'), severity: urgent });
      s.addDefects(30, { release: rel, phase: s.byLogicalName('phase.defect.new'), severity: low });
      sim.faults.add({ path: '/defects/groups', json: { groups: [{ count: 33, value: ref(low) }], groupsTotalCount: 1 }, times: 1 });
      const run = await gate(sim, { conditions: 'Urgent == 0', 'list-limit': '5' });
      expect(run.outputs['gate-result']).toBeUndefined();
      expect(run.errors[0]).toMatch(/^Octane's counts disagree/);
    });
  });

  it('a grouping answer with fewer groups than its groupsTotalCount is not used: each severity is counted instead', async () => {
    await withSim('exceeds-never', async (sim) => {
      const s = sim.store;
      const rel = s.add('releases', { name: 'R' });
      const low = s.byLogicalName('list_node.severity.low');
      s.addDefects(1, { release: rel, phase: s.byLogicalName('phase.defect.new'), severity: s.byLogicalName('list_node.severity.urgent') });
      s.addDefects(4, { release: rel, phase: s.byLogicalName('phase.defect.new'), severity: low });
      sim.faults.add({ path: '/defects/groups', json: { groups: [{ count: 5, value: ref(low) }], groupsTotalCount: 2 }, times: 1 });
      const run = await gate(sim, { conditions: 'Urgent == 0', 'fail-on-gate': 'false' });
      expect(run.outputs['gate-result']).toBe('failed');
      expect(JSON.parse(run.outputs['counts-by-severity']!)).toMatchObject({ Urgent: 1, Low: 4 });
    });
  });

  it.each([
    ['no groups at all', { groups: [] }],
    ['only the group without a severity', { groups: [{ count: 4, value: null }] }],
    ['groups fewer than groupsTotalCount says', { groups: [], groupsTotalCount: 5 }],
    ['a capped group for a severity that hides the Urgent ones', 'low']
  ])('under a capped total_count, %s: 2,500 Urgent defects fail Urgent == 0', async (_label, json) => {
    await withSim('exceeds-capped', async (sim) => {
      const s = sim.store;
      const rel = s.add('releases', { name: 'R' });
      const low = s.byLogicalName('list_node.severity.low');
      s.addDefects(2500, {
        release: rel,
        phase: s.byLogicalName('phase.defect.new'),
        severity: s.byLogicalName('list_node.severity.urgent')
      });
      s.addDefects(4, { release: rel, phase: s.byLogicalName('phase.defect.new') });
      const answer = json === 'low' ? { groups: [{ count: 2000, value: ref(low) }], groupsTotalCount: 1 } : json;
      sim.faults.add({ path: '/defects/groups', json: answer, times: 1 });
      const run = await gate(sim, { conditions: 'Urgent == 0', 'fail-on-gate': 'false' });
      // The groups cannot stand (too few, or leaving Urgent out): each severity is counted on its own.
      expect(run.outputs['gate-result']).toBe('failed');
      expect(JSON.parse(run.outputs['counts-by-severity']!).Urgent).toBe('2000+');
    });
  });
});
