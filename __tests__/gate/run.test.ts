import { describe, it, expect } from '@jest/globals';
import type { Simulator } from '../../simulator/index.js';
import type { OctaneApi, Page } from '../../src/octane/api.js';
import { OctaneError } from '../../src/octane/errors.js';
import { runGate } from '../../src/gate/run.js';
import type { Tally } from '../../src/gate/result.js';
import { LookupError } from '../../src/lookups.js';
import { refId } from '../helpers/e2e-simulator.js';
import { expectedGate, nonZeroCounts, NO_SEVERITY_LABEL } from '../helpers/expected-gate.js';
import { recordingLog, tampered, useSignedInClient, waves, withSignedInClient } from '../helpers/octane-client.js';
import { gateSettings } from './helpers.js';

const TRICKY = 'R1 ^x\' "(y)" \\ *';
const SEVERITY_ORDER = ['urgent', 'very_high', 'high', 'medium', 'low'];

function rank(sim: Simulator, severityName: string): number {
  const node = sim.store.find('list_nodes', (n) => n.name === severityName && String(n.logical_name).startsWith('list_node.severity.'))[0];
  if (!node) return SEVERITY_ORDER.length;
  return SEVERITY_ORDER.indexOf(String(node.logical_name).slice('list_node.severity.'.length));
}

/** Name -> count of exact counts; a lower bound shows as `N+`, so comparing with an exact oracle fails on it. */
function plain(counts: Map<string, Tally> | undefined): Record<string, number | string> {
  return Object.fromEntries([...(counts ?? [])].map(([k, t]) => [k, t.exact ? t.n : `${t.n}+`]));
}

/** Drops zero buckets, which the gate reports for every severity in the filter. */
function nonZero(counts: Map<string, Tally> | undefined): Record<string, number | string> {
  return Object.fromEntries(Object.entries(plain(counts)).filter(([, n]) => n !== 0));
}

describe('runGate against the simulator', () => {
  const { sim, client: api } = useSignedInClient();

  it('counts the default phases over every severity, complete breakdown, and fails at threshold 0', async () => {
    const rec = recordingLog();
    const r = await runGate(gateSettings(sim()), api(), rec.log);
    const want = expectedGate(sim().store, { release: '2026.4' });
    expect(want.defects.length).toBeGreaterThan(1);
    expect(r.count).toBe(want.defects.length);
    expect(r.passed).toBe(false);
    expect(r.allSeverities).toBe(true);
    expect(nonZero(r.countsBySeverity)).toEqual(nonZeroCounts(want.bySeverity));
    expect(plain(r.countsByPhase)).toEqual(want.byPhase);
    expect(r.defects!.map((d) => d.id).sort()).toEqual(want.defects.map((d) => d.id).sort());
    // Most severe first.
    const ranks = r.defects!.map((d) => rank(sim(), d.severity));
    expect([...ranks].sort((a, b) => a - b)).toEqual(ranks);
    // Each listed defect carries its phase, severity and link.
    for (const d of r.defects!) {
      const stored = sim().store.get('defects', d.id)!;
      expect(d.name).toBe(stored.name);
      expect(d.phase).toBe(sim().store.get('phases', refId(stored.phase)!)!.name);
      expect(d.severity).toBe(sim().store.get('list_nodes', refId(stored.severity)!)!.name);
      expect(d.url).toBe(api().workItemUrl(d.id));
    }
    // The log shows the stages, the resolved ids and the verdict.
    expect(rec.groups).toEqual(['Look-ups', 'Gate query']);
    expect(rec.lines.join('\n')).toContain(`id ${sim().store.releaseByName('2026.4').id}`);
    expect(rec.lines.at(-1)).toMatch(
      new RegExp(`^Gate failed: ${r.count} defects \\(release 2026\\.4, phases New/Opened/Deferred, every severity\\); allowed: <= 0$`)
    );
  });

  it('passes when the count meets the threshold', async () => {
    const want = expectedGate(sim().store, { release: '2026.4' }).defects.length;
    const atLimit = await runGate(gateSettings(sim(), { threshold: want, operator: '<=' }), api(), recordingLog().log);
    expect(atLimit.passed).toBe(true);
    const below = await runGate(gateSettings(sim(), { threshold: want, operator: '<' }), api(), recordingLog().log);
    expect(below.passed).toBe(false);
  });

  it('filters by severity names and logical names in any case', async () => {
    const r = await runGate(gateSettings(sim(), { severities: ['HIGH', 'list_node.severity.Urgent'] }), api(), recordingLog().log);
    const want = expectedGate(sim().store, { release: '2026.4', severities: ['list_node.severity.high', 'list_node.severity.urgent'] });
    expect(r.count).toBe(want.defects.length);
    expect(r.severities.map((s) => s.name)).toEqual(['Urgent', 'High']);
    expect(plain(r.countsBySeverity)).toEqual({ Urgent: want.bySeverity.Urgent ?? 0, High: want.bySeverity.High ?? 0 });
    // The severity look-up's own filter matched exactly the two chosen: the count sent with it stands.
    expect(r.query).toContain('severity EQ {list_root EQ {logical_name EQ ^list_node.severity^};(name EQ ^HIGH^');
  });

  it('counts completely but lists only list-limit defects, the most severe', async () => {
    const r = await runGate(gateSettings(sim(), { listLimit: 2 }), api(), recordingLog().log);
    const want = expectedGate(sim().store, { release: '2026.4' });
    expect(want.defects.length).toBeGreaterThan(2);
    expect(r.count).toBe(want.defects.length);
    expect(r.defects).toHaveLength(2);
    const bestRank = Math.min(...want.defects.map((d) => rank(sim(), sim().store.get('list_nodes', refId(d.severity)!)!.name as string)));
    expect(rank(sim(), r.defects![0]!.severity)).toBe(bestRank);
  });

  it('works for a release named with query metacharacters', async () => {
    const r = await runGate(gateSettings(sim(), { releaseName: TRICKY, phases: ['Opened'] }), api(), recordingLog().log);
    expect(r.release.id).toBe(sim().store.releaseByName(TRICKY).id);
    expect(r.count).toBe(expectedGate(sim().store, { release: TRICKY, phases: ['Opened'] }).defects.length);
  });

  it("fails on unknown names, all reported together, with no count but the first wave's", async () => {
    const before = sim().log.filter((q) => q.path.includes('/defects')).length;
    const error = await runGate(
      gateSettings(sim(), { releaseName: '2026.9', phases: ['New', 'Nwe'], severities: ['Hihg'] }),
      api(),
      recordingLog().log
    ).then(
      () => undefined,
      (e: unknown) => e
    );
    expect(error).toBeInstanceOf(LookupError);
    expect((error as LookupError).problems.map((p) => p.input)).toEqual(['release-name', 'phases', 'severities']);
    expect((error as LookupError).message).toMatch(/2026\.9[\s\S]*Nwe[\s\S]*Hihg/);
    expect((error as LookupError).message).toContain('Deferred');
    // Only the list and its two groupings left with the look-ups; nothing was counted after them.
    expect(sim().log.filter((q) => q.path.includes('/defects')).length).toBe(before + 3);
  });

  it('a single severity typo fails, never counts zero', async () => {
    await expect(runGate(gateSettings(sim(), { severities: ['Urgnet'] }), api(), recordingLog().log)).rejects.toThrow(/Urgnet/);
  });

  it('dry run resolves and logs the query but counts nothing', async () => {
    const before = sim().log.filter((q) => q.path.endsWith('/defects')).length;
    const rec = recordingLog();
    const r = await runGate(gateSettings(sim(), { dryRun: true }), api(), rec.log);
    expect(r.dryRun).toBe(true);
    expect(r.count).toBeUndefined();
    expect(r.passed).toBeUndefined();
    expect(r.defects).toBeUndefined();
    expect(r.query).toContain(`release EQ {id EQ ${sim().store.releaseByName('2026.4').id}}`);
    expect(rec.lines.join('\n')).toContain(r.query);
    expect(sim().log.filter((q) => q.path.endsWith('/defects')).length).toBe(before);
  });

  it('takes one round trip after sign-in: the look-ups with the list and the two groupings', async () => {
    sim().latencyMs = 20;
    const w = waves(api());
    const settings = gateSettings(sim(), { severities: ['High', 'Urgent'] });
    const r = await runGate(settings, w.api, recordingLog().log).finally(() => {
      sim().latencyMs = 0;
    });
    expect(w.waves).toHaveLength(1);
    expect(w.waves[0]!.map((c) => `${c.collection}${c.groupBy ? `/groups?${c.groupBy}` : ''}`).sort()).toEqual([
      'defects',
      'defects/groups?phase',
      'defects/groups?severity',
      'list_nodes',
      'phases',
      'releases'
    ]);
    expect(r.count).toBe(
      expectedGate(sim().store, { release: '2026.4', severities: ['list_node.severity.high', 'list_node.severity.urgent'] }).defects.length
    );
  });

  it('counts again by id, in a second wave, when a look-up filter matched more than it chose', async () => {
    // "opened" matches the phase Opened by name; a second phase named "OPENED" would match too: the server's
    // answer to the phase filter then holds more than the one chosen... here a release twin does it.
    const { store } = sim();
    const twin = store.add('releases', { name: '2026.4 twin' });
    const w = waves(
      tampered(api(), (collection, _params, page) =>
        collection === 'releases' && page.data.length === 1
          ? { ...page, total_count: 2, data: [...page.data, { type: 'release', id: twin.id, name: '2026.4 twin' }] }
          : page
      )
    );
    const r = await runGate(gateSettings(sim()), w.api, recordingLog().log);
    expect(w.waves).toHaveLength(2);
    expect(w.waves[1]!.every((c) => c.collection === 'defects')).toBe(true);
    expect(r.query).toContain(`release EQ {id EQ ${store.releaseByName('2026.4').id}}`);
    expect(r.count).toBe(expectedGate(sim().store, { release: '2026.4' }).defects.length);
  });
});

describe('runGate at scale and on other sites', () => {
  it('never pages: 5,000 more defects cost the same requests and still count completely', async () => {
    await withSignedInClient({}, async (sim, api) => {
      const settings = gateSettings(sim, { listLimit: 50 });
      await runGate(settings, api, recordingLog().log);
      const small = sim.log.filter((q) => q.path.endsWith('/defects')).length;

      const release = sim.store.releaseByName('2026.4');
      const phase = sim.store.byLogicalName('phase.defect.new');
      sim.store.addDefects(5000, { release, phase, severity: sim.store.byLogicalName('list_node.severity.low') });
      // The newest defect is the most severe: listing by id alone would never show it.
      const late = sim.store.add('defects', {
        name: 'Late urgent',
        release,
        phase,
        severity: sim.store.byLogicalName('list_node.severity.urgent')
      });
      const start = sim.log.length;
      const r = await runGate(settings, api, recordingLog().log);
      const requests = sim.log.slice(start).filter((q) => q.path.endsWith('/defects'));
      expect(requests).toHaveLength(small);
      expect(requests.every((q) => Number(q.query.limit) <= 50 && (q.query.offset ?? '0') === '0')).toBe(true);
      const want = expectedGate(sim.store, { release: '2026.4' });
      expect(want.defects.length).toBeGreaterThan(5000);
      expect(r.count).toBe(want.defects.length);
      expect(nonZero(r.countsBySeverity)).toEqual(nonZeroCounts(want.bySeverity));
      expect(plain(r.countsByPhase)).toEqual(want.byPhase);
      expect(r.defects).toHaveLength(50);
      // The most severe come first (the late one among them), the 5,000 low ones after them.
      expect(r.defects!.map((d) => d.id)).toContain(late.id);
      const ranks = r.defects!.map((d) => rank(sim, d.severity));
      expect([...ranks].sort((a, b) => a - b)).toEqual(ranks);
      expect(r.defects!.at(-1)!.severity).toBe('Low');
    });
  });

  it("reports defects without a severity in a '(no severity)' bucket and lists them last", async () => {
    await withSignedInClient({}, async (sim, api) => {
      sim.store.addDefects(3, {
        release: sim.store.releaseByName('2026.4'),
        phase: sim.store.byLogicalName('phase.defect.new'),
        severity: null
      });
      const r = await runGate(gateSettings(sim), api, recordingLog().log);
      const want = expectedGate(sim.store, { release: '2026.4' });
      expect(r.count).toBe(want.defects.length);
      expect(r.countsBySeverity!.get(NO_SEVERITY_LABEL)).toEqual({ n: 3, exact: true });
      expect(r.defects!.slice(-3).map((d) => d.severity)).toEqual(['', '', '']);
      // With a severity filter they are not counted at all.
      const filtered = await runGate(gateSettings(sim, { severities: ['Low'] }), api, recordingLog().log);
      expect(filtered.countsBySeverity!.has(NO_SEVERITY_LABEL)).toBe(false);
    });
  });

  it("works where urgent is called 'Critical' and ids are logical names", async () => {
    await withSignedInClient({ urgentName: 'Critical', phaseIds: 'logical' }, async (sim, api) => {
      const r = await runGate(gateSettings(sim, { severities: ['critical', 'High'] }), api, recordingLog().log);
      expect(r.severities.map((s) => s.id)).toEqual(['list_node.severity.urgent', 'list_node.severity.high']);
      expect(r.phases.map((p) => p.id)).toEqual(['phase.defect.new', 'phase.defect.opened', 'phase.defect.deferred']);
      const want = expectedGate(sim.store, { release: '2026.4', severities: ['list_node.severity.urgent', 'list_node.severity.high'] });
      expect(r.count).toBe(want.defects.length);
      expect(plain(r.countsBySeverity)).toEqual({ Critical: want.bySeverity.Critical ?? 0, High: want.bySeverity.High ?? 0 });
      expect(r.defects![0]!.severity).toBe('Critical');
    });
  });
});

describe('runGate fails closed on answers it cannot trust', () => {
  const { sim, client: api } = useSignedInClient();

  it.each([
    ['missing', undefined],
    ['text', '0'],
    ['negative', -1],
    ['fractional', 0.5],
    ['not a number', Number.NaN]
  ])('a %s total_count on the count queries is an error, never a pass', async (_, bad) => {
    // Through the client, which owns a page's shape (a NaN reaches it as JSON null).
    sim().faults.add({ method: 'GET', path: '/defects', json: { total_count: bad, data: [] }, times: 100 });
    // threshold high enough that any count would pass: only an error keeps the gate shut.
    const settings = gateSettings(sim(), { threshold: 1_000_000 });
    await expect(runGate(settings, api(), recordingLog().log).finally(() => sim().faults.clear())).rejects.toThrow(/total_count/);
  });

  it('a workspace without severity nodes still counts every defect, all under "(no severity)"', async () => {
    const noSeverities = tampered(api(), (collection, params, page) =>
      collection === 'list_nodes' && params.query?.includes('list_node.severity') ? { total_count: 0, data: [] } : page
    );
    const r = await runGate(gateSettings(sim()), noSeverities, recordingLog().log);
    const want = expectedGate(sim().store, { release: '2026.4' });
    expect(r.count).toBe(want.defects.length);
    expect(r.passed).toBe(false);
    expect(plain(r.countsBySeverity)).toEqual({ [NO_SEVERITY_LABEL]: want.defects.length });
    expect(r.defects!.map((d) => d.id).sort()).toEqual(want.defects.map((d) => d.id).sort());
    // Naming a severity there is an error, not a count of zero.
    await expect(runGate(gateSettings(sim(), { severities: ['High'] }), noSeverities, recordingLog().log)).rejects.toThrow(
      /valid severities: none/
    );
  });

  it('a count that Octane flags and caps (exceeds_total_count) is settled by listing, never passed on the capped number', async () => {
    const want = expectedGate(sim().store, { release: '2026.4', severities: ['list_node.severity.high', 'list_node.severity.urgent'] })
      .defects.length;
    expect(want).toBeGreaterThan(1);
    // Every defects answer capped at 0 and flagged, as a server with a (tiny) maximum count would answer; with
    // pages of one row no page proves its count either, so only listing can settle the verdict.
    const capped = tampered(api(), (collection, _params, page) =>
      collection === 'defects' ? { ...page, total_count: 0, exceeds_total_count: (page as Page).total_count > 0 } : page
    );
    const rec = recordingLog();
    const allowing = await runGate(gateSettings(sim(), { severities: ['High', 'Urgent'], threshold: want, listLimit: 1 }), capped, rec.log);
    expect([allowing.passed, allowing.count, allowing.countExact]).toEqual([true, want, true]);
    expect(rec.lines.join('\n')).toContain('exceeds_total_count');
    const strict = await runGate(
      gateSettings(sim(), { severities: ['High', 'Urgent'], threshold: want - 1, listLimit: 1 }),
      capped,
      recordingLog().log
    );
    expect(strict.passed).toBe(false);
  });

  /** A server without the grouping resource: the gate counts each part. */
  const noGroups = (a: OctaneApi): OctaneApi => ({ ...a, groups: undefined });
  /** The client with another grouping answer (the client is a class: its methods are not own properties). */
  const withGroups = (a: OctaneApi, groups: NonNullable<OctaneApi['groups']>): OctaneApi => ({
    list: (c, p) => a.list(c, p),
    create: (c, f, o) => a.create(c, f, o),
    workItemUrl: (id) => a.workItemUrl(id),
    groups
  });

  it('a per-severity count above the total is an error', async () => {
    const broken = noGroups(
      tampered(api(), (collection, params, page) =>
        collection === 'defects' && params.query?.includes('severity EQ {id EQ')
          ? { ...page, total_count: (page as Page).total_count + 1000 }
          : page
      )
    );
    await expect(runGate(gateSettings(sim(), { threshold: 1_000_000 }), broken, recordingLog().log)).rejects.toThrow(/disagree/);
  });

  it('with a severity filter, per-severity counts below the total are an error, not a "(no severity)" bucket', async () => {
    // A defect that changes severity between the parallel queries: with a filter every match has one
    // of the chosen severities, so the parts must add up exactly.
    let once = true;
    const broken = noGroups(
      tampered(api(), (collection, params, page) => {
        if (collection === 'defects' && once && params.query?.includes('severity EQ {id EQ') && (page as Page).total_count > 0) {
          once = false;
          return { ...page, total_count: (page as Page).total_count - 1 };
        }
        return page;
      })
    );
    await expect(runGate(gateSettings(sim(), { severities: ['High', 'Urgent'] }), broken, recordingLog().log)).rejects.toThrow(/disagree/);
  });

  it('grouped counts that do not add up to the total are not used: each part is counted instead', async () => {
    const real = api();
    const off = withGroups(real, async (c, p) => (await real.groups!(c, p)).map((g, i) => (i === 0 ? { ...g, count: g.count + 1 } : g)));
    const rec = recordingLog();
    const r = await runGate(gateSettings(sim()), off, rec.log);
    const want = expectedGate(sim().store, { release: '2026.4' });
    expect(r.count).toBe(want.defects.length);
    expect(nonZero(r.countsBySeverity)).toEqual(nonZeroCounts(want.bySeverity));
    expect(plain(r.countsByPhase)).toEqual(want.byPhase);
    expect(rec.lines.join('\n')).toContain('do not add up');
  });

  it('a grouping answer refused with 404 falls back to counting each part; a 500 fails the gate', async () => {
    const real = api();
    const refuse = (status: number): OctaneApi =>
      withGroups(real, async () => Promise.reject(new OctaneError(`GET defects/groups: ${status}`, { status })));
    const want = expectedGate(sim().store, { release: '2026.4' });
    const r = await runGate(gateSettings(sim()), refuse(404), recordingLog().log);
    expect([r.count, plain(r.countsByPhase)]).toEqual([want.defects.length, want.byPhase]);
    await expect(runGate(gateSettings(sim()), refuse(500), recordingLog().log)).rejects.toThrow(/500/);
  });
});
