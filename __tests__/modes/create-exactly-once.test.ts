// Issue 3: a POST whose outcome is unknown never leads to a second defect.
import { describe, it, expect, afterEach } from '@jest/globals';
import type { Fault } from '../../simulator/index.js';
import { runCreateDefect, MAX_CREATE_POSTS } from '../../src/modes/create-defect.js';
import { createOutputs } from '../../src/render/create-defect.js';
import { hasToken } from '../../src/description.js';
import { recordingLog, useSignedInClient } from '../helpers/octane-client.js';
import { settingsFor, defectsNamed, postsTo } from './create-helpers.js';

// A short timeout so that a hanging answer turns into a client timeout quickly; retries 1
// so that a look-up failing twice in a row defeats the client's own GET retry.
const { sim, client } = useSignedInClient({}, { timeoutMs: 1500, retries: 1 });
afterEach(() => sim().faults.clear());

const postFaults: Array<[string, Fault]> = [
  ['the connection drops after the defect was stored', { method: 'POST', path: '/defects', drop: 'after' }],
  ['a proxy answers 502 after the defect was stored', { method: 'POST', path: '/defects', processThenStatus: 502 }],
  ['the answer never comes (client timeout) after the defect was stored', { method: 'POST', path: '/defects', hangAfterProcessing: true }]
];

const lookupFailures: Array<[string, Fault | undefined]> = [
  ['', undefined],
  [', and the look-up fails once', { method: 'GET', path: '/defects', status: 503 }],
  [', and the look-up fails past the client retries once', { method: 'GET', path: '/defects', status: 503, times: 2 }]
];

const cases = postFaults.flatMap(([what, fault]) => lookupFailures.map(([more, lookup]) => [`${what}${more}`, fault, lookup] as const));

describe('exactly-once defect creation', () => {
  it.each(cases)('%s: exactly one defect, and the step reports its id and URL', async (_what, fault, lookupFault) => {
    const settings = settingsFor(sim(), { defectDescription: 'exactly once' });
    const token = `tok-${Math.random().toString(16).slice(2)}`;
    sim().faults.add(fault);
    if (lookupFault) sim().faults.add(lookupFault);
    const postsBefore = postsTo(sim(), 'defects');
    const { log, lines } = recordingLog();

    const r = await runCreateDefect(settings, client(), log, { newToken: () => token });

    const stored = defectsNamed(sim(), settings.defectName);
    expect(stored).toHaveLength(1);
    expect(hasToken(stored[0]!.description, token)).toBe(true);
    expect(r).toMatchObject({ created: true, recovered: true, id: stored[0]!.id });
    expect(createOutputs(r)).toEqual({ 'defect-id': stored[0]!.id, 'defect-url': client().workItemUrl(stored[0]!.id), created: 'true' });
    expect(postsTo(sim(), 'defects') - postsBefore).toBe(1);
    expect(lines.join('\n')).toMatch(/Recovered: defect \d+/);
    // When the look-up failed past the client's own retries, the mode asked a second time.
    if (lookupFault?.times === 2) expect(lines.join('\n')).toMatch(/Looking for the defect failed .*trying once more/);
  });

  it('a POST dropped before it was processed is sent again and creates exactly one defect', async () => {
    const settings = settingsFor(sim());
    sim().faults.add({ method: 'POST', path: '/defects', drop: 'before' });
    const r = await runCreateDefect(settings, client(), recordingLog().log, {});
    const stored = defectsNamed(sim(), settings.defectName);
    expect(stored).toHaveLength(1);
    expect(r).toMatchObject({ created: true, id: stored[0]!.id });
    expect(r.recovered).toBeUndefined();
  });

  it(`gives up after ${MAX_CREATE_POSTS} POSTs that each reached nothing, and creates nothing`, async () => {
    const settings = settingsFor(sim());
    sim().faults.add({ method: 'POST', path: '/defects', drop: 'before', times: 10 });
    const postsBefore = postsTo(sim(), 'defects');
    const err = await runCreateDefect(settings, client(), recordingLog().log, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/Could not create the defect/);
    expect(postsTo(sim(), 'defects') - postsBefore).toBeLessThanOrEqual(MAX_CREATE_POSTS);
    expect(defectsNamed(sim(), settings.defectName)).toHaveLength(0);
  });

  it('when Octane cannot be asked whether the defect exists, fails naming the token, and never POSTs again', async () => {
    const settings = settingsFor(sim());
    const token = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
    sim().faults.add({ method: 'POST', path: '/defects', processThenStatus: 502 });
    sim().faults.add({ method: 'GET', path: '/defects', status: 503, times: 20 });
    const postsBefore = postsTo(sim(), 'defects');
    const err = await runCreateDefect(settings, client(), recordingLog().log, { newToken: () => token }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/may have been created/);
    expect((err as Error).message).toContain(`octane-action-request:${token}`);
    expect((err as Error).message).toContain(JSON.stringify(settings.defectName));
    expect(postsTo(sim(), 'defects') - postsBefore).toBe(1);
    expect(defectsNamed(sim(), settings.defectName)).toHaveLength(1);
  });
});
