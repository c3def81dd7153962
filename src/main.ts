import { randomUUID } from 'node:crypto';
import * as actionsCore from '@actions/core';
import type { Log } from './log.js';
import { readSettings, type Settings } from './settings.js';
import { formatProblems } from './inputs/problems.js';
import { OctaneClient } from './octane/client.js';
import { type Hint, OctaneNetworkError, hintOf } from './octane/errors.js';
import { proxySecrets } from './octane/network.js';
import { LookupError } from './lookups.js';
import { runGate } from './gate/run.js';
import { scopeSpecs } from './gate/scopes.js';
import { runCreateDefect } from './create-defect/run.js';
import { gateOutputs, gateSummary } from './gate/render.js';
import { conditionText, gateVerdict } from './gate/verdict.js';
import { createOutputs, createSummary } from './create-defect/render.js';
import { runResolveDefect } from './resolve-defect/run.js';
import { resolveFailures, resolveOutputs, resolveSummary } from './resolve-defect/render.js';
import { settingsLines } from './settings-lines.js';
import { runContextFrom, type GithubContextLike, type RunContext } from './create-defect/run-context.js';
import { withinSummaryBudget } from './markup/budget.js';

/** The part of @actions/core that run() uses; tests pass a recorder. */
export type Core = Pick<
  typeof actionsCore,
  'getInput' | 'setSecret' | 'setOutput' | 'setFailed' | 'info' | 'warning' | 'error' | 'debug' | 'group' | 'isDebug'
> & { summary: { addRaw(text: string, addEOL?: boolean): { write(): Promise<unknown> } } };

export interface RunDeps {
  core: Core;
  env: Record<string, string | undefined>;
  /** Only create-defect and resolve-defect read the run's context; loading @actions/github costs start-up time. */
  githubContext: () => Promise<GithubContextLike>;
  /** Where the runner's cancel signals arrive (the process); without it a run is never cancelled. */
  signals?: Signals;
  /** Ends the process: the last resort of a cancelled run that did not wind down in time. */
  exit?: (code: number) => void;
}

export interface Signals {
  on(signal: 'SIGINT' | 'SIGTERM', handler: () => void): unknown;
  off(signal: 'SIGINT' | 'SIGTERM', handler: () => void): unknown;
}

/**
 * A cancelled job: the runner sends SIGINT, SIGTERM 7.5 s later, and kills the process 2.5 s after
 * that (actions/runner src/Runner.Sdk/ProcessInvoker.cs, _sigintTimeout and _sigtermTimeout). The
 * sign-out gets a second, and the run ends well before the kill whichever signal comes first.
 */
export const CANCEL_SIGN_OUT_MS = 1000;
export const CANCEL_DEADLINE_MS: Readonly<Record<'SIGINT' | 'SIGTERM', number>> = { SIGINT: 4000, SIGTERM: 2000 };

export async function run(deps: RunDeps = defaultDeps()): Promise<void> {
  const { core, env } = deps;
  // Masks come first: nothing below may print a proxy password before the runner knows it.
  for (const secret of proxySecrets(env)) core.setSecret(secret);

  const read = readSettings((name) => core.getInput(name, { trimWhitespace: false }), {
    setSecret: (value) => core.setSecret(value)
  });
  // Warnings first, also on failure: "severity given to a gate" may explain another problem.
  for (const warning of read.warnings) core.warning(warning);
  if (!read.ok) {
    core.setFailed(formatProblems(read.problems));
    return;
  }
  const settings = read.settings;
  const log = inertLog(core);
  await log.group('Inputs', async () => {
    for (const line of settingsLines(settings)) log.info(line);
  });

  let client: OctaneClient | undefined;
  const cancel = watchCancel(deps, () => client);
  try {
    // Inside the try: a CA certificate that cannot be used fails the step like any other error.
    client = new OctaneClient({
      connection: settings.connection,
      env,
      log: (line) => log.info(line),
      debug: (line) => core.debug(line),
      onSecret: (value) => core.setSecret(value)
    });
    const signedIn = client;
    signedIn.warm(connectionsAhead(settings));
    await log.group('Sign in', async () => {
      await signedIn.signIn();
      log.info(`Signed in to ${settings.connection.url}`);
    });
    await runMode(settings, signedIn, log, deps);
  } catch (error) {
    core.setFailed(cancel.failure(error) ?? messageOf(error));
    if (error instanceof Error && error.stack) core.debug(error.stack);
    cancel.reported();
  } finally {
    await client?.close();
    cancel.end();
  }
}

/**
 * How many requests the mode sends at once after sign-in, so that their connections are opened
 * while sign-in is in flight. The gate's first wave is its widest: the release, phase and severity
 * look-ups, one per scope input, and the defect list with its two groupings; create-defect's is its
 * three look-ups (release, backlog root, origin). Keep in step with the modes: a guess above the
 * real width opens connections no request uses.
 */
export function connectionsAhead(settings: Settings): number {
  // One look-up per scope input, as the gate sends them: scopeSpecs is the list it sends.
  if (settings.mode === 'gate') return 3 + scopeSpecs(settings.scopes, settings.releaseName).length + 3;
  return 3;
}

/**
 * On SIGINT or SIGTERM: no call is started any more, the calls on the wire are aborted (a create
 * among them fails with the message that names its creation token), the session is signed out,
 * and the step fails. A run that has not ended by the deadline is ended there.
 */
function watchCancel(deps: RunDeps, client: () => OctaneClient | undefined) {
  const { core, signals } = deps;
  let signal: 'SIGINT' | 'SIGTERM' | undefined;
  let failed = false;
  let deadline: ReturnType<typeof setTimeout> | undefined;
  const cancelled = (): string => `The run was cancelled (${signal}): its calls to Octane were stopped and a sign-out was sent`;
  const on = (received: 'SIGINT' | 'SIGTERM'): void => {
    // A SIGTERM after SIGINT only brings the deadline closer.
    if (!signal) {
      signal = received;
      process.exitCode = 1;
      core.info(`Received ${received}: the run was cancelled; stopping the calls to Octane and signing out`);
      void client()?.cancel(CANCEL_SIGN_OUT_MS);
    }
    clearTimeout(deadline);
    deadline = setTimeout(() => {
      if (!failed) core.setFailed(`${cancelled()}; it did not end within ${CANCEL_DEADLINE_MS[received] / 1000} s, so it ends now`);
      (deps.exit ?? process.exit)(1);
    }, CANCEL_DEADLINE_MS[received]);
    deadline.unref();
  };
  const onInt = (): void => on('SIGINT');
  const onTerm = (): void => on('SIGTERM');
  signals?.on('SIGINT', onInt);
  signals?.on('SIGTERM', onTerm);
  return {
    /** The step's failure message for an error of a cancelled run; undefined when not cancelled. */
    failure(error: unknown): string | undefined {
      if (!signal) return undefined;
      const ownAbort = error instanceof OctaneNetworkError && error.code === 'CANCELLED';
      return ownAbort ? `${cancelled()}.` : `${cancelled()}.\n${messageOf(error)}`;
    },
    reported(): void {
      failed = true;
    },
    /**
     * The run is over: a cancelled run that got this far fails, with or without an error. The
     * deadline stays (it keeps nothing alive): should anything still hold the process, it ends it.
     */
    end(): void {
      signals?.off('SIGINT', onInt);
      signals?.off('SIGTERM', onTerm);
      if (signal && !failed) core.setFailed(`${cancelled()}.`);
    }
  };
}

async function runMode(settings: Settings, client: OctaneClient, log: Log, deps: RunDeps): Promise<void> {
  const { core } = deps;
  if (settings.mode === 'gate') {
    const result = await runGate(settings, client, log);
    setOutputs(core, gateOutputs(result));
    await writeSummary(deps, gateSummary(result, { failOnGate: settings.failOnGate }));
    if (result.dryRun) return;
    // One warning per warn condition that fails: the step still succeeds for them.
    for (const c of result.conditions ?? [])
      if (c.level === 'warn' && c.passed === false) core.warning(`Gate condition warns: ${conditionText(c)}`);
    if (result.passed) return;
    if (settings.failOnGate) core.setFailed(gateVerdict(result));
    else core.warning(`${gateVerdict(result)} (fail-on-gate is false, so the step succeeds)`);
    return;
  }
  if (settings.mode === 'resolve-defect') {
    const resolved = await runResolveDefect(settings, client, log, { runContext: await loadRunContext(deps) });
    setOutputs(core, resolveOutputs(resolved));
    await writeSummary(deps, resolveSummary(resolved));
    const failed = resolveFailures(resolved);
    if (failed) core.setFailed(failed);
    return;
  }
  const workspace = deps.env.GITHUB_WORKSPACE || process.cwd();
  const result = await runCreateDefect(settings, client, log, { runContext: await loadRunContext(deps), workspace });
  setOutputs(core, createOutputs(result));
  await writeSummary(deps, createSummary(result));
}

/** The run's context for the description; a broken event file costs the context block, not the defect. */
async function loadRunContext(deps: RunDeps): Promise<RunContext | undefined> {
  try {
    return runContextFrom(await deps.githubContext());
  } catch (error) {
    deps.core.warning(`The run's context could not be read (${messageOf(error)}); the description goes without it.`);
    return undefined;
  }
}

function setOutputs(core: Core, outputs: object): void {
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, String(value));
}

async function writeSummary(deps: RunDeps, markdown: string): Promise<void> {
  // Outside a runner (a local try-out) there is no summary file; that is not an error.
  if (!deps.env.GITHUB_STEP_SUMMARY) return;
  await deps.core.summary.addRaw(withinSummaryBudget(markdown), true).write();
}

/**
 * Characters that .NET's linguistic string search, which the runner uses to find `::` and `##[`
 * (String.StartsWith/IndexOf without StringComparison, ICU on Linux), may step over: controls and
 * format characters such as U+00AD. Removing them before looking errs towards wrapping a line.
 */
const IGNORABLE = /[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}]/gu;

/** True when the runner could read a workflow command in `message`, in its `::` or legacy `##[` form. */
export function mayHoldCommand(message: string): boolean {
  const folded = message.replace(IGNORABLE, '');
  return folded.includes('::') || folded.includes('##[');
}

/**
 * Text from Octane (names, descriptions, errors) and from inputs reaches the log through here. The
 * runner acts on `::command::` at the start of a line and on legacy `##[command]` anywhere in one
 * (actions/runner ActionCommand.cs, TryParseV2 and TryParse), so a message that could hold either is
 * printed between stop-commands markers with a fresh token; while stopped, the runner acts on
 * nothing but that token, in either form (ActionCommandManager.cs, TryProcessCommand).
 * Warnings, errors and debug lines need no markers: @actions/core escapes CR, LF and % in them, and the
 * runner reads the whole line as that one command.
 */
export function inertLog(core: Core): Log {
  const info = (message: string): void => {
    if (!mayHoldCommand(message)) {
      core.info(message);
      return;
    }
    const token = randomUUID();
    core.info(`::stop-commands::${token}`);
    core.info(message);
    core.info(`::${token}::`);
  };
  return {
    info,
    warning: (message) => core.warning(message),
    debug: (message) => core.debug(message),
    group: (name, fn) => core.group(name, fn)
  };
}

/** The inputs behind each of the client's hints: the client says what is wrong, this says where to fix it. */
const INPUTS_TO_CHECK: Readonly<Record<Hint, string>> = {
  'server-url': 'Check octane-url.',
  credentials: 'Check client-id and client-secret.',
  workspace: 'Check shared-space-id, workspace-id and the path of octane-url.',
  ca: 'Check ca-certificate.',
  timeout: 'Check timeout-seconds.'
};

/**
 * The step's failure message; a name that did not resolve is reported against its input, like
 * input problems, and an error with a hint names the inputs to check.
 */
export function messageOf(error: unknown): string {
  if (error instanceof LookupError) {
    const [only, ...more] = error.problems;
    if (only && more.length === 0) return `${only.input}: ${only.message}`;
    return [`${error.problems.length} names did not resolve in Octane:`, ...error.problems.map((p) => `- ${p.input}: ${p.message}`)].join(
      '\n'
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  const hint = hintOf(error);
  return hint ? `${message.replace(/\.$/, '')}. ${INPUTS_TO_CHECK[hint]}` : message;
}

/**
 * The real core.setFailed also sets process.exitCode; a stand-in for @actions/core, such as the
 * one @github/local-action loads in its place, may only record the failure, and the try-out would
 * then exit 0. The exit code belongs to the process, so the process's own deps set it as well.
 */
export function exitingOnFailure(core: Core, proc: { exitCode?: NodeJS.Process['exitCode'] } = process): Core {
  return {
    ...core,
    setFailed: (message) => {
      core.setFailed(message);
      proc.exitCode = 1;
    }
  };
}

function defaultDeps(): RunDeps {
  return {
    core: exitingOnFailure(actionsCore),
    env: process.env,
    githubContext: async () => (await import('@actions/github')).context,
    signals: process
  };
}
