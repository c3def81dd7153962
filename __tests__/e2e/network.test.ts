// Network reality (issue 3) through the bundled action: the simulator over HTTPS with a certificate from
// a CA made for this run, for the name octane.example.test, reached through a CONNECT proxy on loopback
// that maps that name to the simulator (nothing resolves it otherwise), with the proxy variables as the
// runner sets them.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { startSimulator, type Simulator } from '../../simulator/index.js';
import type { TestProxy } from '../helpers/connect-proxy.js';
import { connectionInputs } from '../helpers/e2e-simulator.js';
import { startPrivateNetwork, type PrivateNetwork } from '../helpers/private-network.js';
import type { ThrowawayCa } from '../helpers/throwaway-ca.js';
import { runAction, visibleText, type ActionRun } from '../../test-support/run-action.js';

const HOST = 'octane.example.test';
const PROXY_USER = 'ci-bot';
const PROXY_PASSWORD = 'S3cret/pr0xy@pass';

let network: PrivateNetwork;
let ca: ThrowawayCa;
let sim: Simulator;
let port: number;
let proxy: TestProxy;
let authProxy: TestProxy;
let deadPort: number;

/** A port with nothing listening (taken, then released). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const p = (server.address() as AddressInfo).port;
  await new Promise<void>((ok) => server.close(() => ok()));
  return p;
}

beforeAll(async () => {
  network = await startPrivateNetwork({ host: HOST, proxyAuth: { user: PROXY_USER, password: PROXY_PASSWORD } });
  ({ ca, sim, port, proxy, authProxy } = network);
  deadPort = await freePort();
});
afterAll(async () => {
  await network?.close();
});
beforeEach(() => {
  sim.log.length = 0;
});

/** A gate that passes on the sample data, so exit code 0 means every request worked. */
function gate(extra: Record<string, string> = {}): Record<string, string> {
  return {
    mode: 'gate',
    ...connectionInputs(sim),
    'octane-url': `https://${HOST}:${port}`,
    'release-name': '2026.5',
    severities: 'High, Very High, Urgent',
    retries: '0',
    'timeout-seconds': '10',
    ...extra
  };
}

const target = (): string => `${HOST}:${port}`;

function expectPassed(run: ActionRun): void {
  expect(run.errors).toEqual([]);
  expect(run.code).toBe(0);
  expect(run.outputs['gate-result']).toBe('passed');
  expect(sim.log.some((r) => r.path.endsWith('/authentication/sign_in') && r.status === 200)).toBe(true);
}

describe('a private certificate authority, through a CONNECT proxy', () => {
  it('without the CA the step fails and says to set ca-certificate or NODE_EXTRA_CA_CERTS', async () => {
    const before = proxy.connects.length;
    const run = await runAction(gate(), { env: { https_proxy: proxy.url } });
    expect(run.code).toBe(1);
    expect(run.errors).toHaveLength(1);
    const message = run.errors[0] as string;
    expect(message).toContain('not trusted');
    expect(message).toContain('ca-certificate');
    expect(message).toContain('NODE_EXTRA_CA_CERTS');
    expect(message).toContain(target());
    expect(proxy.connects.slice(before)).toContain(target());
    // TLS failed, so the simulator never got a request.
    expect(sim.log).toHaveLength(0);
  });

  // Each way of trusting the CA: the inputs and environment it takes (the CA exists only once beforeAll ran).
  it.each([
    ['ca-certificate as PEM text', (c: ThrowawayCa) => ({ inputs: { 'ca-certificate': c.caCert }, env: {} })],
    ['ca-certificate as the path of a PEM file', (c: ThrowawayCa) => ({ inputs: { 'ca-certificate': c.caCertPath }, env: {} })],
    ['NODE_EXTRA_CA_CERTS', (c: ThrowawayCa) => ({ inputs: {}, env: { NODE_EXTRA_CA_CERTS: c.caCertPath } })]
  ])('with %s it passes', async (_how, trust) => {
    const { inputs, env } = trust(ca);
    const before = proxy.connects.length;
    const run = await runAction(gate(inputs), { env: { https_proxy: proxy.url, ...env } });
    expectPassed(run);
    expect(proxy.connects.slice(before)).toContain(target());
  });
});

describe('proxy variables', () => {
  it('a proxy that wants credentials: given in the URL they work, and the password is masked and never shown', async () => {
    const before = authProxy.connects.length;
    const refusedBefore = authProxy.refused;
    // DEBUG=* would make the proxy agents' debug library print the proxy URL and raw headers to stderr.
    const run = await runAction(gate({ 'ca-certificate': ca.caCert }), {
      env: { https_proxy: authProxy.authUrl, RUNNER_DEBUG: '1', DEBUG: '*' }
    });
    expectPassed(run);
    expect(authProxy.connects.slice(before)).toContain(target());
    expect(authProxy.refused).toBe(refusedBefore);
    const masks = run.stdout.split('\n').filter((l) => l.startsWith('::add-mask::'));
    expect(masks).toContain(`::add-mask::${PROXY_PASSWORD}`);
    const shown = visibleText(run);
    for (const hidden of [
      PROXY_PASSWORD,
      encodeURIComponent(PROXY_PASSWORD),
      Buffer.from(`${PROXY_USER}:${PROXY_PASSWORD}`).toString('base64')
    ]) {
      expect(shown).not.toContain(hidden);
    }
  });

  it('the same proxy without credentials: a 407 says to put them in the proxy variable', async () => {
    const refusedBefore = authProxy.refused;
    const run = await runAction(gate({ 'ca-certificate': ca.caCert }), { env: { https_proxy: authProxy.url } });
    expect(run.code).toBe(1);
    expect(authProxy.refused).toBeGreaterThan(refusedBefore);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(/407|credentials/);
    expect(run.errors[0]).toMatch(/https_proxy/);
    expect(sim.log).toHaveLength(0);
  });

  it('no_proxy naming the host bypasses the proxy, and the name then does not resolve: a clear error naming it', async () => {
    const before = proxy.connects.length;
    const run = await runAction(gate({ 'ca-certificate': ca.caCert }), {
      env: { https_proxy: proxy.url, no_proxy: `localhost,${HOST}` }
    });
    expect(run.code).toBe(1);
    expect(proxy.connects.length).toBe(before);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toContain(HOST);
    expect(run.errors[0]).toMatch(/does not resolve|ENOTFOUND|EAI_AGAIN/);
    expect(run.errors[0]).toMatch(/no_proxy|proxy/);
    expect(sim.log).toHaveLength(0);
  });

  it('lower-case https_proxy wins over upper-case HTTPS_PROXY', async () => {
    const before = proxy.connects.length;
    const run = await runAction(gate({ 'ca-certificate': ca.caCert }), {
      env: { https_proxy: proxy.url, HTTPS_PROXY: `http://127.0.0.1:${deadPort}` }
    });
    expectPassed(run);
    expect(proxy.connects.slice(before)).toContain(target());
  });

  it('upper-case HTTPS_PROXY alone is used (here a dead one: the error names the proxy)', async () => {
    const before = proxy.connects.length;
    const run = await runAction(gate({ 'ca-certificate': ca.caCert }), { env: { HTTPS_PROXY: `http://127.0.0.1:${deadPort}` } });
    expect(run.code).toBe(1);
    expect(proxy.connects.length).toBe(before);
    expect(run.errors[0]).toContain(`127.0.0.1:${deadPort}`);
    expect(run.errors[0]).toMatch(/proxy/);
    expect(sim.log).toHaveLength(0);
  });
});

describe('redirects', () => {
  it('a 302 to another host is not followed: the session cookie never goes there', async () => {
    // Plain-HTTP simulator behind a front that redirects the release look-up to another host.
    const plain = await startSimulator();
    const elsewhere: Array<{ url: string; cookie?: string }> = [];
    const other = http.createServer((req, res) => {
      elsewhere.push({ url: req.url ?? '', cookie: req.headers.cookie });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"total_count":0,"data":[]}');
    });
    await new Promise<void>((ok) => other.listen(0, '127.0.0.1', ok));
    const otherPort = (other.address() as AddressInfo).port;
    const simPort = Number(new URL(plain.url).port);
    const front = http.createServer((req, res) => {
      if ((req.url ?? '').includes('/releases')) {
        res.writeHead(302, { location: `http://localhost:${otherPort}${req.url}` }).end();
        return;
      }
      const up = http.request({ host: '127.0.0.1', port: simPort, method: req.method, path: req.url, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      req.pipe(up);
    });
    await new Promise<void>((ok) => front.listen(0, '127.0.0.1', ok));
    const frontPort = (front.address() as AddressInfo).port;
    try {
      const run = await runAction(
        gate({ 'octane-url': `http://127.0.0.1:${frontPort}`, 'client-secret': plain.credentials.clientSecret }),
        { env: {} }
      );
      expect(plain.log.some((r) => r.path.endsWith('/authentication/sign_in') && r.status === 200)).toBe(true);
      expect(run.code).toBe(1);
      expect(elsewhere).toEqual([]);
      expect(run.errors).toHaveLength(1);
      expect(run.errors[0]).toContain(`localhost:${otherPort}`);
      expect(run.errors[0]).toContain('not followed');
    } finally {
      front.closeAllConnections();
      other.closeAllConnections();
      await new Promise<void>((ok) => front.close(() => ok()));
      await new Promise<void>((ok) => other.close(() => ok()));
      await plain.close();
    }
  });
});
