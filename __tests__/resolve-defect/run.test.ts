/** resolve-defect in-process against the simulator: which defects it touches, the comment, the move, lost answers. */
import { describe, it, expect, beforeEach } from '@jest/globals';
import { useSignedInClient, recordingLog, connectionFor } from '../helpers/octane-client.js';
import { settingsFor } from '../create-defect/helpers.js';
import { uniqueName, writeRequests } from '../helpers/e2e-simulator.js';
import { runCreateDefect } from '../../src/create-defect/run.js';
import { runResolveDefect } from '../../src/resolve-defect/run.js';
import { resolveFailures, resolveOutputs, resolveSummary } from '../../src/resolve-defect/render.js';
import type { ResolveDefectSettings } from '../../src/settings.js';
import type { RunContext } from '../../src/create-defect/run-context.js';
import { LookupError } from '../../src/lookups.js';

const { sim, client } = useSignedInClient({ cookieReissueEvery: 0 });

beforeEach(() => {
  sim().faults.clear();
  sim().log.length = 0;
});

const CONTEXT: RunContext = {
  repository: 'acme/shop',
  repositoryUrl: 'https://github.com/acme/shop',
  workflow: 'CI',
  job: 'build',
  runUrl: 'https://github.com/acme/shop/actions/runs/42/attempts/1',
  runAttempt: 1,
  commit: 'abc123',
  ref: 'refs/heads/main',
  actor: 'dev',
  event: 'push'
};

function resolveSettings(name: string, over: Partial<ResolveDefectSettings> = {}): ResolveDefectSettings {
  return { mode: 'resolve-defect', connection: connectionFor(sim()), releaseName: '2026.4', dryRun: false, defectName: name, ...over };
}

const fast = async (): Promise<void> => {};
const phaseName = (id: string): unknown => sim().store.get('phases', (sim().store.get('defects', id)!.phase as { id: string }).id)!.name;
const commentsOn = (id: string) => sim().store.find('comments', (c) => (c.owner_work_item as { id: string }).id === id);

/** Files a defect as the action does (with its creation marker) and puts it in `phase`. */
async function filed(name: string, phase = 'opened'): Promise<string> {
  const r = await runCreateDefect(settingsFor(sim(), { defectName: name }), client(), recordingLog().log, { runContext: CONTEXT });
  sim().store.get('defects', r.id!)!.phase = { type: 'phase', id: sim().store.byLogicalName(`phase.defect.${phase}`).id };
  return r.id!;
}

/** A defect a person filed: same name and release, no creation marker. */
function byPerson(name: string, phase = 'opened'): string {
  return sim().store.add('defects', {
    name,
    description: '<p>Seen by QA; octane-action-request: mentioned in passing</p>',
    parent: sim().store.all('work_item_roots')[0],
    release: sim().store.releaseByName('2026.4'),
    phase: sim().store.byLogicalName(`phase.defect.${phase}`)
  }).id;
}

describe('resolve-defect', () => {
  it('comments on the open defect it filed and moves it to Fixed; a defect a person filed with the same name is left alone', async () => {
    const name = uniqueName('Build broken');
    const ours = await filed(name, 'opened');
    const theirs = byPerson(name, 'opened');
    sim().log.length = 0;
    const rec = recordingLog();
    const r = await runResolveDefect(resolveSettings(name, { resolvePhase: 'Fixed' }), client(), rec.log, {
      runContext: CONTEXT,
      sleep: fast
    });

    expect(phaseName(ours)).toBe('Fixed');
    const [comment] = commentsOn(ours);
    expect(comment!.text).toContain('href="https://github.com/acme/shop/actions/runs/42/attempts/1"');
    expect(comment!.text).toContain('https://github.com/acme/shop/commit/abc123');
    expect(comment!.text).toContain('refs/heads/main');
    expect(phaseName(theirs)).toBe('Opened');
    expect(commentsOn(theirs)).toHaveLength(0);
    expect(writeRequests(sim()).map((w) => w.method)).toEqual(['POST', 'PUT']);
    expect(resolveOutputs(r)).toEqual({
      'resolved-count': '1',
      'defect-id': ours,
      'defect-url': client().workItemUrl(ours),
      resolved: 'true'
    });
    expect(rec.lines.join('\n')).toContain(`Defect ${theirs} has this name but was not filed by this action`);
    const summary = resolveSummary(r);
    expect(summary).toContain('moved to Fixed');
    expect(summary).toContain(`never touched: ${theirs}`);
  });

  it('comments but does not move where the workflow has no transition, and warns naming the phases it can move to', async () => {
    const name = uniqueName('Build broken');
    const id = await filed(name, 'new');
    const rec = recordingLog();
    const r = await runResolveDefect(resolveSettings(name, { resolvePhase: 'phase.defect.fixed' }), client(), rec.log, {
      runContext: CONTEXT,
      sleep: fast
    });
    expect(phaseName(id)).toBe('New');
    expect(commentsOn(id)).toHaveLength(1);
    expect(writeRequests(sim()).filter((w) => w.method === 'PUT')).toHaveLength(0);
    expect(rec.warnings).toHaveLength(1);
    expect(rec.warnings[0]).toMatch(
      /was not moved to "Fixed": the workflow has no transition from "New" to "Fixed"; from there it can move to "Opened", "Rejected", "Deferred", "Duplicate"/
    );
    expect(resolveOutputs(r)).toMatchObject({ 'resolved-count': '1', 'defect-id': id, resolved: 'false' });
  });

  it('fails before any write when resolve-phase is not a defect phase, listing the valid ones', async () => {
    const name = uniqueName('Build broken');
    await filed(name);
    sim().log.length = 0;
    const run = runResolveDefect(resolveSettings(name, { resolvePhase: 'Done-ish' }), client(), recordingLog().log, { sleep: fast });
    await expect(run).rejects.toThrow(LookupError);
    await expect(run).rejects.toMatchObject({
      problems: [
        {
          input: 'resolve-phase',
          message: expect.stringMatching(/Unknown phases "Done-ish".*valid phases: New \(phase\.defect\.new\), Opened/)
        }
      ]
    });
    expect(writeRequests(sim())).toHaveLength(0);
  });

  it('succeeds and says so when no defect matches: count 0, nothing written', async () => {
    const rec = recordingLog();
    const r = await runResolveDefect(resolveSettings(uniqueName('Never filed'), { resolvePhase: 'Fixed' }), client(), rec.log, {
      sleep: fast
    });
    expect(resolveOutputs(r)).toEqual({ 'resolved-count': '0', 'defect-id': '', 'defect-url': '', resolved: 'false' });
    expect(rec.lines.join('\n')).toMatch(/nothing to resolve/);
    expect(resolveSummary(r)).toMatch(/nothing to resolve/);
    expect(writeRequests(sim())).toHaveLength(0);
  });

  it('without resolve-phase comments on every open defect it filed, leaves the phases, and skips closed ones', async () => {
    const name = uniqueName('Flaky');
    const older = await filed(name, 'new');
    const newer = await filed(name, 'deferred');
    const closed = await filed(name, 'closed');
    const r = await runResolveDefect(resolveSettings(name), client(), recordingLog().log, { runContext: CONTEXT, sleep: fast });
    expect(commentsOn(older)).toHaveLength(1);
    expect(commentsOn(newer)).toHaveLength(1);
    expect(commentsOn(closed)).toHaveLength(0);
    expect([phaseName(older), phaseName(newer)]).toEqual(['New', 'Deferred']);
    expect(resolveOutputs(r)).toEqual({
      'resolved-count': '2',
      'defect-id': newer,
      'defect-url': client().workItemUrl(newer),
      resolved: 'true'
    });
  });

  it('leaves a defect already in resolve-phase alone (no comment on every green run)', async () => {
    const name = uniqueName('Build broken');
    const id = await filed(name, 'fixed');
    sim().log.length = 0;
    const r = await runResolveDefect(resolveSettings(name, { resolvePhase: 'Fixed' }), client(), recordingLog().log, { sleep: fast });
    expect(writeRequests(sim())).toHaveLength(0);
    expect(r.alreadyThere).toEqual([id]);
    expect(resolveOutputs(r)['resolved-count']).toBe('0');
  });

  it('dry run: says what it would do and writes nothing', async () => {
    const name = uniqueName('Build broken');
    const id = await filed(name, 'opened');
    sim().log.length = 0;
    const rec = recordingLog();
    const r = await runResolveDefect(resolveSettings(name, { resolvePhase: 'Fixed', dryRun: true }), client(), rec.log, { sleep: fast });
    expect(writeRequests(sim())).toHaveLength(0);
    expect(rec.lines.join('\n')).toContain(`Dry run: would comment on defect ${id}`);
    expect(rec.lines.join('\n')).toContain('and move it from "Opened" to "Fixed"');
    expect(resolveOutputs(r)).toEqual({ 'resolved-count': '0', 'defect-id': '', 'defect-url': '', resolved: 'false' });
    expect(resolveSummary(r)).toMatch(/dry run, nothing written[\s\S]*comment, move to Fixed/);
  });

  it('a PUT whose answer was lost is found moved by reading the phase back, not sent again', async () => {
    const name = uniqueName('Build broken');
    const id = await filed(name, 'opened');
    sim().log.length = 0;
    sim().faults.add({ method: 'PUT', processThenStatus: 502 });
    const rec = recordingLog();
    const r = await runResolveDefect(resolveSettings(name, { resolvePhase: 'Fixed' }), client(), rec.log, {
      runContext: CONTEXT,
      sleep: fast
    });
    expect(writeRequests(sim()).filter((w) => w.method === 'PUT')).toHaveLength(1);
    expect(phaseName(id)).toBe('Fixed');
    expect(resolveOutputs(r).resolved).toBe('true');
    expect(rec.lines.join('\n')).toMatch(/Recovered: the move of defect \d+ to phase "Fixed" was made by that request/);
  });

  it('a PUT dropped before processing is sent again once the phase shows it did not happen', async () => {
    const name = uniqueName('Build broken');
    const id = await filed(name, 'opened');
    sim().log.length = 0;
    sim().faults.add({ method: 'PUT', drop: 'before' });
    await runResolveDefect(resolveSettings(name, { resolvePhase: 'Fixed' }), client(), recordingLog().log, { sleep: fast });
    expect(writeRequests(sim()).filter((w) => w.method === 'PUT')).toHaveLength(2);
    expect(phaseName(id)).toBe('Fixed');
  });

  it('a comment whose answer was lost is found by its token and not added twice', async () => {
    const name = uniqueName('Build broken');
    const id = await filed(name, 'opened');
    sim().log.length = 0;
    sim().faults.add({ method: 'POST', path: '/comments', processThenStatus: 504 });
    const r = await runResolveDefect(resolveSettings(name), client(), recordingLog().log, { runContext: CONTEXT, sleep: fast });
    expect(commentsOn(id)).toHaveLength(1);
    expect(writeRequests(sim())).toHaveLength(1);
    expect(resolveOutputs(r)['resolved-count']).toBe('1');
  });

  it('a 500 on one PUT and a 403 on another comment fail those defects only: the rest are resolved, and the failure names each', async () => {
    const name = uniqueName('Build broken');
    const [a, b, c] = [await filed(name, 'opened'), await filed(name, 'opened'), await filed(name, 'opened')];
    sim().log.length = 0;
    // Newest first: c's PUT gets a 500, b's comment a 403; a goes through.
    sim().faults.add({ method: 'PUT', path: `/defects/${c}`, status: 500 });
    let tokens = 0;
    const r = await runResolveDefect(resolveSettings(name, { resolvePhase: 'Fixed' }), client(), recordingLog().log, {
      runContext: CONTEXT,
      sleep: fast,
      // A token is made per defect, just before its comment: the 403 is armed for b's (the second).
      newToken: () => {
        if (++tokens === 2) sim().faults.add({ method: 'POST', path: '/comments', status: 403 });
        return `0000000${tokens}-0000-4000-8000-000000000000`;
      }
    });
    expect(phaseName(a)).toBe('Fixed');
    expect(commentsOn(a)).toHaveLength(1);
    expect(phaseName(c)).toBe('Opened');
    expect(commentsOn(c)).toHaveLength(1);
    expect(r.defects.map((d) => [d.id, d.commented, d.moved, d.failed !== undefined])).toEqual([
      [c, true, false, true],
      [b, false, false, true],
      [a, true, true, false]
    ]);
    expect(resolveOutputs(r)).toMatchObject({ 'resolved-count': '2', resolved: 'true', 'defect-id': c });
    const failure = resolveFailures(r)!;
    expect(failure).toMatch(
      new RegExp(`^2 of 3 defects could not be resolved \\(the other was\\):\\n- defect ${c}: .*500[\\s\\S]*\\n- defect ${b}: .*403`)
    );
    expect(resolveSummary(r)).toContain('| not commented; failed');
  });

  it('transitions whose source carries the logical name still match a defect whose phase carries the id', async () => {
    const name = uniqueName('Build broken');
    const id = await filed(name, 'opened');
    const store = sim().store;
    // A server that answers the workflow's references by logical name, the defect's by id.
    sim().faults.add({
      method: 'GET',
      path: '/transitions',
      json: {
        total_count: 1,
        data: [
          {
            type: 'transition',
            id: '9001',
            source_phase: { type: 'phase', id: 'phase.defect.opened' },
            target_phase: { type: 'phase', id: store.byLogicalName('phase.defect.fixed').id }
          }
        ]
      }
    });
    const r = await runResolveDefect(resolveSettings(name, { resolvePhase: 'Fixed' }), client(), recordingLog().log, {
      runContext: CONTEXT,
      sleep: fast
    });
    expect(phaseName(id)).toBe('Fixed');
    expect(r.defects[0]).toMatchObject({ id, moved: true, allowed: ['Fixed'] });
  });
});
