// Issue 3: a POST whose outcome is unknown never leads to a second defect.
import { describe, it, expect, afterEach } from '@jest/globals';
import type { Fault } from '../../simulator/index.js';
import { runCreateDefect } from '../../src/create-defect/run.js';
import { MAX_CREATE_POSTS, LATE_WRITE_WAIT_MS, writeOnce } from '../../src/create-defect/exactly-once.js';
import { ClientClosedError, OctaneNetworkError, OutcomeUnknownError } from '../../src/octane/errors.js';
import type { OctaneApi } from '../../src/octane/api.js';
import { createOutputs } from '../../src/create-defect/render.js';
import { hasToken, tokenText } from '../../src/create-defect/description.js';
import { recordingLog, useSignedInClient } from '../helpers/octane-client.js';
import { settingsFor } from './helpers.js';
import { defectsNamed, postsTo } from '../helpers/e2e-simulator.js';

// A short timeout so that a hanging answer turns into a client timeout quickly; retries 1
// so that the look-up's two parallel searches failing twice each defeat the client's own GET retry.
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
  [', and the look-up fails past the client retries once', { method: 'GET', path: '/defects', status: 503, times: 4 }]
];

const cases = postFaults.flatMap(([what, fault]) => lookupFailures.map(([more, lookup]) => [`${what}${more}`, fault, lookup] as const));

describe('exactly-once defect creation', () => {
  it.each(cases)('%s: exactly one defect, and the step reports its id and URL', async (_what, fault, lookupFault) => {
    const settings = settingsFor(sim(), { defectDescription: 'exactly once' });
    const token = `tok-${Math.random().toString(16).slice(2)}`;
    sim().faults.add(fault);
    if (lookupFault) sim().faults.add(lookupFault);
    const postsBefore = postsTo(sim(), 'defects').length;
    const { log, lines } = recordingLog();

    const r = await runCreateDefect(settings, client(), log, { newToken: () => token });

    const stored = defectsNamed(sim(), settings.defectName);
    expect(stored).toHaveLength(1);
    expect(hasToken(stored[0]!.description, token)).toBe(true);
    expect(r).toMatchObject({ created: true, recovered: true, id: stored[0]!.id });
    expect(createOutputs(r)).toEqual({
      'defect-id': stored[0]!.id,
      'defect-url': client().workItemUrl(stored[0]!.id),
      created: 'true',
      attachments: '[]',
      'failed-tests': ''
    });
    expect(postsTo(sim(), 'defects').length - postsBefore).toBe(1);
    expect(lines.join('\n')).toMatch(/Recovered: defect \d+/);
    // When the look-up failed past the client's own retries, the mode asked a second time.
    if (lookupFault?.times === 4) expect(lines.join('\n')).toMatch(/Looking for the defect failed .*trying once more/);
  });

  it('a POST dropped before it was processed is looked for twice, sent again, and creates exactly one defect', async () => {
    const settings = settingsFor(sim());
    sim().faults.add({ method: 'POST', path: '/defects', drop: 'before' });
    const waits: number[] = [];
    const r = await runCreateDefect(settings, client(), recordingLog().log, { sleep: async (ms) => void waits.push(ms) });
    expect(waits).toEqual([LATE_WRITE_WAIT_MS]);
    const stored = defectsNamed(sim(), settings.defectName);
    expect(stored).toHaveLength(1);
    expect(r).toMatchObject({ created: true, id: stored[0]!.id });
    expect(r.recovered).toBeUndefined();
  });

  it(`gives up after ${MAX_CREATE_POSTS} POSTs that each reached nothing, and creates nothing`, async () => {
    const settings = settingsFor(sim());
    sim().faults.add({ method: 'POST', path: '/defects', drop: 'before', times: 10 });
    const postsBefore = postsTo(sim(), 'defects').length;
    const err = await runCreateDefect(settings, client(), recordingLog().log, { sleep: async () => {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/Could not create the defect/);
    expect(postsTo(sim(), 'defects').length - postsBefore).toBeLessThanOrEqual(MAX_CREATE_POSTS);
    expect(defectsNamed(sim(), settings.defectName)).toHaveLength(0);
  });

  it('when Octane cannot be asked whether the defect exists, fails naming the token, and never POSTs again', async () => {
    const settings = settingsFor(sim());
    const token = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
    sim().faults.add({ method: 'POST', path: '/defects', processThenStatus: 502 });
    sim().faults.add({ method: 'GET', path: '/defects', status: 503, times: 20 });
    const postsBefore = postsTo(sim(), 'defects').length;
    const err = await runCreateDefect(settings, client(), recordingLog().log, { newToken: () => token }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/may have been created/);
    expect((err as Error).message).toContain(`octane-action-request:${token}`);
    expect((err as Error).message).toContain(JSON.stringify(settings.defectName));
    expect(postsTo(sim(), 'defects').length - postsBefore).toBe(1);
    expect(defectsNamed(sim(), settings.defectName)).toHaveLength(1);
  });

  // The defect a lost request stores, as Octane would hold it: in the release, carrying the token.
  function storeLateCopy(name: string, token: string): string {
    const release = sim().store.releaseByName('2026.4');
    return sim().store.add('defects', {
      name,
      description: `<p>late</p><span style="display:none">${tokenText(token)}</span>`,
      release: { type: 'release', id: release.id },
      phase: { type: 'phase', id: sim().store.byLogicalName('phase.defect.new').id }
    }).id;
  }

  it('a late write: the lost request is stored only after the first search; the second search finds it, nothing is sent again', async () => {
    const settings = settingsFor(sim());
    const token = `late-${Math.random().toString(16).slice(2)}`;
    sim().faults.add({ method: 'POST', path: '/defects', drop: 'before' });
    const postsBefore = postsTo(sim(), 'defects').length;
    let lateId = '';
    // The server commits the lost request while the action waits before its second search.
    const sleep = async (): Promise<void> => void (lateId = storeLateCopy(settings.defectName, token));

    const r = await runCreateDefect(settings, client(), recordingLog().log, { newToken: () => token, sleep });

    expect(defectsNamed(sim(), settings.defectName).map((d) => d.id)).toEqual([lateId]);
    expect(r).toMatchObject({ created: true, recovered: true, id: lateId });
    expect(postsTo(sim(), 'defects').length - postsBefore).toBe(1);
  });

  it('the lost defect is found by its token even when the server stored the name differently (no name match)', async () => {
    const settings = settingsFor(sim(), { defectName: `Nightly  failed ${Date.now()}` });
    const token = `norm-${Math.random().toString(16).slice(2)}`;
    sim().faults.add({ method: 'POST', path: '/defects', drop: 'before' });
    const postsBefore = postsTo(sim(), 'defects').length;
    // As if the server had stored the lost request with its whitespace collapsed.
    const storedId = storeLateCopy(settings.defectName.replace(/\s+/g, ' '), token);

    const r = await runCreateDefect(settings, client(), recordingLog().log, { newToken: () => token, sleep: async () => {} });

    expect(r).toMatchObject({ created: true, recovered: true, id: storedId });
    expect(defectsNamed(sim(), settings.defectName)).toHaveLength(0);
    expect(postsTo(sim(), 'defects').length - postsBefore).toBe(1);
  });

  it('Octane stores the defect and answers 201 with an unreadable body: found by its token, never sent again', async () => {
    const settings = settingsFor(sim());
    sim().faults.add({ method: 'POST', path: '/defects', processThenStatus: 201, html: true });
    const postsBefore = postsTo(sim(), 'defects').length;

    const r = await runCreateDefect(settings, client(), recordingLog().log, { sleep: async () => {} });

    const stored = defectsNamed(sim(), settings.defectName);
    expect(stored).toHaveLength(1);
    expect(r).toMatchObject({ created: true, recovered: true, id: stored[0]!.id });
    expect(postsTo(sim(), 'defects').length - postsBefore).toBe(1);
  });

  it('a 201 with an unreadable body and the defect not found: fails saying it was probably created, never sent again', async () => {
    const settings = settingsFor(sim());
    const api: OctaneApi = {
      list: (c, p) => client().list(c, p),
      workItemUrl: (id) => client().workItemUrl(id),
      // Stored without the token, so no search can find it.
      create: (c, f) => client().create(c, { ...f, description: 'token lost' })
    };
    sim().faults.add({ method: 'POST', path: '/defects', processThenStatus: 201, html: true });
    const postsBefore = postsTo(sim(), 'defects').length;
    const err = await runCreateDefect(settings, api, recordingLog().log, { sleep: async () => {} }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/^A defect may have been created: Octane answered 201 to the create/);
    expect((err as Error).message).toMatch(/the create was not sent again/);
    expect(postsTo(sim(), 'defects').length - postsBefore).toBe(1);
    expect(defectsNamed(sim(), settings.defectName)).toHaveLength(1);
  });

  it('a lost request stored even later than the second search: one is reported, and the warning names both copies', async () => {
    const settings = settingsFor(sim());
    const token = `twice-${Math.random().toString(16).slice(2)}`;
    sim().faults.add({ method: 'POST', path: '/defects', drop: 'before' });
    let lateId = '';
    let creates = 0;
    const api: OctaneApi = {
      list: (c, p) => client().list(c, p),
      workItemUrl: (id) => client().workItemUrl(id),
      create: async (c, f) => {
        // The first, lost request lands just as the second one is sent.
        if (++creates === 2) lateId = storeLateCopy(settings.defectName, token);
        return client().create(c, f);
      }
    };
    const { log, lines } = recordingLog();

    const r = await runCreateDefect(settings, api, log, { newToken: () => token, sleep: async () => {} });

    expect(r.created).toBe(true);
    expect(r.recovered).toBeUndefined();
    const warning = lines.find((l) => l.startsWith('warning: Defects'));
    expect(warning).toContain(r.id!);
    expect(warning).toContain(lateId);
    expect(warning).toMatch(/close the other as a duplicate/);
  });
});

describe('writeOnce and a cancelled run', () => {
  const lost = () =>
    new OutcomeUnknownError(
      'POST comments: no answer',
      new OctaneNetworkError('socket hang up', { code: 'ECONNRESET', server: 'octane:443' })
    );

  it('a run cancelled while looking for a lost write says the write may or may not have been made, not that the client closed', async () => {
    const { log } = recordingLog();
    const write = writeOnce(
      log,
      {
        what: 'the comment on defect 1001',
        send: () => Promise.reject(lost()),
        find: () => Promise.reject(new ClientClosedError('The run has ended; not signing in to Octane again'))
      },
      async () => {}
    );
    await expect(write).rejects.toThrow(
      'The run was cancelled while sending the comment on defect 1001; it may or may not have been made.'
    );
  });

  it('a POST stopped on the wire by the cancel is not looked for: nothing more is asked of Octane', async () => {
    const { log } = recordingLog();
    let looked = 0;
    const stopped = new OutcomeUnknownError(
      'POST comments was stopped',
      new OctaneNetworkError('stopped', { code: 'CANCELLED', server: 'octane:443' })
    );
    const write = writeOnce(
      log,
      { what: 'the comment on defect 1001', send: () => Promise.reject(stopped), find: async () => (looked++, undefined) },
      async () => {}
    );
    await expect(write).rejects.toThrow('The run was cancelled while sending the comment on defect 1001');
    expect(looked).toBe(0);
  });
});
