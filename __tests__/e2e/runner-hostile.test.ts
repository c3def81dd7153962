// The bundled action under a hostile runner (issue 7, part 2): names and inputs that hold workflow
// commands in the legacy `##[...]` form stay inert in every line it prints, read the way the runner
// reads a step's output (helpers/runner-commands.ts); a cancelled run winds down as the runner expects;
// the summary and the outputs stay within GitHub's limits.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { Simulator } from '../../simulator/index.js';
import { connectionInputs, postsTo, useSimulator } from '../helpers/e2e-simulator.js';
import { runnerCommands } from '../helpers/runner-commands.js';
import { ACTION_NODE, DIST_ENTRY, parseOutputFile, runAction, type ActionRun } from '../../test-support/run-action.js';
import { waitFor } from '../helpers/wait.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const OWN_GROUPS = new Set(['Inputs', 'Sign in', 'Look-ups', 'Gate query', 'Create defect', 'Create defect (dry run)']);
/** What the action itself issues; anything else the runner would act on came from outside. */
const OWN_COMMANDS = new Set(['add-mask', 'debug', 'warning', 'error', 'group', 'endgroup', 'stop-commands', 'resume']);

/**
 * The runner acts on nothing in the run's output but the action's own commands: no legacy form at
 * all, every stop-commands token a fresh UUID that is resumed, groups only the action's titles, and
 * nothing on stderr. Returns the text the runner prints as plain text while commands are stopped.
 */
function expectOnlyOwnCommands(run: ActionRun): string {
  const scan = runnerCommands(run.stdout);
  expect(scan.stoppedWith).toBeUndefined();
  expect(scan.commands.filter((c) => c.form === 'legacy')).toEqual([]);
  expect(scan.commands.filter((c) => !OWN_COMMANDS.has(c.name))).toEqual([]);
  const stops = scan.commands.filter((c) => c.name === 'stop-commands');
  for (const stop of stops) expect(stop.data).toMatch(UUID);
  expect(scan.commands.filter((c) => c.name === 'resume')).toHaveLength(stops.length);
  expect(new Set(stops.map((s) => s.data)).size).toBe(stops.length);
  for (const group of scan.commands.filter((c) => c.name === 'group')) expect(OWN_GROUPS).toContain(group.data);
  expect(runnerCommands(run.stderr).commands).toEqual([]);
  return scan.inert.join('\n');
}

/** The data of the run's ::error:: commands, decoded as the runner does. */
const errorsOf = (run: ActionRun): string => run.errors.join('\n');

describe('legacy ##[command] text from Octane and from inputs', () => {
  const PHASE = 'New ##[set-output name=gate-result;]passed';
  const SEVERITY = 'Urgent ##[stop-commands]x';
  const RELEASE = 'R7 ##[add-path]/tmp/evil';
  const DEFECT = '##[set-env name=NODE_OPTIONS;]--require=/tmp/evil.js';
  // U+00AD between the two #: .NET's linguistic IndexOf may skip it, so it must be inert too.
  const SOFT = 'Soft #\u00AD#[set-output name=defect-count;]0';
  const sim = useSimulator();

  const hostileStore = (): void => {
    const s = sim();
    s.store.byLogicalName('phase.defect.new').name = PHASE;
    s.store.byLogicalName('list_node.severity.urgent').name = SEVERITY;
    const release = s.store.add('releases', { name: RELEASE });
    const phase = s.store.byLogicalName('phase.defect.new');
    const severity = s.store.byLogicalName('list_node.severity.urgent');
    const parent = s.store.all('work_item_roots')[0];
    for (const name of [DEFECT, SOFT, '::set-output name=defect-count::0']) {
      s.store.add('defects', { name, release, phase, severity, parent });
    }
  };

  it('a failing gate on them: every name is printed, and the runner acts on none of them', async () => {
    hostileStore();
    const run = await runAction({
      ...connectionInputs(sim()),
      mode: 'gate',
      'release-name': RELEASE,
      phases: `${PHASE}, Opened`,
      severities: `${SEVERITY}, High`
    });
    expect(run.code).toBe(1);
    const inert = expectOnlyOwnCommands(run);
    // The names did reach the log (in the Inputs group and the look-ups), as text.
    for (const text of [PHASE, SEVERITY, RELEASE]) expect(inert).toContain(text);
    expect(errorsOf(run)).toContain(`Gate failed: 3 defects (release ${RELEASE}, phases ${PHASE}/Opened, severities ${SEVERITY}/High)`);
    expect(run.outputs['gate-result']).toBe('failed');
    expect(run.outputs['defect-count']).toBe('3');
    expect(
      JSON.parse(run.outputs.defects ?? '[]')
        .map((d: { name: string }) => d.name)
        .sort()
    ).toEqual([DEFECT, SOFT, '::set-output name=defect-count::0'].sort());
  });

  it('a name that does not resolve: the error lists the hostile names, still inert', async () => {
    const run = await runAction({
      ...connectionInputs(sim()),
      mode: 'gate',
      'release-name': RELEASE,
      phases: 'Nope ##[set-output name=gate-result;]passed'
    });
    expect(run.code).toBe(1);
    expectOnlyOwnCommands(run);
    expect(errorsOf(run)).toContain('Nope ##[set-output name=gate-result;]passed');
    expect(errorsOf(run)).toContain(PHASE);
    expect(run.outputs).toEqual({});
  });

  it("Octane's error description and a hostile defect name on a create: inert", async () => {
    sim().faults.add({
      method: 'POST',
      path: '/defects',
      status: 400,
      json: { error_code: 'platform.bad', description: 'Refused ##[set-output name=defect-id;]666 ##[error]x', correlation_id: 'c1' }
    });
    const run = await runAction({
      ...connectionInputs(sim()),
      mode: 'create-defect',
      'release-name': RELEASE,
      'defect-name': 'Build broke ##[add-mask]a',
      severity: SEVERITY
    });
    expect(run.code).toBe(1);
    const inert = expectOnlyOwnCommands(run);
    expect(inert).toContain('Build broke ##[add-mask]a');
    expect(inert).toContain(`Severity ${JSON.stringify(SEVERITY)}`);
    expect(errorsOf(run)).toContain('Refused ##[set-output name=defect-id;]666 ##[error]x');
    expect(run.outputs).toEqual({});
  });
});

describe('1,000 listed defects with 255-character names', () => {
  const sim = useSimulator({ seed: 'empty' });
  // Characters that cost the most: `|` and `<` grow to entities in the summary, `"` and U+0001 to
  // escapes in the JSON output, the emoji is 4 bytes of UTF-8 and 2 UTF-16 code units.
  const FILL = ['|', '"', '\u{1F600}', '\u0001', '<', 'é'];
  const nameOf = (i: number): string => {
    const chars = Array.from(`Defect ${i}: `);
    while (chars.length < 255) chars.push(FILL[chars.length % FILL.length]!);
    return chars.join('');
  };

  it('keep the summary and the outputs under 512 KiB each, and say where the list was cut', async () => {
    const s = sim();
    const release = s.store.releaseByName('2026.4');
    s.store.addDefects(1000, {
      name: nameOf,
      release,
      phase: s.store.byLogicalName('phase.defect.new'),
      severity: s.store.byLogicalName('list_node.severity.high'),
      parent: s.store.all('work_item_roots')[0]
    });
    const run = await runAction(
      { ...connectionInputs(s), mode: 'gate', 'release-name': '2026.4', 'list-limit': '1000' },
      { timeoutMs: 120_000 }
    );
    expect(run.code).toBe(1);
    expect(run.outputs['defect-count']).toBe('1000');

    expect(Buffer.byteLength(run.summary)).toBeLessThanOrEqual(512 * 1024);
    const rows = run.summary.split('\n').filter((line) => line.startsWith('| <a href=')).length;
    expect(rows).toBeGreaterThan(0);
    expect(run.summary).toContain(
      `… and ${1000 - rows} more (listed ${rows} of 1000; the list was cut to keep this summary under 512 KiB; see the rest in Octane).`
    );

    const outputBytes = Object.entries(run.outputs).reduce((n, [name, value]) => n + 2 * (name.length + value.length), 0);
    expect(outputBytes).toBeLessThanOrEqual(512 * 1024);
    const listed = JSON.parse(run.outputs.defects ?? '') as Array<{ id: string; name: string }>;
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.length).toBeLessThan(1000);
    const stored = new Map(s.store.all('defects').map((d) => [d.id, d.name]));
    for (const d of listed) expect(d.name).toBe(stored.get(d.id));
    expect(run.summary).toContain(`The \`defects\` output lists ${listed.length} of them, to keep the step's outputs under 512 KiB`);
    expect(JSON.parse(run.outputs['counts-by-severity'] ?? '')).toMatchObject({ High: 1000, Low: 0 });
  }, 130_000);
});

interface CancelledRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** From the signal to the process's exit. */
  exitMs: number;
  stdout: string;
  errors: string[];
  outputs: Record<string, string>;
  /** Index in sim.log of the first request after the signal was sent. */
  logAtSignal: number;
}

/**
 * Starts the bundle as the runner does, waits until `ready(sim)` holds (a request is on the wire),
 * sends `signal` as the runner does on cancel, and waits for the exit.
 */
async function runAndSignal(
  sim: Simulator,
  inputs: Record<string, string>,
  signal: NodeJS.Signals,
  ready: () => boolean
): Promise<CancelledRun> {
  const dir = mkdtempSync(join(tmpdir(), 'octane-cancel-'));
  const outputFile = join(dir, 'output');
  writeFileSync(outputFile, '');
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: dir, GITHUB_OUTPUT: outputFile };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  try {
    const child = spawn(ACTION_NODE, [DIST_ENTRY], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', () => {});
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('close', (code, sig) => resolve({ code, signal: sig }))
    );
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await waitFor('the run to get to the point where it is cancelled', ready, 20_000);
    const logAtSignal = sim.log.length;
    const sent = performance.now();
    child.kill(signal);
    const { code, signal: bySignal } = await exited;
    const exitMs = performance.now() - sent;
    clearTimeout(killer);
    const errors = stdout
      .split('\n')
      .filter((l) => l.startsWith('::error::'))
      .map((l) => l.slice('::error::'.length).replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%'));
    return { code, signal: bySignal, exitMs, stdout, errors, outputs: parseOutputFile(readFileSync(outputFile, 'utf8')), logAtSignal };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('a cancelled run', () => {
  const sim = useSimulator();
  const isSignOut = (path: string): boolean => path.endsWith('/authentication/sign_out');
  /** The gate's whole batch has arrived (1 + 5 severities + 3 phases on the sample seed), so none lands after the signal. */
  // The gate's list and its two groupings (the fault's path '/defects' holds both), sent with the look-ups.
  const gateOnTheWire = (s: Simulator): boolean => s.log.filter((r) => r.method === 'GET' && r.path.includes('/defects')).length >= 3;

  /** After the signal: the session was signed out, and nothing reached Octane after that. */
  function expectSignedOutLast(run: CancelledRun): void {
    const after = sim().log.slice(run.logAtSignal);
    const signOuts = after.filter((r) => isSignOut(r.path));
    expect(signOuts).toHaveLength(1);
    expect(signOuts[0]!.status).toBe(200);
    expect(isSignOut(sim().log[sim().log.length - 1]!.path)).toBe(true);
  }

  it('SIGINT while Octane holds a create: exits 1 at once, signed out, naming the token the created defect carries', async () => {
    const s = sim();
    s.faults.add({ method: 'POST', path: '/defects', hangAfterProcessing: true });
    const before = new Set(s.store.all('defects').map((d) => d.id));
    const run = await runAndSignal(
      s,
      { ...connectionInputs(s), mode: 'create-defect', 'release-name': '2026.4', 'defect-name': 'Cancelled mid-create' },
      'SIGINT',
      () => s.log.some((r) => r.method === 'POST' && r.path.endsWith('/defects') && r.processedStatus !== undefined)
    );
    expect(run.signal).toBeNull();
    expect(run.code).toBe(1);
    expect(run.exitMs).toBeLessThan(3000);
    // The simulator stored the defect; the message names the creation token it carries.
    const created = s.store.all('defects').filter((d) => !before.has(d.id));
    expect(created).toHaveLength(1);
    const token = /octane-action-request:[0-9a-f-]{36}/.exec(String(created[0]!.description))?.[0];
    expect(token).toBeDefined();
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toContain('The run was cancelled (SIGINT): its calls to Octane were stopped and a sign-out was sent.');
    expect(run.errors[0]).toContain(
      `A defect may have been created: the run was cancelled while Octane was creating it. Before running again, look in release "2026.4" for a defect named "Cancelled mid-create" whose description contains ${token}.`
    );
    expect(run.outputs).toEqual({});
    expectSignedOutLast(run);
    // It stopped starting calls: no second POST, no search for the token.
    expect(postsTo(s, 'defects')).toHaveLength(1);
    expect(s.log.slice(run.logAtSignal).filter((r) => !isSignOut(r.path))).toEqual([]);
  }, 40_000);

  it('SIGTERM during a gate: exits 1 well before the runner kills it, signed out, no verdict', async () => {
    const s = sim();
    s.faults.add({ method: 'GET', path: '/defects', hangAfterProcessing: true, times: 10 });
    const run = await runAndSignal(s, { ...connectionInputs(s), mode: 'gate', 'release-name': '2026.4' }, 'SIGTERM', () =>
      gateOnTheWire(s)
    );
    expect(run.signal).toBeNull();
    expect(run.code).toBe(1);
    // The runner kills 2.5 s after SIGTERM.
    expect(run.exitMs).toBeLessThan(2500);
    expect(run.errors).toEqual(['The run was cancelled (SIGTERM): its calls to Octane were stopped and a sign-out was sent.']);
    expect(run.stdout).not.toContain('Gate passed');
    expect(run.outputs).toEqual({});
    expectSignedOutLast(run);
  }, 40_000);

  it('SIGINT with a sign-out that never answers: the sign-out is sent, its answer not waited for, and the run ends', async () => {
    const s = sim();
    s.faults.add({ method: 'GET', path: '/defects', hangAfterProcessing: true, times: 10 });
    s.faults.add({ method: 'POST', path: '/authentication/sign_out', hangAfterProcessing: true });
    const run = await runAndSignal(s, { ...connectionInputs(s), mode: 'gate', 'release-name': '2026.4' }, 'SIGINT', () => gateOnTheWire(s));
    expect(run.code).toBe(1);
    // Not the second a cancelled run's sign-out may take: once written, its answer is not waited for.
    expect(run.exitMs).toBeLessThan(900);
    expect(s.log.slice(run.logAtSignal).map((r) => r.path.endsWith('/authentication/sign_out'))).toEqual([true]);
    expect(run.errors).toEqual(['The run was cancelled (SIGINT): its calls to Octane were stopped and a sign-out was sent.']);
  }, 40_000);
});
