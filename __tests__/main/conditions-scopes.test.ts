// Issue 10 through run() in-process against the simulator: conditions (levels, severities inside the filter,
// the failure message, the summary's order) and scopes (each input, ORed values, ANDed inputs, exact names
// failing closed, sub-modules), and that neither adds a sequential round trip.
import { describe, expect, it } from '@jest/globals';
import { runInProcess } from '../../test-support/run-in-process.js';
import { connectionInputs, refId, useSimulator } from '../helpers/e2e-simulator.js';
import { shown } from '../helpers/markup.js';
import type { SimEntity } from '../../simulator/index.js';

const sim = useSimulator({ cookieReissueEvery: 1 });
const OPEN = ['new', 'opened', 'deferred'];

const gate = (more: Record<string, string>) =>
  runInProcess({ mode: 'gate', ...connectionInputs(sim()), 'release-name': '2026.4', ...more });

/** Open defects of 2026.4 that `keep` accepts, from the store. */
function open(keep: (d: SimEntity) => boolean = () => true): SimEntity[] {
  const { store } = sim();
  const release = store.releaseByName('2026.4').id;
  const phases = new Set(OPEN.map((p) => store.byLogicalName(`phase.defect.${p}`).id));
  return store.all('defects').filter((d) => refId(d.release) === release && phases.has(refId(d.phase) ?? '') && keep(d));
}
const named = (collection: string, name: string): SimEntity => sim().store.find(collection, (e) => e.name === name)[0]!;
const refIds = (v: unknown): string[] => ((v as { data?: Array<{ id: string }> } | undefined)?.data ?? []).map((r) => r.id);

describe('conditions', () => {
  it('passed: every condition holds; the summary starts with the verdict and the conditions table', async () => {
    const total = open().length;
    const run = await gate({ conditions: `total <= ${total}\nUrgent >= 0` });
    expect(run.code).toBe(0);
    expect(run.outputs['gate-result']).toBe('passed');
    const summary = shown(run.summary);
    expect(summary).toMatch(/^## ✅ Gate passed\n\n\*\*Gate passed: all 2 conditions hold/);
    const order = ['### Conditions', '### Filter', '### Breakdown', '### Defects'].map((h) => summary.indexOf(h));
    expect(order.every((at, i) => at > 0 && (i === 0 || at > order[i - 1]!))).toBe(true);
    expect(summary).toContain(`| ✅ passed | total <= ${total} | ${total} |`);
  });

  it('fail-on-gate false: a failed condition is reported, the step succeeds', async () => {
    const run = await gate({ conditions: 'total == 0', 'fail-on-gate': 'false' });
    expect(run.code).toBe(0);
    expect(run.outputs['gate-result']).toBe('failed');
    expect(run.warnings.join('\n')).toMatch(/^Gate failed: 1 of 1 condition fails: total == 0 \(\d+ defects\)\. Release 2026\.4/m);
  });

  it('a condition severity outside the severities input is an error naming conditions, with no output', async () => {
    const run = await gate({ severities: 'Urgent, Very High', conditions: 'High <= 3' });
    expect(run.code).toBe(1);
    expect(run.outputs).toEqual({});
    expect(run.errors[0]).toMatch(
      /^conditions: Condition "High <= 3": Unknown severities "High" among the severities input \(Urgent, Very High\); a condition counts only severities the gate counts$/
    );
  });

  it('an unknown severity in a condition fails, listing the valid ones', async () => {
    const run = await gate({ conditions: 'Hihg <= 3' });
    expect(run.code).toBe(1);
    expect(run.errors[0]).toMatch(/^conditions: .*Unknown severities "Hihg"; valid severities: .*High/);
  });

  it('three conditions and two scopes: the same one wave after sign-in as a plain gate, two look-ups more', async () => {
    const run = await gate({
      conditions: 'Urgent, Very High == 0\nHigh <= 3\ntotal <= 25 warn',
      teams: 'Platform, Mobile',
      milestones: '2026.4 code freeze',
      'fail-on-gate': 'false'
    });
    expect(run.code).toBe(0);
    const api = sim().log.filter((r) => !r.path.includes('/authentication/'));
    // Every answer re-issues the session cookie: requests of one wave carry the same value.
    expect(new Set(api.map((r) => r.lwsso)).size).toBe(1);
    expect(api).toHaveLength(8);
    expect(sim().log).toHaveLength(10);
  });
});

describe('scopes', () => {
  it("values of one input are ORed, inputs ANDed; the count is the store's", async () => {
    const platform = named('teams', 'Platform').id;
    const mobile = named('teams', 'Mobile').id;
    const escaped = sim().store.byLogicalName('list_node.defect_type.Escaped').id;
    const want = open((d) => [platform, mobile].includes(refId(d.team) ?? '') && refId(d.defect_type) === escaped).length;
    const run = await gate({ teams: 'Platform\nMobile', 'defect-types': 'escaped', 'fail-on-gate': 'false' });
    expect(run.code).toBe(0);
    expect(run.outputs['defect-count']).toBe(String(want));
  });

  it('sprints are the release\'s: "Sprint 1" of 2026.4, not of 2026.5', async () => {
    const sprint = sim().store.find(
      'sprints',
      (s) => s.name === 'Sprint 1' && refId(s.release) === sim().store.releaseByName('2026.4').id
    )[0]!;
    const want = open((d) => refId(d.sprint) === sprint.id).length;
    const run = await gate({ sprints: 'Sprint 1', 'fail-on-gate': 'false' });
    expect(run.outputs['defect-count']).toBe(String(want));
  });

  it('application modules: a defect counts when one of its own modules is listed; a sub-module is not its parent', async () => {
    const checkout = named('product_areas', 'Checkout').id;
    const payments = sim().store.find('product_areas', (p) => p.name === 'Payments')[0]!.id;
    const onlyParent = open((d) => refIds(d.product_areas).includes(checkout)).length;
    const both = open((d) => refIds(d.product_areas).some((id) => id === checkout || id === payments)).length;
    const parent = await gate({ 'application-modules': 'Checkout', 'fail-on-gate': 'false' });
    expect(parent.outputs['defect-count']).toBe(String(onlyParent));
    const listed = await gate({ 'application-modules': 'Checkout, Payments', 'fail-on-gate': 'false' });
    expect(listed.outputs['defect-count']).toBe(String(both));
  });

  it('an unknown team fails closed, naming the input and listing teams; nothing is counted by id', async () => {
    const run = await gate({ teams: 'Platfrom' });
    expect(run.code).toBe(1);
    expect(run.outputs).toEqual({});
    expect(run.errors[0]).toMatch(/^teams: No team named "Platfrom" in the workspace; teams there: .*"Platform"/);
  });

  it('names are exact: "platform" is not "Platform"', async () => {
    const run = await gate({ teams: 'platform' });
    expect(run.code).toBe(1);
    expect(run.errors[0]).toMatch(/^teams: No team named "platform"/);
  });

  it("a milestone name shared by two releases is the gate release's", async () => {
    const mine = sim().store.find(
      'milestones',
      (m) => m.name === '2026.4 code freeze' && refId(m.release) === sim().store.releaseByName('2026.4').id
    )[0]!;
    const other = sim().store.add('milestones', {
      name: '2026.4 code freeze',
      release: { type: 'release', id: sim().store.releaseByName('2026.5').id }
    });
    const release = { type: 'release', id: sim().store.releaseByName('2026.4').id };
    // A defect of the gate's release under the other release's milestone must not count.
    sim().store.addDefects(2, {
      release,
      phase: sim().store.byLogicalName('phase.defect.new'),
      milestone: { type: 'milestone', id: other.id }
    });
    sim().store.addDefects(3, {
      release,
      phase: sim().store.byLogicalName('phase.defect.new'),
      milestone: { type: 'milestone', id: mine.id }
    });
    const run = await gate({ milestones: '2026.4 code freeze', 'fail-on-gate': 'false' });
    expect(run.errors).toEqual([]);
    const want = open((d) => refId(d.milestone) === mine.id).length;
    expect(want).toBeGreaterThanOrEqual(3);
    expect(run.outputs['defect-count']).toBe(String(want));
  });
});
