// run() of src/main.ts in this process, with a core that records what @actions/core would have
// printed and written. The answer has the shape of runAction's (the bundle in a child process), so a
// test switches between the two with one import. What needs a real process stays with runAction:
// the runner's reading of real stdout, masking, signals, exit codes of a crash, the network stack's
// process-wide state.
import { EOL } from 'node:os';
import { readFileSync, existsSync } from 'node:fs';
import { run, type Core } from '../src/main.js';
import type { GithubContextLike } from '../src/create-defect/run-context.js';
import { inputEnv, type ActionRun, type RunOptions } from './run-action.js';

/** Inputs by their action.yml names, read as the runner hands them over (INPUT_<NAME>). */
export async function runInProcess(inputs: Record<string, string>, options: RunOptions = {}): Promise<ActionRun> {
  // Both variables only need to be set: the recorder stands in for the files.
  const env: Record<string, string> = {
    GITHUB_OUTPUT: 'recorded-in-process',
    GITHUB_STEP_SUMMARY: 'recorded-in-process',
    ...options.env,
    ...inputEnv(inputs)
  };
  const recorder = recordingCore(env);
  let stderr = '';
  const running = run({ core: recorder.core, env, githubContext: async () => githubContext(env, options.event, recorder.write) });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`run() did not end within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([running, timedOut]);
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('run() did not end')) throw error;
    // In the bundle a rejected run() is an unhandled rejection: Node prints it and exits 1.
    recorder.crash();
    stderr = error instanceof Error ? (error.stack ?? String(error)) : String(error);
  } finally {
    clearTimeout(timer);
  }
  const stdout = recorder.stdout();
  return {
    code: recorder.failed() ? 1 : 0,
    stdout,
    stderr,
    outputs: recorder.outputs,
    summary: recorder.summary(),
    errors: commandData(stdout, 'error'),
    warnings: commandData(stdout, 'warning')
  };
}

/** @actions/core's toCommandValue: strings as they are, nothing as '', anything else as JSON. */
function toCommandValue(input: unknown): string {
  if (input === null || input === undefined) return '';
  if (typeof input === 'string' || input instanceof String) return String(input);
  return JSON.stringify(input);
}

/** @actions/core's escapeData, for the data part of a `::command::data` line. */
function escapeData(value: unknown): string {
  return toCommandValue(value).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/**
 * A core that prints into a buffer what @actions/core prints to stdout (lib/core.js and
 * lib/command.js of @actions/core 3: `::name::data` lines, info as is), keeps outputs and the
 * summary as the files would hold them, and reads inputs from `env` as core.getInput does.
 */
function recordingCore(env: Record<string, string>) {
  let out = '';
  let failed = false;
  let summaryFile = '';
  let summaryBuffer = '';
  const outputs: Record<string, string> = {};
  const write = (text: string): void => {
    out += text;
  };
  const command = (name: string, message: unknown): void => write(`::${name}::${escapeData(message)}${EOL}`);
  const annotation = (message: string | Error): string => (message instanceof Error ? message.toString() : message);
  const error = (message: string | Error): void => command('error', annotation(message));
  const summary = {
    addRaw(text: string, addEOL = false) {
      summaryBuffer += text;
      if (addEOL) summaryBuffer += EOL;
      return summary;
    },
    async write() {
      summaryFile += summaryBuffer;
      summaryBuffer = '';
      return summary;
    }
  };
  const core = {
    getInput(name: string, options?: { required?: boolean; trimWhitespace?: boolean }): string {
      const value = env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] || '';
      if (options?.required && !value) throw new Error(`Input required and not supplied: ${name}`);
      if (options?.trimWhitespace === false) return value;
      return value.trim();
    },
    setSecret: (secret: string) => command('add-mask', secret),
    setOutput: (name: string, value: unknown) => {
      outputs[name] = toCommandValue(value);
    },
    setFailed: (message: string | Error) => {
      failed = true;
      error(message);
    },
    info: (message: string) => write(message + EOL),
    warning: (message: string | Error) => command('warning', annotation(message)),
    error,
    debug: (message: string) => command('debug', message),
    isDebug: () => env.RUNNER_DEBUG === '1',
    async group<T>(name: string, fn: () => Promise<T>): Promise<T> {
      command('group', name);
      try {
        return await fn();
      } finally {
        command('endgroup', '');
      }
    },
    summary
  } as unknown as Core;
  return {
    core,
    write,
    outputs,
    stdout: () => out,
    summary: () => summaryFile,
    failed: () => failed,
    crash: () => {
      failed = true;
    }
  };
}

/**
 * The run's context as @actions/github's Context reads it from the environment (lib/context.js:
 * the event file's payload, GITHUB_* variables, the repository from GITHUB_REPOSITORY or the
 * payload), read here from `env` instead of process.env. The event goes through JSON as the file would.
 */
function githubContext(env: Record<string, string>, event: unknown, write: (text: string) => void): GithubContextLike {
  let payload: Record<string, unknown> = {};
  if (event !== undefined) payload = JSON.parse(JSON.stringify(event)) as Record<string, unknown>;
  else if (env.GITHUB_EVENT_PATH) {
    if (existsSync(env.GITHUB_EVENT_PATH)) payload = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) as Record<string, unknown>;
    else write(`GITHUB_EVENT_PATH ${env.GITHUB_EVENT_PATH} does not exist${EOL}`);
  }
  const int = (name: string): number => parseInt(env[name] as string, 10);
  return {
    payload,
    eventName: env.GITHUB_EVENT_NAME,
    sha: env.GITHUB_SHA,
    ref: env.GITHUB_REF,
    workflow: env.GITHUB_WORKFLOW,
    actor: env.GITHUB_ACTOR,
    job: env.GITHUB_JOB,
    runAttempt: int('GITHUB_RUN_ATTEMPT'),
    runId: int('GITHUB_RUN_ID'),
    serverUrl: env.GITHUB_SERVER_URL ?? 'https://github.com',
    get repo() {
      if (env.GITHUB_REPOSITORY) {
        const [owner, repo] = env.GITHUB_REPOSITORY.split('/');
        return { owner: owner as string, repo: repo as string };
      }
      const repository = payload.repository as { owner?: { login?: string }; name?: string } | undefined;
      if (repository) return { owner: repository.owner?.login as string, repo: repository.name as string };
      throw new Error("context.repo requires a GITHUB_REPOSITORY environment variable like 'owner/repo'");
    }
  };
}

/** Lines of one annotation command, decoded (as runAction reads them from the child's stdout). */
function commandData(stdout: string, command: string): string[] {
  const prefix = `::${command}`;
  return stdout
    .split('\n')
    .filter((line) => line.startsWith(prefix))
    .map((line) =>
      line
        .slice(line.indexOf('::', 2) + 2)
        .replace(/%0D/g, '\r')
        .replace(/%0A/g, '\n')
        .replace(/%25/g, '%')
    );
}

// What a test needs besides the runner, so that switching from runAction is one import.
export { connectionInputs, visibleText, type ActionRun, type RunOptions } from './run-action.js';
