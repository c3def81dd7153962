// Exactly-once defect creation (issue 3), through the bundle: the simulator stores the defect
// and then loses the answer (dropped connection, 502/504 from a "proxy", a hang past the
// timeout); the step must find the defect by its creation token instead of filing a second one.
import { describe, expect, it } from '@jest/globals';
import type { Fault, SimEntity } from '../../simulator/index.js';
import { connectionInputs, defectsNamed, getsOf, postsTo, uniqueName, useSimulator, workItemUrl } from '../helpers/e2e-simulator.js';
import { runAction, type ActionRun } from '../../test-support/run-action.js';

const sim = useSimulator();

/** The sample workspace's defects collection (faults match a substring of the path). */
const DEFECTS_PATH = '/workspaces/1002/defects';

async function create(name: string, extra: Record<string, string> = {}): Promise<ActionRun> {
  return runAction({
    mode: 'create-defect',
    ...connectionInputs(sim()),
    'release-name': '2026.4',
    'defect-name': name,
    'defect-description': 'Nightly build failed',
    // Keep the client's own waits short: one retry, so backoff stays under a second.
    retries: '1',
    ...extra
  });
}

function expectOneDefectReported(run: ActionRun, name: string): SimEntity {
  expect(run.errors).toEqual([]);
  expect(run.code).toBe(0);
  const stored = defectsNamed(sim(), name);
  expect(stored).toHaveLength(1);
  const defect = stored[0] as SimEntity;
  expect(run.outputs['defect-id']).toBe(defect.id);
  expect(run.outputs['defect-url']).toBe(workItemUrl(sim(), defect.id));
  expect(run.outputs.created).toBe('true');
  return defect;
}

/** The write happened, the answer was lost: each of these stores the defect, then fails the client. */
const AMBIGUOUS: Array<[string, Fault, Record<string, string>]> = [
  ['the connection drops after the defect is stored', { method: 'POST', path: DEFECTS_PATH, drop: 'after' }, {}],
  ['a proxy answers 502 after the defect is stored', { method: 'POST', path: DEFECTS_PATH, processThenStatus: 502 }, {}],
  ['a proxy answers 504 after the defect is stored', { method: 'POST', path: DEFECTS_PATH, processThenStatus: 504 }, {}],
  [
    'the answer never comes (timeout after the write)',
    { method: 'POST', path: DEFECTS_PATH, hangAfterProcessing: true },
    { 'timeout-seconds': '1' }
  ]
];

describe('a create POST whose outcome is unknown', () => {
  for (const [what, fault, inputs] of AMBIGUOUS) {
    for (const lookupFails of [false, true]) {
      const title = `${what}${lookupFails ? ', and the look-up for it fails once (503)' : ''}: exactly one defect, reported`;
      it(title, async () => {
        const name = uniqueName(`Exactly once ${what}`);
        sim().faults.add(fault);
        if (lookupFails) sim().faults.add({ method: 'GET', path: DEFECTS_PATH, status: 503 });

        const run = await create(name, inputs);

        const defect = expectOneDefectReported(run, name);
        // One POST only: the defect was found by its token, not created again.
        expect(postsTo(sim(), 'defects').length).toBe(1);
        expect(sim().log.some((r) => r.method === 'POST' && r.path.endsWith('/defects') && r.faulted)).toBe(true);
        expect(String(defect.description)).toMatch(/octane-action-request:[0-9a-f-]{36}/);
        // One look-up: two searches in parallel (by name, and the release's newest), plus the client's
        // retry of the one that got the 503.
        const lookups = getsOf(sim(), 'defects');
        expect(lookups.length).toBe(lookupFails ? 3 : 2);
        if (lookupFails) expect(lookups.filter((r) => r.status === 503)).toHaveLength(1);
        expect(run.warnings.join('\n')).toMatch(/outcome unknown/i);
        expect(run.summary).toContain('found by its creation token');
      });
    }
  }
});

describe("the look-up after an ambiguous POST, without the client's own retries", () => {
  it('retries: 0 and the look-up fails once (both its searches): the step asks once more itself and finds the one defect', async () => {
    const name = uniqueName('Exactly once no client retries');
    sim().faults.add({ method: 'POST', path: DEFECTS_PATH, processThenStatus: 502 });
    sim().faults.add({ method: 'GET', path: DEFECTS_PATH, status: 503, times: 2 });

    const run = await create(name, { retries: '0' });

    expectOneDefectReported(run, name);
    expect(postsTo(sim(), 'defects').length).toBe(1);
    expect(run.warnings.join('\n')).toMatch(/Looking for the defect failed .*trying once more/);
  });
});

describe('a create that Octane accepted with an answer that cannot be read', () => {
  it('201 with an HTML body after storing: the defect is found by its token and reported, never sent again', async () => {
    const name = uniqueName('Exactly once 201 unreadable');
    sim().faults.add({ method: 'POST', path: DEFECTS_PATH, processThenStatus: 201, html: true });

    const run = await create(name);

    expectOneDefectReported(run, name);
    expect(postsTo(sim(), 'defects').length).toBe(1);
    expect(run.summary).toContain('found by its creation token');
  });
});

describe('a create POST that surely did not happen', () => {
  it('503 (not processed) is retried and creates exactly one', async () => {
    const name = uniqueName('Exactly once 503');
    sim().faults.add({ method: 'POST', path: DEFECTS_PATH, status: 503 });

    const run = await create(name);

    expectOneDefectReported(run, name);
    expect(postsTo(sim(), 'defects').length).toBe(2);
    expect(postsTo(sim(), 'defects').map((r) => r.status)).toEqual([503, 201]);
    expect(run.stdout).toMatch(/503.*retry 1 of 1/);
  });

  it('a connection dropped before processing: looked up, not found, sent again, exactly one', async () => {
    const name = uniqueName('Exactly once drop before');
    sim().faults.add({ method: 'POST', path: DEFECTS_PATH, drop: 'before' });

    const run = await create(name);

    expectOneDefectReported(run, name);
    expect(postsTo(sim(), 'defects').length).toBe(2);
    expect(run.summary).not.toContain('found by its creation token');
  });
});

describe('when it cannot be settled', () => {
  it('the POST stores the defect and loses the answer, and every look-up fails: fails, says how to find it, never two', async () => {
    const name = uniqueName('Exactly once lookup keeps failing');
    sim().faults.add({ method: 'POST', path: DEFECTS_PATH, processThenStatus: 502, times: 10 });
    sim().faults.add({ method: 'GET', path: DEFECTS_PATH, status: 503, times: 20 });

    const run = await create(name);

    expect(run.code).toBe(1);
    expect(defectsNamed(sim(), name)).toHaveLength(1);
    expect(postsTo(sim(), 'defects').length).toBe(1);
    expect(run.outputs['defect-id']).toBeUndefined();
    expect(run.errors).toHaveLength(1);
    const message = run.errors[0] as string;
    expect(message).toContain('A defect may have been created');
    expect(message).toContain('2026.4');
    expect(message).toContain(JSON.stringify(name));
    // The token the reader should search for is the one stored in that defect.
    const token = /octane-action-request:[0-9a-f-]{36}/.exec(String(defectsNamed(sim(), name)[0]?.description))?.[0];
    expect(token).toBeDefined();
    expect(message).toContain(token as string);
  });

  it('the POST keeps dropping after storing and every look-up fails: one defect, the same message', async () => {
    const name = uniqueName('Exactly once drop and lookup keeps failing');
    sim().faults.add({ method: 'POST', path: DEFECTS_PATH, drop: 'after', times: 10 });
    sim().faults.add({ method: 'GET', path: DEFECTS_PATH, status: 503, times: 20 });

    const run = await create(name);

    expect(run.code).toBe(1);
    expect(defectsNamed(sim(), name)).toHaveLength(1);
    expect(run.errors.join('\n')).toContain('A defect may have been created');
  });

  it('every POST fails ambiguously without storing: gives up after a bounded number of tries, no defect', async () => {
    const name = uniqueName('Exactly once never stored');
    sim().faults.add({ method: 'POST', path: DEFECTS_PATH, drop: 'before', times: 10 });

    const run = await create(name);

    expect(run.code).toBe(1);
    expect(defectsNamed(sim(), name)).toHaveLength(0);
    expect(postsTo(sim(), 'defects').length).toBe(3);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(/Could not create the defect/);
    expect(run.errors[0]).toMatch(/octane-action-request:[0-9a-f-]{36}/);
  });
});
