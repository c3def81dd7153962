/**
 * Proxies and private certificate authorities, for real: the simulator served over HTTPS with
 * a certificate from a CA made for this run, and a CONNECT proxy on loopback that maps the
 * name octane.example.test to the simulator (the client never resolves that name itself).
 */
import { describe, it, expect, beforeAll, afterAll, jest } from '@jest/globals';
import https from 'node:https';
import tls from 'node:tls';
import net, { type AddressInfo } from 'node:net';
import { startSimulator } from '../../simulator/index.js';
import type { Simulator } from '../../simulator/index.js';
import { OctaneClient } from '../../src/octane/client.js';
import { OctaneError, OctaneNetworkError, TrustError } from '../../src/octane/errors.js';
import { makeThrowawayCa, type ThrowawayCa } from '../helpers/throwaway-ca.js';
import { loopbackOf, type TestProxy } from '../helpers/connect-proxy.js';
import { startPrivateNetwork, type PrivateNetwork } from '../helpers/private-network.js';
import { countingRelay } from '../helpers/counting-relay.js';
import { waitFor } from '../helpers/wait.js';

const HOST = 'octane.example.test';
const PROXY_USER = 'builder';
const PROXY_PASSWORD = 'pr0xy-p@ss:word';

let network: PrivateNetwork;
let ca: ThrowawayCa;
let secureSim: Simulator;
let plainSim: Simulator;
let securePort: number;
let plainPort: number;
let proxy: TestProxy;
let authProxy: TestProxy;

beforeAll(async () => {
  plainSim = await startSimulator();
  plainPort = Number(new URL(plainSim.url).port);
  network = await startPrivateNetwork({
    host: HOST,
    caIps: ['127.0.0.1'],
    proxyAuth: { user: PROXY_USER, password: PROXY_PASSWORD },
    moreHosts: { [`plain.${HOST}`]: loopbackOf(plainSim.url) }
  });
  ({ ca, sim: secureSim, port: securePort, proxy, authProxy } = network);
});

afterAll(async () => {
  await Promise.all([network?.close(), plainSim?.close()]);
});

interface Run {
  client: OctaneClient;
  lines: string[];
  secrets: string[];
  waits: number[];
}

function client(url: string, opts: { caCertificate?: string; env?: Record<string, string | undefined>; timeoutMs?: number } = {}): Run {
  const run = { lines: [] as string[], secrets: [] as string[], waits: [] as number[] };
  const c = new OctaneClient({
    connection: {
      url,
      sharedSpaceId: '1001',
      workspaceId: '1002',
      clientId: 'sim-client',
      clientSecret: 'sim-secret',
      timeoutMs: opts.timeoutMs ?? 5000,
      retries: 2,
      caCertificate: opts.caCertificate
    },
    env: opts.env ?? {},
    log: (l) => run.lines.push(l),
    debug: (l) => run.lines.push(l),
    onSecret: (s) => run.secrets.push(s),
    sleep: async (ms) => {
      run.waits.push(ms);
    }
  });
  return { client: c, ...run };
}

async function works(run: Run): Promise<void> {
  const page = await run.client.list('releases', { fields: ['name'] });
  expect(page.data.length).toBeGreaterThan(0);
  await run.client.signOut();
}

const encodedPassword = encodeURIComponent(PROXY_PASSWORD);

describe('TLS with a private CA', () => {
  it('fails without the CA, saying what to set, and does not retry', async () => {
    const run = client(secureSim.url);
    const error = (await run.client.signIn().catch((e: unknown) => e)) as OctaneNetworkError;
    expect(error).toBeInstanceOf(OctaneNetworkError);
    expect(error.message).toContain(`127.0.0.1:${securePort}`);
    expect(error.message).toContain('give its PEM certificate as an extra CA certificate');
    expect(error.hint).toBe('ca');
    expect(error.message).toContain('NODE_EXTRA_CA_CERTS');
    expect(error.message).toMatch(
      /not trusted \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\)/
    );
    expect(run.waits).toEqual([]);
    expect(secureSim.log.filter((r) => r.path.endsWith('sign_in'))).toHaveLength(0);
  });

  it('passes with the CA as PEM text in ca-certificate', async () => {
    await works(client(secureSim.url, { caCertificate: ca.caCert }));
  });

  it('takes PEM text only: a file path is for the input reader to resolve, and is refused here', () => {
    expect(() => client(secureSim.url, { caCertificate: ca.caCertPath })).toThrow(TrustError);
  });

  it('passes with NODE_EXTRA_CA_CERTS in the environment', async () => {
    await works(client(secureSim.url, { env: { NODE_EXTRA_CA_CERTS: ca.caCertPath } }));
  });

  it('still checks the host name: a certificate for another name is refused even with the CA', async () => {
    const other = makeThrowawayCa(['someone-else.example.test']);
    const sim = await startSimulator({ tls: { key: other.key, cert: other.cert } });
    try {
      const run = client(sim.url, { caCertificate: other.caCert });
      const error = (await run.client.signIn().catch((e: unknown) => e)) as OctaneNetworkError;
      expect(error).toBeInstanceOf(OctaneNetworkError);
      expect(error.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
      expect(error.message).toMatch(/not issued for 127\.0\.0\.1/);
    } finally {
      await sim.close();
      other.cleanup();
    }
  });

  it('a ca-certificate that holds no certificate is refused before any request', () => {
    expect(() => client(secureSim.url, { caCertificate: '-----BEGIN NOTHING-----' })).toThrow(
      /^The extra CA certificate holds no PEM certificate/
    );
  });

  it('a ca-certificate whose PEM block is damaged is refused before any request, naming the broken one', () => {
    const before = secureSim.log.length;
    const lines = ca.caCert.trim().split('\n');
    // One character changed in the middle of the base64 body, as a bad copy and paste does.
    const middle = Math.floor(lines.length / 2);
    lines[middle] = `${lines[middle]!.slice(0, 10)}!${lines[middle]!.slice(11)}`;
    expect(() => client(secureSim.url, { caCertificate: lines.join('\n') })).toThrow(
      /^The extra CA certificate 1 of 1 cannot be read \(ERR_[A-Z0-9_]+\); copy the whole PEM block/
    );
    expect(secureSim.log.length).toBe(before);
  });

  it('never follows a redirect from https to http', async () => {
    const server = https.createServer({ key: ca.key, cert: ca.cert }, (req, res) => {
      if (req.url?.endsWith('/sign_in'))
        res.writeHead(200, { 'Set-Cookie': ['LWSSO_COOKIE_KEY=k-value-1; Path=/; Secure; HttpOnly', 'OCTANE_USER=u; Path=/'] }).end();
      else res.writeHead(301, { Location: `http://127.0.0.1:${plainPort}${req.url}` }).end();
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    try {
      const before = plainSim.log.length;
      const run = client(`https://127.0.0.1:${(server.address() as AddressInfo).port}`, { caCertificate: ca.caCert });
      const error = (await run.client.list('releases', {}).catch((e: unknown) => e)) as OctaneError;
      expect(error).toBeInstanceOf(OctaneError);
      expect(error.message).toMatch(/redirect to http:\/\/127\.0\.0\.1:\d+ that was not followed: it would leave https/);
      expect(plainSim.log.length).toBe(before);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
    }
  });
});

describe('proxies', () => {
  const target = () => `https://${HOST}:${securePort}`;

  it('tunnels https through the proxy of https_proxy (CONNECT), lower case winning over upper case', async () => {
    const before = proxy.connects.length;
    // HTTPS_PROXY points at a closed port: using it would fail.
    await works(client(target(), { caCertificate: ca.caCert, env: { https_proxy: proxy.url, HTTPS_PROXY: 'http://127.0.0.1:1' } }));
    expect(proxy.connects.slice(before)).toContain(`${HOST}:${securePort}`);
  });

  it('uses HTTPS_PROXY when there is no lower-case variable', async () => {
    const before = proxy.connects.length;
    await works(client(target(), { caCertificate: ca.caCert, env: { HTTPS_PROXY: proxy.url } }));
    expect(proxy.connects.length).toBeGreaterThan(before);
  });

  it('takes a proxy given without a scheme (host:port) as an http proxy, as curl and the runner do', async () => {
    const before = proxy.connects.length;
    const run = client(target(), { caCertificate: ca.caCert, env: { https_proxy: proxy.url.replace(/^http:\/\//, '') } });
    await works(run);
    expect(proxy.connects.slice(before)).toContain(`${HOST}:${securePort}`);
  });

  it('a proxy whose broken answer echoes the credentials: the library error that quotes it shows none of them', async () => {
    // The proxy agent quotes a malformed CONNECT answer line in its error; this proxy echoes the
    // Proxy-Authorization value there, so only the client's redaction keeps it out of the message.
    const echo = net.createServer((socket) => {
      socket.once('data', (chunk) => {
        const auth = /proxy-authorization: (.*)\r\n/i.exec(chunk.toString('latin1'))?.[1] ?? '';
        socket.end(`HTTP/1.1 502 Bad Gateway\r\n${auth}\r\n\r\n`);
      });
    });
    await new Promise<void>((ok) => echo.listen(0, '127.0.0.1', ok));
    try {
      const port = (echo.address() as AddressInfo).port;
      const token = Buffer.from(`${PROXY_USER}:${PROXY_PASSWORD}`).toString('base64');
      const run = client(target(), {
        caCertificate: ca.caCert,
        env: { https_proxy: `http://${PROXY_USER}:${encodedPassword}@127.0.0.1:${port}` }
      });
      const error = (await run.client.signIn().catch((e: unknown) => e)) as OctaneNetworkError;
      expect(error).toBeInstanceOf(OctaneNetworkError);
      expect(error.message).toMatch(/Invalid header from proxy CONNECT response: "Basic \*\*\*"/);
      for (const secret of [token, PROXY_PASSWORD, encodedPassword]) {
        expect(error.message).not.toContain(secret);
        expect(String(error.stack)).not.toContain(secret);
      }
    } finally {
      await new Promise<void>((ok) => echo.close(() => ok()));
    }
  });

  it('forwards plain http through http_proxy', async () => {
    const before = proxy.forwarded.length;
    await works(client(`http://plain.${HOST}:${plainPort}`, { env: { http_proxy: proxy.url, https_proxy: 'http://127.0.0.1:1' } }));
    expect(proxy.forwarded.slice(before).some((u) => u.startsWith(`http://plain.${HOST}:${plainPort}/api/`))).toBe(true);
  });

  it('sends the proxy credentials from the URL, and fails clearly without them', async () => {
    const without = client(target(), { caCertificate: ca.caCert, env: { https_proxy: authProxy.url } });
    const error = (await without.client.signIn().catch((e: unknown) => e)) as OctaneError;
    expect(error).toBeInstanceOf(OctaneError);
    expect(error.status).toBe(407);
    expect(error.message).toMatch(/proxy answered 407 Proxy Authentication Required .*wants credentials/);

    const withCreds = client(target(), {
      caCertificate: ca.caCert,
      env: { https_proxy: authProxy.authUrl }
    });
    const refusedBefore = authProxy.refused;
    await works(withCreds);
    expect(authProxy.refused).toBe(refusedBefore);
    expect(withCreds.secrets).toContain(PROXY_PASSWORD);
    expect(withCreds.lines.length).toBeGreaterThan(0);
    expect(withCreds.lines.join('\n')).not.toContain(PROXY_PASSWORD);
    expect(withCreds.lines.join('\n')).not.toContain(encodedPassword);
  });

  it('never shows the proxy password in errors or logs when the call fails', async () => {
    const run = client(target(), {
      // The proxy is up but Octane behind it is not: the tunnel target is a closed port.
      env: { https_proxy: `http://${PROXY_USER}:${encodedPassword}@127.0.0.1:1` },
      caCertificate: ca.caCert
    });
    const error = (await run.client.signIn().catch((e: unknown) => e)) as OctaneNetworkError;
    expect(error).toBeInstanceOf(OctaneNetworkError);
    expect(error.message).toMatch(/proxy at 127\.0\.0\.1:1 \(ECONNREFUSED/);
    const text = [error.message, String(error.stack), ...run.lines].join('\n');
    expect(text).not.toContain(PROXY_PASSWORD);
    expect(text).not.toContain(encodedPassword);
    expect(run.lines.filter((l) => l.includes('retry'))).toHaveLength(2);
  });

  it('bypasses the proxy for no_proxy hosts: then the name does not resolve, and the error names it', async () => {
    const before = proxy.connects.length;
    const run = client(target(), { caCertificate: ca.caCert, env: { https_proxy: proxy.url, no_proxy: `.example.test` } });
    const error = (await run.client.signIn().catch((e: unknown) => e)) as OctaneNetworkError;
    expect(error).toBeInstanceOf(OctaneNetworkError);
    expect(error.message).toContain(`${HOST}`);
    expect(error.message).toMatch(/does not resolve \((ENOTFOUND|EAI_AGAIN)\)/);
    expect(proxy.connects.length).toBe(before);
  });

  it('lower-case no_proxy wins over NO_PROXY', async () => {
    const before = proxy.connects.length;
    await works(client(target(), { caCertificate: ca.caCert, env: { https_proxy: proxy.url, no_proxy: 'other.example', NO_PROXY: '*' } }));
    expect(proxy.connects.length).toBeGreaterThan(before);
  });

  it('never sends loopback addresses through the proxy', async () => {
    const before = proxy.connects.length;
    await works(client(secureSim.url, { caCertificate: ca.caCert, env: { https_proxy: proxy.url, http_proxy: proxy.url } }));
    await works(client(plainSim.url, { env: { https_proxy: proxy.url, http_proxy: proxy.url } }));
    expect(proxy.connects.length).toBe(before);
  });

  it('a private CA also works through the tunnel and is still required there', async () => {
    const run = client(target(), { env: { https_proxy: proxy.url } });
    const error = (await run.client.signIn().catch((e: unknown) => e)) as OctaneNetworkError;
    expect(error).toBeInstanceOf(OctaneNetworkError);
    expect(error.message).toContain('is not trusted');
    expect(error.hint).toBe('ca');
  });
});

describe('one TLS context per run', () => {
  // Node builds a context (tls.createSecureContext) for every connection that brings no context of its own.
  const contextsFor = async (run: Run, parallel: number): Promise<number> => {
    const spy = jest.spyOn(tls, 'createSecureContext');
    try {
      await run.client.signIn();
      const pages = await Promise.all(Array.from({ length: parallel }, () => run.client.list('releases', { fields: ['name'] })));
      expect(pages.every((p) => p.data.length > 0)).toBe(true);
      await run.client.signOut();
      return spy.mock.calls.length;
    } finally {
      spy.mockRestore();
    }
  };

  it('direct: every connection with ca-certificate shares one context, certificates checked', async () => {
    secureSim.log.length = 0;
    expect(await contextsFor(client(secureSim.url, { caCertificate: ca.caCert }), 5)).toBe(1);
    expect(secureSim.log.filter((r) => r.path.endsWith('/releases'))).toHaveLength(5);
  });

  it('through the proxy tunnel: one shared context for NODE_EXTRA_CA_CERTS too', async () => {
    const run = client(`https://${HOST}:${securePort}`, { env: { https_proxy: proxy.url, NODE_EXTRA_CA_CERTS: ca.caCertPath } });
    expect(await contextsFor(run, 5)).toBe(1);
  });

  it('without extra certificates no context of its own is built (Node keeps its defaults)', async () => {
    const run = client(plainSim.url);
    expect(await contextsFor(run, 2)).toBe(0);
  });
});

describe('warm connections', () => {
  it('warm(n) opens n connections while sign-in is in flight; the next n requests find them and open none', async () => {
    const relay = await countingRelay(plainSim.url);
    try {
      plainSim.latencyMs = 100;
      const run = client(relay.url);
      run.client.warm(4);
      await run.client.signIn();
      expect(relay.accepted()).toBe(4);
      await Promise.all(Array.from({ length: 4 }, () => run.client.list('releases', { fields: ['name'] })));
      // Exactly as many as the wave of 4 would have opened itself: the sign-in took one of them.
      expect(relay.accepted()).toBe(4);
      await run.client.signOut();
      await waitFor('every connection through the relay to close', () => relay.open() === 0, 2000);
    } finally {
      plainSim.latencyMs = 0;
      await relay.close();
    }
  });

  it('warm(n) counts the connections already open, and never opens more than the cap in flight', async () => {
    const relay = await countingRelay(plainSim.url);
    try {
      const run = client(relay.url);
      await run.client.signIn();
      run.client.warm(1);
      run.client.warm(50);
      await Promise.all(Array.from({ length: 12 }, () => run.client.list('releases', { fields: ['name'] })));
      expect(relay.accepted()).toBe(10);
      await run.client.signOut();
      // Unused warm connections are closed with the run.
      await waitFor('every connection through the relay to close', () => relay.open() === 0, 2000);
    } finally {
      await relay.close();
    }
  });
});

describe('sign-out', () => {
  it('ends the session without waiting for a slow answer: the request is sent, the server still acts on it', async () => {
    plainSim.faults.add({ method: 'POST', path: '/authentication/sign_out', delayMs: 3000 });
    try {
      const run = client(plainSim.url);
      const before = plainSim.openSessions();
      const logged = plainSim.log.length;
      await run.client.signIn();
      expect(plainSim.openSessions()).toBe(before + 1);
      const started = Date.now();
      await run.client.signOut();
      expect(Date.now() - started).toBeLessThan(2000);
      expect(plainSim.log.slice(logged).filter((r) => r.path.endsWith('/authentication/sign_out'))).toHaveLength(1);
      // The simulator acts after its delay, on a request whose client has gone.
      await waitFor('the session to be signed out', () => plainSim.openSessions() === before, 6000);
    } finally {
      plainSim.faults.clear();
    }
  }, 15_000);

  it('a prompt answer ends the session before signOut returns', async () => {
    const run = client(secureSim.url, { caCertificate: ca.caCert });
    const before = secureSim.openSessions();
    await run.client.signIn();
    expect(secureSim.openSessions()).toBe(before + 1);
    await run.client.signOut();
    expect(secureSim.openSessions()).toBe(before);
  });
});
