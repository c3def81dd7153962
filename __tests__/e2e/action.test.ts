// The bundled action, run as the runner runs it: what only the real process shows (the masks in its
// stdout before anything else). Outputs, summary and messages: __tests__/main/action.test.ts.
import { describe, expect, it } from '@jest/globals';
import { connectionInputs, useSimulator } from '../helpers/e2e-simulator.js';
import { runAction, visibleText } from '../../test-support/run-action.js';
import { shown } from '../helpers/markup.js';

const sim = useSimulator();

describe('secrets', () => {
  it('never prints the secret or the session cookies, also with RUNNER_DEBUG=1', async () => {
    const run = await runAction({ mode: 'gate', ...connectionInputs(sim()), 'release-name': '2026.4' }, { env: { RUNNER_DEBUG: '1' } });
    const printed = visibleText(run);
    expect(printed).toContain('::debug::');
    expect(printed).not.toContain(sim().credentials.clientSecret);
    const cookies = sim()
      .log.flatMap((r) => (r.headers.cookie ?? '').split(/;\s*/))
      .filter((c) => c.startsWith('LWSSO_COOKIE_KEY='))
      .map((c) => c.slice('LWSSO_COOKIE_KEY='.length));
    expect(cookies.filter((v) => v.length > 4).length).toBeGreaterThan(0);
    for (const value of cookies.filter((v) => v.length > 4)) {
      expect(printed).not.toContain(value);
      expect(run.stdout).toContain(`::add-mask::${value}`);
    }
    expect(run.stdout).toContain(`::add-mask::${sim().credentials.clientSecret}`);
  });
});

describe('conditions and scopes through the bundle (issue 10)', () => {
  /** Open defects of a release (default phases) that match `keep`, from the store. */
  const open = (release: string, keep: (d: Record<string, unknown>) => boolean = () => true): Array<Record<string, unknown>> => {
    const { store } = sim();
    const id = store.releaseByName(release).id;
    const phases = new Set(['new', 'opened', 'deferred'].map((p) => store.byLogicalName(`phase.defect.${p}`).id));
    const ref = (v: unknown): string | undefined => (v as { id?: string } | undefined)?.id;
    return store.all('defects').filter((d) => ref(d.release) === id && phases.has(ref(d.phase) ?? '') && keep(d));
  };

  it('a failing condition fails the step, naming each failed condition with its count; the others are reported', async () => {
    const urgent = sim().store.byLogicalName('list_node.severity.urgent');
    const urgentCount = open('2026.4', (d) => (d.severity as { id?: string } | undefined)?.id === urgent.id).length;
    const total = open('2026.4').length;
    expect(urgentCount).toBeGreaterThan(0);

    const run = await runAction({
      mode: 'gate',
      ...connectionInputs(sim()),
      'release-name': '2026.4',
      conditions: `Urgent == 0\ntotal <= ${total}\ntotal < ${total} warn`
    });

    expect(run.code).toBe(1);
    expect(run.outputs['gate-result']).toBe('failed');
    expect(run.errors).toEqual([
      `Gate failed: 1 of 3 conditions fails: Urgent == 0 (${urgentCount} defect${urgentCount === 1 ? '' : 's'}). Release 2026.4, phases New/Opened/Deferred, every severity`
    ]);
    expect(run.warnings).toContain(`Gate condition warns: total < ${total} (${total} defects)`);
    expect(JSON.parse(run.outputs.conditions ?? '[]')).toEqual([
      { condition: 'Urgent == 0', count: urgentCount, operator: '==', threshold: 0, level: 'fail', result: 'failed' },
      { condition: `total <= ${total}`, count: total, operator: '<=', threshold: total, level: 'fail', result: 'passed' },
      { condition: `total < ${total}`, count: total, operator: '<', threshold: total, level: 'warn', result: 'failed' }
    ]);
  });

  it('scopes by team and tag, ANDed, with created-after: only those defects count, and every scope is named', async () => {
    const { store } = sim();
    const platform = store.find('teams', (t) => t.name === 'Platform')[0]!;
    const regression = store.find('user_tags', (t) => t.name === 'regression')[0]!;
    const after = '2026-04-03';
    const want = open('2026.4', (d) => {
      const tags = ((d.user_tags as { data?: Array<{ id: string }> } | undefined)?.data ?? []).map((t) => t.id);
      return (d.team as { id?: string } | undefined)?.id === platform.id && tags.includes(regression.id) && String(d.creation_time) > after;
    });

    const run = await runAction({
      mode: 'gate',
      ...connectionInputs(sim()),
      'release-name': '2026.4',
      teams: 'Platform',
      tags: 'regression, flaky',
      'created-after': after,
      'fail-on-gate': 'false'
    });

    expect(run.code).toBe(0);
    expect(run.outputs['defect-count']).toBe(String(want.length));
    expect(run.stdout).toMatch(/Teams: Platform \(\d+\)/);
    expect(run.warnings.join('\n')).toContain('team Platform, tags regression/flaky, created after 2026-04-03T00:00:00.000Z');
    expect(shown(run.summary)).toContain('| Created after | 2026-04-03T00:00:00.000Z (2026-04-03) |');
  });
});
