/**
 * The client against the simulator: sessions, retries, errors and POST ambiguity, as a user
 * of the action would notice them (what reached Octane, what was stored, what was logged).
 */
import { describe, it, expect, beforeAll, afterAll, beforeEach } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSimulator } from '../../simulator/index.js';
import type { Simulator } from '../../simulator/index.js';
import { OctaneClient, type OctaneClientOptions } from '../../src/octane/client.js';
import { OctaneError, OctaneNetworkError, OutcomeUnknownError } from '../../src/octane/errors.js';
import { defectsNamed } from '../helpers/e2e-simulator.js';
import { waitFor } from '../helpers/wait.js';

interface Recorder {
  client: OctaneClient;
  logs: string[];
  debugs: string[];
  secrets: string[];
  waits: number[];
}

function makeClient(
  sim: { url: string; credentials: { clientId: string; clientSecret: string } },
  over: Partial<OctaneClientOptions> & { timeoutMs?: number; retries?: number; clientSecret?: string } = {}
): Recorder {
  const rec = { logs: [] as string[], debugs: [] as string[], secrets: [] as string[], waits: [] as number[] };
  const client = new OctaneClient({
    connection: {
      url: sim.url,
      sharedSpaceId: '1001',
      workspaceId: '1002',
      clientId: sim.credentials.clientId,
      clientSecret: over.clientSecret ?? sim.credentials.clientSecret,
      timeoutMs: over.timeoutMs ?? 5000,
      retries: over.retries ?? 4
    },
    log: (l) => rec.logs.push(l),
    debug: (l) => rec.debugs.push(l),
    onSecret: (s) => rec.secrets.push(s),
    sleep: async (ms) => {
      rec.waits.push(ms);
    },
    random: () => 0.5,
    ...over
  });
  return { client, ...rec };
}

const DEFECTS = '/api/shared_spaces/1001/workspaces/1002/defects';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  sim.faults.clear();
  sim.latencyMs = 0;
});

function requests(from: number, pathPart: string, method?: string) {
  return sim.log.slice(from).filter((r) => r.path.includes(pathPart) && (!method || r.method === method));
}

describe('session', () => {
  it('signs in with the API key as JSON, sends both cookies, and signs out', async () => {
    const start = sim.log.length;
    const { client } = makeClient(sim);
    await client.signIn();
    const page = await client.list('releases', { fields: ['name'] });
    expect(page.total_count).toBe(sim.store.all('releases').length);
    await client.signOut();

    const [signIn, list, signOut] = sim.log.slice(start);
    expect(signIn!.path).toBe('/authentication/sign_in');
    expect(JSON.parse(signIn!.body)).toEqual({ client_id: sim.credentials.clientId, client_secret: sim.credentials.clientSecret });
    expect(signIn!.headers['cookie']).toBeUndefined();
    expect(signIn!.headers['content-type']).toBe('application/json');
    expect(list!.headers['cookie']).toMatch(/LWSSO_COOKIE_KEY=[^;]+/);
    expect(list!.headers['cookie']).toMatch(/OCTANE_USER=/);
    expect(list!.headers['accept']).toBe('application/json');
    expect(list!.headers['user-agent']).toMatch(/^octane-release-action\//);
    expect(Object.keys(list!.headers).some((h) => h.startsWith('hpeclienttype') || h.startsWith('alm-octane-tech-preview'))).toBe(false);
    expect(signOut!.path).toBe('/authentication/sign_out');
    expect(signOut!.status).toBe(200);
    expect(signOut!.lwsso).toBe(list!.lwsso ?? signIn!.setLwsso);
  });

  it('signs in on first use, and signOut without a session sends nothing and never throws', async () => {
    const { client } = makeClient(sim);
    const start = sim.log.length;
    await client.signOut();
    expect(sim.log.length).toBe(start);
    await client.list('phases', { limit: 1 });
    expect(requests(start, 'sign_in')).toHaveLength(1);
    await client.signOut();
    await client.signOut();
    expect(requests(start, 'sign_out')).toHaveLength(1);
  });

  it('sign-out failing (server gone) does not throw', async () => {
    const other = await startSimulator();
    const { client } = makeClient(other);
    await client.signIn();
    await other.close();
    await expect(client.signOut()).resolves.toBeUndefined();
  });

  it('keeps a re-issued session cookie and sends the newest one', async () => {
    const start = sim.log.length;
    const { client, secrets } = makeClient(sim);
    for (let i = 0; i < 7; i++) await client.list('phases', { limit: 1 });
    const entries = sim.log.slice(start);
    const issued = entries.filter((e) => e.setLwsso).map((e) => e.setLwsso!);
    expect(issued.length).toBeGreaterThan(2); // sign-in plus re-issues
    let newest: string | undefined;
    for (const e of entries) {
      if (e.path.includes('/phases')) expect(e.lwsso).toBe(newest);
      if (e.setLwsso) newest = e.setLwsso;
    }
    expect(entries.every((e) => e.status === 200)).toBe(true);
    for (const v of issued) expect(secrets).toContain(v);
  });

  it.each(['VALIDATION_TOKEN_EXPIRED_IDLE_TIME_OUT', 'VALIDATION_TOKEN_EXPIRED_GLOBAL_TIME_OUT'] as const)(
    'signs in again once when the session expires (%s) and repeats the call',
    async (code) => {
      const { client, logs } = makeClient(sim);
      await client.signIn();
      const start = sim.log.length;
      sim.expireSessions(code);
      const page = await client.list('releases', {});
      expect(page.data.length).toBeGreaterThan(0);
      expect(requests(start, 'sign_in')).toHaveLength(1);
      expect(requests(start, '/releases').map((r) => r.status)).toEqual([401, 200]);
      expect(logs.some((l) => l.includes(code) && l.includes('signing in again'))).toBe(true);
    }
  );

  it('several parallel calls that meet an expired session share one new sign-in', async () => {
    const { client } = makeClient(sim);
    await client.signIn();
    sim.expireSessions();
    const start = sim.log.length;
    const pages = await Promise.all(
      ['releases', 'phases', 'list_nodes', 'work_item_roots', 'defects'].map((c) => client.list(c as 'releases', { limit: 1 }))
    );
    expect(pages).toHaveLength(5);
    expect(requests(start, 'sign_in')).toHaveLength(1);
  });

  it('does not loop when Octane keeps answering 401: one new sign-in, one repeat, then a clear error', async () => {
    const { client } = makeClient(sim);
    await client.signIn();
    const start = sim.log.length;
    sim.faults.add({ path: '/releases', status: 401, times: 10 });
    const error = await client.list('releases', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OctaneError);
    expect((error as OctaneError).status).toBe(401);
    expect((error as Error).message).toMatch(/^Octane answered 401 Unauthorized to GET releases/);
    expect((error as Error).message).toContain('after signing in again');
    expect(requests(start, 'sign_in')).toHaveLength(1);
    expect(requests(start, '/releases')).toHaveLength(2);
  });

  it('a refused API key says what to check, and is not retried', async () => {
    const start = sim.log.length;
    const { client, waits } = makeClient(sim, { clientSecret: 'wrong-secret-value' });
    const error = (await client.signIn().catch((e: unknown) => e)) as OctaneError;
    expect(error).toBeInstanceOf(OctaneError);
    expect(error.status).toBe(401);
    expect(error.message).toMatch(/refused the client id and secret/);
    expect(error.message).toMatch(/API access key \(not a user name and password\)/);
    expect(error.message).toMatch(/shared space 1001/);
    expect(error.message).not.toContain('wrong-secret-value');
    expect(requests(start, 'sign_in')).toHaveLength(1);
    expect(waits).toEqual([]);
  });
});

describe('retries', () => {
  it.each([
    [429, 'Too Many Requests'],
    [502, 'Bad Gateway'],
    [503, 'Service Unavailable'],
    [504, 'Gateway Timeout']
  ])('GET is retried on %i, with one log line per retry', async (status, text) => {
    const { client, logs, waits } = makeClient(sim);
    await client.signIn();
    const start = sim.log.length;
    sim.faults.add({ method: 'GET', path: '/releases', status, times: 2 });
    const page = await client.list('releases', {});
    expect(page.data.length).toBeGreaterThan(0);
    expect(requests(start, '/releases').map((r) => r.status)).toEqual([status, status, 200]);
    expect(logs).toHaveLength(2);
    expect(logs[0]).toBe(`Octane answered ${status} ${text} to GET releases; retry 1 of 4 in 0.8 s`);
    expect(logs[1]).toBe(`Octane answered ${status} ${text} to GET releases; retry 2 of 4 in 1.5 s`);
    // equal jitter with random()=0.5: the floor (500 ms, then 1000 ms) and half of it again
    expect(waits).toEqual([750, 1500]);
  });

  it('sign-in is retried on 503 too', async () => {
    const start = sim.log.length;
    sim.faults.add({ path: 'sign_in', status: 503 });
    const { client } = makeClient(sim);
    await client.signIn();
    expect(requests(start, 'sign_in').map((r) => r.status)).toEqual([503, 200]);
  });

  it('honours Retry-After in seconds, as an HTTP date, and caps it', async () => {
    const { client, waits, logs } = makeClient(sim);
    await client.signIn();
    sim.faults.add({ path: '/releases', status: 503, retryAfter: '7' });
    await client.list('releases', {});
    expect(waits).toEqual([7000]);
    expect(logs[0]).toMatch(/retry 1 of 4 in 7 s$/);

    sim.faults.add({ path: '/releases', status: 429, retryAfter: new Date(Date.now() + 5000).toUTCString() });
    await client.list('releases', {});
    expect(waits[1]).toBeGreaterThan(3000);
    expect(waits[1]).toBeLessThanOrEqual(5000);

    sim.faults.add({ path: '/releases', status: 503, retryAfter: '86400' });
    await client.list('releases', {});
    expect(waits[2]).toBe(30000);
  });

  it.each([['0'], ['-5'], ['Thu, 01 Jan 1970 00:00:00 GMT'], ['0.001']])(
    'a Retry-After of %s never waits less than the backoff floor, which grows per retry',
    async (retryAfter) => {
      const { client, waits, logs } = makeClient(sim, { retries: 4 });
      await client.signIn();
      sim.faults.add({ path: '/releases', status: 503, retryAfter, times: 4 });
      await client.list('releases', {});
      // Each is read as "no wait" (a past date, a negative or tiny delay): the floor applies.
      expect(waits).toEqual([500, 1000, 2000, 4000]);
      expect(logs[0]).toMatch(/retry 1 of 4 in 0\.5 s$/);
    }
  );

  it('gives up after `retries` retries with the last error', async () => {
    const { client, waits } = makeClient(sim, { retries: 2 });
    await client.signIn();
    const start = sim.log.length;
    sim.faults.add({ path: '/releases', status: 502, html: true, times: 10 });
    const error = (await client.list('releases', {}).catch((e: unknown) => e)) as OctaneError;
    expect(error).toBeInstanceOf(OctaneError);
    expect(error.message).toMatch(
      /^Octane answered 502 Bad Gateway with an HTML page, not JSON; a proxy or load balancer in front of Octane may be failing/
    );
    expect(error.message).toContain('gave up after 3 attempts');
    expect(error.message).not.toMatch(/Unexpected token|JSON at position|SyntaxError/);
    expect(requests(start, '/releases')).toHaveLength(3);
    expect(waits).toHaveLength(2);
  });

  it('keeps the whole call within maxTotalMs, even with many retries allowed', async () => {
    const { client, waits, logs } = makeClient(sim, { retries: 100, maxTotalMs: 20_000, random: () => 0.999 });
    await client.signIn();
    sim.faults.add({ path: '/releases', status: 503, times: 1000 });
    const error = (await client.list('releases', {}).catch((e: unknown) => e)) as OctaneError;
    expect(error.status).toBe(503);
    expect(error.message).toMatch(/gave up after \d+ attempts/);
    const total = waits.reduce((a, b) => a + b, 0);
    expect(total).toBeLessThanOrEqual(20_000);
    expect(waits.length).toBeLessThan(100);
    expect(Math.max(...waits)).toBeLessThanOrEqual(10_000);
    expect(logs).toHaveLength(waits.length);
  });

  it.each([400, 403, 404, 500])('GET is not retried on %i', async (status) => {
    const { client, waits } = makeClient(sim);
    await client.signIn();
    const start = sim.log.length;
    sim.faults.add({ path: '/releases', status });
    const error = (await client.list('releases', {}).catch((e: unknown) => e)) as OctaneError;
    expect(error).toBeInstanceOf(OctaneError);
    expect(error.status).toBe(status);
    expect(error.message).toMatch(
      new RegExp(`^Octane answered ${status} .* to GET releases: .+ \\(error_code [^,]+, correlation_id [^)]+\\)`)
    );
    if (status === 403) expect(error.message).toMatch(/role lacks permission/);
    expect(requests(start, '/releases')).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('a GET that times out is retried and says how long it waited', async () => {
    const { client, logs } = makeClient(sim, { timeoutMs: 300 });
    await client.signIn();
    sim.faults.add({ path: '/releases', delayMs: 1500 });
    const page = await client.list('releases', {});
    expect(page.data.length).toBeGreaterThan(0);
    expect(logs[0]).toMatch(/^No answer from Octane at 127\.0\.0\.1:\d+ within 0\.3 s to GET releases; retry 1 of 4 in/);
  });

  it('a GET that keeps timing out fails with "no answer within N s"', async () => {
    const { client } = makeClient(sim, { timeoutMs: 200, retries: 1 });
    await client.signIn();
    sim.faults.add({ path: '/releases', delayMs: 1000, times: 2 });
    const error = (await client.list('releases', {}).catch((e: unknown) => e)) as OctaneNetworkError;
    expect(error).toBeInstanceOf(OctaneNetworkError);
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toMatch(/127\.0\.0\.1:\d+ gave no answer within 0\.2 s to GET releases/);
  });

  it('a dropped connection on GET is retried', async () => {
    const { client, logs } = makeClient(sim);
    await client.signIn();
    sim.faults.add({ path: '/releases', drop: 'before' });
    await client.list('releases', {});
    expect(logs[0]).toMatch(/^GET releases to 127\.0\.0\.1:\d+ failed \(ECONNRESET\); retry 1 of 4 in/);
  });

  it('a closed port fails with ECONNREFUSED naming the server, after the retries', async () => {
    const server = http.createServer();
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((ok) => server.close(() => ok()));
    const { client, waits } = makeClient({ url: `http://127.0.0.1:${port}`, credentials: sim.credentials }, { retries: 2 });
    const error = (await client.signIn().catch((e: unknown) => e)) as OctaneNetworkError;
    expect(error).toBeInstanceOf(OctaneNetworkError);
    expect(error.code).toBe('ECONNREFUSED');
    expect(error.message).toContain(`127.0.0.1:${port}`);
    expect(error.message).toContain('ECONNREFUSED');
    expect(waits).toHaveLength(2);
  });
});

describe("the run's time budget", () => {
  it.each([
    // 60 s in all: 50 s of waits at sign-in leave no room for a 25 s wait on the next call.
    [5_000, 'fails the next call at its first failure'],
    // Twice a 45 s timeout is 90 s: room for the same waits.
    [45_000, 'has room for the same waits']
  ])('is shared by all calls of a run (timeout %i ms: %s)', async (timeoutMs) => {
    const { client, logs } = makeClient(sim, { timeoutMs });
    sim.faults.add({ path: 'sign_in', status: 503, retryAfter: '25', times: 2 });
    sim.faults.add({ path: '/releases', status: 503, retryAfter: '25' });
    const start = sim.log.length;
    const result = await client.list('releases', {}).catch((e: unknown) => e);
    if (timeoutMs === 5_000) {
      expect(result).toBeInstanceOf(OctaneError);
      expect((result as Error).message).toMatch(
        /^Octane answered 503 Service Unavailable to GET releases.*\(gave up after 1 attempt in 0 s: another attempt would not fit in the 60 s the run has for calls to Octane\)$/
      );
      expect(requests(start, '/releases')).toHaveLength(1);
    } else {
      expect((result as { total_count: number }).total_count).toBe(sim.store.all('releases').length);
      expect(requests(start, '/releases')).toHaveLength(2);
    }
    expect(logs.filter((l) => l.includes('sign-in; retry'))).toHaveLength(2);
  });

  it('a call after the budget is spent is not sent, and says why', async () => {
    const { client } = makeClient(sim, { timeoutMs: 1000, maxTotalMs: 3000 });
    await client.signIn();
    sim.faults.add({ path: '/releases', delayMs: 5000, times: 5 });
    const first = (await client.list('releases', {}).catch((e: unknown) => e)) as OctaneNetworkError;
    expect(first.code).toBe('TIMEOUT');
    expect(first.message).toMatch(/gave up after 2 attempts in \d+(\.\d)? s: another attempt would not fit in the 3 s/);
    const start = sim.log.length;
    const second = (await client.list('phases', {}).catch((e: unknown) => e)) as OctaneNetworkError;
    expect(second).toBeInstanceOf(OctaneNetworkError);
    expect(second.message).toMatch(
      /^Gave up before GET phases: the calls to Octane at 127\.0\.0\.1:\d+ in this run have taken \d+(\.\d)? s, the most allowed \(3 s/
    );
    expect(requests(start, '/phases')).toHaveLength(0);
  });
});

describe('POST (create)', () => {
  const root = () => ({ type: 'work_item_root', id: sim.store.all('work_item_roots')[0]!.id });

  it('creates and returns the entity', async () => {
    const { client } = makeClient(sim);
    const d = await client.create('defects', { name: 'created once', parent: root() });
    expect(d.id).toBeTruthy();
    expect(defectsNamed(sim, 'created once').map((x) => x.id)).toEqual([d.id]);
    const post = sim.log.filter((r) => r.method === 'POST' && r.path === DEFECTS).at(-1)!;
    expect(post.headers['content-type']).toBe('application/json');
    expect(JSON.parse(post.body)).toEqual({ data: [{ name: 'created once', parent: root() }] });
  });

  it('takes a numeric id as the opaque string it is', async () => {
    sim.faults.add({ method: 'POST', path: '/defects', status: 201, json: { total_count: 1, data: [{ type: 'defect', id: 4242 }] } });
    const { client } = makeClient(sim);
    const d = await client.create('defects', { name: 'numeric id', parent: root() });
    expect(d.id).toBe('4242');
    expect(client.workItemUrl(d.id)).toMatch(/&id=4242$/);
  });

  it.each([
    ['the connection drops after the defect was stored', { drop: 'after' as const }],
    ['a 502 comes back after the defect was stored', { processThenStatus: 502 }],
    ['a 504 comes back after the defect was stored', { processThenStatus: 504 }],
    ['no answer comes before the timeout', { hangAfterProcessing: true }]
  ])('throws OutcomeUnknownError without repeating when %s', async (label, fault) => {
    const name = `ambiguous: ${label}`;
    const { client, waits } = makeClient(sim, { timeoutMs: 500 });
    await client.signIn();
    const start = sim.log.length;
    sim.faults.add({ method: 'POST', path: '/defects', ...fault });
    const error = await client.create('defects', { name, parent: root() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutcomeUnknownError);
    expect((error as Error).message).toMatch(/^Octane may or may not have processed POST defects/);
    expect((error as OutcomeUnknownError).cause).toBeInstanceOf(Error);
    expect(requests(start, '/defects', 'POST')).toHaveLength(1);
    expect(defectsNamed(sim, name)).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('an answer cut short after the headers (the defect was stored) is outcome-unknown, not a plain failure', async () => {
    // The server stored the defect and began its 201 answer, then the connection broke: a caller that
    // took this for "not created" would file the defect again on the next run.
    let posts = 0;
    const server = http.createServer((req, res) => {
      if (req.url?.endsWith('/authentication/sign_in')) {
        res.writeHead(200, { 'Set-Cookie': ['LWSSO_COOKIE_KEY=cut-session; Path=/'] }).end();
        return;
      }
      posts++;
      // Chunked, so the cut shows as a premature close rather than a reset.
      res.writeHead(201, { 'Content-Type': 'application/json' });
      res.write('{"total_count":1,"data":[{"type":"defect","id":"4');
      setTimeout(() => res.destroy(), 20);
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    try {
      const port = (server.address() as AddressInfo).port;
      const { client, waits } = makeClient({ url: `http://127.0.0.1:${port}`, credentials: sim.credentials });
      const error = await client.create('defects', { name: 'cut short' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OutcomeUnknownError);
      expect((error as Error).message).toMatch(/^Octane may or may not have processed POST defects: .*closed before a complete answer/);
      expect(posts).toBe(1);
      expect(waits).toEqual([]);
      await client.signOut();
    } finally {
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
    }
  });

  it.each([429, 503])('is retried on %i (the server did not act) and stores one defect', async (status) => {
    const name = `retried after ${status}`;
    const { client, logs } = makeClient(sim);
    await client.signIn();
    const start = sim.log.length;
    sim.faults.add({ method: 'POST', path: '/defects', status, times: 2 });
    const d = await client.create('defects', { name, parent: root() });
    expect(defectsNamed(sim, name).map((x) => x.id)).toEqual([d.id]);
    expect(requests(start, '/defects', 'POST')).toHaveLength(3);
    expect(logs).toHaveLength(2);
    expect(logs[0]).toMatch(new RegExp(`^Octane answered ${status} .* to POST defects; retry 1 of 4 in`));
  });

  it("a refused defect gives Octane's error with code and correlation id, not retried", async () => {
    const { client } = makeClient(sim);
    const error = (await client.create('defects', { name: '', parent: root() }).catch((e: unknown) => e)) as OctaneError;
    expect(error).toBeInstanceOf(OctaneError);
    expect(error.message).toMatch(
      /^Octane answered 400 Bad Request to POST defects: .*name.* \(error_code platform\.[a-z_]+, correlation_id [^)]+\)$/
    );
    expect(error.errorCode).toMatch(/^platform\./);
    expect(error.correlationId).toBeTruthy();
  });

  it('a session that expired before a POST is renewed and the POST sent again once', async () => {
    const name = 'after expiry';
    const { client } = makeClient(sim);
    await client.signIn();
    sim.expireSessions();
    await client.create('defects', { name, parent: root() });
    expect(defectsNamed(sim, name)).toHaveLength(1);
  });
});

describe('secrets', () => {
  it('no log or debug line, and no error, shows the secret or a cookie value, also when Octane echoes the request', async () => {
    const start = sim.log.length;
    const { client, logs, debugs, secrets } = makeClient(sim, { timeoutMs: 300 });
    await client.signIn();
    for (let i = 0; i < 4; i++) await client.list('phases', { limit: 1 });
    sim.expireSessions();
    sim.faults.add({ path: '/phases', status: 503 });
    sim.faults.add({ path: '/phases', delayMs: 800 });
    await client.list('phases', { limit: 1 });
    sim.faults.add({ path: '/releases', status: 400, echoRequest: true });
    const echoed = (await client.list('releases', {}).catch((e: unknown) => e)) as OctaneError;
    sim.faults.add({ method: 'POST', path: '/defects', status: 500, echoRequest: true });
    const echoedPost = (await client.create('defects', { name: 'x' }).catch((e: unknown) => e)) as OctaneError;
    await client.signOut();

    const cookieValues = sim.log
      .slice(start)
      .flatMap((e) => [e.setLwsso, e.lwsso])
      .filter((v): v is string => Boolean(v));
    expect(cookieValues.length).toBeGreaterThan(3);
    // The echo really contained the cookie, so the redaction is what keeps it out.
    expect(sim.log.slice(start).some((e) => e.faulted && e.headers['cookie'])).toBe(true);
    const everything = [...logs, ...debugs, echoed.message, echoed.description ?? '', echoedPost.message].join('\n');
    expect(debugs.length).toBeGreaterThan(5);
    expect(everything).not.toContain(sim.credentials.clientSecret);
    for (const v of cookieValues) {
      expect(everything).not.toContain(v);
      expect(secrets).toContain(v);
    }
    expect(secrets).toContain(sim.credentials.clientSecret);
    expect(echoed.message).toContain('Request rejected');
  });
});

describe('close', () => {
  it('ends a wait between retries at once: no further attempt, no new sign-in, then signs out', async () => {
    sim.faults.add({ method: 'GET', path: '/phases', status: 503, retryAfter: '20', times: 5 });
    const { client, logs } = makeClient(sim, { sleep: undefined });
    const start = sim.log.length;
    const call = client.list('phases', { limit: 1 });
    const failed = call.then(
      () => 'answered',
      (e: Error) => e.message
    );
    await waitFor('the GET of phases and a log line', () => requests(start, '/phases').length > 0 && logs.length > 0);

    const closing = Date.now();
    await client.close();

    expect(Date.now() - closing).toBeLessThan(5000);
    expect(await failed).toMatch(/503 Service Unavailable/);
    expect(requests(start, '/phases')).toHaveLength(1);
    expect(requests(start, 'sign_in')).toHaveLength(1);
    expect(sim.log.at(-1)?.path).toMatch(/sign_out$/);
    await expect(client.list('phases', { limit: 1 })).rejects.toThrow(/run has ended/);
  });
});

describe('stats', () => {
  it('counts every request and the bytes of every body', async () => {
    const start = sim.log.length;
    const { client } = makeClient(sim);
    const page = await client.list('defects', { fields: ['name'], limit: 5 });
    await client.signOut();
    expect(client.stats.requests).toBe(sim.log.length - start);
    expect(client.stats.bytesReceived).toBeGreaterThanOrEqual(Buffer.byteLength(JSON.stringify(page)));
  });
});

describe('URLs', () => {
  it('keeps the path prefix of the URL and encodes list parameters', async () => {
    const prefixed = await startSimulator({ pathPrefix: '/octane' });
    try {
      expect(prefixed.url).toMatch(/\/octane$/);
      const { client } = makeClient(prefixed);
      const query = `name EQ ^R1 \\^x\\' "(y)" \\\\ *^`;
      await client.list('releases', { query, fields: ['id', 'name'], limit: 2, offset: 0, orderBy: ['-id'] });
      await client.signOut();
      expect(prefixed.log.map((r) => r.path)).toEqual([
        '/octane/authentication/sign_in',
        `/octane${'/api/shared_spaces/1001/workspaces/1002/releases'}`,
        '/octane/authentication/sign_out'
      ]);
      expect(prefixed.log[1]!.query).toEqual({ query: `"${query}"`, fields: 'id,name', limit: '2', offset: '0', order_by: '-id' });
      expect(prefixed.log[1]!.status).toBe(200);
      expect(client.workItemUrl('42')).toBe(`${prefixed.url}/ui/entity-navigation?p=1001/1002&entityType=work_item&id=42`);
    } finally {
      await prefixed.close();
    }
  });
});

describe('redirects', () => {
  // A fake Octane front that signs in and then redirects; and an "other host" that records
  // whatever reaches it. localhost and 127.0.0.1 are different hosts to the client.
  let front: http.Server;
  let other: http.Server;
  let frontPort = 0;
  let otherPort = 0;
  const reachedOther: string[] = [];
  let frontHits: string[] = [];

  beforeAll(async () => {
    other = http.createServer((req, res) => {
      reachedOther.push(`${req.method} ${req.url} cookie=${req.headers.cookie ?? ''}`);
      res.end('{}');
    });
    await new Promise<void>((ok) => other.listen(0, '127.0.0.1', ok));
    otherPort = (other.address() as AddressInfo).port;
    front = http.createServer((req, res) => {
      frontHits.push(`${req.method} ${req.url}`);
      const url = req.url ?? '';
      if (url.endsWith('/authentication/sign_in')) {
        res.writeHead(200, { 'Set-Cookie': ['LWSSO_COOKIE_KEY=front-session-cookie; Path=/', 'OCTANE_USER=u'] }).end();
      } else if (url.includes('/releases')) {
        res.writeHead(302, { Location: `http://localhost:${otherPort}/steal` }).end();
      } else if (url.includes('/phases') && !url.includes('moved')) {
        res.writeHead(301, { Location: `${url.replace('/phases', '/phases-moved')}` }).end();
      } else if (url.includes('/phases-moved')) {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ total_count: 0, data: [] }));
      } else if (url.includes('/list_nodes')) {
        res.writeHead(302, { Location: url }).end(); // a loop
      } else if (url.includes('/comments2')) {
        res
          .writeHead(201, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ total_count: 1, data: [{ type: 'comment', id: '7' }] }));
      } else if (url.includes('/comments')) {
        res.writeHead(307, { Location: url.replace('/comments', '/comments2') }).end();
      } else if (url.includes('/defects')) {
        res.writeHead(302, { Location: url.replace('/defects', '/defects2') }).end();
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((ok) => front.listen(0, '127.0.0.1', ok));
    frontPort = (front.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((ok) => front.close(() => ok()));
    await new Promise<void>((ok) => other.close(() => ok()));
  });
  beforeEach(() => {
    frontHits = [];
  });

  const fake = () => makeClient({ url: `http://127.0.0.1:${frontPort}`, credentials: { clientId: 'id', clientSecret: 'secret-of-front' } });

  it('refuses a redirect to another host, naming it, and nothing reaches that host', async () => {
    const { client } = fake();
    const error = (await client.list('releases', {}).catch((e: unknown) => e)) as OctaneError;
    expect(error).toBeInstanceOf(OctaneError);
    expect(error.message).toContain(`localhost:${otherPort}`);
    expect(error.message).toMatch(/not followed/);
    expect(reachedOther).toEqual([]);
    expect(error.message).not.toContain('front-session-cookie');
  });

  it('follows a redirect on the same host for GET', async () => {
    const { client } = fake();
    const page = await client.list('phases', {});
    expect(page.total_count).toBe(0);
    expect(frontHits.filter((h) => h.includes('phases'))).toHaveLength(2);
  });

  it('stops after 3 redirects', async () => {
    const { client } = fake();
    const error = (await client.list('list_nodes', {}).catch((e: unknown) => e)) as OctaneError;
    expect(error.message).toMatch(/more than 3 redirects/);
    expect(frontHits.filter((h) => h.includes('list_nodes'))).toHaveLength(4);
  });

  it('follows a 307 on the same host for a POST, sending it once more to the new place', async () => {
    const { client } = fake();
    const created = await client.create('comments', { text: 'x' });
    expect(created.id).toBe('7');
    expect(frontHits.filter((h) => h.startsWith('POST') && h.includes('comments'))).toHaveLength(2);
  });

  it('does not follow a 302 for a POST', async () => {
    const { client } = fake();
    const error = (await client.create('defects', { name: 'x' }).catch((e: unknown) => e)) as OctaneError;
    expect(error).toBeInstanceOf(OctaneError);
    expect(error.message).toMatch(/POST is only re-sent on 307\/308/);
    expect(frontHits.filter((h) => h.includes('defects2'))).toHaveLength(0);
  });
});
