import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import https from 'node:https';
import { startSimulator } from '../../simulator/index.js';
import type { Simulator } from '../../simulator/index.js';
import { makeThrowawayCa, type ThrowawayCa } from '../helpers/throwaway-ca.js';

let ca: ThrowawayCa;
let sim: Simulator;

beforeAll(async () => {
  ca = makeThrowawayCa(['localhost'], ['127.0.0.1']);
  sim = await startSimulator({ tls: { key: ca.key, cert: ca.cert }, seed: 'empty' });
});
afterAll(async () => {
  await sim.close();
  ca.cleanup();
});

function signIn(trust: string | undefined): Promise<{ status?: number; cookies: string[]; error?: string }> {
  return new Promise((resolve) => {
    const req = https.request(
      `${sim.url}/authentication/sign_in`,
      { method: 'POST', ca: trust, headers: { 'content-type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode, cookies: res.headers['set-cookie'] ?? [] }));
      }
    );
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ cookies: [], error: e.code }));
    req.end(JSON.stringify({ client_id: sim.credentials.clientId, client_secret: sim.credentials.clientSecret }));
  });
}

describe('simulator over HTTPS', () => {
  it('serves https and marks both cookies Secure', async () => {
    expect(sim.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const res = await signIn(ca.caCert);
    expect(res.status).toBe(200);
    expect(res.cookies).toHaveLength(2);
    expect(res.cookies.every((c) => /; Secure/.test(c))).toBe(true);
  });

  it('is refused by a client that does not trust the CA', async () => {
    const res = await signIn(undefined);
    expect(res.error).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|CERT/);
  });
});
