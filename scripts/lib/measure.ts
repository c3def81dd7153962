// Runs a Node child process and measures it from the outside (wall time) and the inside (peak RSS
// and bytes read from sockets, reported by the probe preloaded with --import).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const PROBE = pathToFileURL(fileURLToPath(new URL('./probe.mjs', import.meta.url))).href;

/** One HTTP request as the child saw it: path without the query, when it started, when its answer ended. */
export interface ClientRequestTimes {
  method: string;
  path: string;
  start: number;
  answered?: number;
}

export interface Probe {
  /** Peak resident set size of the child, in kilobytes. */
  maxRssKb: number;
  /** Bytes the child read from its client sockets: HTTP headers and bodies. */
  bytesRead: number;
  sockets: number;
  /** CPU time of the child, user + system, in ms. */
  cpuMs: number;
  /** Its HTTP requests in the order they started, in ms of the child's clock; `answered` when the body ended. */
  requests: ClientRequestTimes[];
}

/** Environment that makes a Node child write a Probe to the returned file on exit. */
export function probeEnv(): { env: Record<string, string>; read(): Probe; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'octane-bench-'));
  const file = join(dir, 'probe.json');
  return {
    env: { NODE_OPTIONS: `--import="${PROBE}"`, BENCH_PROBE_OUT: file },
    read: () => JSON.parse(readFileSync(file, 'utf8')) as Probe,
    dispose: () => rmSync(dir, { recursive: true, force: true })
  };
}

export interface NodeRun {
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
  /** Time from spawn to the first stdout line starting with `::error::`, if any. */
  firstErrorMs?: number;
}

/** Spawns `node ...args` with exactly `env` (plus PATH and HOME) and times it from spawn to exit. */
export function runNode(args: string[], env: Record<string, string> = {}, timeoutMs = 120_000): Promise<NodeRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), ...env },
      stdio: ['ignore', 'pipe', 'pipe']
    });
    let stdout = '';
    let stderr = '';
    let firstErrorMs: number | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      if (firstErrorMs === undefined && /(^|\n)::error::/.test(stdout)) firstErrorMs = performance.now() - started;
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, wallMs: performance.now() - started, firstErrorMs });
    });
  });
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
