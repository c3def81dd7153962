// The bundle in a child process, as the runner starts it; shared by the end-to-end tests and by
// scripts/ (demo, bench), which must not import from __tests__/.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Simulator } from '../simulator/index.js';

/** The bundled action, run exactly as the runner runs it. */
export const DIST_ENTRY = fileURLToPath(new URL('../dist/index.js', import.meta.url));

/**
 * The Node.js that runs the bundle: the one running the tests, or ACTION_NODE (CI points it at
 * Node 24, the runner's `runs.using`, while the tests themselves run on Node 20).
 */
export const ACTION_NODE = process.env.ACTION_NODE || process.execPath;

/** The connection inputs, by their action.yml names, that reach `sim` with its first key pair. */
export function connectionInputs(sim: Simulator): Record<string, string> {
  return {
    'octane-url': sim.url,
    'client-id': sim.credentials.clientId,
    'client-secret': sim.credentials.clientSecret,
    'shared-space-id': sim.sharedSpaceId,
    'workspace-id': sim.workspaceId
  };
}

export interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  /** stdout lines starting with `::error::` (annotations), decoded. */
  errors: string[];
  warnings: string[];
}

export interface RunOptions {
  /** Extra environment (GITHUB_*, proxies, RUNNER_DEBUG); nothing of the parent's INPUT_* leaks in. */
  env?: Record<string, string>;
  /** A GitHub event payload, written to GITHUB_EVENT_PATH. */
  event?: unknown;
  timeoutMs?: number;
}

/** The environment variables the runner sets for inputs: INPUT_<NAME>, upper case, spaces as underscores. */
export function inputEnv(inputs: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  return env;
}

/** Inputs by their action.yml names, set as the runner does: INPUT_<NAME> with spaces as underscores. */
export async function runAction(inputs: Record<string, string>, options: RunOptions = {}): Promise<ActionRun> {
  const dir = mkdtempSync(join(tmpdir(), 'octane-action-'));
  const outputFile = join(dir, 'output');
  const summaryFile = join(dir, 'summary');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    ...options.env
  };
  if (options.event !== undefined) {
    const eventFile = join(dir, 'event.json');
    writeFileSync(eventFile, JSON.stringify(options.event));
    env.GITHUB_EVENT_PATH = eventFile;
  }
  Object.assign(env, inputEnv(inputs));
  try {
    const { code, stdout, stderr } = await spawnNode(env, options.timeoutMs ?? 60_000);
    return {
      code,
      stdout,
      stderr,
      outputs: parseOutputFile(readFileSync(outputFile, 'utf8')),
      summary: readFileSync(summaryFile, 'utf8'),
      errors: commandLines(stdout, 'error'),
      warnings: commandLines(stdout, 'warning')
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function spawnNode(env: Record<string, string>, timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(ACTION_NODE, [DIST_ENTRY], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

/** Parses the GITHUB_OUTPUT file format: `name<<DELIMITER\nvalue\nDELIMITER` blocks. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[i] ?? '');
    if (!match) continue;
    const [, name, delimiter] = match;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i] ?? '');
    outputs[name as string] = value.join('\n');
  }
  return outputs;
}

/**
 * Everything a reader could see of a run: the log (less the ::add-mask:: lines, which are how the runner
 * learns what to hide), the summary and the outputs.
 */
export function visibleText(run: ActionRun): string {
  const log = run.stdout
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');
  return [log, run.stderr, run.summary, JSON.stringify(run.outputs)].join('\n');
}

function commandLines(stdout: string, command: string): string[] {
  const prefix = `::${command}`;
  return stdout
    .split('\n')
    .filter((line) => line.startsWith(prefix))
    .map((line) => decodeCommandData(line.slice(line.indexOf('::', 2) + 2)));
}

function decodeCommandData(data: string): string {
  return data.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}
