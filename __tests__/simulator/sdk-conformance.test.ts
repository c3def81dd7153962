/**
 * Conformance: the official @microfocus/alm-octane-js-rest-sdk (axios + tough-cookie) talks to the simulator
 * the way it talks to Octane: sign in, a cross-filter query, a create, sign out.
 */
import { describe, it, expect } from '@jest/globals';
import { Octane, Query } from '@microfocus/alm-octane-js-rest-sdk';
import { signOuts, useSimulator } from '../helpers/e2e-simulator.js';
import { expectedGate } from '../helpers/expected-gate.js';

const sim = useSimulator({ pathPrefix: '/octane' }, { resetEachTest: false });

function client(): InstanceType<typeof Octane> {
  return new Octane({
    server: sim().url,
    sharedSpace: Number(sim().sharedSpaceId),
    workspace: Number(sim().workspaceId),
    user: sim().credentials.clientId,
    password: sim().credentials.clientSecret
  });
}

describe('official JS REST SDK against the simulator', () => {
  it('signs in, queries with a cross filter, creates a defect, and signs out', async () => {
    const octane = client();
    await octane.authenticate();

    const release = sim().store.releaseByName('2026.4');
    const query = Query.field('release')
      .equal(Query.field('id').equal(Number(release.id)))
      .and(
        Query.field('phase').equal(
          Query.field('logical_name').equal('phase.defect.new').or(Query.field('logical_name').equal('phase.defect.opened'))
        )
      )
      .build();
    const page = await octane.get(Octane.entityTypes.defects).fields('name', 'phase', 'release').query(query).orderBy('-id').execute();
    const expected = expectedGate(sim().store, { release: '2026.4', phases: ['phase.defect.new', 'phase.defect.opened'] }).defects;
    expect(page.total_count).toBe(expected.length);
    expect(page.data.map((d: { id: string }) => d.id)).toEqual(expected.map((d) => d.id).reverse());
    expect(page.data[0].release).toMatchObject({ type: 'release', id: release.id, name: '2026.4' });

    const root = (await octane.get(Octane.entityTypes.workItemRoots).execute()).data[0];
    const created = await octane
      .create(Octane.entityTypes.defects, {
        name: 'Filed by the official SDK',
        parent: { type: 'work_item_root', id: root.id },
        release: { type: 'release', id: release.id }
      })
      .execute();
    expect(created.total_count).toBe(1);
    const id = created.data[0].id;
    expect(sim().store.get('defects', id)).toMatchObject({ name: 'Filed by the official SDK', is_draft: true });

    const one = await octane.get(Octane.entityTypes.defects).at(Number(id)).fields('name').execute();
    expect(one).toMatchObject({ type: 'defect', id, name: 'Filed by the official SDK' });

    await octane.signOut();
    const signOut = signOuts(sim());
    expect(signOut).toHaveLength(1);
    expect(signOut[0]!.status).toBe(200);
    // The SDK kept the newest session cookie: after a re-issue, every call carries the new value.
    const apiCalls = sim().log.filter((r) => r.path.includes('/api/'));
    expect(apiCalls.every((r) => r.status < 300)).toBe(true);
    const reissuedAt = apiCalls.findIndex((r) => r.setLwsso !== undefined);
    expect(reissuedAt).toBeGreaterThanOrEqual(0);
    expect(reissuedAt).toBeLessThan(apiCalls.length - 1);
    expect(apiCalls[reissuedAt + 1]!.lwsso).toBe(apiCalls[reissuedAt]!.setLwsso);
    // The session is gone: a call with the cookies the SDK carried now fails.
    const last = apiCalls[apiCalls.length - 1]!;
    const after = await fetch(`${sim().url}/api/shared_spaces/1001/workspaces/1002/releases`, {
      headers: { cookie: last.headers.cookie! }
    });
    expect(after.status).toBe(401);
  });

  it('signs in again once and repeats the call when the session expired', async () => {
    const octane = client();
    await octane.authenticate();
    sim().expireSessions('VALIDATION_TOKEN_EXPIRED_IDLE_TIME_OUT');
    const before = sim().log.length;
    const page = await octane.get(Octane.entityTypes.releases).fields('name').execute();
    expect(page.data.map((r: { name: string }) => r.name)).toContain('2026.4');
    expect(
      sim()
        .log.slice(before)
        .map((r) => [r.path.replace(/.*\/(\w+)$/, '$1'), r.status])
    ).toEqual([
      ['releases', 401],
      ['sign_in', 200],
      ['releases', 200]
    ]);
    await octane.signOut();
  });

  it("moves a defect's phase with the SDK's update (PUT defects/{id}), and the workflow refuses a move it lacks", async () => {
    const octane = client();
    await octane.authenticate();
    const opened = sim().store.byLogicalName('phase.defect.opened');
    const fixed = sim().store.byLogicalName('phase.defect.fixed');
    const defect = sim().store.find('defects', (d) => (d.phase as { id: string }).id === opened.id)[0]!;
    const moved = await octane
      .update(Octane.entityTypes.defects, { phase: { type: 'phase', id: fixed.id } })
      .at(Number(defect.id))
      .execute();
    expect(moved).toMatchObject({ type: 'defect', id: defect.id, phase: { type: 'phase', id: fixed.id } });
    const refused = octane
      .update(Octane.entityTypes.defects, { phase: { type: 'phase', id: sim().store.byLogicalName('phase.defect.new').id } })
      .at(Number(defect.id))
      .execute();
    await expect(refused).rejects.toMatchObject({ response: { status: 400 } });
    expect((sim().store.get('defects', defect.id)!.phase as { id: string }).id).toBe(fixed.id);
    await octane.signOut();
  });
});
