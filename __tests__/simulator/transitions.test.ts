/** The simulator's workflow: the transitions collection and phase changes by PUT that follow it. */
import { describe, it, expect, beforeAll } from '@jest/globals';
import { useSimulator, refId } from '../helpers/e2e-simulator.js';
import { getJson, q, session, workspaceUrl, type Json } from './helpers.js';
import type { Simulator } from '../../simulator/index.js';

const sim = useSimulator({ cookieReissueEvery: 0 });
let cookie: string;

beforeAll(async () => {
  cookie = await session(sim());
});

async function put(s: Simulator, rest: string, body: unknown): Promise<{ status: number; body: Json }> {
  const res = await fetch(workspaceUrl(s, rest), {
    method: 'PUT',
    headers: { cookie, accept: 'application/json', 'content-type': 'application/json' },
    body: JSON.stringify(body)
  });
  return { status: res.status, body: await res.json() };
}

function defectIn(phase: string): { id: string; phase: unknown } {
  const p = sim().store.byLogicalName(`phase.defect.${phase}`);
  const found = sim().store.find('defects', (d) => refId(d.phase) === p.id)[0];
  if (!found) throw new Error(`no sample defect in ${phase}`);
  return found as unknown as { id: string; phase: unknown };
}

const phaseRef = (logical: string): { type: string; id: string } => ({
  type: 'phase',
  id: sim().store.byLogicalName(`phase.defect.${logical}`).id
});

describe('transitions', () => {
  it('lists the defect workflow with phase references, filterable by source phase', async () => {
    const opened = sim().store.byLogicalName('phase.defect.opened');
    const { status, body } = await getJson(
      sim(),
      cookie,
      `transitions?query=${q(`source_phase EQ {id EQ ${opened.id}}`)}&fields=source_phase,target_phase,is_primary,entity`
    );
    expect(status).toBe(200);
    const targets = body.data.map((t: Json) => t.target_phase.name).sort();
    expect(targets).toEqual(['Deferred', 'Duplicate', 'Fixed', 'Rejected']);
    expect(body.data.find((t: Json) => t.target_phase.name === 'Fixed')).toMatchObject({
      is_primary: true,
      entity: 'defect',
      source_phase: { type: 'phase', name: 'Opened' }
    });
  });
});

describe('PUT defects', () => {
  it('moves a defect along a transition of the workflow and answers the entity', async () => {
    const d = defectIn('opened');
    const { status, body } = await put(sim(), `defects/${d.id}`, { phase: phaseRef('fixed') });
    expect(status).toBe(200);
    expect(body).toMatchObject({ type: 'defect', id: d.id, phase: { type: 'phase', name: 'Fixed' } });
    expect(refId(sim().store.get('defects', d.id)!.phase)).toBe(phaseRef('fixed').id);
  });

  it('refuses a move the workflow lacks with 400 in Octane format and changes nothing', async () => {
    const d = defectIn('new');
    const before = refId(d.phase);
    const { status, body } = await put(sim(), `defects/${d.id}`, { phase: phaseRef('fixed') });
    expect(status).toBe(400);
    expect(body).toMatchObject({ error_code: 'platform.transition_not_allowed', correlation_id: expect.any(String) });
    expect(body.description).toContain("from phase 'New' to phase 'Fixed'");
    expect(refId(sim().store.get('defects', d.id)!.phase)).toBe(before);
  });

  it('takes a bulk {data:[...]} body, validating every item before changing any', async () => {
    const a = defectIn('deferred');
    const b = defectIn('new');
    const refused = await put(sim(), 'defects', {
      data: [
        { id: a.id, phase: phaseRef('opened') },
        { id: b.id, phase: phaseRef('closed') }
      ]
    });
    expect(refused.status).toBe(400);
    expect(refId(sim().store.get('defects', a.id)!.phase)).toBe(phaseRef('deferred').id);
    const ok = await put(sim(), 'defects', { data: [{ id: a.id, phase: phaseRef('opened') }] });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ total_count: 1, data: [{ id: a.id, phase: { name: 'Opened' } }] });
  });

  it('refuses unknown defects (404), story phases and fields it cannot change (400), and PUT elsewhere (405)', async () => {
    expect((await put(sim(), 'defects/424242', { phase: phaseRef('opened') })).status).toBe(404);
    const d = defectIn('new');
    const story = sim().store.byLogicalName('phase.story.opened');
    expect((await put(sim(), `defects/${d.id}`, { phase: { type: 'phase', id: story.id } })).body.description).toMatch(
      /not a defect phase/
    );
    expect((await put(sim(), `defects/${d.id}`, { release: { type: 'release', id: '1001' } })).status).toBe(400);
    expect((await put(sim(), `releases/1001`, { name: 'x' })).status).toBe(405);
  });
});
