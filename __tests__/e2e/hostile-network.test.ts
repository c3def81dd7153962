// Issue 7, part 2, through the bundled action: the defects of the HTTP client under a hostile network
// or server (answers without end, gzip bombs, NODE_TLS_REJECT_UNAUTHORIZED=0, twin cookies, ids that
// are not ids, Retry-After 0, a gate with many phases, bodies that do not decompress, mapped loopback).
// A front server on loopback forwards to the simulator and replaces the answers a test picks.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { startSimulator, type LoggedRequest } from '../../simulator/index.js';
import { connectionInputs, getsOf, signIns, signOuts, useSimulator } from '../helpers/e2e-simulator.js';
import { startPrivateNetwork, type PrivateNetwork } from '../helpers/private-network.js';
import { runAction, visibleText } from '../../test-support/run-action.js';

const sim = useSimulator();

/** Answers a request itself (true) instead of forwarding it to the simulator. */
type Intercept = (req: http.IncomingMessage, res: http.ServerResponse) => boolean;

let front: http.Server;
let frontUrl = '';
let intercept: Intercept = () => false;
let rewriteCookies: (cookies: string[]) => string[] = (c) => c;

beforeAll(async () => {
  front = http.createServer((req, res) => {
    if (intercept(req, res)) return;
    const target = new URL(sim().url);
    const upstream = http.request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        const headers = { ...answer.headers };
        if (headers['set-cookie']) headers['set-cookie'] = rewriteCookies(headers['set-cookie']);
        res.writeHead(answer.statusCode ?? 502, headers);
        answer.pipe(res);
      }
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  frontUrl = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
});
afterAll(async () => {
  front.closeAllConnections();
  await new Promise<void>((resolve) => front.close(() => resolve()));
});
beforeEach(() => {
  intercept = () => false;
  rewriteCookies = (c) => c;
});

/** A gate through the front server that passes on the sample data (exit 0 means every call worked). */
function gate(extra: Record<string, string> = {}): Record<string, string> {
  return {
    mode: 'gate',
    ...connectionInputs(sim()),
    'octane-url': frontUrl,
    'release-name': '2026.5',
    severities: 'High, Very High, Urgent',
    retries: '0',
    ...extra
  };
}

/** The session signed in was signed out again, with its cookie. */
function expectSignedOut(): void {
  const session = signIns(sim()).at(-1)?.setLwsso;
  expect(session).toBeDefined();
  expect(signOuts(sim()).some((r) => r.status === 200 && r.lwsso !== undefined)).toBe(true);
}

const onReleases = (req: http.IncomingMessage): boolean => req.method === 'GET' && (req.url ?? '').includes('/releases');

describe('answers without bounds (defect 1)', () => {
  const GiB = 1024 ** 3;
  let bomb: Buffer;
  beforeAll(async () => {
    // 1 GiB of zeros, gzipped to about 1 MB, streamed so that the test never holds the 1 GiB.
    const gzip = zlib.createGzip({ level: 9 });
    const parts: Buffer[] = [];
    gzip.on('data', (c: Buffer) => parts.push(c));
    const done = new Promise((resolve) => gzip.on('end', resolve));
    const chunk = Buffer.alloc(1024 * 1024);
    for (let written = 0; written < GiB; written += chunk.length) {
      if (!gzip.write(chunk)) await new Promise((resolve) => gzip.once('drain', resolve));
    }
    gzip.end();
    await done;
    bomb = Buffer.concat(parts);
  }, 60_000);

  it('an endless body fails the step with a message naming the call and the cap, and the run signs out', async () => {
    let sent = 0;
    intercept = (req, res) => {
      if (!onReleases(req)) return false;
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = (): void => {
        while (!res.destroyed) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
      };
      res.on('close', () => res.destroy());
      pump();
      return true;
    };
    const run = await runAction(gate());

    expect(run.code).toBe(1);
    expect(run.errors).toEqual([
      'Octane answered 200 OK to GET releases with a body larger than 64 MiB (after decompression), the most the action reads of one answer; it was not read further'
    ]);
    // It stopped reading near the cap, not at the end of memory.
    expect(sent).toBeGreaterThan(64 * 1024 * 1024);
    expect(sent).toBeLessThan(512 * 1024 * 1024);
    expectSignedOut();
  });

  it('a gzip bomb (about 1 MB inflating to 1 GiB) fails the same way, counted after decompression', async () => {
    expect(bomb.length).toBeLessThan(2 * 1024 * 1024);
    intercept = (req, res) => {
      if (!onReleases(req)) return false;
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(bomb.length) });
      res.end(bomb);
      return true;
    };
    const run = await runAction(gate());

    expect(run.code).toBe(1);
    expect(run.errors).toEqual([
      expect.stringMatching(/^Octane answered 200 OK to GET releases with a body larger than 64 MiB \(after decompression\)/)
    ]);
    expectSignedOut();
  });

  it('a body that says gzip but is not is reported as not decompressible, not as "could not reach"', async () => {
    intercept = (req, res) => {
      if (!onReleases(req)) return false;
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end('{"total_count":0,"data":[]} this is not gzip');
      return true;
    };
    const run = await runAction(gate());

    expect(run.code).toBe(1);
    expect(run.errors).toEqual([
      'Octane answered 200 OK to GET releases with a body that could not be decompressed (Content-Encoding: gzip, Z_DATA_ERROR); a proxy in between may have altered it'
    ]);
    expect(visibleText(run)).not.toContain('Could not reach');
    expectSignedOut();
  });
});

describe('NODE_TLS_REJECT_UNAUTHORIZED=0 (defect 2)', () => {
  const HOST = 'octane.example.test';
  let network: PrivateNetwork;
  beforeAll(async () => {
    network = await startPrivateNetwork({ host: HOST, proxyAuth: { user: 'u', password: 'p4ssw0rd' }, caIps: ['127.0.0.1'] });
  });
  afterAll(async () => {
    await network?.close();
  });

  it.each([
    ['directly', (): { url: string; env: Record<string, string> } => ({ url: network.sim.url, env: {} })],
    [
      'through a CONNECT proxy',
      (): { url: string; env: Record<string, string> } => ({
        url: `https://${HOST}:${network.port}`,
        env: { https_proxy: network.proxy.url }
      })
    ]
  ])(
    '%s: certificate checks stay on, the secret never reaches the server, and the log says the variable was ignored',
    async (_how, where) => {
      const { url, env } = where();
      network.sim.log.length = 0;
      const run = await runAction(
        { ...gate(), ...connectionInputs(network.sim), 'octane-url': url },
        { env: { NODE_TLS_REJECT_UNAUTHORIZED: '0', ...env } }
      );

      expect(run.code).toBe(1);
      expect(run.errors).toHaveLength(1);
      expect(run.errors[0]).toMatch(/^The TLS certificate of Octane at .* is not trusted \(/);
      expect(run.stdout).toContain('NODE_TLS_REJECT_UNAUTHORIZED=0 is ignored: certificate checks for Octane stay on');
      // TLS failed, so the server got nothing: no sign-in, so no client secret.
      expect(network.sim.log).toEqual([]);
    }
  );

  it('with the CA given, the same run passes (the variable changes nothing either way)', async () => {
    network.sim.log.length = 0;
    const run = await runAction(
      { ...gate(), ...connectionInputs(network.sim), 'ca-certificate': network.ca.caCert },
      { env: { NODE_TLS_REJECT_UNAUTHORIZED: '0' } }
    );
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    expect(signIns(network.sim)).toHaveLength(1);
    expect(signOuts(network.sim)).toHaveLength(1);
  });
});

describe('cookies by RFC 6265 (defect 5)', () => {
  it('a sign-in that also expires twins of the session cookie (another path, Max-Age=0, a past Expires) works, and signs out', async () => {
    rewriteCookies = (cookies) =>
      cookies.some((c) => c.startsWith('LWSSO_COOKIE_KEY=') && !c.startsWith('LWSSO_COOKIE_KEY=;'))
        ? [
            'LWSSO_COOKIE_KEY=; Path=/authentication; Max-Age=0',
            ...cookies,
            'LWSSO_COOKIE_KEY=stale-twin; Path=/ui; Expires=Thu, 01 Jan 1970 00:00:00 GMT',
            'OCTANE_USER=; Path=/api/none; Max-Age=0'
          ]
        : cookies;
    const run = await runAction(gate());

    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.outputs['gate-result']).toBe('passed');
    expect(signIns(sim())).toHaveLength(1);
    expect(
      sim()
        .log.filter((r) => r.path.includes('/api/'))
        .every((r) => r.status === 200)
    ).toBe(true);
    expectSignedOut();
  });

  it.each([
    [
      'marked Secure over plain http',
      (c: string) => `${c}; Secure`,
      "Octane answered 200 OK to sign-in with a session cookie (LWSSO_COOKIE_KEY) marked Secure, which is only sent back over https, and the server's address uses http; use the site's https:// address. Check octane-url."
    ],
    [
      'for another domain',
      (c: string) => `${c}; Domain=other.example`,
      'Octane answered 200 OK to sign-in with a session cookie (LWSSO_COOKIE_KEY) for the domain "other.example", which does not cover 127.0.0.1; use the site\'s host name in the server\'s address. Check octane-url.'
    ]
  ])(
    'a session cookie %s, which would never be sent back, fails at sign-in with a message saying why (not a 401 loop)',
    async (_title, fn, message) => {
      rewriteCookies = (cookies) => cookies.map(fn);
      const run = await runAction(gate({ retries: '2' }));

      expect(run.code).toBe(1);
      expect(run.errors).toEqual([message]);
      expect(signIns(sim())).toHaveLength(1);
      expect(sim().log.some((r) => r.path.includes('/api/'))).toBe(false);
    }
  );
});

describe('ids from Octane (defect 8)', () => {
  it('a created id that is not an id never reaches defect-id or the log', async () => {
    const bad = '5007\n::error::injected';
    sim().faults.add({ method: 'POST', path: '/defects', status: 201, json: { total_count: 1, data: [{ type: 'defect', id: bad }] } });
    const run = await runAction({
      mode: 'create-defect',
      ...connectionInputs(sim()),
      'release-name': '2026.5',
      'defect-name': 'Build 42 failed',
      retries: '0'
    });

    expect(run.code).toBe(1);
    expect(run.outputs['defect-id']).toBeUndefined();
    expect(run.stdout).toContain('with an unreadable id (a text of 22 characters, not only letters, digits, _ and .)');
    expect(run.stdout.split('\n').some((line) => line.startsWith('::error::injected'))).toBe(false);
    expect(visibleText(run)).not.toContain('5007');
  });

  it('a page whose entity id is not an id fails closed, naming the call', async () => {
    intercept = (req, res) => {
      if (!onReleases(req)) return false;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ total_count: 1, data: [{ type: 'release', id: '1002 ||1', name: '2026.5' }] }));
      return true;
    };
    const run = await runAction(gate());
    expect(run.code).toBe(1);
    expect(run.errors).toEqual([
      'Octane answered 200 OK to GET releases with an unreadable id (a text of 8 characters, not only letters, digits, _ and .); it was not used'
    ]);
    expect(run.outputs['gate-result']).not.toBe('passed');
    expectSignedOut();
  });
});

describe('Retry-After: 0 (defect 9)', () => {
  it("retries are spaced by at least the backoff floor (0.5 s, 1 s, 2 s), not by the server's 0", async () => {
    sim().faults.add({ method: 'GET', path: '/releases', status: 503, retryAfter: '0', times: 3 });
    const run = await runAction(gate({ retries: '3' }));

    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    const attempts = getsOf(sim(), 'releases');
    expect(attempts.map((r) => r.status)).toEqual([503, 503, 503, 200]);
    // Lower bounds only: the floors, less a little for the two clocks.
    const gaps = attempts.slice(1).map((r, i) => r.receivedAt - (attempts[i]!.answeredAt ?? attempts[i]!.receivedAt));
    [500, 1000, 2000].forEach((floor, i) => expect(gaps[i]).toBeGreaterThanOrEqual(floor - 20));
  });
});

describe('requests in flight (defect 10)', () => {
  /** The most requests the simulator held at once, from its log. */
  function peakInFlight(log: LoggedRequest[]): number {
    const events = log.flatMap((r) => [
      { t: r.receivedAt, d: 1 },
      { t: r.answeredAt ?? Infinity, d: -1 }
    ]);
    // An answer at the same instant as an arrival is counted first: it left before the other came.
    events.sort((a, b) => a.t - b.t || a.d - b.d);
    let now = 0;
    let peak = 0;
    for (const e of events) peak = Math.max(peak, (now += e.d));
    return peak;
  }

  it('a gate over 60 phases never has more than 10 requests in flight, and still runs them in parallel', async () => {
    // Without the grouping resource the gate counts each phase: 60 counts in one wave.
    const s = await startSimulator({ latencyMs: 60, profile: 'no-groups' });
    try {
      const metaphase = s.store.byLogicalName('phase.defect.new').metaphase;
      const names = Array.from({ length: 60 }, (_, i) => `Triage ${i + 1}`);
      names.forEach((name, i) =>
        s.store.add('phases', { name, logical_name: `phase.defect.triage_${i + 1}`, entity: 'defect', metaphase })
      );
      const run = await runAction({ ...gate(), ...connectionInputs(s), phases: names.join(', ') });

      expect(run.errors).toEqual([]);
      expect(run.code).toBe(0);
      const perPhase = s.log.filter((r) => r.path.endsWith('/defects'));
      expect(perPhase.length).toBeGreaterThanOrEqual(60);
      const peak = peakInFlight(s.log);
      expect(peak).toBeLessThanOrEqual(10);
      expect(peak).toBeGreaterThan(1);
    } finally {
      await s.close();
    }
  });

  it("the default gate's one wave of 6 requests (3 look-ups, the list, 2 groupings) goes out together (no round trip added)", async () => {
    const s = await startSimulator({ latencyMs: 300 });
    try {
      const run = await runAction({ ...gate(), ...connectionInputs(s), severities: '' });
      expect(run.code).toBe(1);
      expect(run.errors[0]).toMatch(/^Gate failed: /);
      const wave = s.log.filter((r) => r.path.includes('/workspaces/'));
      expect(wave).toHaveLength(6);
      expect(peakInFlight(wave)).toBe(6);
    } finally {
      await s.close();
    }
  });
});

describe('IPv4-mapped loopback (also)', () => {
  it('http://[::ffff:127.0.0.1]:port is never sent through the proxy', async () => {
    let proxied = 0;
    const proxy = http.createServer((_req, res) => {
      proxied++;
      res.writeHead(502).end();
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      const run = await runAction(
        { ...gate(), 'octane-url': `http://[::ffff:127.0.0.1]:${new URL(sim().url).port}` },
        { env: { http_proxy: proxyUrl, HTTP_PROXY: proxyUrl, https_proxy: proxyUrl } }
      );
      expect(run.errors).toEqual([]);
      expect(run.code).toBe(0);
      expect(proxied).toBe(0);
      expect(signIns(sim())).toHaveLength(1);
    } finally {
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  });
});
