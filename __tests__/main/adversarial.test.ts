// Adversarial end-to-end probes: odd workflow inputs (Windows line endings, huge or oddly encoded text) and a
// hostile or broken Octane (malformed pages, inconsistent counts, 401 everywhere, odd cookies, slowness),
// each through run() in-process against the simulator, asserting what the user would see.
// Each behaviour these probes once found wrong was fixed; its test says what a user now sees.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { SimEntity } from '../../simulator/index.js';
import { connectionInputs, defectsNamed, refId, signIns, signOuts, useSimulator, writes } from '../helpers/e2e-simulator.js';
import { runInProcess, visibleText, type ActionRun } from '../../test-support/run-in-process.js';

const sim = useSimulator();
const DEFECTS = '/defects';

const gate = (inputs: Record<string, string> = {}): Promise<ActionRun> =>
  runInProcess({ mode: 'gate', ...connectionInputs(sim()), 'release-name': '2026.4', ...inputs });

const create = (inputs: Record<string, string> = {}): Promise<ActionRun> =>
  runInProcess({
    mode: 'create-defect',
    ...connectionInputs(sim()),
    'release-name': '2026.4',
    'defect-name': 'adversarial probe',
    'add-run-context': 'false',
    ...inputs
  });

/** The defect the run reports in its outputs, from the store. */
function createdDefect(run: ActionRun): SimEntity {
  const defect = sim().store.get('defects', run.outputs['defect-id'] ?? '');
  if (!defect) throw new Error(`no stored defect for ${JSON.stringify(run.outputs)}`);
  return defect;
}

/** Requests the simulator got after the first sign-out (the run was over by then). */
const requestsAfterSignOut = (): number => {
  const i = sim().log.findIndex((r) => r.path.endsWith('/authentication/sign_out'));
  return i < 0 ? 0 : sim().log.length - i - 1;
};

/** A page with one defect whose fields are `fields` (the rest well-formed: New, Urgent). */
function pageOf(fields: Record<string, unknown>): { total_count: number; data: unknown[] } {
  const phase = sim().store.byLogicalName('phase.defect.new');
  const severity = sim().store.byLogicalName('list_node.severity.urgent');
  const entity = {
    id: '1002',
    type: 'defect',
    name: 'odd',
    phase: { type: 'phase', id: phase.id },
    severity: { type: 'list_node', id: severity.id },
    ...fields
  };
  return { total_count: 1, data: [JSON.parse(JSON.stringify(entity)) as unknown] };
}

describe('Windows line endings (CRLF) in list and text inputs', () => {
  it('phases and severities separated by CRLF give the same gate as with LF', async () => {
    const lf = await gate({ phases: 'New\nOpened\nDeferred', severities: 'High\nUrgent' });
    const crlf = await gate({ phases: 'New\r\nOpened\r\nDeferred\r\n', severities: 'High\r\nUrgent\r\n' });

    expect(lf.code).toBe(1);
    expect(crlf.code).toBe(lf.code);
    expect(crlf.outputs).toEqual(lf.outputs);
    expect(crlf.errors).toEqual(lf.errors);
    expect(crlf.errors[0]).toContain('phases New/Opened/Deferred, severities Urgent/High');
  });

  it('a CRLF description keeps its lines and stores no carriage return; a CRLF-terminated severity resolves', async () => {
    const run = await create({ 'defect-description': 'line one\r\nline two\r\n\r\nline four', severity: 'High\r\n' });

    expect(run.code).toBe(0);
    const defect = createdDefect(run);
    const description = String(defect.description);
    expect(description).not.toContain('\r');
    expect(description).toMatch(/line one<br>line two<\/p>\s*<p>line four/);
    expect(refId(defect.severity)).toBe(sim().store.byLogicalName('list_node.severity.high').id);
  });

  it('a CRLF inside the defect name is refused as not one line, and nothing reaches Octane', async () => {
    const run = await create({ 'defect-name': 'first line\r\nsecond line' });

    expect(run.code).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toContain('defect-name');
    expect(sim().log).toHaveLength(0);
  });
});

describe('a description at and over the 100,000-character limit', () => {
  it('exactly 100,000 characters is filed whole, also with the run context appended', async () => {
    const text = 'x'.repeat(100_000);
    const plain = await create({ 'defect-description': text });
    const withContext = await create({ 'defect-description': text, 'add-run-context': 'true' });

    for (const run of [plain, withContext]) {
      expect(run.code).toBe(0);
      expect(run.outputs.created).toBe('true');
      expect(String(createdDefect(run).description)).toContain(text);
    }
  });

  it('100,000 characters that all need escaping (<) are filed as text, not markup', async () => {
    const run = await create({ 'defect-description': '<'.repeat(100_000) });

    expect(run.code).toBe(0);
    const description = String(createdDefect(run).description);
    expect(description).toContain('&lt;'.repeat(100_000));
    expect(description).not.toContain('<<');
  });

  it('100,001 characters is refused, naming the input and the limit, with no request to Octane', async () => {
    const run = await create({ 'defect-description': 'x'.repeat(100_001) });

    expect(run.code).toBe(1);
    expect(run.errors).toEqual(['The inputs have 1 problem:\n- defect-description: must be at most 100000 characters; got 100001']);
    expect(sim().log).toHaveLength(0);
  });
});

describe('Unicode normalization: release "Café" stored NFC, input NFD', () => {
  const NFC = 'Caf\u00e9';
  const NFD = 'Cafe\u0301';
  beforeAll(() => {
    sim().store.add('releases', { name: NFC });
  });

  it('the NFC name matches, and so does its NFD spelling: the same release, the same count', async () => {
    const ok = await gate({ 'release-name': NFC });
    expect(ok.code).toBe(0);
    expect(ok.outputs['gate-result']).toBe('passed');

    const run = await gate({ 'release-name': NFD });
    expect(run.code).toBe(0);
    expect(run.outputs).toEqual(ok.outputs);
  });

  it('a release that differs by more than its Unicode form still fails closed', async () => {
    const run = await gate({ 'release-name': 'Cafe\u0300' }); // è, not é
    expect(run.code).toBe(1);
    expect(run.outputs).toEqual({});
    expect(run.errors[0]).toMatch(/^release-name: No release named /);
    // Only what left with the look-ups (the list and its two groupings), never a count by id.
    expect(sim().log.filter((r) => r.method === 'GET' && r.path.includes(DEFECTS)).length).toBeLessThanOrEqual(3);
    expect(sim().log.some((r) => r.method === 'GET' && r.path.includes(DEFECTS) && /id (EQ|IN)/.test(r.query.query ?? ''))).toBe(false);
  });
});

describe('a release stored in Octane with leading and trailing spaces', () => {
  beforeAll(() => {
    sim().store.add('releases', { name: ' 2026.9 ' });
  });

  it('the trimmed input does not silently match another release: it fails closed and shows the spaced name quoted', async () => {
    const run = await gate({ 'release-name': '2026.9' });

    expect(run.code).toBe(1);
    expect(run.outputs).toEqual({});
    expect(run.errors[0]).toMatch(/^release-name: No release named "2026\.9" in the workspace; releases there: .*" 2026\.9 "/);
  });

  it('the message says that the stored name has spaces around it and must be fixed in Octane', async () => {
    const run = await gate({ 'release-name': '2026.9' });

    expect(run.code).toBe(1);
    expect(run.errors[0]).toMatch(
      /Octane's release " 2026\.9 " has spaces around its name, which an input cannot carry \(inputs are trimmed\): remove them in Octane$/
    );
  });
});

describe('Octane answers pages with malformed entities (every defects answer; counts stay consistent)', () => {
  const cases: Array<[string, Record<string, unknown>, { name: string; phase: string; severity: string }]> = [
    ['no name', { name: undefined }, { name: '', phase: 'New', severity: 'Urgent' }],
    ['name null', { name: null }, { name: '', phase: 'New', severity: 'Urgent' }],
    ['name an object', { name: { evil: true } }, { name: '', phase: 'New', severity: 'Urgent' }],
    ['no phase reference', { phase: undefined }, { name: 'odd', phase: '', severity: 'Urgent' }],
    ['phase null', { phase: null }, { name: 'odd', phase: '', severity: 'Urgent' }],
    ['phase of an unknown id', { phase: { type: 'phase', id: '9999' } }, { name: 'odd', phase: '', severity: 'Urgent' }],
    ['severity a bare string id', { severity: 'SEVERITY' }, { name: 'odd', phase: 'New', severity: '' }],
    ['severity null', { severity: null }, { name: 'odd', phase: 'New', severity: '' }]
  ];

  it.each(cases)(
    '%s: the count still fails the gate, the defect is listed with a blank for what is missing',
    async (_title, fields, shown) => {
      sim().faults.add({ method: 'GET', path: DEFECTS, json: pageOf(fields), times: 100 });

      const run = await gate({ phases: 'New', severities: 'Urgent' });

      expect(run.code).toBe(1);
      expect(run.outputs['defect-count']).toBe('1');
      expect(run.errors).toEqual(['Gate failed: 1 defect (release 2026.4, phase New, severity Urgent); allowed: <= 0']);
      const listed = JSON.parse(run.outputs.defects ?? '[]') as Array<Record<string, string>>;
      expect(listed).toHaveLength(1);
      expect(listed[0]).toMatchObject({ id: '1002', ...shown });
      expect(visibleText(run)).not.toContain('[object Object]');
      expect(visibleText(run)).not.toContain('undefined');
    }
  );

  it('ids as numbers are read as ids', async () => {
    const phase = sim().store.byLogicalName('phase.defect.new');
    const severity = sim().store.byLogicalName('list_node.severity.urgent');
    sim().faults.add({
      method: 'GET',
      path: DEFECTS,
      json: pageOf({ id: 1002, phase: { type: 'phase', id: Number(phase.id) }, severity: { type: 'list_node', id: Number(severity.id) } }),
      times: 100
    });

    const run = await gate({ phases: 'New', severities: 'Urgent' });

    expect(run.code).toBe(1);
    expect(JSON.parse(run.outputs.defects ?? '[]')).toEqual([
      expect.objectContaining({ id: '1002', name: 'odd', phase: 'New', severity: 'Urgent', url: expect.stringMatching(/&id=1002$/) })
    ]);
  });

  it('an id with URL and HTML metacharacters is an unreadable answer: the gate fails closed and lists nothing', async () => {
    sim().faults.add({ method: 'GET', path: DEFECTS, json: pageOf({ id: '1002&x=<b>' }), times: 100 });

    const run = await gate({ phases: 'New', severities: 'Urgent' });

    expect(run.code).toBe(1);
    expect(run.errors).toEqual([
      expect.stringMatching(/^Octane answered 200 OK to GET defects with an unreadable id \(a text of 10 characters/)
    ]);
    expect(run.outputs.defects).toBeUndefined();
    expect(visibleText(run)).not.toContain('<b>');
  });

  // A hostile server's defect without an id was once output as {"id":"undefined"} with a link ending "&id=undefined";
  // now it is listed with an empty id and no link.
  it('a listed defect without an id is never shown as "undefined"', async () => {
    sim().faults.add({ method: 'GET', path: DEFECTS, json: pageOf({ id: undefined }), times: 100 });

    const run = await gate({ phases: 'New', severities: 'Urgent' });

    expect(run.code).toBe(1);
    expect(visibleText(run)).not.toContain('undefined');
  });
});

describe('Octane answers pages whose counts cannot be trusted', () => {
  it('total_count larger than the page, with list-limit above it: the gate fails closed saying the counts disagree', async () => {
    sim().faults.add({ method: 'GET', path: DEFECTS, json: { ...pageOf({}), total_count: 50 } });

    const run = await gate({ 'list-limit': '100' });

    expect(run.code).toBe(1);
    expect(run.outputs).toEqual({});
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(/^Octane's counts disagree \(total \d+, by severity \d+, by phase \d+\).*Run the gate again\.$/);
  });

  it('200 {"data": []} with no total_count on every defects answer: fails, saying the answer is not a page', async () => {
    sim().faults.add({ method: 'GET', path: DEFECTS, json: { data: [] }, times: 100 });

    const run = await gate();

    expect(run.code).toBe(1);
    expect(run.outputs).toEqual({});
    expect(run.errors).toEqual(['Octane answered GET defects with JSON that is not a page of entities (no data array or total_count)']);
    expect(run.summary).toBe('');
  });

  it.each([
    ['-1', -1],
    ['1.5', 1.5]
  ])('total_count %s: the gate cannot count and says so', async (shown, value) => {
    sim().faults.add({ method: 'GET', path: DEFECTS, json: { total_count: value, data: [] }, times: 100 });

    const run = await gate();

    expect(run.code).toBe(1);
    expect(run.outputs).toEqual({});
    expect(run.errors).toEqual([`Octane answered GET defects with a total_count that is not a count (${shown}); it was not used`]);
  });

  it('a release look-up answering {"data": []} without total_count fails, naming the collection', async () => {
    sim().faults.add({ method: 'GET', path: '/releases', json: { data: [] } });

    const run = await gate();

    expect(run.code).toBe(1);
    expect(run.errors).toEqual(['Octane answered GET releases with JSON that is not a page of entities (no data array or total_count)']);
  });

  // When one query of the counting wave failed, the step once signed out while the others were still in flight;
  // they got 401, logged retries under the verdict and signed in again, leaving sessions open. The client's close()
  // now lets them land first and stops retries and new sign-ins.
  it('one failed count query: nothing is sent after the sign-out, and no session is left open', async () => {
    sim().faults.add({ method: 'GET', path: DEFECTS, json: { data: [] }, times: 1 });

    const run = await gate();

    expect(run.code).toBe(1);
    expect(requestsAfterSignOut()).toBe(0);
    expect(signOuts(sim()).length).toBe(signIns(sim()).length);
  });
});

describe('authentication trouble after sign-in', () => {
  it('401 on every API call: one new sign-in, a clear message about the key, a bounded number of requests, signed out', async () => {
    sim().faults.add({ path: '/api/', status: 401, times: 1000 });

    const run = await gate();

    expect(run.code).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(
      /^Octane answered 401 Unauthorized to GET \w+: .*it still failed after signing in again, so the API access key may have lost its access$/
    );
    expect(signIns(sim())).toHaveLength(2);
    // Two sign-ins, the first wave's six requests twice each, the sign-out.
    expect(sim().log.length).toBeLessThanOrEqual(15);
    expect(sim().log.at(-1)?.path).toMatch(/\/authentication\/sign_out$/);
  });

  it('401 on every API call in create-defect: the same message, and no defect written', async () => {
    sim().faults.add({ path: '/api/', status: 401, times: 1000 });
    const before = sim().store.all('defects').length;

    const run = await create();

    expect(run.code).toBe(1);
    expect(run.errors[0]).toContain('it still failed after signing in again');
    expect(writes(sim())).toBe(0);
    expect(sim().store.all('defects')).toHaveLength(before);
  });
});

describe('sign-in cookies with unusual attributes (a front proxy rewriting Set-Cookie)', () => {
  let front: http.Server;
  let frontUrl = '';
  let rewrite: (cookie: string) => string = (c) => c;
  beforeAll(async () => {
    front = http.createServer((req, res) => {
      const target = new URL(sim().url);
      const upstream = http.request(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          const headers = { ...answer.headers };
          if (headers['set-cookie']) headers['set-cookie'] = headers['set-cookie'].map((c) => rewrite(c));
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
    await new Promise<void>((resolve) => front.close(() => resolve()));
  });

  // Secure over plain http and a Domain of another host: see hostile-network.test.ts (RFC 6265 drops them).
  it.each([
    ['a Domain attribute naming the host', (c: string) => `${c}; Domain=127.0.0.1`],
    ['lower-case attributes and SameSite', (c: string) => c.replace('HttpOnly', 'httponly; samesite=Strict')]
  ])('%s: the session still works with the one configured server, and the gate runs', async (_title, fn) => {
    rewrite = fn;
    const run = await runInProcess({
      mode: 'gate',
      ...connectionInputs(sim()),
      'octane-url': frontUrl,
      'release-name': '2026.4',
      retries: '1'
    });

    expect(run.code).toBe(1);
    expect(run.errors[0]).toMatch(/^Gate failed: \d+ defects \(release 2026\.4/);
    expect(signIns(sim())).toHaveLength(1);
    expect(
      sim()
        .log.filter((r) => r.path.includes('/api/'))
        .every((r) => r.status === 200 && r.lwsso !== undefined)
    ).toBe(true);
  });

  it('a session cookie that expires at once (Max-Age=0) is reported as no session cookie, pointing at octane-url', async () => {
    rewrite = (c) => `${c}; Max-Age=0`;
    const run = await runInProcess({ mode: 'gate', ...connectionInputs(sim()), 'octane-url': frontUrl, 'release-name': '2026.4' });

    expect(run.code).toBe(1);
    expect(run.errors).toEqual([
      "Octane answered 200 OK to sign-in but set no session cookie (LWSSO_COOKIE_KEY); check that the server's address points at the Octane server. Check octane-url."
    ]);
    expect(sim().log.some((r) => r.path.includes('/api/'))).toBe(false);
  });
});

describe('a slow server, and retries: 0', () => {
  it('release look-up slower than timeout-seconds with retries 0: one attempt, a message naming the wait and the request', async () => {
    // A hang (30 s) against a 1 s timeout: no load on the machine can make the answer come in time.
    sim().faults.add({ method: 'GET', path: '/releases', delayMs: 30_000, times: 100 });

    const run = await gate({ 'timeout-seconds': '1', retries: '0' });

    expect(run.code).toBe(1);
    expect(run.errors).toEqual([
      expect.stringMatching(/^Octane at 127\.0\.0\.1:\d+ gave no answer within 1 s to GET releases \(timeout\)$/)
    ]);
    expect(sim().log.filter((r) => r.path.endsWith('/releases'))).toHaveLength(1);
  });

  it('every answer slow but well inside the timeout (0.5 s of 5 s): the gate completes with the right count', async () => {
    const expected = (await gate()).outputs['defect-count'];
    sim().log.length = 0;
    // Wide apart, so that a loaded machine cannot push an answer past the timeout.
    sim().latencyMs = 500;
    try {
      const run = await gate({ 'timeout-seconds': '5' });
      expect(run.code).toBe(1);
      expect(run.outputs['defect-count']).toBe(expected);
      // The sign-out is sent and not waited for (its answer may still be on its way): every other call answered 200.
      const outs = signOuts(sim());
      expect(outs).toHaveLength(1);
      expect(
        sim()
          .log.filter((r) => !outs.includes(r))
          .every((r) => r.status === 200)
      ).toBe(true);
    } finally {
      sim().latencyMs = 0;
    }
  }, 60_000);

  it('retries 0 and a 503 on the create: fails naming the 503, and no defect is filed', async () => {
    const name = 'adversarial retries-0 create';
    sim().faults.add({ method: 'POST', path: DEFECTS, status: 503 });

    const run = await create({ 'defect-name': name, retries: '0' });

    expect(run.code).toBe(1);
    expect(run.errors[0]).toMatch(/^Octane answered 503 Service Unavailable to POST defects/);
    expect(defectsNamed(sim(), name)).toHaveLength(0);
    expect(sim().log.filter((r) => r.method === 'POST' && r.path.endsWith(DEFECTS))).toHaveLength(1);
  });
});

describe('threshold edges', () => {
  it("'==' with threshold 0 and zero matching defects passes", async () => {
    const run = await gate({ 'release-name': '2026.5', severities: 'Urgent', 'threshold-operator': '==', threshold: '0' });

    expect(run.code).toBe(0);
    expect(run.outputs).toMatchObject({ 'gate-result': 'passed', 'defect-count': '0', defects: '[]' });
    expect(run.summary).toContain('Gate passed');
  });

  it("'EQ' with threshold 0 and open defects fails, showing the operator", async () => {
    const run = await gate({ 'threshold-operator': 'EQ', threshold: '0' });

    expect(run.code).toBe(1);
    expect(run.errors[0]).toMatch(/; allowed: == 0$/);
  });
});

describe('list-limit 1000 with 5,000 matching defects', () => {
  beforeAll(() => {
    const release = sim().store.add('releases', { name: 'adversarial big' });
    sim().store.addDefects(5_000, {
      release,
      phase: sim().store.byLogicalName('phase.defect.new'),
      severity: sim().store.byLogicalName('list_node.severity.high')
    });
  });

  it('counts all 5,000, lists exactly 1,000, in a bounded number of requests and bytes', async () => {
    const run = await gate({ 'release-name': 'adversarial big', 'list-limit': '1000' });

    expect(run.code).toBe(1);
    expect(run.outputs['defect-count']).toBe('5000');
    expect(JSON.parse(run.outputs.defects ?? '[]')).toHaveLength(1000);
    expect(JSON.parse(run.outputs['counts-by-severity'] ?? '{}')).toMatchObject({ High: 5000 });
    // No paging through the 5,000: sign-in, 3 look-ups, the list, 5 severity counts, 3 phase counts, sign-out.
    expect(sim().log.length).toBeLessThanOrEqual(15);
    expect(sim().log.every((r) => Number(r.query.limit ?? '0') <= 1000)).toBe(true);
    // Well under GitHub's 1 MiB limits for a step summary and a job's outputs.
    expect(Buffer.byteLength(run.summary)).toBeLessThan(512 * 1024);
    expect(Buffer.byteLength(JSON.stringify(run.outputs))).toBeLessThan(512 * 1024);
    expect(run.summary).toContain('and 4000 more');
  });

  // At list-limit 1000, the maximum, the summary once advised raising list-limit; it cannot be raised.
  it('at the maximum list-limit the summary does not advise raising it', async () => {
    const run = await gate({ 'release-name': 'adversarial big', 'list-limit': '1000' });

    expect(run.summary).toContain('and 4000 more');
    expect(run.summary).not.toMatch(/raise `?list-limit/);
  });
});
