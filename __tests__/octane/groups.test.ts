// The grouping resource (issue 9) through the client against the simulator: the published answer shape
// (FINDINGS: PPM's quoted answers, the C# SDK's use_numeric_id=true), read into groups whose counts add up
// to the list's total_count; a server without it; answers the client refuses to read.
import { describe, it, expect } from '@jest/globals';
import { OctaneError, UnreadableAnswerError } from '../../src/octane/errors.js';
import { cross, eq, idEq } from '../../src/octane/query.js';
import { useSignedInClient, withSignedInClient } from '../helpers/octane-client.js';

describe('GET defects/groups', () => {
  const { sim, client } = useSignedInClient();
  const query = () => idEq('release', sim().store.releaseByName('2026.4').id);

  it('counts by severity and by phase, adding up to the total, with use_numeric_id=true sent', async () => {
    const page = await client().list('defects', { query: query(), fields: ['id'], limit: 1 });
    for (const groupBy of ['severity', 'phase']) {
      const groups = await client().groups('defects', { query: query(), groupBy });
      expect(groups.reduce((n, g) => n + g.count, 0)).toBe(page.total_count);
      for (const g of groups) if (g.value) expect(typeof g.value.id).toBe('string');
      const last = sim().log.at(-1)!;
      expect(last.path).toMatch(/\/defects\/groups$/);
      expect(last.query).toMatchObject({ group_by: groupBy, use_numeric_id: 'true' });
    }
    const bySeverity = await client().groups('defects', { query: query(), groupBy: 'severity' });
    const urgent = sim().store.byLogicalName('list_node.severity.urgent');
    const inStore = sim().store.find(
      'defects',
      (d) =>
        (d.release as { id: string }).id === sim().store.releaseByName('2026.4').id &&
        (d.severity as { id?: string } | undefined)?.id === urgent.id
    ).length;
    expect(bySeverity.find((g) => g.value?.logical_name === 'list_node.severity.urgent')?.count ?? 0).toBe(inStore);
  });

  it('applies the query, cross filters included', async () => {
    const groups = await client().groups('defects', { query: cross('release', eq('name', 'no such release')), groupBy: 'severity' });
    expect(groups).toEqual([]);
  });

  it('refuses an answer that is not a grouping answer, or a count that is not a count', async () => {
    sim().faults.add({ path: '/defects/groups', json: { total_count: 3, data: [] } });
    await expect(client().groups('defects', { query: query(), groupBy: 'severity' })).rejects.toBeInstanceOf(UnreadableAnswerError);
    sim().faults.add({ path: '/defects/groups', json: { groups: [{ count: -1, value: null }], groupsTotalCount: 1 } });
    await expect(client().groups('defects', { query: query(), groupBy: 'severity' })).rejects.toBeInstanceOf(UnreadableAnswerError);
    sim().faults.add({
      path: '/defects/groups',
      json: { groups: [{ count: 1, value: { type: 'list_node', id: '1\n::error::x' } }], groupsTotalCount: 1 }
    });
    await expect(client().groups('defects', { query: query(), groupBy: 'severity' })).rejects.toThrow(/unreadable id/);
  });

  it('refuses an answer whose groupsTotalCount is not the number of groups it holds (groups are missing), and reads one without it', async () => {
    sim().faults.add({ path: '/defects/groups', json: { groups: [{ count: 4, value: null }], groupsTotalCount: 3 } });
    await expect(client().groups('defects', { query: query(), groupBy: 'severity' })).rejects.toThrow(
      /1 groups where groupsTotalCount says 3/
    );
    sim().faults.add({ path: '/defects/groups', json: { groups: [{ count: 4, value: null }] } });
    await expect(client().groups('defects', { query: query(), groupBy: 'severity' })).resolves.toEqual([{ count: 4, value: null }]);
  });
});

describe('a server without the grouping resource', () => {
  it('answers 404, which the client reports as an OctaneError with that status', async () => {
    await withSignedInClient({ profile: 'no-groups' }, async (sim, client) => {
      const error = await client
        .groups('defects', { query: idEq('release', sim.store.releaseByName('2026.4').id), groupBy: 'severity' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OctaneError);
      expect((error as OctaneError).status).toBe(404);
    });
  });
});

describe('numeric ids', () => {
  it('come back as strings', async () => {
    await withSignedInClient({ profile: 'numeric-json-ids' }, async (sim, client) => {
      const groups = await client.groups('defects', { query: idEq('release', sim.store.releaseByName('2026.4').id), groupBy: 'phase' });
      expect(groups.length).toBeGreaterThan(0);
      for (const g of groups) expect(g.value && typeof g.value.id).toBe('string');
      expect(sim.log.at(-1)!.status).toBe(200);
    });
  });
});
