// A failed run sets the process's exit code even when @actions/core is a stand-in that only records
// the failure, as @github/local-action's is; a passing run leaves it alone.
import { describe, it, expect, afterAll, beforeAll } from '@jest/globals';
import { exitingOnFailure, run, type Core } from '../../src/main.js';
import { startSimulator, type Simulator } from '../../simulator/index.js';

/** Like local-action's stub: setFailed records the message and never touches process.exitCode. */
function recordingCore(inputs: Record<string, string>): { core: Core; failures: string[] } {
  const failures: string[] = [];
  const core: Core = {
    getInput: (name: string) => inputs[name] ?? '',
    setSecret: () => {},
    setOutput: () => {},
    setFailed: (message: string | Error) => {
      failures.push(String(message));
    },
    info: () => {},
    warning: () => {},
    error: () => {},
    debug: () => {},
    isDebug: () => false,
    group: async <T>(_name: string, fn: () => Promise<T>) => fn(),
    summary: { addRaw: () => ({ write: async () => undefined }) }
  } as unknown as Core;
  return { core, failures };
}

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({});
});
afterAll(async () => {
  await sim.close();
});

function gateInputs(over: Record<string, string> = {}): Record<string, string> {
  return {
    mode: 'gate',
    'octane-url': sim.url,
    'client-id': sim.credentials.clientId,
    'client-secret': sim.credentials.clientSecret,
    'shared-space-id': sim.sharedSpaceId,
    'workspace-id': sim.workspaceId,
    'release-name': '2026.5',
    phases: 'New, Opened, Deferred',
    severities: '',
    threshold: '0',
    'threshold-operator': '<=',
    'list-limit': '100',
    'fail-on-gate': 'true',
    'dry-run': 'false',
    'timeout-seconds': '5',
    retries: '0',
    ...over
  };
}

describe('the exit code of a run whose core only records failures', () => {
  it('is 1 when the inputs are wrong', async () => {
    const { core, failures } = recordingCore({ mode: 'gate' });
    const proc: { exitCode?: number | string } = {};
    await run({ core: exitingOnFailure(core, proc), env: {}, githubContext: async () => ({}) as never });
    expect(failures.join('\n')).toContain('client-id');
    expect(proc.exitCode).toBe(1);
  });

  it('is 1 when the gate fails', async () => {
    const { core, failures } = recordingCore(gateInputs({ 'release-name': '2026.4' }));
    const proc: { exitCode?: number | string } = {};
    await run({ core: exitingOnFailure(core, proc), env: {}, githubContext: async () => ({}) as never });
    expect(failures.join('\n')).toMatch(/^Gate failed: /);
    expect(proc.exitCode).toBe(1);
  });

  it('stays unset when the run passes', async () => {
    const { core, failures } = recordingCore(gateInputs({ severities: 'Urgent', threshold: '100' }));
    const proc: { exitCode?: number | string } = {};
    await run({ core: exitingOnFailure(core, proc), env: {}, githubContext: async () => ({}) as never });
    expect(failures).toEqual([]);
    expect(proc.exitCode).toBeUndefined();
  });
});
