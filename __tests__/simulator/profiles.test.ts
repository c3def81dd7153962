// The simulator's server profiles (issue 7, Part 1) and the defect fields of a real workspace, over plain HTTP.
import { describe, it, expect, beforeAll } from '@jest/globals';
import { PROFILES, PROFILE_NAMES, TRICKY_RELEASE, startSimulator, type ServerProfile, type Simulator } from '../../simulator/index.js';
import { useSimulator } from '../helpers/e2e-simulator.js';
import { getJson, postJson, q, session, workspaceUrl, type Json } from './helpers.js';

/** A simulator with this profile and a signed-in session, for one describe block. */
function withProfile(profile: string | ServerProfile): { sim: () => Simulator; cookie: () => string } {
  const sim = useSimulator({ profile: profile as ServerProfile, cookieReissueEvery: 0 }, { resetEachTest: false });
  let cookie = '';
  beforeAll(async () => {
    cookie = await session(sim());
  });
  return { sim, cookie: () => cookie };
}

const refId = (v: unknown): string => String((v as { id: unknown }).id);

describe('profile names', () => {
  it('names the thirteen agreed profiles, and refuses an unknown name', async () => {
    expect(PROFILE_NAMES.sort()).toEqual(
      [
        'default',
        'stock-workspace',
        'is-draft-tech-preview',
        'exceeds-never',
        'exceeds-when-paged',
        'exceeds-limit-above-total',
        'exceeds-capped',
        'escape-any',
        'escape-ci-sdk',
        'escape-none',
        'logical-ids',
        'numeric-json-ids',
        'no-groups'
      ].sort()
    );
    expect(PROFILES['exceeds-capped']).toMatchObject({ exceedsTotalCount: 'capped', totalCountCap: 2000 });
    await expect(startSimulator({ profile: 'no-such-profile' as never })).rejects.toThrow(/unknown simulator profile 'no-such-profile'/);
  });
});

describe('default profile: reference shapes', () => {
  const { sim, cookie } = withProfile('default');

  it('a work item reference carries the concrete type (defect, work_item_root), not work_item', async () => {
    const defect = sim().store.all('defects')[0]!;
    const made = await postJson(sim(), cookie(), 'comments', {
      data: [{ text: 'see run', owner_work_item: { type: 'work_item', id: defect.id } }]
    });
    expect(made.status).toBe(201);
    const comment = await getJson(sim(), cookie(), `comments/${made.body.data[0].id}?fields=owner_work_item`);
    expect(comment.body.owner_work_item).toEqual({ type: 'defect', id: defect.id, name: defect.name });
    const read = await getJson(sim(), cookie(), `defects/${defect.id}?fields=parent`);
    expect(read.body.parent).toMatchObject({ type: 'work_item_root', id: refId(defect.parent) });
  });

  it("an entity's own logical_name comes back when asked for, a reference's never", async () => {
    const { body } = await getJson(sim(), cookie(), `phases?query=${q('entity EQ ^defect^')}&fields=name,logical_name,metaphase&limit=1`);
    expect(body.data[0].logical_name).toMatch(/^phase\.defect\./);
    expect(body.data[0].metaphase).toEqual({ type: 'metaphase', id: expect.any(String), name: expect.any(String) });
  });
});

describe('is-draft-tech-preview profile', () => {
  const { sim, cookie } = withProfile('is-draft-tech-preview');
  const post = (item: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(workspaceUrl(sim(), 'defects'), {
      method: 'POST',
      headers: { cookie: cookie(), accept: 'application/json', 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ data: [item] })
    });

  it('refuses is_draft without ALM-OCTANE-TECH-PREVIEW: true (400, nothing stored), and takes it with the header or without is_draft', async () => {
    const before = sim().store.all('defects').length;
    for (const is_draft of [true, false]) {
      const refused = await post({
        name: `draft ${is_draft}`,
        is_draft,
        severity: { type: 'list_node', id: sim().store.byLogicalName('list_node.severity.low').id },
        phase: { type: 'phase', id: sim().store.byLogicalName('phase.defect.new').id }
      });
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as Json).description).toContain('ALM-OCTANE-TECH-PREVIEW');
    }
    expect(await post({ name: 'wrong header', is_draft: true }, { 'ALM-OCTANE-TECH-PREVIEW': 'false' }).then((r) => r.status)).toBe(400);
    expect(sim().store.all('defects')).toHaveLength(before);

    expect((await post({ name: 'with header', is_draft: true }, { 'ALM-OCTANE-TECH-PREVIEW': 'true' })).status).toBe(201);
    expect((await post({ name: 'no is_draft' })).status).toBe(201);
    expect(
      sim()
        .store.all('defects')
        .map((d) => d.name)
    ).toEqual(expect.arrayContaining(['with header', 'no is_draft']));
    expect(sim().store.all('defects')).toHaveLength(before + 2);
  });
});

describe('exceeds_total_count readings', () => {
  /** total_count and the flag for the 2026.4 defects (12) at limit 5 and at limit 1000. */
  async function flags(sim: Simulator, cookie: string): Promise<Array<[number, boolean, number]>> {
    const release = sim.store.releaseByName('2026.4');
    const out: Array<[number, boolean, number]> = [];
    for (const limit of [5, 1000]) {
      const { body } = await getJson(sim, cookie, `defects?query=${q(`release EQ {id EQ ${release.id}}`)}&limit=${limit}`);
      out.push([body.total_count, body.exceeds_total_count, body.data.length]);
    }
    return out;
  }
  const real = (sim: Simulator): number =>
    sim.store.find('defects', (d) => refId(d.release) === sim.store.releaseByName('2026.4').id).length;

  describe('exceeds-never', () => {
    const { sim, cookie } = withProfile('exceeds-never');
    it('is always false', async () => {
      const n = real(sim());
      expect(await flags(sim(), cookie())).toEqual([
        [n, false, 5],
        [n, false, n]
      ]);
    });
  });
  describe('exceeds-when-paged', () => {
    const { sim, cookie } = withProfile('exceeds-when-paged');
    it('is true when total_count is larger than the rows returned', async () => {
      const n = real(sim());
      expect(await flags(sim(), cookie())).toEqual([
        [n, true, 5],
        [n, false, n]
      ]);
    });
  });
  describe('exceeds-limit-above-total', () => {
    const { sim, cookie } = withProfile('exceeds-limit-above-total');
    it('is true when limit is larger than total_count', async () => {
      const n = real(sim());
      expect(await flags(sim(), cookie())).toEqual([
        [n, false, 5],
        [n, true, n]
      ]);
    });
  });
  describe('capped (cap 5 here; the named profile caps at 2000)', () => {
    const { sim, cookie } = withProfile({ exceedsTotalCount: 'capped', totalCountCap: 5 });
    it('caps total_count, flags it, and still answers the real rows at offset..offset+limit', async () => {
      const n = real(sim());
      expect(n).toBeGreaterThan(5);
      expect(await flags(sim(), cookie())).toEqual([
        [5, true, 5],
        [5, true, n]
      ]);
      const release = sim().store.releaseByName('2026.4');
      const { body } = await getJson(sim(), cookie(), `defects?query=${q(`release EQ {id EQ ${release.id}}`)}&limit=3&offset=6`);
      const ids = sim()
        .store.find('defects', (d) => refId(d.release) === release.id)
        .map((d) => d.id);
      expect(body.data.map((d: { id: string }) => d.id)).toEqual(ids.slice(6, 9));
      const few = await getJson(sim(), cookie(), `releases?limit=100`);
      expect(few.body).toMatchObject({ total_count: 4, exceeds_total_count: false });
    });
  });
});

describe('escaping profiles', () => {
  // TRICKY_RELEASE is `R1 ^x' "(y)" \ *`; its twin `...-old` matches wherever the trailing '*' is a wildcard.
  const queries = {
    /** No backslash before the quotes: only a server where `\ ` stays a backslash matches both. */
    plain: `name EQ ^R1 *x' "(y)" \\ *^`,
    /** The CI SDK's escapes of \ " ' ( ): a literal backslash only where the backslash escapes. */
    ciSdk: `name EQ ^R1 *x\\' \\"\\(y\\)\\" \\\\ *^`,
    /** `\^` inside the string: an escaped caret, or a backslash that ends the string. */
    caret: `name EQ ^R1 \\^x*^`
  };
  const expected: Record<'escape-any' | 'escape-ci-sdk' | 'escape-none', Record<keyof typeof queries, number | 'refused'>> = {
    'escape-any': { plain: 0, ciSdk: 2, caret: 2 },
    'escape-ci-sdk': { plain: 2, ciSdk: 2, caret: 'refused' },
    'escape-none': { plain: 2, ciSdk: 0, caret: 'refused' }
  };
  describe.each(Object.keys(expected) as Array<keyof typeof expected>)('%s', (name) => {
    const { sim, cookie } = withProfile(name);
    it.each(Object.keys(queries) as Array<keyof typeof queries>)('query %s', async (which) => {
      const { status, body } = await getJson(sim(), cookie(), `releases?query=${q(queries[which])}&fields=name`);
      const want = expected[name][which];
      if (want === 'refused') {
        expect(status).toBe(400);
      } else {
        expect(status).toBe(200);
        expect(body.data.map((r: { name: string }) => r.name).sort()).toEqual([TRICKY_RELEASE, `${TRICKY_RELEASE}-old`].slice(0, want));
      }
    });
  });
});

describe('logical-ids profile', () => {
  const { sim, cookie } = withProfile('logical-ids');
  it('phases and list nodes have their logical names as ids, in entities and references', async () => {
    const { body } = await getJson(sim(), cookie(), 'defects?limit=1&fields=phase,severity,release');
    expect(body.data[0].phase.id).toMatch(/^phase\.defect\./);
    expect(body.data[0].severity.id).toMatch(/^list_node\.severity\./);
    expect(body.data[0].release.id).toMatch(/^\d+$/);
  });
});

describe('numeric-json-ids profile', () => {
  const { sim, cookie } = withProfile('numeric-json-ids');
  it('answers ids as JSON numbers: entities, references, multi-references, created items', async () => {
    const { body } = await getJson(sim(), cookie(), 'defects?limit=1&fields=phase,release,product_areas,parent');
    const d = body.data[0];
    expect(typeof d.id).toBe('number');
    for (const ref of [d.phase, d.release, d.parent, ...d.product_areas.data]) expect(typeof ref.id).toBe('number');
    expect(d.product_areas.data.length).toBeGreaterThan(0);
    const one = await getJson(sim(), cookie(), `defects/${d.id}?fields=name`);
    expect(one.body.id).toBe(d.id);
    const made = await postJson(sim(), cookie(), 'defects', {
      data: [{ name: 'numeric', parent: { type: 'work_item_root', id: d.parent.id } }]
    });
    expect(made.status).toBe(201);
    expect(typeof made.body.data[0].id).toBe('number');
    expect(sim().store.get('defects', String(made.body.data[0].id))?.name).toBe('numeric');
  });
});

describe('stock-workspace profile', () => {
  const { sim, cookie } = withProfile('stock-workspace');
  it('says "Proposed Closed" and has the stock item-origin nodes, none for GitHub', async () => {
    const phases = await getJson(sim(), cookie(), `phases?query=${q('entity EQ ^defect^')}&fields=name,logical_name`);
    const names = phases.body.data.map((p: { name: string }) => p.name);
    expect(names).toContain('Proposed Closed');
    expect(names).not.toContain('Proposed Close');
    const origins = await getJson(
      sim(),
      cookie(),
      `list_nodes?query=${q('list_root EQ {logical_name EQ ^list_node.item_origin^}')}&fields=name,logical_name`
    );
    expect(origins.body.data.map((n: { name: string }) => n.name)).toEqual(['ALM', 'AGM', 'Jira', 'XL Release', 'Service Anywhere']);
    for (const n of origins.body.data) expect(n.logical_name).toMatch(/^list_node\.item_origin\.[a-z_]+$/);
    expect(JSON.stringify(origins.body)).not.toMatch(/github/i);
  });
});

describe('the defect fields of a real workspace', () => {
  const { sim, cookie } = withProfile('default');
  const first = (collection: string, pick: (e: Json) => boolean = () => true): Json => sim().store.find(collection, pick)[0]!;
  const ref = (e: Json): { type: string; id: string } => ({ type: e.type, id: e.id });

  it('seeds teams, sprints and milestones of a release, application modules with parents, tags and users', async () => {
    const release = sim().store.releaseByName('2026.4');
    const sprints = await getJson(
      sim(),
      cookie(),
      `sprints?query=${q(`release EQ {id EQ ${release.id}}`)}&fields=name,release,start_date,end_date`
    );
    expect(sprints.body.data.map((s: Json) => s.name)).toEqual(['Sprint 1', 'Sprint 2']);
    expect(sprints.body.data[0].release).toEqual({ type: 'release', id: release.id, name: '2026.4' });
    const milestones = await getJson(sim(), cookie(), `milestones?fields=name,release,date`);
    expect(milestones.body.data.length).toBeGreaterThan(0);
    expect(milestones.body.data[0]).toMatchObject({ type: 'milestone', release: { type: 'release' }, date: expect.any(String) });
    const modules = await getJson(sim(), cookie(), `product_areas?query=${q('parent EQ {name EQ ^Checkout^}')}&fields=name,parent`);
    expect(modules.body.data).toEqual([
      expect.objectContaining({
        type: 'product_area',
        name: 'Payments',
        parent: expect.objectContaining({ type: 'product_area', name: 'Checkout' })
      })
    ]);
    const users = await getJson(sim(), cookie(), 'workspace_users?fields=name,full_name,email');
    expect(users.body.data[0]).toEqual({
      type: 'workspace_user',
      id: expect.any(String),
      name: expect.any(String),
      full_name: expect.any(String),
      email: expect.stringContaining('@')
    });
    for (const c of ['teams', 'user_tags'])
      expect((await getJson(sim(), cookie(), `${c}?fields=name`)).body.total_count).toBeGreaterThan(0);
  });

  it('accepts every field on create and answers it with real shapes; multi-references as {total_count, data}', async () => {
    const release = sim().store.releaseByName('2026.5');
    const user = first('workspace_users');
    const fields = {
      name: 'All the fields',
      team: ref(first('teams')),
      sprint: ref(first('sprints', (s) => refId(s.release) === release.id)),
      milestone: ref(first('milestones')),
      release: ref(release),
      detected_in_release: ref(sim().store.releaseByName('2026.4')),
      defect_type: ref(sim().store.byLogicalName('list_node.defect_type.Escaped')),
      priority: ref(sim().store.byLogicalName('list_node.priority.high')),
      product_areas: { data: sim().store.all('product_areas').slice(0, 2).map(ref) },
      user_tags: { data: [ref(first('user_tags'))] },
      owner: ref(user),
      qa_owner: ref(user),
      detected_by: ref(user)
    };
    const made = await postJson(sim(), cookie(), 'defects', { data: [fields] });
    expect(made.status).toBe(201);
    const names = Object.keys(fields).filter((f) => f !== 'name');
    const { body } = await getJson(sim(), cookie(), `defects/${made.body.data[0].id}?fields=${names.join(',')}`);
    expect(body.team).toEqual({ ...fields.team, name: 'Platform' });
    expect(body.owner).toEqual({ type: 'workspace_user', id: user.id, name: user.name, full_name: user.full_name });
    expect(body.defect_type).toEqual({ type: 'list_node', id: fields.defect_type.id, name: 'Escaped', index: expect.any(Number) });
    expect(body.product_areas).toEqual({ total_count: 2, data: fields.product_areas.data.map((r) => expect.objectContaining(r)) });
    expect(body.user_tags).toEqual({
      total_count: 1,
      data: [expect.objectContaining({ ...fields.user_tags.data[0], name: expect.any(String) })]
    });
    for (const f of names) expect(body[f]).not.toBeNull();
  });

  it('refuses a reference to a missing team and a priority node as defect_type, storing nothing', async () => {
    const before = sim().store.all('defects').length;
    const missing = await postJson(sim(), cookie(), 'defects', { data: [{ name: 'x', team: { type: 'team', id: '999999' } }] });
    expect(missing.status).toBe(400);
    const wrongList = await postJson(sim(), cookie(), 'defects', {
      data: [{ name: 'x', defect_type: ref(sim().store.byLogicalName('list_node.priority.high')) }]
    });
    expect(wrongList.status).toBe(400);
    const bareArray = await postJson(sim(), cookie(), 'defects', { data: [{ name: 'x', user_tags: [ref(first('user_tags'))] }] });
    expect(bareArray.status).toBe(400);
    expect(sim().store.all('defects')).toHaveLength(before);
  });

  it('filters by team, sprint, milestone, module (any element), tag, type and creation_time', async () => {
    const count = async (expr: string): Promise<number> => {
      const { status, body } = await getJson(sim(), cookie(), `defects?query=${q(expr)}&limit=1`);
      expect(status).toBe(200);
      return body.total_count;
    };
    const defects = sim().store.all('defects');
    const has =
      (field: string, id: string) =>
      (d: Json): boolean =>
        Array.isArray(d[field]?.data) ? d[field].data.some((r: Json) => r.id === id) : d[field]?.id === id;
    const team = first('teams');
    const sprint = first('sprints');
    const module = sim().store.all('product_areas')[0]!;
    const tag = first('user_tags');
    const escaped = sim().store.byLogicalName('list_node.defect_type.Escaped');
    const cases: Array<[string, (d: Json) => boolean]> = [
      [`team EQ {id EQ ${team.id}}`, has('team', team.id)],
      [`sprint EQ {id EQ ${sprint.id}}`, has('sprint', sprint.id)],
      [`product_areas EQ {id EQ ${module.id}}`, has('product_areas', module.id)],
      [`user_tags EQ {name EQ ^${tag.name}^}`, has('user_tags', tag.id)],
      [`defect_type EQ {id EQ ${escaped.id}}`, has('defect_type', escaped.id)],
      [`milestone EQ null`, (d) => !d.milestone]
    ];
    for (const [expr, pick] of cases) {
      const want = defects.filter(pick).length;
      expect(want).toBeGreaterThan(0);
      expect([expr, await count(expr)]).toEqual([expr, want]);
    }
    const times = defects.map((d) => String(d.creation_time)).sort();
    const middle = times[Math.floor(times.length / 2)]!;
    expect(await count(`creation_time GT ^${middle}^`)).toBe(times.filter((t) => t > middle).length);
    expect(times.filter((t) => t > middle).length).toBeGreaterThan(0);
  });
});
