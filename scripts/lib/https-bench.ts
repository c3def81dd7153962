// The HTTPS part of `npm run bench`: the action, a floor client and the official SDK, each as its
// own Node process, through a relay on loopback that charges real round trips (TCP and TLS
// handshakes included) to a simulator serving HTTPS with a certificate of a private CA, trusted
// through NODE_EXTRA_CA_CERTS as on a self-hosted runner. Then the CPU cost of a TLS connection
// with and without NODE_EXTRA_CA_CERTS.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulator, type Simulator } from '../../simulator/index.js';
import { connectionInputs, runAction } from '../../test-support/run-action.js';
import { makeBenchCa, type BenchCa } from './ca.js';
import { startRelay, type Relay } from './relay.js';
import { clientWaves, describeWaves } from './waves.js';
import { median, probeEnv, runNode, type Probe } from './measure.js';
import { kib, ms, table } from './report.js';

const SCRIPTS = resolve(dirname(fileURLToPath(import.meta.url)));
const OPEN_PHASES = ['phase.defect.new', 'phase.defect.opened', 'phase.defect.deferred'];
/** The gate on the sample data: 2026.4, default phases, every severity: 8 defects, fails. */
const GATE_RELEASE = '2026.4';
const GATE_COUNT = 8;
/** Creates go to another release, so the gate's count stays 8 from run to run. */
const CREATE_RELEASE = '2026.5';

type Client = 'floor-gate' | 'gate' | 'sdk' | 'floor-create' | 'create';
const CLIENTS: Array<{ id: Client; label: string; floor?: Client }> = [
  { id: 'floor-gate', label: 'floor: sign-in + 1 query, 1 connection' },
  { id: 'gate', label: 'action gate (2026.4, defaults: fails)', floor: 'floor-gate' },
  { id: 'sdk', label: 'official JS SDK, same gate, limit(1000)', floor: 'floor-gate' },
  { id: 'floor-create', label: 'floor: sign-in + look-ups + POST' },
  { id: 'create', label: 'action create-defect', floor: 'floor-create' }
];

interface Sample {
  wallMs: number;
  /** From spawn to the relay's first accepted connection: mostly Node start-up and loading code. */
  firstConnectMs: number;
  requests: number;
  connections: number;
  bytesUp: number;
  bytesDown: number;
  probe: Probe;
}

interface Env {
  sim: Simulator;
  relay: Relay;
  ca: BenchCa;
  /** The relay's URL: what every client is pointed at. */
  url: string;
}

function sdkEnv(e: Env): Record<string, string> {
  return {
    OCTANE_URL: e.url,
    SHARED_SPACE_ID: e.sim.sharedSpaceId,
    WORKSPACE_ID: e.sim.workspaceId,
    CLIENT_ID: e.sim.credentials.clientId,
    CLIENT_SECRET: e.sim.credentials.clientSecret
  };
}

async function runOnce(e: Env, client: Client, i: number): Promise<Sample> {
  const probe = probeEnv();
  const env = { ...probe.env, NODE_EXTRA_CA_CERTS: e.ca.caFile };
  e.sim.log.length = 0;
  e.relay.reset();
  const started = performance.now();
  try {
    let wallMs: number;
    if (client === 'gate' || client === 'create') {
      const inputs: Record<string, string> =
        client === 'gate'
          ? { mode: 'gate', 'release-name': GATE_RELEASE }
          : { mode: 'create-defect', 'release-name': CREATE_RELEASE, 'defect-name': `Bench: build ${i} failed` };
      const run = await runAction({ ...connectionInputs(e.sim), 'octane-url': e.url, ...inputs }, { env });
      wallMs = performance.now() - started;
      const ok =
        client === 'gate'
          ? run.code === 1 && run.outputs['defect-count'] === String(GATE_COUNT)
          : run.code === 0 && Boolean(run.outputs['defect-id']);
      if (!ok)
        throw new Error(
          `${client} over HTTPS: exit ${run.code}, outputs ${JSON.stringify(run.outputs)}\n${run.stdout.slice(-2000)}\n${run.stderr.slice(-1000)}`
        );
    } else {
      const script = client === 'sdk' ? 'sdk-gate.mjs' : 'floor.mjs';
      const extra: Record<string, string> =
        client === 'sdk'
          ? { SDK_PAGE_SIZE: '1000', RELEASE_NAME: GATE_RELEASE, PHASE_LOGICAL_NAMES: OPEN_PHASES.join(',') }
          : client === 'floor-gate'
            ? { FLOOR_MODE: 'gate', RELEASE_NAME: GATE_RELEASE, PHASE_LOGICAL_NAMES: OPEN_PHASES.join(',') }
            : { FLOOR_MODE: 'create', RELEASE_NAME: CREATE_RELEASE, DEFECT_NAME: `Bench: floor ${i}` };
      const run = await runNode([resolve(SCRIPTS, script)], { ...env, ...sdkEnv(e), ...extra });
      wallMs = run.wallMs;
      const result = /^RESULT (.*)$/m.exec(run.stdout);
      const parsed = result ? (JSON.parse(result[1]!) as { count?: number; id?: string }) : undefined;
      const ok = run.code === 0 && parsed !== undefined && (client === 'floor-create' ? Boolean(parsed.id) : parsed.count === GATE_COUNT);
      if (!ok) throw new Error(`${client} over HTTPS: exit ${run.code}, ${result?.[0] ?? 'no RESULT line'}\n${run.stderr.slice(0, 2000)}`);
    }
    // A sign-out sent as the client exits is still on its way: count it in this run, not the next.
    if (!(await e.relay.idle(5_000))) throw new Error(`${client} over HTTPS: connections still open 5 s after the process ended`);
    const { connections, bytesUp, bytesDown, firstAcceptAt } = e.relay.counts;
    return {
      wallMs,
      firstConnectMs: (firstAcceptAt ?? NaN) - started,
      requests: e.sim.log.length,
      connections,
      bytesUp,
      bytesDown,
      probe: probe.read()
    };
  } finally {
    probe.dispose();
  }
}

/** Requests in waves from the client's side, the last one named when it is the sign-out alone. */
function waveText(p: Probe): { count: string; detail: string } {
  const waves = clientWaves(p.requests);
  const last = waves[waves.length - 1] ?? [];
  const signOutAlone = waves.length > 1 && last.length === 1 && last[0]!.path.endsWith('/authentication/sign_out');
  const work = waves.length - (signOutAlone ? 1 : 0);
  return { count: `${work}${signOutAlone ? ' + sign-out' : ''}`, detail: describeWaves(waves) };
}

export interface HttpsOptions {
  rttsMs: number[];
  runs: number;
  tlsRuns: number;
  tlsConnections: number;
}

/** Returns the section's Markdown. */
export async function httpsSection(options: HttpsOptions): Promise<string> {
  const out: string[] = [];
  const ca = makeBenchCa();
  const sim = await startSimulator({ tls: { key: ca.serverKey, cert: ca.serverCert } });
  const simPort = Number(new URL(sim.url).port);
  try {
    out.push(`## 5. Over HTTPS with real round trips: the action, the floor and the SDK (median of ${options.runs} runs each)\n`);
    out.push(
      'Every client is its own Node process, pointed at a relay on loopback that passes each chunk of data on half a round\n' +
        'trip after it arrived, in each direction, and holds what a client sends on a new connection until one round trip after\n' +
        'the connection was accepted (the TCP handshake, which the kernel does at once on loopback). TLS 1.3 then pays its own\n' +
        'round trip. The simulator serves HTTPS with a certificate of a private CA made for the run, trusted through\n' +
        '`NODE_EXTRA_CA_CERTS` in every client, as on a self-hosted runner. Runs are interleaved client by client.\n'
    );
    out.push(
      '- *floor (gate)*: plain `node:https`, one keep-alive connection, one TLS context: sign in, one defect query naming the\n' +
        '  release and phases in cross filters (no look-ups), then a sign-out that is sent but not waited for.\n' +
        '- *floor (create)*: sign in, the three look-ups create-defect makes (release, backlog root, origin list) at once, on two\n' +
        '  more connections opened while the sign-in was in flight, then the POST; sign-out sent, not waited for.\n' +
        '- *SDK*: `scripts/lib/sdk-gate.mjs` (section 4) with `limit(1000)`: one page holds the 8 defects.\n' +
        "- *waves*: from the client's own time line (a probe preloaded into each process): a request started after every earlier\n" +
        '  answer had ended starts a new wave. *connections*: TCP connections the relay accepted. *bytes*: what passed the relay\n' +
        "  (TLS records, handshakes included). *first connection*: from spawn to the relay's first accept (start-up). *CPU*: the\n" +
        "  client process's user + system time.\n"
    );
    for (const rtt of options.rttsMs) {
      const relay = await startRelay({ host: '127.0.0.1', port: simPort }, rtt);
      const env: Env = { sim, relay, ca, url: `https://127.0.0.1:${relay.port}` };
      try {
        const samples = new Map<Client, Sample[]>(CLIENTS.map((c) => [c.id, []]));
        // A first round not counted: disk caches and JIT of the bench process warm up.
        for (const c of CLIENTS) await runOnce(env, c.id, -1);
        for (let i = 0; i < options.runs; i++) {
          for (const c of CLIENTS) samples.get(c.id)!.push(await runOnce(env, c.id, i));
        }
        const wall = (id: Client): number => median(samples.get(id)!.map((s) => s.wallMs));
        const rows: string[][] = [];
        const details: string[] = [];
        for (const c of CLIENTS) {
          const list = samples.get(c.id)!;
          const last = list[list.length - 1]!;
          const w = waveText(last.probe);
          const varies = (f: (s: Sample) => number): string => {
            const values = new Set(list.map(f));
            return values.size === 1 ? String(f(last)) : `${Math.min(...values)}–${Math.max(...values)}`;
          };
          rows.push([
            c.label,
            `${ms(wall(c.id))} (${ms(Math.min(...list.map((s) => s.wallMs)))}–${ms(Math.max(...list.map((s) => s.wallMs)))})`,
            c.floor ? `${(wall(c.id) / wall(c.floor)).toFixed(2)}x` : '1.00x',
            w.count,
            varies((s) => s.requests),
            varies((s) => s.connections),
            `${kib(median(list.map((s) => s.bytesUp)))} / ${kib(median(list.map((s) => s.bytesDown)))}`,
            ms(median(list.map((s) => s.firstConnectMs))),
            ms(median(list.map((s) => s.probe.cpuMs)))
          ]);
          details.push(`- ${c.label}: \`${w.detail}\``);
        }
        out.push(`\n### Round trip ${rtt} ms\n`);
        out.push(
          table(
            [
              'client',
              'wall time, median (range)',
              'vs its floor',
              'waves',
              'requests',
              'connections',
              'bytes up / down',
              'first connection',
              'CPU'
            ],
            rows,
            [false, true, true, false, true, true, true, true, true]
          )
        );
        out.push('\nWaves, client side (last run):\n');
        out.push(details.join('\n'));
      } finally {
        await relay.close();
      }
    }

    out.push(await tlsCost(ca, simPort, options));
  } finally {
    await sim.close();
    ca.remove();
  }
  return out.join('\n');
}

/** CPU per TLS connection, by how trust is given, straight to the simulator (no relay). */
async function tlsCost(ca: BenchCa, port: number, options: HttpsOptions): Promise<string> {
  const cases: Array<{ label: string; trust: string; extraEnv: boolean }> = [
    { label: "NODE_EXTRA_CA_CERTS set, no `ca` option (Node's defaults)", trust: 'default', extraEnv: true },
    { label: 'NODE_EXTRA_CA_CERTS set, `ca` = roots + CA on each connection (the action today)', trust: 'per-connection', extraEnv: true },
    {
      label: 'not set, `ca` = roots + CA on each connection (the action today with `ca-certificate`)',
      trust: 'per-connection',
      extraEnv: false
    },
    { label: 'NODE_EXTRA_CA_CERTS set, one shared context (roots + CA)', trust: 'shared', extraEnv: true },
    { label: 'not set, one shared context (roots + CA)', trust: 'shared', extraEnv: false }
  ];
  const results = cases.map(() => [] as Array<{ cpuMsPerConnection: number; contextMs: number }>);
  for (let r = 0; r < options.tlsRuns; r++) {
    for (const [i, c] of cases.entries()) {
      const run = await runNode([resolve(SCRIPTS, 'tls-cost.mjs')], {
        TRUST: c.trust,
        CA_FILE: ca.caFile,
        TARGET_PORT: String(port),
        CONNECTIONS: String(options.tlsConnections),
        ...(c.extraEnv ? { NODE_EXTRA_CA_CERTS: ca.caFile } : {})
      });
      const result = /^RESULT (.*)$/m.exec(run.stdout);
      if (run.code !== 0 || !result) throw new Error(`tls-cost (${c.label}): exit ${run.code}\n${run.stderr.slice(0, 2000)}`);
      results[i]!.push(JSON.parse(result[1]!) as { cpuMsPerConnection: number; contextMs: number });
    }
  }
  const rows = cases.map((c, i) => {
    const per = median(results[i]!.map((x) => x.cpuMsPerConnection));
    const ctx =
      c.trust === 'shared'
        ? `${median(results[i]!.map((x) => x.contextMs)).toFixed(1)} ms once`
        : c.trust === 'default'
          ? "on each connection, over Node's cached root store"
          : 'on each connection, from the whole list';
    return [c.label, `${per.toFixed(1)} ms`, ctx];
  });
  return [
    `\n### TLS: client CPU per connection (${options.tlsConnections} full handshakes in a row, median of ${options.tlsRuns} processes, Node ${process.version})\n`,
    table(['trust', 'CPU per connection', 'context built'], rows, [false, true, false]),
    "\nStraight to the simulator on loopback (no relay), certificates checked; the server's CPU is not counted. The difference\n" +
      'between a row and a shared-context row is what building a context on every connection costs. The one shared context\n' +
      'costs more to build without NODE_EXTRA_CA_CERTS, probably one-time set-up that Node otherwise does when it loads that\n' +
      'file at start-up (not investigated).'
  ].join('\n');
}
