// Shared set-up for suites that run against a simulator: one per describe block (or file), started
// before its tests, closed after them, with faults and the request log cleared before each test.
import { afterAll, beforeAll, beforeEach } from '@jest/globals';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../simulator/index.js';

export interface SimulatorHooks {
  /** Clear the faults and the request log before each test; default true. Off where a test reads what earlier ones logged. */
  resetEachTest?: boolean;
}

/**
 * Registers the hooks in the calling scope and returns the running simulator's accessor (a function,
 * because jest collects tests before beforeAll has started anything).
 */
export function useSimulator(options: SimulatorOptions = {}, hooks: SimulatorHooks = {}): () => Simulator {
  let sim: Simulator | undefined;
  beforeAll(async () => {
    sim = await startSimulator(options);
  });
  afterAll(async () => {
    await sim?.close();
  });
  if (hooks.resetEachTest ?? true) {
    beforeEach(() => {
      sim?.faults.clear();
      if (sim) sim.log.length = 0;
    });
  }
  return () => {
    if (!sim) throw new Error('the simulator is not running (used outside a test or hook?)');
    return sim;
  };
}

// Kept with the runner helper, which the demo and the bench use outside jest too.
export { connectionInputs } from '../../test-support/run-action.js';

/** The id of a stored reference ({type, id}), or undefined where there is none. */
export const refId = (value: unknown): string | undefined => (value as { id?: string } | null | undefined)?.id;

/** Writes that reached the API (POSTs other than signing in and out, and PUTs). */
export const writes = (sim: Simulator): number =>
  sim.log.filter((r) => (r.method === 'POST' || r.method === 'PUT') && !r.path.includes('/authentication/')).length;

/** The link Octane's UI has for a work item of `sim`'s workspace (what the action outputs). */
export const workItemUrl = (sim: Simulator, id: string): string =>
  `${sim.url}/ui/entity-navigation?p=${sim.sharedSpaceId}/${sim.workspaceId}&entityType=work_item&id=${id}`;
