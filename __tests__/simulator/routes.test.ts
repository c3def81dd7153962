import { describe, it, expect, beforeAll } from '@jest/globals';
import { startSimulator, TRICKY_RELEASE, escapeQueryString } from '../../simulator/index.js';
import { useSimulator } from '../helpers/e2e-simulator.js';
import { expectedGate } from '../helpers/expected-gate.js';
import { cookiesOf, getJson, postJson, q, session, signIn, workspaceUrl, type Json } from './helpers.js';

const sim = useSimulator({ cookieReissueEvery: 0 }, { resetEachTest: false });
let cookie: string;

beforeAll(async () => {
  cookie = await session(sim());
});

describe('authentication', () => {
  it('signs in with client_id/client_secret and with user/password, setting both cookies without Secure over http', async () => {
    for (const body of [
      { client_id: 'sim-client', client_secret: 'sim-secret' },
      { user: 'sim-client', password: 'sim-secret' }
    ]) {
      const res = await signIn(sim(), body);
      expect(res.status).toBe(200);
      const lines = res.headers.getSetCookie();
      expect(lines.find((l) => l.startsWith('LWSSO_COOKIE_KEY='))).toMatch(/; Path=\/; HttpOnly$/);
      expect(lines.find((l) => l.startsWith('OCTANE_USER='))).toBeDefined();
      expect(lines.join('\n')).not.toMatch(/Secure/);
    }
  });

  it('refuses bad keys with 401 in Octane error format', async () => {
    const res = await signIn(sim(), { client_id: 'sim-client', client_secret: 'wrong' });
    expect(res.status).toBe(401);
    const body = (await res.json()) as Json;
    expect(body).toMatchObject({ error_code: 'AUTHENTICATION_FAILED', business_error: true });
    expect(typeof body.correlation_id).toBe('string');
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it('refuses a sign-in that carries the cookie of a live session', async () => {
    const res = await signIn(sim(), undefined, { cookie });
    expect(res.status).toBe(401);
    expect(((await res.json()) as Json).description).toMatch(/live session/);
  });

  it('answers 401 without cookies, with only one of them, or with an unknown token', async () => {
    const lwsso = cookie.split('; ').find((c) => c.startsWith('LWSSO'))!;
    for (const c of [
      '',
      lwsso,
      cookie.split('; ').find((c) => c.startsWith('OCTANE_USER'))!,
      'LWSSO_COOKIE_KEY=forged; OCTANE_USER=sim-client'
    ]) {
      const { status, body } = await getJson(sim(), c, 'releases');
      expect(status).toBe(401);
      expect(body.error_code).toMatch(/^VALIDATION_TOKEN_/);
    }
  });

  it('expires sessions with the given code, and a new sign-in works again', async () => {
    const own = await session(sim());
    expect((await getJson(sim(), own, 'releases')).status).toBe(200);
    sim().expireSessions('VALIDATION_TOKEN_EXPIRED_GLOBAL_TIME_OUT');
    const expired = await getJson(sim(), own, 'releases');
    expect(expired.status).toBe(401);
    expect(expired.body.error_code).toBe('VALIDATION_TOKEN_EXPIRED_GLOBAL_TIME_OUT');
    // A sign-in carrying the expired cookie is allowed (it is no live session).
    const again = await signIn(sim(), undefined, { cookie: own });
    expect(again.status).toBe(200);
    expect((await getJson(sim(), cookiesOf(again), 'releases')).status).toBe(200);
    cookie = await session(sim());
  });

  it('ends the session on sign-out and clears the cookies', async () => {
    const own = await session(sim());
    const res = await fetch(`${sim().url}/authentication/sign_out`, { method: 'POST', headers: { cookie: own } });
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie().every((l) => /Max-Age=0/.test(l))).toBe(true);
    expect((await getJson(sim(), own, 'releases')).status).toBe(401);
  });
});

describe('cookie re-issue', () => {
  it('re-issues LWSSO_COOKIE_KEY every 3rd answer, keeps the old value valid, and logs which value each request carried', async () => {
    const local = await startSimulator({ seed: 'empty' });
    try {
      let jar = await session(local);
      const seen: string[] = [];
      for (let i = 0; i < 4; i++) {
        const res = await fetch(workspaceUrl(local, 'releases'), { headers: { cookie: jar } });
        expect(res.status).toBe(200);
        const fresh = res.headers.getSetCookie().find((l) => l.startsWith('LWSSO_COOKIE_KEY='));
        seen.push(fresh ?? '');
        if (fresh) jar = jar.replace(/LWSSO_COOKIE_KEY=[^;]*/, fresh.split(';')[0]!);
      }
      expect(seen.map((s) => s !== '')).toEqual([false, false, true, false]);
      const api = local.log.filter((r) => r.path.includes('/releases'));
      expect(api[2]!.setLwsso).toBeDefined();
      expect(api[3]!.lwsso).toBe(api[2]!.setLwsso);
      expect(api[0]!.lwsso).not.toBe(api[3]!.lwsso);
      // The old value still works for a client that ignored the re-issue.
      expect(
        (await fetch(workspaceUrl(local, 'releases'), { headers: { cookie: `LWSSO_COOKIE_KEY=${api[0]!.lwsso}; OCTANE_USER=sim-client` } }))
          .status
      ).toBe(200);
    } finally {
      await local.close();
    }
  });
});

describe('GET collections', () => {
  it('answers id and type only unless fields are asked for; references carry type, id and name (phases and list nodes also index), never logical_name', async () => {
    const plain = await getJson(sim(), cookie, 'defects?limit=1');
    expect(Object.keys(plain.body.data[0]).sort()).toEqual(['id', 'type']);
    const rich = await getJson(sim(), cookie, 'defects?limit=1&fields=name,phase,severity,release');
    const d = rich.body.data[0];
    const stored = sim().store.get('defects', d.id)!;
    const phase = sim().store.get('phases', (stored.phase as { id: string }).id)!;
    expect(d.phase).toEqual({ type: 'phase', id: phase.id, name: phase.name, index: phase.index });
    expect(Object.keys(d.severity).sort()).toEqual(['id', 'index', 'name', 'type']);
    expect(d.release).toEqual({ type: 'release', id: expect.any(String), name: expect.any(String) });
  });

  it('counts every match in total_count and pages with limit/offset', async () => {
    const all = sim().store.all('defects').length;
    const p1 = await getJson(sim(), cookie, 'defects?limit=5&offset=0');
    const p2 = await getJson(sim(), cookie, 'defects?limit=5&offset=5');
    expect(p1.body.total_count).toBe(all);
    expect(p1.body.data).toHaveLength(5);
    expect(p2.body.data[0].id).not.toBe(p1.body.data[0].id);
    const last = await getJson(sim(), cookie, `defects?limit=5&offset=${all - 2}`);
    expect(last.body.data).toHaveLength(2);
  });

  it('refuses limit outside 1..1000 and bad offsets', async () => {
    for (const bad of ['limit=0', 'limit=1001', 'limit=abc', 'limit=-1', 'offset=-1', 'offset=x']) {
      const { status, body } = await getJson(sim(), cookie, `defects?${bad}`);
      expect(status).toBe(400);
      expect(body.error_code).toBe('platform.invalid_parameter_value');
    }
    expect((await getJson(sim(), cookie, 'defects?limit=1000')).status).toBe(200);
  });

  it('orders by id numerically, by name, and descending with -', async () => {
    sim().store.add('releases', { id: '999', name: 'zz numeric order probe' });
    const byId = await getJson(sim(), cookie, 'releases?fields=name&order_by=id');
    const ids = byId.body.data.map((r: { id: string }) => Number(r.id));
    expect(ids).toEqual([...ids].sort((a: number, b: number) => a - b));
    expect(ids[0]).toBe(999);
    const desc = await getJson(sim(), cookie, 'releases?fields=name&order_by=-id');
    expect(desc.body.data.map((r: { id: string }) => Number(r.id))).toEqual([...ids].reverse());
    const byName = await getJson(sim(), cookie, 'defects?fields=name&order_by=name&limit=1000');
    const names = byName.body.data.map((d: { name: string }) => d.name.toLowerCase());
    expect(names).toEqual([...names].sort());
  });

  it('filters with a cross filter and counts the sample gate', async () => {
    const release = sim().store.releaseByName('2026.4');
    const expr = `release EQ {id EQ ${release.id}};phase EQ {logical_name IN ^phase.defect.new^,^phase.defect.opened^,^phase.defect.deferred^}`;
    const { status, body } = await getJson(sim(), cookie, `defects?query=${q(expr)}&limit=1&fields=id`);
    expect(status).toBe(200);
    const expected = expectedGate(sim().store, {
      release: '2026.4',
      phases: ['phase.defect.new', 'phase.defect.opened', 'phase.defect.deferred']
    }).count;
    expect(expected).toBeGreaterThan(0);
    expect(body.total_count).toBe(expected);
    expect(body.data).toHaveLength(1);
  });

  it('finds the release whose name is made of metacharacters, and only it', async () => {
    const { body } = await getJson(sim(), cookie, `releases?query=${q(`name EQ ^${escapeQueryString(TRICKY_RELEASE)}^`)}&fields=name`);
    expect(body.data.map((r: { name: string }) => r.name)).toEqual([TRICKY_RELEASE]);
    // Left unescaped, the trailing * is a wildcard that also matches the '-old' release.
    const loose = await getJson(
      sim(),
      cookie,
      `releases?query=${q(`name EQ ^${TRICKY_RELEASE.replace(/[\\^'"()]/g, (m) => `\\${m}`)}^`)}&fields=name`
    );
    expect(loose.body.total_count).toBe(2);
  });

  it('lists phases with their entity, and list nodes with their root', async () => {
    const phases = await getJson(sim(), cookie, `phases?query=${q('entity EQ ^defect^')}&fields=name,logical_name,entity`);
    expect(phases.body.data.every((p: { entity: string }) => p.entity === 'defect')).toBe(true);
    expect(phases.body.data.map((p: { logical_name: string }) => p.logical_name)).toContain('phase.defect.proposeclose');
    const sev = await getJson(
      sim(),
      cookie,
      `list_nodes?query=${q('list_root EQ {logical_name EQ ^list_node.severity^}')}&fields=name,logical_name,list_root`
    );
    expect(sev.body.data.map((n: { name: string }) => n.name)).toEqual(['Low', 'Medium', 'High', 'Very High', 'Urgent']);
    const root = sim().store.byLogicalName('list_node.severity');
    expect(sev.body.data[0].list_root).toMatchObject({ type: 'list_node', id: root.id, name: root.name });
    expect(sev.body.data[0].list_root.logical_name).toBeUndefined();
  });

  it('lists defects under work_items as work_item with subtype defect', async () => {
    const { body } = await getJson(sim(), cookie, `work_items?query=${q('subtype EQ ^defect^')}&fields=name&limit=1`);
    expect(body.total_count).toBe(sim().store.all('defects').length);
    expect(body.data[0]).toMatchObject({ type: 'work_item', subtype: 'defect' });
  });

  it('answers 400 for bad queries, unknown fields, and comparing a reference to a bare name', async () => {
    const cases: Array<[string, string]> = [
      [`defects?query=${encodeURIComponent('name EQ ^x^')}`, 'platform.query_parse_error'],
      [`defects?query=${q('name EQ ^x')}`, 'platform.query_parse_error'],
      [`defects?query=${q('nosuch EQ 1')}`, 'platform.query_field_not_exist'],
      [`defects?query=${q('severity EQ ^High^')}`, 'platform.query_invalid_reference_filter'],
      ['defects?fields=name,nosuch', 'platform.unknown_field'],
      ['defects?order_by=nosuch', 'platform.unknown_field']
    ];
    for (const [path, code] of cases) {
      const { status, body } = await getJson(sim(), cookie, path);
      expect([path, status, body.error_code]).toEqual([path, 400, code]);
    }
  });

  it('answers 404 for unknown routes, workspaces and ids, and 405 for unsupported methods, in Octane format', async () => {
    expect((await getJson(sim(), cookie, 'nosuch')).body.error_code).toBe('platform.entity_type_not_found');
    const wrongWs = await fetch(`${sim().url}/api/shared_spaces/1001/workspaces/9/defects`, { headers: { cookie } });
    expect(wrongWs.status).toBe(404);
    const unknown = await fetch(`${sim().url}/nothing/here`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error_code: 'platform.not_found', correlation_id: expect.any(String) });
    expect((await getJson(sim(), cookie, 'defects/424242')).status).toBe(404);
    const del = await fetch(workspaceUrl(sim(), 'defects'), { method: 'DELETE', headers: { cookie } });
    expect(del.status).toBe(405);
    expect((await fetch(`${sim().url}/authentication/sign_in`)).status).toBe(405);
    expect((await postJson(sim(), cookie, 'releases', { data: [{ name: 'x' }] })).status).toBe(405);
  });

  it('serves every route under a path prefix and nothing outside it', async () => {
    const prefixed = await startSimulator({ pathPrefix: '/octane/', seed: 'empty' });
    try {
      expect(prefixed.url).toMatch(/\/octane$/);
      const c = await session(prefixed);
      expect((await getJson(prefixed, c, 'releases')).status).toBe(200);
      const outside = await fetch(prefixed.url.replace(/\/octane$/, '') + '/authentication/sign_in', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}'
      });
      expect(outside.status).toBe(404);
    } finally {
      await prefixed.close();
    }
  });
});

describe('POST defects and comments', () => {
  const root = () => sim().store.all('work_item_roots')[0]!;
  const ref = (e: { type: string; id: string }) => ({ type: e.type, id: e.id });

  it('creates a draft defect with 201, defaulting phase New and parent the backlog root', async () => {
    const before = sim().store.all('defects').length;
    const release = sim().store.releaseByName('2026.5');
    const { status, body } = await postJson(sim(), cookie, 'defects', {
      data: [
        {
          name: 'Build 42 failed',
          description: '<p>x</p>',
          release: ref(release),
          item_origin: ref(sim().store.byLogicalName('list_node.item_origin.github_actions'))
        }
      ]
    });
    expect(status).toBe(201);
    expect(body.total_count).toBe(1);
    expect(body.data[0]).toMatchObject({ type: 'defect', name: 'Build 42 failed', id: expect.any(String) });
    expect(sim().store.all('defects')).toHaveLength(before + 1);
    const stored = sim().store.get('defects', body.data[0].id)!;
    expect(stored).toMatchObject({
      is_draft: true,
      phase: { id: sim().store.byLogicalName('phase.defect.new').id },
      parent: { id: root().id },
      release: { id: release.id }
    });
  });

  it('refuses invalid defects with 400 and writes nothing', async () => {
    const before = sim().store.all('defects').length;
    const release = ref(sim().store.releaseByName('2026.4'));
    const severityHigh = ref(sim().store.byLogicalName('list_node.severity.high'));
    const priorityHigh = ref(sim().store.byLogicalName('list_node.priority.high'));
    const cases: Array<[unknown, string]> = [
      [{ data: [{ description: 'no name' }] }, 'platform.missing_required_field'],
      [{ data: [{ name: '   ' }] }, 'platform.missing_required_field'],
      [{ data: [{ name: 'x', colour: 'red' }] }, 'platform.unknown_field'],
      [{ data: [{ name: 'x', release: { type: 'release', id: '424242' } }] }, 'platform.entity_not_found'],
      [{ data: [{ name: 'x', release: '2026.4' }] }, 'platform.invalid_field_value'],
      [{ data: [{ name: 'x', parent: release }] }, 'platform.invalid_reference_type'],
      [{ data: [{ name: 'x', severity: priorityHigh }] }, 'platform.invalid_field_value'],
      [{ data: [{ name: 'x', phase: ref(sim().store.byLogicalName('phase.story.new')) }] }, 'platform.invalid_field_value'],
      [{ data: [{ name: 'x', is_draft: false, release }] }, 'platform.missing_required_field'],
      [{ data: [{ name: 'ok' }, { name: '' }] }, 'platform.missing_required_field'],
      [{ data: [] }, 'platform.invalid_request_body'],
      ['{not json', 'platform.json_parse_error']
    ];
    for (const [body, code] of cases) {
      const res = await postJson(sim(), cookie, 'defects', body);
      expect([JSON.stringify(body), res.status, res.body.error_code]).toEqual([JSON.stringify(body), 400, code]);
    }
    expect(sim().store.all('defects')).toHaveLength(before);
    // Non-draft with the required fields is accepted; user-defined fields are allowed.
    const ok = await postJson(sim(), cookie, 'defects', {
      data: [
        {
          name: 'x',
          is_draft: false,
          release,
          severity: severityHigh,
          phase: ref(sim().store.byLogicalName('phase.defect.opened')),
          build_udf: '42'
        }
      ]
    });
    expect(ok.status).toBe(201);
  });

  it('refuses a POST without a JSON content type with 415', async () => {
    const res = await fetch(workspaceUrl(sim(), 'defects'), {
      method: 'POST',
      headers: { cookie, 'content-type': 'text/plain' },
      body: '{"data":[{"name":"x"}]}'
    });
    expect(res.status).toBe(415);
  });

  it('creates a comment on a defect', async () => {
    const defect = sim().store.all('defects')[0]!;
    const { status, body } = await postJson(sim(), cookie, 'comments', {
      data: [{ text: 'Seen again in run 7', owner_work_item: { type: 'work_item', id: defect.id } }]
    });
    expect(status).toBe(201);
    expect(body.data[0]).toMatchObject({ type: 'comment', text: 'Seen again in run 7' });
    const listed = await getJson(sim(), cookie, `comments?query=${q(`owner_work_item EQ {id EQ ${defect.id}}`)}&fields=text`);
    expect(listed.body.total_count).toBe(1);
    expect(
      (await postJson(sim(), cookie, 'comments', { data: [{ text: 'x', owner_work_item: { type: 'work_item', id: '424242' } }] })).status
    ).toBe(400);
  });
});

describe('options', () => {
  it('uses logical names as ids of phases and list nodes, and a custom name for urgent', async () => {
    const local = await startSimulator({ phaseIds: 'logical', urgentName: 'Critical' });
    try {
      const c = await session(local);
      const { body } = await getJson(local, c, `list_nodes?query=${q('logical_name EQ ^list_node.severity.urgent^')}&fields=name`);
      expect(body.data).toEqual([{ type: 'list_node', id: 'list_node.severity.urgent', name: 'Critical' }]);
      const gate = await getJson(local, c, `defects?query=${q('severity EQ {id EQ ^list_node.severity.urgent^}')}&limit=1`);
      expect(gate.body.total_count).toBe(
        local.store.find('defects', (d) => (d.severity as { id: string }).id === 'list_node.severity.urgent').length
      );
      expect(gate.body.total_count).toBeGreaterThan(0);
    } finally {
      await local.close();
    }
  });

  it('adds 100,000 defects in bulk and filters them', async () => {
    const local = await startSimulator({ seed: 'empty' });
    try {
      const release = local.store.releaseByName('2026.4');
      local.store.addDefects(100000, {
        release,
        phase: local.store.byLogicalName('phase.defect.new'),
        severity: local.store.byLogicalName('list_node.severity.high'),
        name: (i: number) => `Bulk ${i}`
      });
      const c = await session(local);
      const { body } = await getJson(
        local,
        c,
        `defects?query=${q(`release EQ {id EQ ${release.id}};severity EQ {logical_name EQ ^list_node.severity.high^}`)}&limit=2&fields=name&order_by=-id`
      );
      expect(body.total_count).toBe(100000);
      expect(body.data[0].name).toBe('Bulk 99999');
    } finally {
      await local.close();
    }
  });
});
