/**
 * The client is the one owner of a page's shape: every answer to a GET that is not a whole page
 * (a safe non-negative total_count, a data list of entities) is refused there, whatever asked for
 * it, so the gate and the look-ups never see it.
 */
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { useSimulator } from '../helpers/e2e-simulator.js';
import { connectionFor } from '../helpers/octane-client.js';
import { OctaneClient } from '../../src/octane/client.js';
import { UnreadableAnswerError } from '../../src/octane/errors.js';
import { resolvePhases } from '../../src/lookups.js';

const sim = useSimulator();
let client: OctaneClient;

beforeAll(async () => {
  client = new OctaneClient({ connection: connectionFor(sim()), sleep: async () => {} });
  await client.signIn();
});
afterAll(async () => {
  await client.signOut();
});

describe('a page the client cannot read', () => {
  const phase = { type: 'phase', id: '1', name: 'New', logical_name: 'phase.defect.new' };
  it.each([
    ['a missing total_count', { data: [phase] }, /JSON that is not a page of entities/],
    ['a text total_count', { total_count: '1', data: [phase] }, /JSON that is not a page of entities/],
    ['a negative total_count', { total_count: -1, data: [phase] }, /a total_count that is not a count \(-1\)/],
    ['a fractional total_count', { total_count: 1.5, data: [phase] }, /a total_count that is not a count \(1\.5\)/],
    ['no data', { total_count: 1 }, /JSON that is not a page of entities/],
    ['data that holds a number', { total_count: 1, data: [7] }, /data list that holds something other than entities/],
    ['no page at all', null, /JSON that is not a page of entities/]
  ])('is refused on %s, also when a look-up asked for it', async (_, body, message) => {
    sim().faults.add({ method: 'GET', path: '/phases', json: body });
    const error = await resolvePhases(client, ['New']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnreadableAnswerError);
    expect((error as Error).message).toMatch(/^Octane answered GET phases with /);
    expect((error as Error).message).toMatch(message);
  });
});
