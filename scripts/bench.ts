/**
 * `npm run bench`: measures the bundled action (dist/index.js, run as a runner runs it) against the
 * simulator, in one run of about a minute:
 *   1. sequential round trips ("waves") of each mode with 100 ms latency on every answer;
 *   2. the gate at 10, 1,000 and 100,000 matching defects: requests, bytes, wall time, peak memory;
 *   3. start-up time to the first validation error, beside a bare `node -e 0`;
 *   4. the same gate done with the official @microfocus/alm-octane-js-rest-sdk, paging through the
 *      defects as its README shows, on the same simulator and data;
 *   5. over HTTPS through a relay that charges 50 and 100 ms round trips, TCP and TLS handshakes
 *      included: the action's gate and create-defect beside a floor client and the SDK, as ratios,
 *      with waves, requests, connections and bytes; and the CPU a TLS connection costs with and
 *      without NODE_EXTRA_CA_CERTS (scripts/lib/https-bench.ts);
 * and the bundle size. Figures of a run are recorded in BENCHMARKS.md.
 * `npm run bench -- --https` runs only the header and section 5 (BENCH_HTTPS_RUNS sets its runs).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { statSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulator, type Simulator } from '../simulator/index.js';
import { connectionInputs, runAction, type ActionRun } from '../test-support/run-action.js';
import { toWaves, describeWaves } from './lib/waves.js';
import { median, probeEnv, runNode, type Probe } from './lib/measure.js';
import { kib, machine, mib, ms, ratio, table } from './lib/report.js';
import { httpsSection } from './lib/https-bench.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = resolve(ROOT, 'dist/index.js');

const LATENCY_MS = 100;
const SIZES = [10, 1_000, 100_000];
const SDK_SIZES = new Set([1_000, 100_000]);
const RUNS_PER_SIZE = 5;
const SDK_RUNS = 3;
const STARTUP_RUNS = 15;
const HTTPS_RTTS_MS = [50, 100];
const HTTPS_RUNS = Number(process.env.BENCH_HTTPS_RUNS || 7);
const TLS_RUNS = 5;
const TLS_CONNECTIONS = 20;
const OPEN_PHASES = ['phase.defect.new', 'phase.defect.opened', 'phase.defect.deferred'];
const SEVERITIES = ['urgent', 'very_high', 'high', 'medium', 'low'].map((s) => `list_node.severity.${s}`);
/** Issue 10's shape: three conditions (one only warning) and two scopes, one a look-up (teams), one not (created-after). */
const CONDITIONS_AND_SCOPES: Record<string, string> = {
  conditions: 'Urgent, Very High == 0\nHigh <= 3\ntotal <= 25 warn',
  teams: 'Platform, Mobile',
  'created-after': '2026-01-01'
};

interface Measured {
  run: ActionRun;
  wallMs: number;
  requests: number;
  probe: Probe;
  /** From the first defect query received to the last answered: the simulator's share of the wall time. */
  defectSpanMs: number;
}

function defectSpan(sim: Simulator): number {
  const defects = sim.log.filter((r) => r.path.endsWith('/defects'));
  if (defects.length === 0) return 0;
  return Math.max(...defects.map((r) => r.answeredAt ?? r.receivedAt)) - Math.min(...defects.map((r) => r.receivedAt));
}

/** One run of the bundle with the probe preloaded; the simulator's log holds only this run's requests. */
async function measureAction(sim: Simulator, inputs: Record<string, string>): Promise<Measured> {
  const probe = probeEnv();
  sim.log.length = 0;
  try {
    const started = performance.now();
    const run = await runAction({ ...connectionInputs(sim), ...inputs }, { env: probe.env });
    const wallMs = performance.now() - started;
    return { run, wallMs, requests: sim.log.length, probe: probe.read(), defectSpanMs: defectSpan(sim) };
  } finally {
    probe.dispose();
  }
}

/** Which bundle was measured: the last commit that touched dist/, and whether the file differs from it. */
function bundleVersion(bytes: Buffer): string {
  const sha = createHash('sha1').update(bytes).digest('hex').slice(0, 12);
  try {
    const commit = execFileSync('git', ['log', '-1', '--format=%h', '--', 'dist/index.js'], { encoding: 'utf8' }).trim();
    const changed = execFileSync('git', ['status', '--porcelain', '--', 'dist/index.js'], { encoding: 'utf8' }).trim() !== '';
    return `sha1 ${sha}, ${changed ? `uncommitted changes on top of ${commit}` : `as committed in ${commit}`}`;
  } catch {
    return `sha1 ${sha}`;
  }
}

function header(): void {
  const bytes = readFileSync(DIST);
  const size = statSync(DIST).size;
  const gzip = gzipSync(bytes).length;
  console.log('# Benchmark: octane-release-action against the simulator\n');
  console.log(`- Machine: ${machine()}`);
  console.log(`- Date: ${new Date().toISOString()}`);
  console.log('- Command: `npm run bench` (runs the committed `dist/index.js` as a child process, as the runner does)');
  console.log(`- Bundle: dist/index.js ${kib(size)} (${kib(gzip)} gzipped; ${bundleVersion(bytes)})\n`);
}

/** 1. Waves of each mode with latency on every answer. */
async function roundTrips(): Promise<void> {
  console.log(`## 1. Sequential round trips, ${LATENCY_MS} ms latency on every answer\n`);
  const sim = await startSimulator({ latencyMs: LATENCY_MS });
  const rows: string[][] = [];
  const lines: string[] = [];
  try {
    const cases: Array<[string, Record<string, string>, number]> = [
      ['gate (2026.4, defaults: fails)', { mode: 'gate', 'release-name': '2026.4' }, 1],
      [
        'gate (2026.5, High/Very High/Urgent: passes)',
        { mode: 'gate', 'release-name': '2026.5', severities: 'High, Very High, Urgent' },
        0
      ],
      ['gate (2026.4, 3 conditions, 2 scopes: fails)', { mode: 'gate', 'release-name': '2026.4', ...CONDITIONS_AND_SCOPES }, 1],
      ['create-defect', { mode: 'create-defect', 'release-name': '2026.4', 'defect-name': 'Bench: build failed' }, 0]
    ];
    for (const [label, inputs, expectedCode] of cases) {
      const m = await measureAction(sim, inputs);
      if (m.run.code !== expectedCode) throw new Error(`${label}: exit code ${m.run.code}, expected ${expectedCode}\n${m.run.stdout}`);
      const waves = toWaves(sim.log);
      const last = waves[waves.length - 1] ?? [];
      const signOutAlone = last.length === 1 && last[0]!.path.endsWith('/authentication/sign_out');
      const work = waves.length - (signOutAlone ? 1 : 0);
      rows.push([
        label,
        String(m.requests),
        `${work}${signOutAlone ? ' + sign-out' : ''}`,
        ms(m.wallMs),
        work <= 3 ? 'met (<= 3)' : 'NOT met (<= 3)'
      ]);
      lines.push(`- ${label}: \`${describeWaves(waves)}\``);
    }
  } finally {
    await sim.close();
  }
  console.log(table(['run', 'requests', 'round trips', 'wall time', 'goal'], rows, [false, true, false, true, false]));
  console.log('\nWaves (a request received after every earlier one was answered starts a new wave):\n');
  console.log(lines.join('\n'));
  console.log(
    '\nWall time includes Node start-up and loading the bundle (see 3). Each wave costs one latency; the requests inside a wave run in parallel.'
  );
  console.log(
    '\nThe gate reaches 2 (sign-in, then one wave): its defect list and the two groupings leave with the look-ups, naming the\n' +
      "release, phases, severities and scopes in cross filters that repeat the look-ups' own filters, and are used only when\n" +
      'the look-ups of the same wave show that each filter matched exactly the entities chosen in code; otherwise a third wave\n' +
      'with ids. Conditions cost nothing more (they come from the counts by severity); each scope input adds one look-up to the\n' +
      'same wave. Sign-in cannot join a wave: every call needs its session cookie.'
  );
}

/** Adds `total` defects in release 2026.4 spread over the open phases and every severity. */
function addMatchingDefects(sim: Simulator, total: number): void {
  const release = sim.store.releaseByName('2026.4');
  const combos = OPEN_PHASES.flatMap((p) => SEVERITIES.map((s) => [p, s] as const));
  combos.forEach(([phase, severity], i) => {
    const count = Math.floor(total / combos.length) + (i < total % combos.length ? 1 : 0);
    // Every one inside the scopes of the 3-conditions-2-scopes gate too (team Platform or Mobile, created now), so both count the same.
    const team = sim.store.find('teams', (t) => t.name === (i % 2 ? 'Platform' : 'Mobile'))[0];
    if (count > 0)
      sim.store.addDefects(count, { release, phase: sim.store.byLogicalName(phase), severity: sim.store.byLogicalName(severity), team });
  });
}

interface SdkRun {
  wallMs: number;
  requests: number;
  probe: Probe;
  pages: number;
}

/** pageSize '1000': limit(1000) on every page; 'server': no limit() at all, the server's default page. */
async function measureSdk(sim: Simulator, expected: number, pageSize: '1000' | 'server'): Promise<SdkRun> {
  const probe = probeEnv();
  sim.log.length = 0;
  try {
    const run = await runNode([resolve(ROOT, 'scripts/lib/sdk-gate.mjs')], {
      ...probe.env,
      SDK_PAGE_SIZE: pageSize,
      OCTANE_URL: sim.url,
      SHARED_SPACE_ID: sim.sharedSpaceId,
      WORKSPACE_ID: sim.workspaceId,
      CLIENT_ID: sim.credentials.clientId,
      CLIENT_SECRET: sim.credentials.clientSecret,
      RELEASE_NAME: '2026.4',
      PHASE_LOGICAL_NAMES: OPEN_PHASES.join(',')
    });
    const result = /^RESULT (.*)$/m.exec(run.stdout);
    if (run.code !== 0 || !result) throw new Error(`the SDK gate failed (exit ${run.code}):\n${run.stderr.slice(0, 2000)}`);
    const { count, pages } = JSON.parse(result[1]!) as { count: number; pages: number };
    if (count !== expected) throw new Error(`the SDK gate counted ${count}, expected ${expected}`);
    return { wallMs: run.wallMs, requests: sim.log.length, probe: probe.read(), pages };
  } finally {
    probe.dispose();
  }
}

/** 2 and 4. The gate at each size, and the SDK's way on the same simulator and data; returns section 4's text. */
async function scale(): Promise<string> {
  console.log(`\n## 2. The gate at 10, 1,000 and 100,000 matching defects (${RUNS_PER_SIZE} runs each, no injected latency)\n`);
  const rows: string[][] = [];
  const sdkRows: string[][] = [];
  for (const size of SIZES) {
    const sim = await startSimulator({ seed: 'empty' });
    try {
      addMatchingDefects(sim, size);
      const runs: Measured[] = [];
      for (let i = 0; i < RUNS_PER_SIZE; i++) {
        const m = await measureAction(sim, { mode: 'gate', 'release-name': '2026.4' });
        if (m.run.outputs['defect-count'] !== String(size) || m.run.code !== 1) {
          throw new Error(
            `gate at ${size}: exit ${m.run.code}, defect-count ${m.run.outputs['defect-count']}\n${m.run.stdout.slice(-2000)}`
          );
        }
        runs.push(m);
      }
      const wall = median(runs.map((r) => r.wallMs));
      const rss = median(runs.map((r) => r.probe.maxRssKb));
      const last = runs[runs.length - 1]!;
      const minWall = Math.min(...runs.map((r) => r.wallMs));
      const span = median(runs.map((r) => r.defectSpanMs));
      rows.push([
        `${size.toLocaleString('en-US')}, plain`,
        String(last.requests),
        kib(last.probe.bytesRead),
        `${ms(wall)} (min ${ms(minWall)})`,
        ms(span),
        mib(rss)
      ]);
      const scoped: Measured[] = [];
      for (let i = 0; i < RUNS_PER_SIZE; i++) {
        const m = await measureAction(sim, { mode: 'gate', 'release-name': '2026.4', ...CONDITIONS_AND_SCOPES });
        if (m.run.outputs['defect-count'] !== String(size) || m.run.code !== 1) {
          throw new Error(
            `scoped gate at ${size}: exit ${m.run.code}, defect-count ${m.run.outputs['defect-count']}\n${m.run.stdout.slice(-2000)}`
          );
        }
        scoped.push(m);
      }
      const s = scoped[scoped.length - 1]!;
      rows.push([
        `${size.toLocaleString('en-US')}, 3 conditions + 2 scopes`,
        String(s.requests),
        kib(s.probe.bytesRead),
        `${ms(median(scoped.map((r) => r.wallMs)))} (min ${ms(Math.min(...scoped.map((r) => r.wallMs)))})`,
        ms(median(scoped.map((r) => r.defectSpanMs))),
        mib(median(scoped.map((r) => r.probe.maxRssKb)))
      ]);

      if (SDK_SIZES.has(size)) {
        // The server-default page takes ten times the requests; one run of it is enough to show that.
        for (const [pageSize, repeat] of [
          ['1000', SDK_RUNS],
          ['server', 1]
        ] as const) {
          const sdkRuns: SdkRun[] = [];
          for (let i = 0; i < repeat; i++) sdkRuns.push(await measureSdk(sim, size, pageSize));
          const sdkWall = median(sdkRuns.map((r) => r.wallMs));
          const s = sdkRuns[sdkRuns.length - 1]!;
          sdkRows.push([
            size.toLocaleString('en-US'),
            pageSize === '1000' ? `limit(1000), median of ${repeat}` : 'no limit() (server default), 1 run',
            `${s.requests} (${s.pages} page${s.pages === 1 ? '' : 's'})`,
            kib(s.probe.bytesRead),
            ms(sdkWall),
            mib(median(sdkRuns.map((r) => r.probe.maxRssKb))),
            `${ratio(sdkWall, wall)} / ${ratio(s.requests, last.requests)} / ${ratio(s.probe.bytesRead, last.probe.bytesRead)}`
          ]);
        }
      }
    } finally {
      await sim.close();
    }
  }
  console.log(
    table(
      ['matching defects', 'requests', 'bytes received', 'wall time, median', 'defect queries in the simulator', 'peak RSS, median'],
      rows,
      [true, true, true, true, true, true]
    )
  );
  console.log(
    "\nBytes received: everything the action read from its sockets (HTTP headers and bodies). Peak RSS: the child process's\n" +
      '`process.resourceUsage().maxRSS`, read at exit by a preloaded probe. The gate lists 100 defects (the default list-limit).\n' +
      'Defect queries in the simulator: from the first defect query received to the last one answered (the simulator evaluates\n' +
      'each filter over every defect, in this process, on the same 2 cores).'
  );

  const out: string[] = [];
  out.push('\n## 4. The same gate with the official JS SDK, paging through the defects\n');
  out.push(
    'As its README shows: `octane.get(defects).query(Query...build()).fields(...).limit(...).offset(...).execute()`, page after\n' +
      'page, then count and sort in memory: with limit(1000) (the most official code asks for), and as the README writes it,\n' +
      "without limit() (the simulator's default page is 100). Its filter names the release and phases in cross filters, so it\n" +
      'needs no look-ups. Same simulator and data as the action in 2; ratios are SDK / action (median wall time).\n'
  );
  out.push(
    table(
      ['matching defects', 'SDK paging', 'requests', 'bytes received', 'wall time', 'peak RSS', 'wall / requests / bytes vs the action'],
      sdkRows,
      [true, false, true, true, true, true, false]
    )
  );
  return out.join('\n');
}

/** 3. Start-up to the first validation error, beside `node -e 0`, interleaved so drift hits both. */
async function startup(): Promise<void> {
  console.log(`\n## 3. Start-up (median of ${STARTUP_RUNS} runs each)\n`);
  const toError: number[] = [];
  const toExit: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < STARTUP_RUNS; i++) {
    const run = await runNode([DIST]);
    if (run.code !== 1 || run.firstErrorMs === undefined)
      throw new Error(`dist/index.js without inputs: exit ${run.code}, no ::error:: line`);
    toError.push(run.firstErrorMs);
    toExit.push(run.wallMs);
    bare.push((await runNode(['-e', '0'])).wallMs);
  }
  const b = median(bare);
  console.log(
    table(
      ['command', 'median', 'min', 'vs node -e 0'],
      [
        ['node -e 0', ms(b), ms(Math.min(...bare)), '1.0x'],
        ['node dist/index.js (no inputs): first ::error:: line', ms(median(toError)), ms(Math.min(...toError)), ratio(median(toError), b)],
        ['node dist/index.js (no inputs): exit', ms(median(toExit)), ms(Math.min(...toExit)), ratio(median(toExit), b)]
      ],
      [false, true, true, true]
    )
  );
}

async function main(): Promise<void> {
  const started = performance.now();
  const bundleAtStart = createHash('sha1').update(readFileSync(DIST)).digest('hex');
  header();
  if (!process.argv.includes('--https')) {
    await roundTrips();
    const sdk = await scale();
    await startup();
    console.log(sdk);
  }
  console.log(`\n${await httpsSection({ rttsMs: HTTPS_RTTS_MS, runs: HTTPS_RUNS, tlsRuns: TLS_RUNS, tlsConnections: TLS_CONNECTIONS })}`);
  if (createHash('sha1').update(readFileSync(DIST)).digest('hex') !== bundleAtStart) {
    console.log('\nWARNING: dist/index.js changed during the run, so these figures mix two bundles; run it again.');
  }
  console.log(`\nBench took ${(Math.round((performance.now() - started) / 100) / 10).toFixed(1)} s.`);
}

main().catch((error: unknown) => {
  console.error(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
