import { describe, it, expect, beforeAll, beforeEach } from '@jest/globals';
import http from 'node:http';
import { defectsNamed, useSimulator } from '../helpers/e2e-simulator.js';
import { getJson, postJson, session, workspaceUrl } from './helpers.js';

const sim = useSimulator({ cookieReissueEvery: 0 }, { resetEachTest: false });
let cookie: string;

beforeAll(async () => {
  cookie = await session(sim());
});
beforeEach(() => {
  sim().faults.clear();
  sim().latencyMs = 0;
});

/** A raw request that reports how the connection ended, without fetch's own retries or pooling. */
function raw(method: string, url: string, body?: string, timeoutMs = 2000): Promise<{ status?: number; error?: string; text?: string }> {
  return new Promise((resolve) => {
    const req = http.request(url, { method, headers: { cookie, 'content-type': 'application/json', connection: 'close' } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode, text }));
    });
    req.setTimeout(timeoutMs, () => {
      req.destroy();
      resolve({ error: 'timeout' });
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    req.end(body);
  });
}

const newDefect = (name: string) => JSON.stringify({ data: [{ name }] });
const countNamed = (name: string) => defectsNamed(sim(), name).length;

describe('faults', () => {
  it('answers an injected status with Retry-After, in Octane JSON, without processing, `times` times', async () => {
    sim().faults.add({ method: 'POST', path: '/defects', status: 503, retryAfter: '2', times: 2 });
    for (let i = 0; i < 2; i++) {
      const res = await fetch(workspaceUrl(sim(), 'defects'), {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json' },
        body: newDefect('fault-503')
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('2');
      expect(await res.json()).toMatchObject({ error_code: expect.any(String), correlation_id: expect.any(String) });
    }
    expect(countNamed('fault-503')).toBe(0);
    expect((await postJson(sim(), cookie, 'defects', { data: [{ name: 'fault-503' }] })).status).toBe(201);
    const logged = sim().log.filter((r) => r.body.includes('fault-503'));
    expect(logged.map((r) => [r.status, r.faulted ?? false])).toEqual([
      [503, true],
      [503, true],
      [201, false]
    ]);
  });

  it('matches faults by method and path, in order', async () => {
    sim().faults.add({ method: 'POST', status: 500 });
    sim().faults.add({ path: /\/releases$/, status: 429 });
    sim().faults.add({ path: '/releases', status: 502 });
    expect((await getJson(sim(), cookie, 'releases')).status).toBe(429);
    expect((await getJson(sim(), cookie, 'releases')).status).toBe(502);
    expect((await getJson(sim(), cookie, 'releases')).status).toBe(200);
    expect((await postJson(sim(), cookie, 'defects', { data: [{ name: 'fault-500' }] })).status).toBe(500);
  });

  it('answers an HTML page like a proxy', async () => {
    sim().faults.add({ status: 502, html: true });
    const res = await fetch(workspaceUrl(sim(), 'releases'), { headers: { cookie } });
    expect(res.status).toBe(502);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(await res.text()).toMatch(/<html>[\s\S]*502 Bad Gateway/);
  });

  it('answers a given JSON body, 200 unless a status is given, without processing', async () => {
    sim().faults.add({ method: 'GET', path: '/releases', json: { total_count: 3, exceeds_total_count: true, data: [] } });
    sim().faults.add({ method: 'GET', path: '/releases', status: 201, json: 'odd' });
    const first = await fetch(workspaceUrl(sim(), 'releases'), { headers: { cookie } });
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/application\/json/);
    expect(await first.json()).toEqual({ total_count: 3, exceeds_total_count: true, data: [] });
    const second = await fetch(workspaceUrl(sim(), 'releases'), { headers: { cookie } });
    expect(second.status).toBe(201);
    expect(await second.json()).toBe('odd');
    const third = (await (await fetch(workspaceUrl(sim(), 'releases'), { headers: { cookie } })).json()) as { total_count: number };
    expect(third.total_count).toBe(sim().store.all('releases').length);
  });

  it('echoes the request, cookies included, in the error description', async () => {
    sim().faults.add({ status: 400, echoRequest: true });
    const { status, body } = await getJson(sim(), cookie, 'releases');
    expect(status).toBe(400);
    expect(body.description).toContain(cookie.split('; ')[0]!);
  });

  it('drops the connection before processing: nothing is written', async () => {
    sim().faults.add({ method: 'POST', drop: 'before' });
    const res = await raw('POST', workspaceUrl(sim(), 'defects'), newDefect('fault-drop-before'));
    expect(res.error).toMatch(/ECONNRESET|socket hang up/);
    expect(countNamed('fault-drop-before')).toBe(0);
    const entry = sim().log.find((r) => r.body.includes('fault-drop-before'))!;
    expect(entry).toMatchObject({ status: 0, faulted: true });
    expect(entry.processedStatus).toBeUndefined();
  });

  it('drops the connection after processing: the defect is stored but no answer comes', async () => {
    sim().faults.add({ method: 'POST', drop: 'after' });
    const res = await raw('POST', workspaceUrl(sim(), 'defects'), newDefect('fault-drop-after'));
    expect(res.error).toMatch(/ECONNRESET|socket hang up/);
    expect(countNamed('fault-drop-after')).toBe(1);
    expect(sim().log.find((r) => r.body.includes('fault-drop-after'))).toMatchObject({ status: 0, processedStatus: 201 });
  });

  it('processes, then answers another status (502 after storing)', async () => {
    sim().faults.add({ method: 'POST', processThenStatus: 502, html: true });
    const res = await raw('POST', workspaceUrl(sim(), 'defects'), newDefect('fault-502-after'));
    expect(res.status).toBe(502);
    expect(res.text).toMatch(/<html>/);
    expect(countNamed('fault-502-after')).toBe(1);
  });

  it('processes, then hangs until the client gives up', async () => {
    sim().faults.add({ method: 'POST', hangAfterProcessing: true });
    const res = await raw('POST', workspaceUrl(sim(), 'defects'), newDefect('fault-hang'), 300);
    expect(res.error).toBe('timeout');
    expect(countNamed('fault-hang')).toBe(1);
    expect(sim().log.find((r) => r.body.includes('fault-hang'))).toMatchObject({ status: 0, processedStatus: 201 });
  });

  it('adds latency to every answer and extra delay to a faulted one', async () => {
    sim().latencyMs = 150;
    let t = Date.now();
    expect((await getJson(sim(), cookie, 'releases')).status).toBe(200);
    expect(Date.now() - t).toBeGreaterThanOrEqual(140);
    sim().latencyMs = 0;
    sim().faults.add({ delayMs: 200 });
    t = Date.now();
    expect((await getJson(sim(), cookie, 'releases')).status).toBe(200);
    expect(Date.now() - t).toBeGreaterThanOrEqual(190);
  });

  it('logs every request with lower-cased headers, decoded query and body', async () => {
    await fetch(workspaceUrl(sim(), 'defects?limit=1&query=%22id%20EQ%201%22'), { headers: { cookie, 'X-Probe': 'yes' } });
    const entry = sim().log[sim().log.length - 1]!;
    expect(entry).toMatchObject({
      method: 'GET',
      path: '/api/shared_spaces/1001/workspaces/1002/defects',
      query: { limit: '1', query: '"id EQ 1"' },
      status: 200
    });
    expect(entry.headers['x-probe']).toBe('yes');
  });
});
