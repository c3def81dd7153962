// Security through the bundled action (issue 3, "Security suite"): the secret, the session cookies and
// the proxy password never reach what a reader can see, on good and bad paths, with RUNNER_DEBUG=1 and
// when Octane echoes the request back; and workflow commands hidden in Octane data stay inert.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSimulator, type Fault } from '../../simulator/index.js';
import { loopbackOf, startProxy, type TestProxy } from '../helpers/connect-proxy.js';
import { connectionInputs, refId, useSimulator } from '../helpers/e2e-simulator.js';
import { shown as decodeEntities } from '../helpers/markup.js';
import { runAction, visibleText, type ActionRun } from '../../test-support/run-action.js';

const HOST = 'octane.example.test';
const SECRET = 'Sx9+q/Lw_7$kT=mZ';
const WRONG_SECRET = 'Wr0ng-Secret_4Vd+8=';
const PROXY_USER = 'builder';
const PROXY_PASSWORD = 'Pr0xy-p@ss!w0rd';

const sim = useSimulator({ credentials: [{ clientId: 'sim-client', clientSecret: SECRET }] });
let proxy: TestProxy;

beforeAll(async () => {
  proxy = await startProxy({ hosts: { [HOST]: loopbackOf(sim().url) }, auth: { user: PROXY_USER, password: PROXY_PASSWORD } });
});
afterAll(async () => {
  await proxy?.close();
});

/** Inputs that reach the simulator by a host name, so the request goes through the proxy. */
function inputs(extra: Record<string, string>): Record<string, string> {
  return {
    ...connectionInputs(sim()),
    'octane-url': `http://${HOST}:${new URL(sim().url).port}`,
    'release-name': '2026.4',
    ...extra
  };
}

const ENV = (): Record<string, string> => ({ RUNNER_DEBUG: '1', http_proxy: proxy.authUrl, GITHUB_REPOSITORY: 'octo/app' });

/**
 * Session cookie values the client sent (so it had them), from the simulator's request log.
 * OCTANE_USER is left out: its value is the client id, which is not a secret (the log names it).
 */
function sentCookieValues(): string[] {
  const values = sim().log.flatMap((r) =>
    (r.headers.cookie ?? '')
      .split(/;\s*/)
      .filter((c) => !c.startsWith('OCTANE_USER='))
      .map((c) => c.slice(c.indexOf('=') + 1))
      .filter((v) => v.length >= 4)
  );
  return [...new Set(values)];
}

const proxyToken = (): string => Buffer.from(`${PROXY_USER}:${PROXY_PASSWORD}`).toString('base64');

/** Every secret a run may know of, in each form that could be printed. */
function secretsOf(clientSecret: string): string[] {
  return [clientSecret, PROXY_PASSWORD, encodeURIComponent(PROXY_PASSWORD), proxyToken(), ...sentCookieValues()];
}

function expectNothingLeaks(run: ActionRun, clientSecret = SECRET): void {
  const shown = visibleText(run);
  for (const secret of secretsOf(clientSecret)) expect(shown).not.toContain(secret);
  // The runner learns the secret and the proxy password before anything else is printed.
  const lines = run.stdout.split('\n');
  const firstOther = lines.findIndex((l) => !l.startsWith('::add-mask::'));
  const masks = lines.slice(0, firstOther);
  expect(masks).toContain(`::add-mask::${clientSecret}`);
  expect(masks).toContain(`::add-mask::${PROXY_PASSWORD}`);
  // Debug output was on, so the absence above is not for want of logging.
  expect(run.stdout).toContain('::debug::');
}

interface Scenario {
  title: string;
  extra?: Record<string, string>;
  fault?: Fault;
  code: number;
  /** Part of the ::error:: annotation (when the step fails). */
  error?: string;
  /** The faulted request carried this secret (so its echo would have shown it). */
  echoed?: (clientSecret: string) => string[];
}

const SCENARIOS: Scenario[] = [
  { title: 'a gate that passes', extra: { mode: 'gate', 'release-name': '2026.5', severities: 'High, Very High, Urgent' }, code: 0 },
  { title: 'a gate that fails', extra: { mode: 'gate' }, code: 1, error: 'Gate failed' },
  { title: 'a created defect', extra: { mode: 'create-defect', 'defect-name': 'Security suite: create' }, code: 0 },
  {
    title: 'a 500 on sign-in that echoes the request body (with the secret)',
    extra: { mode: 'gate', retries: '0' },
    fault: { method: 'POST', path: '/authentication/sign_in', echoRequest: true },
    code: 1,
    error: 'Request rejected',
    echoed: (secret) => [secret]
  },
  {
    title: 'a 500 on the gate query that echoes the request headers (with the cookies)',
    extra: { mode: 'gate', retries: '0' },
    fault: { method: 'GET', path: '/defects', echoRequest: true, times: 10 },
    code: 1,
    error: 'Request rejected',
    echoed: () => sentCookieValues()
  },
  {
    title: 'a 500 on create that echoes the request (cookies and body)',
    extra: { mode: 'create-defect', 'defect-name': 'Security suite: echo', retries: '0' },
    fault: { method: 'POST', path: '/defects', echoRequest: true },
    code: 1,
    error: 'Request rejected',
    echoed: () => sentCookieValues()
  },
  {
    title: 'an HTML error page from a proxy',
    extra: { mode: 'gate', retries: '0' },
    fault: { method: 'GET', path: '/releases', html: true, status: 502 },
    code: 1,
    error: 'HTML page'
  },
  {
    title: 'a timeout',
    extra: { mode: 'gate', retries: '0', 'timeout-seconds': '1' },
    // A hang against a 1 s timeout, so that load cannot make the answer come in time.
    fault: { method: 'GET', path: '/releases', delayMs: 30_000 },
    code: 1,
    error: 'within 1 s'
  }
];

describe('no secret is ever visible (RUNNER_DEBUG=1, through a proxy that wants a password)', () => {
  it.each(SCENARIOS.map((s) => [s.title, s] as const))('%s', async (_title, s) => {
    if (s.fault) sim().faults.add(s.fault);
    const before = proxy.forwarded.length;
    const run = await runAction(inputs(s.extra ?? {}), { env: ENV() });

    expect(run.code).toBe(s.code);
    if (s.error) expect(run.errors.join('\n')).toContain(s.error);
    else expect(run.errors).toEqual([]);
    // The requests went through the proxy, with its credentials.
    expect(proxy.forwarded.length).toBeGreaterThan(before);
    expect(proxy.refused).toBe(0);
    if (s.echoed) {
      const carried = s.echoed(SECRET);
      expect(carried.length).toBeGreaterThan(0);
      const faulted = sim().log.find((r) => r.status === 500);
      expect(faulted).toBeDefined();
      const request = `${JSON.stringify(faulted?.headers)} ${faulted?.body}`;
      expect(carried.some((secret) => request.includes(secret))).toBe(true);
    }
    expectNothingLeaks(run);
  });

  it('a bad key (401 at sign-in): neither that secret nor the proxy password is shown', async () => {
    const run = await runAction(inputs({ mode: 'gate', 'client-secret': WRONG_SECRET }), { env: ENV() });
    expect(run.code).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toContain('refused the client id and secret');
    expect(sim().log.some((r) => r.status === 401 && r.body.includes(WRONG_SECRET))).toBe(true);
    expectNothingLeaks(run, WRONG_SECRET);
  });

  it('a secret with JSON metacharacters, echoed back JSON-escaped, is not shown in any form', async () => {
    // Octane echoes the raw request body, where `"` and `\` of the secret come back as `\"` and `\\`:
    // masking the plain value alone does not hide that form.
    const secret = 'Ab"cd\\ef/Q7+zz';
    const local = await startSimulator({ credentials: [{ clientId: 'sim-client', clientSecret: secret }] });
    try {
      local.faults.add({ method: 'POST', path: '/authentication/sign_in', echoRequest: true });
      const run = await runAction(
        {
          ...connectionInputs(local),
          'release-name': '2026.4',
          mode: 'gate',
          retries: '0'
        },
        { env: { RUNNER_DEBUG: '1' } }
      );
      expect(run.code).toBe(1);
      expect(run.errors.join('\n')).toContain('Request rejected');
      const shown = visibleText(run);
      const escaped = JSON.stringify(secret).slice(1, -1);
      expect(local.log[0]?.body).toContain(escaped);
      expect(shown).not.toContain(secret);
      expect(shown).not.toContain(escaped);
      // Nor a long-enough piece of it that would identify it.
      expect(shown).not.toContain('ef/Q7+zz');
    } finally {
      await local.close();
    }
  });
});

describe('a long echoed error', () => {
  /** The simulator's echo text for a logged request (see simulator/server.ts, faultAnswer). */
  const echoOf = (r: { method: string; path: string; headers: Record<string, string>; body: string }): string =>
    `Request rejected: ${r.method} ${r.path} headers=${JSON.stringify(r.headers)} body=${r.body}`;
  const lwsso = (cookie: string | undefined): string => /LWSSO_COOKIE_KEY=([^;]+)/.exec(cookie ?? '')?.[1] ?? '';

  async function echoRun(prefixLength: number): Promise<{ run: ActionRun; echo: string; token: string }> {
    const local = await startSimulator({ pathPrefix: `/${'p'.repeat(prefixLength)}` });
    try {
      local.faults.add({ method: 'GET', path: '/releases', echoRequest: true });
      const run = await runAction(
        {
          mode: 'gate',
          ...connectionInputs(local),
          'release-name': '2026.4',
          retries: '0'
        },
        { env: { RUNNER_DEBUG: '1' } }
      );
      const faulted = local.log.find((r) => r.status === 500);
      if (!faulted) throw new Error('the fault did not hit');
      return { run, echo: echoOf(faulted), token: lwsso(faulted.headers.cookie) };
    } finally {
      await local.close();
    }
  }

  it('cut short inside the session cookie, shows no piece of the cookie', async () => {
    // Octane's description is cut at 1000 characters for the log; put the cut 16 characters into
    // the cookie value by lengthening the path (a path prefix) in front of the echoed headers.
    const probe = await echoRun(600);
    const at = probe.echo.indexOf(probe.token);
    expect(at).toBeGreaterThan(0);
    const { run, echo, token } = await echoRun(600 + (1000 - 16 - at));
    expect(echo.indexOf(token)).toBe(1000 - 16);
    expect(run.code).toBe(1);
    expect(run.errors.join('\n')).toContain('Request rejected');
    const shown = visibleText(run);
    expect(shown).not.toContain(token);
    expect(shown).not.toContain(token.slice(0, 12));
  });
});

// ------------------------------------------------------------------------------------------------
// Workflow commands injected through Octane data.

const INJECTED = [
  '::set-output name=gate-result::passed',
  '::add-mask::2026.4',
  '::error::forged',
  '%0A::warning::x',
  '<script>alert(1)</script>',
  '| a | b |',
  '::stop-commands::swallow',
  'first line\n::error::forged on a line of its own'
];
const INJECTED_RELEASE = '::set-output name=gate-result::passed';

// Its log is kept across these tests: a run's masks are checked against every cookie sent so far.
const injSim = useSimulator({}, { resetEachTest: false });

beforeAll(() => {
  const store = injSim().store;
  const root = store.all('work_item_roots')[0];
  const add = (release: string, name: string): void => {
    store.add('defects', {
      name,
      description: '<p>injected</p>',
      parent: root,
      release: store.releaseByName(release),
      phase: store.byLogicalName('phase.defect.new'),
      severity: store.byLogicalName('list_node.severity.urgent'),
      is_draft: false
    });
  };
  for (const name of INJECTED) add('2026.4', name);
  store.add('releases', { name: INJECTED_RELEASE });
  for (const name of INJECTED) add(INJECTED_RELEASE, name);
});

function injConnection(releaseName: string): Record<string, string> {
  return {
    mode: 'gate',
    ...connectionInputs(injSim()),
    'release-name': releaseName,
    phases: 'New',
    severities: 'Urgent'
  };
}

/**
 * Lines outside `::stop-commands::T` ... `::T::` regions that start with `::`, i.e. that the runner
 * would read as commands. Also checks that every region is closed (an open one would silence the
 * rest of the log, the verdict included).
 */
function commandLines(stdout: string): string[] {
  const out: string[] = [];
  let end: string | undefined;
  for (const line of stdout.split('\n')) {
    if (end !== undefined) {
      if (line === end) end = undefined;
      continue;
    }
    const stop = /^::stop-commands::(.+)$/.exec(line);
    if (stop) {
      // The token must be unguessable, not something from the data.
      expect(stop[1]).toMatch(/^[0-9a-f-]{32,}$/);
      end = `::${stop[1]}::`;
      continue;
    }
    if (line.startsWith('::')) out.push(line);
  }
  expect(end).toBeUndefined();
  return out;
}

/**
 * Only the action's own commands, each of a known shape: masks of the secret and session cookies,
 * groups, debug lines, and at most one error of the given shape.
 */
function expectOnlyOwnCommands(run: ActionRun, error?: RegExp): void {
  const known = new Set([
    injSim().credentials.clientSecret,
    ...injSim().log.flatMap((r) => (r.headers.cookie ?? '').split(/;\s*/).map((c) => c.slice(c.indexOf('=') + 1))),
    // A cookie re-issued by an answer of the last wave is masked though no request carried it back.
    ...injSim().log.flatMap((r) => (r.setLwsso ? [r.setLwsso] : []))
  ]);
  const commands = commandLines(run.stdout);
  for (const line of commands) {
    const mask = /^::add-mask::(.*)$/.exec(line);
    if (mask) {
      expect(known.has(mask[1] as string)).toBe(true);
      continue;
    }
    if (line.startsWith('::error::') && error) {
      expect(line).toMatch(error);
      continue;
    }
    expect(line).toMatch(/^::(group::[^:]+|endgroup::|debug::.*)$/);
  }
  expect(commands.filter((l) => l.startsWith('::error'))).toHaveLength(error ? 1 : 0);
}

async function runInjected(releaseName: string): Promise<ActionRun> {
  const run = await runAction(injConnection(releaseName), { env: { RUNNER_DEBUG: '1' } });
  const release = injSim().store.releaseByName(releaseName);
  const expected = injSim()
    .store.all('defects')
    .filter(
      (d) =>
        refId(d.release) === release.id &&
        refId(d.phase) === injSim().store.byLogicalName('phase.defect.new').id &&
        refId(d.severity) === injSim().store.byLogicalName('list_node.severity.urgent').id
    );

  // The outputs are what the action computed, untouched by the data.
  expect(run.code).toBe(1);
  expect(run.outputs['gate-result']).toBe('failed');
  expect(run.outputs['defect-count']).toBe(String(expected.length));
  const listed = JSON.parse(run.outputs.defects ?? '[]') as Array<{ name: string }>;
  expect(listed.map((d) => d.name).sort()).toEqual(expected.map((d) => String(d.name)).sort());
  for (const name of INJECTED) expect(listed.map((d) => d.name)).toContain(name);

  expectOnlyOwnCommands(run, /^::error::Gate failed: .*$/);
  expect(run.errors).toHaveLength(1);
  expect(run.errors[0]).toMatch(/^Gate failed: /);
  expect(run.warnings).toEqual([]);
  expect(run.stdout).not.toMatch(/^::set-output/m);
  expect(run.stdout).not.toContain('::add-mask::2026.4');

  // The summary shows every name escaped: no raw markup, and the table keeps its columns.
  expect(run.summary).not.toContain('<script>');
  expect(run.summary).not.toMatch(/^::/m);
  const decoded = decodeEntities(run.summary);
  for (const name of INJECTED) expect(decoded).toContain(name.replace(/\n/g, ' '));
  const lines = run.summary.split('\n');
  const header = lines.findIndex((l) => l.startsWith('| ID | Name |'));
  expect(header).toBeGreaterThan(-1);
  const rows: string[] = [];
  for (let i = header; i < lines.length && (lines[i] as string).startsWith('|'); i++) rows.push(lines[i] as string);
  expect(rows).toHaveLength(2 + Math.min(expected.length, 100));
  for (const row of rows) expect(row.split('|')).toHaveLength(6);
  return run;
}

describe('workflow commands in Octane data are inert', () => {
  it('defect names that look like commands change no output and forge no annotation', async () => {
    const run = await runInjected('2026.4');
    expect(run.outputs['defect-count']).not.toBe('0');
  });

  it('a release name with :: inside, given as input and found in Octane, is printed inert too', async () => {
    const run = await runInjected(INJECTED_RELEASE);
    // The name is in the verdict (inside the action's own ::error::), and nowhere as a command.
    expect(run.errors[0]).toContain(INJECTED_RELEASE);
  });

  it.each([
    ['a created defect', 'false'],
    ['a dry run that prints the fields', 'true']
  ])('a defect name that looks like commands, in %s, changes no output', async (_title, dryRun) => {
    const name = '::set-output name=created::false';
    const before = injSim().store.all('defects').length;
    const { phases: _p, severities: _s, ...connection } = injConnection('2026.5');
    const run = await runAction(
      {
        ...connection,
        mode: 'create-defect',
        'defect-name': name,
        'defect-description': '::error::forged\n::add-mask::2026.5',
        'dry-run': dryRun
      },
      { env: { RUNNER_DEBUG: '1', GITHUB_REPOSITORY: 'octo/app' } }
    );
    expect(run.code).toBe(0);
    expectOnlyOwnCommands(run);
    expect(run.warnings).toEqual([]);
    if (dryRun === 'true') {
      expect(run.stdout).toContain(name);
      expect(run.outputs).toEqual({ 'defect-id': '', 'defect-url': '', created: 'false', attachments: '[]', 'failed-tests': '' });
      expect(injSim().store.all('defects')).toHaveLength(before);
    } else {
      expect(run.outputs.created).toBe('true');
      expect(injSim().store.get('defects', run.outputs['defect-id'] as string)?.name).toBe(name);
      expect(injSim().store.all('defects')).toHaveLength(before + 1);
    }
    expect(decodeEntities(run.summary)).toContain(name);
  });
});
