// Shared set-up for suites that run against a simulator: one per describe block (or file), started
// before its tests, closed after them, with faults and the request log cleared before each test.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach } from '@jest/globals';
import { startSimulator, type LoggedRequest, type SimEntity, type Simulator, type SimulatorOptions } from '../../simulator/index.js';

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

// --- the store and the request log, read the same way by every suite ---

let counter = 0;
/** A name no other test uses (a counter and the clock), so each test finds only its own defects. */
export function uniqueName(label: string): string {
  counter += 1;
  return `${label} #${counter} ${Date.now()}`;
}

/** The stored defects named exactly `name`. */
export const defectsNamed = (sim: Simulator, name: string): SimEntity[] => sim.store.find('defects', (d) => d.name === name);

/** Requests that could change something (anything but GET and HEAD), other than signing in and out. */
export const writeRequests = (sim: Simulator): LoggedRequest[] =>
  sim.log.filter((r) => r.method !== 'GET' && r.method !== 'HEAD' && !r.path.includes('/authentication/'));

/** How many writes reached the API (see writeRequests). */
export const writes = (sim: Simulator): number => writeRequests(sim).length;

/** Requests with `method` to `collection` (the path ends in /<collection>; item paths such as /defects/7 are not included). */
export const requestsTo = (sim: Simulator, method: string, collection: string): LoggedRequest[] =>
  sim.log.filter((r) => r.method === method && r.path.endsWith(`/${collection}`));

/** POSTs to `collection` (creates). */
export const postsTo = (sim: Simulator, collection: string): LoggedRequest[] => requestsTo(sim, 'POST', collection);

/** GETs of `collection` (look-ups, counts and listings). */
export const getsOf = (sim: Simulator, collection: string): LoggedRequest[] => requestsTo(sim, 'GET', collection);

/** Sign-in requests, whatever their answer. */
export const signIns = (sim: Simulator): LoggedRequest[] => sim.log.filter((r) => r.path.endsWith('/authentication/sign_in'));

/** Sign-out requests, whatever their answer. */
export const signOuts = (sim: Simulator): LoggedRequest[] => sim.log.filter((r) => r.path.endsWith('/authentication/sign_out'));

/** The link Octane's UI has for a work item of `sim`'s workspace (what the action outputs). */
export const workItemUrl = (sim: Simulator, id: string): string =>
  `${sim.url}/ui/entity-navigation?p=${sim.sharedSpaceId}/${sim.workspaceId}&entityType=work_item&id=${id}`;

/**
 * A description as this action writes one: text and the creation marker (a hidden span with a UUID
 * token). Written out here, not built with src/, so that a change of the marker's shape shows up.
 */
export function filedByAction(text = 'Build failed'): string {
  return `<p>${text}</p>\n<span style="display:none">octane-action-request:${randomUUID()}</span>`;
}
