// The hostile-input table (issue 3) against one simulator: every refused case fails with exactly its
// problem line and Octane sees no request at all; every accepted case runs for real (the gate counts,
// a create writes one defect). Written once, run twice: the whole table through run() in-process
// (__tests__/main/hostile-inputs.test.ts), a sample through the bundle (__tests__/e2e/hostile-inputs.test.ts).
import { beforeAll, describe, expect, it } from '@jest/globals';
import { signIns, useSimulator, writes } from './e2e-simulator.js';
import { DEFAULT_PHASES, expectedGate } from './expected-gate.js';
import { hostileCases, type HostileCase } from '../fixtures/hostile-inputs.js';
import { visibleText, type ActionRun } from '../../test-support/run-action.js';

type Runner = (inputs: Record<string, string>) => Promise<ActionRun>;

/** Registers the suite: the cases whose titles `pick` keeps (from each of the refused and the accepted lists), each run by `runAction`. */
export function describeHostileInputs(runAction: Runner, pick: (titles: string[]) => string[] = (titles) => titles): void {
  // No reset per test: beforeAll counts what the refused runs sent, and each accepted test clears the log itself.
  const sim = useSimulator({}, { resetEachTest: false });
  let cases: HostileCase[] = [];
  const refusedRuns = new Map<string, ActionRun>();
  /** Requests the simulator saw while only refused cases were running. */
  let requestsDuringRefused = -1;

  /** Runs `fn` over `items`, at most `limit` at a time (each run is a node start). */
  async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < items.length) {
        const item = items[next++] as T;
        await fn(item);
      }
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  }

  // The case list needs the running simulator's URL, but jest collects tests before beforeAll runs:
  // titles come from a table built on a placeholder connection (titles do not depend on it).
  const TITLES = hostileCases();
  const ALL_REFUSED = TITLES.filter((c) => !c.accepted).map((c) => c.title);
  const REFUSED_TITLES = pick(ALL_REFUSED);
  const ACCEPTED_TITLES = pick(TITLES.filter((c) => c.accepted).map((c) => c.title));

  beforeAll(async () => {
    const s = sim();
    cases = hostileCases({
      url: s.url,
      clientId: s.credentials.clientId,
      clientSecret: s.credentials.clientSecret,
      sharedSpaceId: s.sharedSpaceId,
      workspaceId: s.workspaceId,
      releaseName: '2026.4'
    });
    s.log.length = 0;
    await pool(
      cases.filter((c) => !c.accepted && REFUSED_TITLES.includes(c.title)),
      4,
      async (c) => {
        refusedRuns.set(c.title, await runAction(c.inputs));
      }
    );
    requestsDuringRefused = s.log.length;
  }, 60_000);

  const byTitle = (title: string): HostileCase => {
    const c = cases.find((x) => x.title === title);
    if (!c) throw new Error(`no case ${title}`);
    return c;
  };

  describe('the table', () => {
    it('has at least 30 refused cases and covers the gate and create-defect modes', () => {
      expect(ALL_REFUSED.length).toBeGreaterThanOrEqual(30);
      expect(new Set(TITLES.map((c) => c.mode))).toEqual(new Set(['gate', 'create-defect']));
      expect(new Set(TITLES.map((c) => c.title)).size).toBe(TITLES.length);
    });
  });

  describe('refused inputs', () => {
    it('never reach Octane: the simulator saw no request while they ran', () => {
      expect(refusedRuns.size).toBe(REFUSED_TITLES.length);
      expect(requestsDuringRefused).toBe(0);
    });

    it.each(REFUSED_TITLES)('%s', (title) => {
      const c = byTitle(title);
      const run = refusedRuns.get(title) as ActionRun;
      expect(run.code).toBe(1);
      // One annotation, exactly the one problem line under the heading.
      expect(run.errors).toHaveLength(1);
      const lines = (run.errors[0] as string).split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toBe('The inputs have 1 problem:');
      if (c.error instanceof RegExp) expect(lines[1]).toMatch(c.error);
      else expect(lines[1]).toBe(c.error);
      // Nothing was attempted: no sign-in group, no outputs, no summary.
      expect(run.stdout).not.toContain('::group::');
      expect(run.outputs).toEqual({});
      expect(run.summary).toBe('');
      const shown = visibleText(run);
      expect(shown).not.toContain(sim().credentials.clientSecret);
      for (const hidden of c.notShown ?? []) expect(shown).not.toContain(hidden);
    });
  });

  // --- accepted cases: an oracle computed from the store, independent of the action's code ---

  function listEntries(text: string, fallback: string): string[] {
    const source = text.replace(/[\s,]/g, '') === '' ? fallback : text;
    return source
      .split(/[,\n]/)
      .map((e) => e.trim())
      .filter((e) => e !== '');
  }

  const HOLDS: Record<string, (n: number, t: number) => boolean> = {
    '<': (n, t) => n < t,
    lt: (n, t) => n < t,
    '<=': (n, t) => n <= t,
    le: (n, t) => n <= t,
    '==': (n, t) => n === t,
    eq: (n, t) => n === t,
    '!=': (n, t) => n !== t,
    ne: (n, t) => n !== t,
    '>=': (n, t) => n >= t,
    ge: (n, t) => n >= t,
    '>': (n, t) => n > t,
    gt: (n, t) => n > t
  };

  function expectedVerdict(inputs: Record<string, string>): { count: number; passes: boolean } {
    const { count } = expectedGate(sim().store, {
      release: (inputs['release-name'] ?? '').trim(),
      phases: listEntries(inputs.phases ?? '', DEFAULT_PHASES.join(', ')),
      severities: listEntries(inputs.severities ?? '', '')
    });
    const threshold = Number((inputs.threshold ?? '0').trim());
    const holds = HOLDS[(inputs['threshold-operator'] ?? '<=').trim().toLowerCase()];
    if (!holds) throw new Error('oracle: unknown operator');
    return { count, passes: holds(count, threshold) };
  }

  describe('accepted inputs run for real', () => {
    it.each(ACCEPTED_TITLES)('%s', async (title) => {
      const c = byTitle(title);
      sim().log.length = 0;
      const defectsBefore = sim().store.all('defects').length;
      const run = await runAction(c.inputs);
      expect(run.stdout).not.toContain('The inputs have');
      expect(signIns(sim()).length).toBeGreaterThan(0);

      if (c.mode === 'gate') {
        const { count, passes } = expectedVerdict(c.inputs);
        expect(run.outputs['defect-count']).toBe(String(count));
        expect(run.outputs['gate-result']).toBe(passes ? 'passed' : 'failed');
        expect(run.code).toBe(passes ? 0 : 1);
        expect(run.errors).toHaveLength(passes ? 0 : 1);
        expect(writes(sim())).toBe(0);
        expect(sim().store.all('defects')).toHaveLength(defectsBefore);
      } else {
        expect(run.errors).toEqual([]);
        expect(run.code).toBe(0);
        expect(writes(sim())).toBe(1);
        expect(sim().store.all('defects')).toHaveLength(defectsBefore + 1);
        const defect = sim().store.get('defects', run.outputs['defect-id'] as string);
        const settings = c.accepted ? (c.settings ?? {}) : {};
        expect(defect?.name).toBe(settings.defectName);
        if (typeof settings.defectDescription === 'string') {
          // Stored as HTML: each line's text is there, verbatim apart from the markup around it.
          for (const line of settings.defectDescription.split('\n')) expect(String(defect?.description)).toContain(line.trim());
        }
      }
    });
  });
}
