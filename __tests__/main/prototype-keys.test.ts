// Issue 7, part 2, item 6: severities and phases named after Object.prototype's members are ordinary names in the
// bundle's outputs. Counted from the simulator's store, independently of the action.
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { SimEntity } from '../../simulator/index.js';
import { connectionInputs, useSimulator } from '../helpers/e2e-simulator.js';
import { expectedGate, nonZeroCounts } from '../helpers/expected-gate.js';
import { runInProcess } from '../../test-support/run-in-process.js';

const sim = useSimulator({}, { resetEachTest: false });

const PHASES = ['New', 'toString', 'hasOwnProperty'];

describe('prototype names from Octane', () => {
  beforeAll(() => {
    const store = sim().store;
    const severityRoot = store.byLogicalName('list_node.severity');
    const node = (name: string, key: string): SimEntity =>
      store.add('list_nodes', { name, logical_name: `list_node.severity.${key}`, list_root: severityRoot, activity_level: 0 });
    const ctor = node('constructor', 'ctor');
    const proto = node('__proto__', 'proto');
    const phase = (name: string, key: string): SimEntity =>
      store.add('phases', { name, logical_name: `phase.defect.${key}`, entity: 'defect' });
    const toStringPhase = phase('toString', 'tostring');
    const ownPhase = phase('hasOwnProperty', 'hasown');
    const release = store.releaseByName('2026.4');
    const add = (n: number, phaseNode: SimEntity, severity: SimEntity): void =>
      store.addDefects(n, { release, phase: phaseNode, severity });
    add(3, store.byLogicalName('phase.defect.new'), ctor);
    add(2, store.byLogicalName('phase.defect.new'), proto);
    add(4, toStringPhase, store.byLogicalName('list_node.severity.high'));
    add(1, ownPhase, proto);
  });

  /** Name -> count of the release's defects in PHASES, from the store; the zero buckets left out. */
  function expected(): { bySeverity: Map<string, number>; byPhase: Map<string, number>; total: number } {
    const want = expectedGate(sim().store, { release: '2026.4', phases: PHASES });
    const nonZero = (counts: Record<string, number>): Map<string, number> => new Map(Object.entries(nonZeroCounts(counts)));
    return { bySeverity: nonZero(want.bySeverity), byPhase: nonZero(want.byPhase), total: want.count };
  }

  it('counts-by-severity and counts-by-phase hold exactly the right counts under __proto__ and constructor', async () => {
    const want = expected();
    expect(want.bySeverity.get('__proto__')).toBe(3);
    expect(want.bySeverity.get('constructor')).toBe(3);

    const run = await runInProcess({
      mode: 'gate',
      ...connectionInputs(sim()),
      'release-name': '2026.4',
      phases: PHASES.join(', '),
      'fail-on-gate': 'false'
    });

    expect(run.code).toBe(0);
    expect(run.outputs['defect-count']).toBe(String(want.total));
    // JSON.parse keeps `__proto__` as an own key; compare as Maps, leaving out the zero buckets of unused severities.
    const parsed = (name: string): Map<string, unknown> =>
      new Map(Object.entries(JSON.parse(run.outputs[name] ?? '{}') as Record<string, unknown>).filter(([, n]) => n !== 0));
    expect(parsed('counts-by-severity')).toEqual(want.bySeverity);
    expect(parsed('counts-by-phase')).toEqual(want.byPhase);
  });
});
