/** OctaneClient.update: a PUT of one entity, retried only where the server surely did not act on it. */
import { describe, it, expect, beforeEach } from '@jest/globals';
import { useSignedInClient } from '../helpers/octane-client.js';
import { OctaneError, OutcomeUnknownError, UnreadableAnswerError } from '../../src/octane/errors.js';

const { sim, client } = useSignedInClient({ cookieReissueEvery: 0 });

beforeEach(() => {
  sim().faults.clear();
  sim().log.length = 0;
});

function openedDefect(): { id: string; fixed: string } {
  const opened = sim().store.byLogicalName('phase.defect.opened').id;
  const d = sim().store.find('defects', (e) => (e.phase as { id: string }).id === opened)[0]!;
  return { id: d.id, fixed: sim().store.byLogicalName('phase.defect.fixed').id };
}

const puts = (): number => sim().log.filter((r) => r.method === 'PUT').length;
const phaseOf = (id: string): string => (sim().store.get('defects', id)!.phase as { id: string }).id;

describe('OctaneClient.update', () => {
  it('PUTs the fields to {collection}/{id} and returns the entity Octane answered', async () => {
    const d = openedDefect();
    const answer = await client().update('defects', d.id, { phase: { type: 'phase', id: d.fixed } });
    expect(answer).toMatchObject({ id: d.id, type: 'defect', phase: { id: d.fixed, name: 'Fixed' } });
    const put = sim().log.find((r) => r.method === 'PUT')!;
    expect(put.path).toMatch(new RegExp(`/defects/${d.id}$`));
    expect(JSON.parse(put.body)).toEqual({ phase: { type: 'phase', id: d.fixed } });
    expect(phaseOf(d.id)).toBe(d.fixed);
  });

  it('does not repeat a PUT whose answer was lost (502 after processing): OutcomeUnknownError, one PUT', async () => {
    const d = openedDefect();
    sim().faults.add({ method: 'PUT', processThenStatus: 502 });
    await expect(client().update('defects', d.id, { phase: { type: 'phase', id: d.fixed } })).rejects.toThrow(OutcomeUnknownError);
    expect(puts()).toBe(1);
    expect(phaseOf(d.id)).toBe(d.fixed);
  });

  it('retries a PUT the server surely did not act on (503) and passes on a refusal (400) unrepeated', async () => {
    const d = openedDefect();
    sim().faults.add({ method: 'PUT', status: 503 });
    await client().update('defects', d.id, { phase: { type: 'phase', id: d.fixed } });
    expect(puts()).toBe(2);
    sim().log.length = 0;
    const newPhase = sim().store.byLogicalName('phase.defect.new').id;
    const refused = client().update('defects', d.id, { phase: { type: 'phase', id: newPhase } });
    await expect(refused).rejects.toThrow(OctaneError);
    await expect(refused).rejects.toThrow(/transition_not_allowed|no transition/);
    expect(puts()).toBe(1);
  });

  it('a 2xx answer without the entity is unreadable, not a refusal: the write went through', async () => {
    const d = openedDefect();
    sim().faults.add({ method: 'PUT', status: 200, json: { total_count: 0, data: [] } });
    const put = client().update('defects', d.id, { name: 'x' });
    await expect(put).rejects.toThrow(UnreadableAnswerError);
    await expect(put).rejects.toThrow(/200 OK to PUT defects\/\d+ without the entity/);
  });

  it('a 2xx answer to an upload without the attachment is unreadable, not a refusal', async () => {
    const d = openedDefect();
    sim().faults.add({ method: 'POST', path: '/attachments', status: 201, json: { note: 'stored' } });
    const upload = client().attach(d.id, 'build.log', Buffer.from('log'), 'text/plain');
    await expect(upload).rejects.toThrow(UnreadableAnswerError);
    await expect(upload).rejects.toThrow(/201 Created to POST attachments without the created attachment/);
  });

  it('refuses an id that is not one before sending anything', async () => {
    await expect(client().update('defects', '1/../../x', { name: 'x' })).rejects.toThrow(/unexpected id/);
    expect(puts()).toBe(0);
  });

  // `url.pathname += '/..'` would PUT to the collection's parent (the workspace), `.` to the collection.
  it.each(['..', '.', '.5', 'phase.defect.new'])('refuses %j as a work item id before sending anything', async (id) => {
    await expect(client().update('defects', id, { name: 'x' })).rejects.toThrow(/unexpected id/);
    await expect(client().attach(id, 'a.txt', Buffer.from('x'), 'text/plain')).rejects.toThrow(/unexpected id/);
    expect(sim().log.filter((r) => r.method !== 'GET')).toEqual([]);
  });
});
