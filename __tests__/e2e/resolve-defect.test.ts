// The defect lifecycle through the bundle: a failed run files a defect, a second failed run comments on it
// (dedupe), a passing run comments and moves it to Fixed where the workflow allows; a defect a person filed
// is left alone, an unknown resolve-phase writes nothing, a dry run writes nothing, a lost PUT is not re-sent blindly.
import { describe, expect, it } from '@jest/globals';
import { connectionInputs, filedByAction, uniqueName, useSimulator, workItemUrl, writes } from '../helpers/e2e-simulator.js';
import { runAction, type ActionRun } from '../../test-support/run-action.js';

const sim = useSimulator({}, { resetEachTest: false });

function runEnv(runId: string, sha: string): Record<string, string> {
  return {
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_REPOSITORY_OWNER: 'acme',
    GITHUB_RUN_ID: runId,
    GITHUB_RUN_NUMBER: '1',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_SHA: sha,
    GITHUB_REF: 'refs/heads/main',
    GITHUB_ACTOR: 'octocat',
    GITHUB_EVENT_NAME: 'push',
    GITHUB_WORKFLOW: 'CI',
    GITHUB_JOB: 'build',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'https://api.github.com'
  };
}

const create = (name: string, runId: string): Promise<ActionRun> =>
  runAction(
    { mode: 'create-defect', ...connectionInputs(sim()), 'release-name': '2026.4', 'defect-name': name, dedupe: 'true', retries: '1' },
    { env: runEnv(runId, 'f00d') }
  );
const resolve = (name: string, extra: Record<string, string> = {}): Promise<ActionRun> =>
  runAction(
    { mode: 'resolve-defect', ...connectionInputs(sim()), 'release-name': '2026.4', 'defect-name': name, retries: '1', ...extra },
    { env: runEnv('777', 'c0ffee') }
  );

const phaseOf = (id: string): unknown => sim().store.get('phases', (sim().store.get('defects', id)!.phase as { id: string }).id)!.name;
const setPhase = (id: string, logical: string): void => {
  sim().store.get('defects', id)!.phase = { type: 'phase', id: sim().store.byLogicalName(`phase.defect.${logical}`).id };
};
const commentsOn = (id: string) => sim().store.find('comments', (c) => (c.owner_work_item as { id: string }).id === id);
const fromNowOn = (): (() => number) => {
  sim().log.length = 0;
  return () => writes(sim());
};

describe('resolve-defect through the bundle', () => {
  it("the lifecycle: filed, commented on again, then commented and moved to Fixed; a person's defect of that name is left alone", async () => {
    const name = uniqueName('Build broken on main');
    const first = await create(name, '100');
    expect(first.code).toBe(0);
    const id = first.outputs['defect-id']!;
    const second = await create(name, '101');
    expect(second.outputs).toMatchObject({ 'defect-id': id, created: 'false' });
    expect(commentsOn(id)).toHaveLength(1);
    setPhase(id, 'opened');
    const person = sim().store.add('defects', {
      name,
      description: '<p>Filed by hand</p>',
      parent: sim().store.all('work_item_roots')[0],
      release: sim().store.releaseByName('2026.4'),
      phase: sim().store.byLogicalName('phase.defect.opened')
    }).id;

    const passed = await resolve(name, { 'resolve-phase': 'Fixed' });
    expect(passed.errors).toEqual([]);
    expect(passed.code).toBe(0);
    expect(passed.outputs).toEqual({ 'resolved-count': '1', 'defect-id': id, 'defect-url': workItemUrl(sim(), id), resolved: 'true' });
    expect(phaseOf(id)).toBe('Fixed');
    const last = commentsOn(id).at(-1)!;
    expect(last.text).toContain('https://github.com/acme/shop/actions/runs/777');
    expect(last.text).toContain('c0ffee');
    expect(phaseOf(person)).toBe('Opened');
    expect(commentsOn(person)).toHaveLength(0);
    expect(passed.summary).toContain('## Octane defects: resolved');
    expect(passed.summary).toContain('moved to Fixed');
  });

  it('where the workflow has no transition from the phase: comments, leaves the phase, warns naming the allowed phases', async () => {
    const name = uniqueName('Build broken on main');
    const id = (await create(name, '200')).outputs['defect-id']!;
    const written = fromNowOn();
    const run = await resolve(name, { 'resolve-phase': 'Fixed' });
    expect(run.code).toBe(0);
    expect(phaseOf(id)).toBe('New');
    expect(commentsOn(id)).toHaveLength(1);
    expect(written()).toBe(1);
    expect(run.warnings.join('\n')).toMatch(/not moved to "Fixed".*can move to "Opened", "Rejected", "Deferred", "Duplicate"/);
    expect(run.outputs).toMatchObject({ 'resolved-count': '1', resolved: 'false' });
  });

  it('an unknown resolve-phase fails the step before any write, listing the valid phases', async () => {
    const name = uniqueName('Build broken on main');
    await create(name, '300');
    const written = fromNowOn();
    const run = await resolve(name, { 'resolve-phase': 'Resolved' });
    expect(run.code).not.toBe(0);
    expect(run.errors.join('\n')).toMatch(/resolve-phase: Unknown phases "Resolved".*valid phases: New/);
    expect(written()).toBe(0);
  });

  it('dry run: prints what it would do, writes nothing', async () => {
    const name = uniqueName('Build broken on main');
    const id = (await create(name, '400')).outputs['defect-id']!;
    setPhase(id, 'opened');
    const written = fromNowOn();
    const run = await resolve(name, { 'resolve-phase': 'Fixed', 'dry-run': 'true' });
    expect(run.code).toBe(0);
    expect(written()).toBe(0);
    expect(run.stdout).toContain(`Dry run: would comment on defect ${id}`);
    expect(run.outputs).toEqual({ 'resolved-count': '0', 'defect-id': '', 'defect-url': '', resolved: 'false' });
  });

  it('no matching defect: the step succeeds, says so, resolved-count 0', async () => {
    const written = fromNowOn();
    const run = await resolve(uniqueName('Build broken on main'), { 'resolve-phase': 'Fixed' });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/nothing to resolve/);
    expect(run.outputs['resolved-count']).toBe('0');
    expect(written()).toBe(0);
  });

  it('a PUT whose answer was lost (502 after processing) is read back, not sent twice', async () => {
    const name = uniqueName('Build broken on main');
    const id = (await create(name, '500')).outputs['defect-id']!;
    setPhase(id, 'opened');
    fromNowOn();
    sim().faults.add({ method: 'PUT', processThenStatus: 502 });
    const run = await resolve(name, { 'resolve-phase': 'Fixed' });
    expect(run.code).toBe(0);
    expect(sim().log.filter((r) => r.method === 'PUT')).toHaveLength(1);
    expect(phaseOf(id)).toBe('Fixed');
    expect(run.outputs.resolved).toBe('true');
  });

  it('a 500 on one PUT fails the step naming that defect, after the other is resolved; outputs and summary are set', async () => {
    const name = uniqueName('Build broken on main');
    const seed = (): string =>
      sim().store.add('defects', {
        name,
        description: filedByAction(),
        parent: sim().store.all('work_item_roots')[0],
        release: sim().store.releaseByName('2026.4'),
        phase: sim().store.byLogicalName('phase.defect.opened')
      }).id;
    const older = seed();
    const newer = seed();
    fromNowOn();
    sim().faults.add({ method: 'PUT', path: `/defects/${newer}`, status: 500 });
    const run = await resolve(name, { 'resolve-phase': 'Fixed' });
    expect(run.code).toBe(1);
    expect(phaseOf(older)).toBe('Fixed');
    expect(phaseOf(newer)).toBe('Opened');
    expect(run.outputs).toEqual({ 'resolved-count': '2', 'defect-id': newer, 'defect-url': workItemUrl(sim(), newer), resolved: 'true' });
    expect(run.errors.join('\n')).toMatch(
      new RegExp(`1 of 2 defects could not be resolved \\(the other was\\):[\\s\\S]*defect ${newer}: Octane answered 500`)
    );
    expect(run.errors.join('\n')).not.toContain(`defect ${older}:`);
    expect(run.summary).toContain('moved to Fixed');
  });
});
