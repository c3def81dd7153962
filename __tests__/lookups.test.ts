import { describe, it, expect } from '@jest/globals';
import type { Simulator } from '../simulator/index.js';
import type { Entity, OctaneApi, Page } from '../src/octane/api.js';
import { LookupError, findBacklogRoot, findOriginNode, findRelease, resolveAll, resolvePhases, resolveSeverities } from '../src/lookups.js';
import { tampered, useSignedInClient, waves, withSignedInClient } from './helpers/octane-client.js';

const TRICKY = 'R1 ^x\' "(y)" \\ *';

function defectPhase(sim: Simulator, name: string): string {
  const found = sim.store.find('phases', (p) => p.entity === 'defect' && p.name === name);
  expect(found).toHaveLength(1);
  return found[0]!.id;
}

async function rejection(p: Promise<unknown>): Promise<LookupError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e
  );
  expect(error).toBeInstanceOf(LookupError);
  return error as LookupError;
}

describe('look-ups against the simulator', () => {
  const { sim, client: api } = useSignedInClient();

  describe('findRelease', () => {
    it('finds a release by its exact name', async () => {
      expect(await findRelease(api(), '2026.4')).toEqual({ id: sim().store.releaseByName('2026.4').id, name: '2026.4' });
    });

    it('finds a name made of query metacharacters, and not the look-alike it would wildcard-match', async () => {
      const found = await findRelease(api(), TRICKY);
      expect(found.id).toBe(sim().store.releaseByName(TRICKY).id);
      expect(found.name).toBe(TRICKY);
      // The query that reached the server is still one name comparison.
      const sent = sim()
        .log.filter((r) => r.path.endsWith('/releases'))
        .at(-1)!;
      expect(sent.query.query).toMatch(/^"name EQ \^.*\^"$/);
    });

    it('fails on an unknown name or a case-only difference and lists the releases that exist', async () => {
      const error = await rejection(findRelease(api(), '2026.9'));
      expect(error.problems.map((p) => p.input)).toEqual(['release-name']);
      for (const r of sim().store.all('releases')) expect(error.message).toContain(JSON.stringify(r.name as string));
      const caseOnly = await rejection(findRelease(api(), TRICKY.toLowerCase()));
      expect(caseOnly.message).toContain(`No release named ${JSON.stringify(TRICKY.toLowerCase())}`);
    });

    it('refuses a name that several releases share, naming their ids', async () => {
      const extra = sim().store.add('releases', { name: 'Twin' });
      const other = sim().store.add('releases', { name: 'Twin' });
      const error = await rejection(findRelease(api(), 'Twin'));
      expect(error.message).toContain(extra.id);
      expect(error.message).toContain(other.id);
    });
  });

  describe('resolvePhases', () => {
    it('resolves defect phases by name or logical name in any case, never story phases', async () => {
      const found = await resolvePhases(api(), ['new', 'PHASE.DEFECT.OPENED', 'Deferred']);
      expect(found.map((p) => p.id)).toEqual([defectPhase(sim(), 'New'), defectPhase(sim(), 'Opened'), defectPhase(sim(), 'Deferred')]);
      expect(found.map((p) => p.name)).toEqual(['New', 'Opened', 'Deferred']);
    });

    it('reports every unknown name at once and lists the valid ones', async () => {
      const error = await rejection(resolvePhases(api(), ['New', 'Nwe', 'Clsed']));
      expect(error.problems.map((p) => p.input)).toEqual(['phases']);
      expect(error.message).toContain('"Nwe"');
      expect(error.message).toContain('"Clsed"');
      for (const p of sim().store.find('phases', (x) => x.entity === 'defect')) expect(error.message).toContain(p.name as string);
    });

    it('refuses a story phase logical name (defect phases only)', async () => {
      const error = await rejection(resolvePhases(api(), ['phase.story.new']));
      expect(error.message).toContain('"phase.story.new"');
    });
  });

  describe('resolveSeverities', () => {
    it('returns every severity node, most severe first, when no names are given', async () => {
      const found = await resolveSeverities(api(), []);
      const root = sim().store.byLogicalName('list_node.severity');
      const nodes = sim().store.find('list_nodes', (n) => (n.list_root as { id?: string } | null)?.id === root.id);
      expect(found.map((s) => s.id).sort()).toEqual(nodes.map((n) => n.id).sort());
      expect(found.map((s) => s.logicalName)).toEqual(
        ['urgent', 'very_high', 'high', 'medium', 'low'].map((k) => `list_node.severity.${k}`)
      );
    });

    it('matches names and logical names in any case, only in the severity list', async () => {
      const found = await resolveSeverities(api(), ['high', 'LIST_NODE.SEVERITY.URGENT']);
      expect(found.map((s) => s.id)).toEqual([
        sim().store.byLogicalName('list_node.severity.urgent').id,
        sim().store.byLogicalName('list_node.severity.high').id
      ]);
      // The priority list also has a "High"; it must not be picked.
      expect(found.map((s) => s.id)).not.toContain(sim().store.byLogicalName('list_node.priority.high').id);
    });

    it('fails on a typo, naming the input it came from and the valid severities', async () => {
      const error = await rejection(resolveSeverities(api(), ['Hihg'], 'severity'));
      expect(error.problems.map((p) => p.input)).toEqual(['severity']);
      expect(error.message).toContain('"Hihg"');
      expect(error.message).toContain('Very High');
    });
  });

  describe('findBacklogRoot and findOriginNode', () => {
    it('finds the one backlog root', async () => {
      const roots = sim().store.all('work_item_roots');
      expect(roots).toHaveLength(1);
      expect(await findBacklogRoot(api())).toMatchObject({ id: roots[0]!.id });
    });

    it('finds the GitHub Actions origin node by exact name, else nothing', async () => {
      expect((await findOriginNode(api()))?.id).toBe(sim().store.byLogicalName('list_node.item_origin.github_actions').id);
      expect((await findOriginNode(api(), 'Jenkins'))?.id).toBe(sim().store.byLogicalName('list_node.item_origin.jenkins').id);
      expect(await findOriginNode(api(), 'github actions')).toBeUndefined();
      expect(await findOriginNode(api(), 'Travis')).toBeUndefined();
    });
  });

  describe('resolveAll', () => {
    it('runs the look-ups in one round trip', async () => {
      const w = waves(api());
      const r = await resolveAll({
        release: findRelease(w.api, '2026.4'),
        phases: resolvePhases(w.api, ['New']),
        severities: resolveSeverities(w.api, [])
      });
      expect(r.release.name).toBe('2026.4');
      expect(r.phases).toHaveLength(1);
      expect(w.waves).toHaveLength(1);
      expect(w.waves[0]).toHaveLength(3);
    });

    it('reports every bad name of every input together', async () => {
      const error = await rejection(
        resolveAll({
          release: findRelease(api(), 'No Such Release'),
          phases: resolvePhases(api(), ['Nwe']),
          severities: resolveSeverities(api(), ['Hihg']),
          root: findBacklogRoot(api())
        })
      );
      expect(error).toBeInstanceOf(LookupError);
      expect((error as LookupError).problems.map((p) => p.input)).toEqual(['release-name', 'phases', 'severities']);
      for (const bad of ['No Such Release', 'Nwe', 'Hihg']) expect(error.message).toContain(bad);
    });

    it('rethrows a failure that is not a bad name as it is', async () => {
      sim().faults.add({ path: '/phases', status: 403, times: 1 });
      const error = await resolveAll({ release: findRelease(api(), 'Nope'), phases: resolvePhases(api(), ['New']) }).then(
        () => undefined,
        (e: unknown) => e
      );
      sim().faults.clear();
      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(LookupError);
      expect((error as Error).message).toContain('403');
    });
  });
});

describe('look-ups on other sites', () => {
  it("resolves a 'Critical' urgent severity by its name and refuses 'Urgent' there", async () => {
    await withSignedInClient({ urgentName: 'Critical' }, async (sim, api) => {
      const found = await resolveSeverities(api, ['critical']);
      expect(found).toEqual([
        { id: sim.store.byLogicalName('list_node.severity.urgent').id, name: 'Critical', logicalName: 'list_node.severity.urgent' }
      ]);
      const error = await rejection(resolveSeverities(api, ['Urgent']));
      expect(error.message).toContain('Critical');
    });
  });

  it('treats logical-name ids as opaque ids', async () => {
    await withSignedInClient({ phaseIds: 'logical' }, async (_sim, api) => {
      expect((await resolvePhases(api, ['New'])).map((p) => p.id)).toEqual(['phase.defect.new']);
      expect((await resolveSeverities(api, ['High'])).map((s) => s.id)).toEqual(['list_node.severity.high']);
    });
  });
});

describe('names that several nodes answer to (fail closed: never widen the filter silently)', () => {
  it('refuses a severity name that two severity nodes share in any case, and resolves each by logical name', async () => {
    await withSignedInClient({}, async (sim, api) => {
      const root = sim.store.byLogicalName('list_node.severity');
      const twin = sim.store.add('list_nodes', {
        name: 'HIGH',
        logical_name: 'list_node.severity.custom_high',
        list_root: root,
        activity_level: 0
      });
      const error = await rejection(resolveSeverities(api, ['High']));
      expect(error.problems.map((p) => p.input)).toEqual(['severities']);
      expect(error.message).toContain('"High"');
      expect(error.message).toContain('list_node.severity.high');
      expect(error.message).toContain('list_node.severity.custom_high');
      expect((await resolveSeverities(api, ['list_node.severity.custom_high'])).map((s) => s.id)).toEqual([twin.id]);
      expect((await resolveSeverities(api, ['LIST_NODE.SEVERITY.HIGH'])).map((s) => s.id)).toEqual([
        sim.store.byLogicalName('list_node.severity.high').id
      ]);
    });
  });

  it('a logical name picks its own node, not another node named like it', async () => {
    await withSignedInClient({}, async (sim, api) => {
      const root = sim.store.byLogicalName('list_node.severity');
      sim.store.add('list_nodes', {
        name: 'list_node.severity.low',
        logical_name: 'list_node.severity.custom_x',
        list_root: root,
        activity_level: 0
      });
      expect((await resolveSeverities(api, ['list_node.severity.low'])).map((s) => s.id)).toEqual([
        sim.store.byLogicalName('list_node.severity.low').id
      ]);
    });
  });

  it('refuses a phase name that two defect phases share', async () => {
    await withSignedInClient({}, async (sim, api) => {
      sim.store.add('phases', { name: 'new', logical_name: 'phase.defect.custom_new', entity: 'defect' });
      const error = await rejection(resolvePhases(api, ['Opened', 'New']));
      expect(error.problems.map((p) => p.input)).toEqual(['phases']);
      expect(error.message).toContain('"New"');
      expect(error.message).toContain('phase.defect.custom_new');
      expect(error.message).not.toContain('"Opened"');
    });
  });
});

describe('answers that cannot be trusted (a fake api)', () => {
  const phases: Entity[] = [{ id: '1', type: 'phase', name: 'New', logical_name: 'phase.defect.new' }];
  function fake(page: unknown): OctaneApi {
    return tampered(
      { list: async () => ({ total_count: 0, data: [] }) as Page<never>, create: async () => ({}) as never, workItemUrl: (id) => id },
      () => page
    );
  }

  it('keeps only defect phases when an answer also holds phases of other entities', async () => {
    const mixed = [
      { id: '7', type: 'phase', name: 'New', logical_name: 'phase.story.new', entity: 'story' },
      { id: '1', type: 'phase', name: 'New', logical_name: 'phase.defect.new', entity: 'defect' }
    ];
    expect((await resolvePhases(fake({ total_count: 2, data: mixed }), ['New'])).map((p) => p.id)).toEqual(['1']);
    await expect(resolvePhases(fake({ total_count: 2, data: mixed }), ['phase.story.new'])).rejects.toThrow(
      /Unknown phases "phase.story.new"/
    );
  });

  it('fails closed when the phase list is partial', async () => {
    await expect(resolvePhases(fake({ total_count: 1500, data: phases }), ['New'])).rejects.toThrow(/partial/);
  });

  it('refuses a workspace with no or several backlog roots', async () => {
    await expect(findBacklogRoot(fake({ total_count: 0, data: [] }))).rejects.toThrow(/exactly one/);
    await expect(
      findBacklogRoot(
        fake({
          total_count: 2,
          data: [
            { id: '1', type: 'work_item_root' },
            { id: '2', type: 'work_item_root' }
          ]
        })
      )
    ).rejects.toThrow(/exactly one/);
  });
});
