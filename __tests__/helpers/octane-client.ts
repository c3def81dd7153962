// The real client signed in to a simulator, a Log that records what it is told, and wrappers around
// an api, for the suites that call the modes and look-ups in-process.
import { afterAll, beforeAll } from '@jest/globals';
import type { Log } from '../../src/log.js';
import type { Collection, Entity, Group, GroupsParams, ListParams, OctaneApi, Page } from '../../src/octane/api.js';
import type { ConnectionSettings } from '../../src/octane/connection.js';
import { OctaneClient } from '../../src/octane/client.js';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../simulator/index.js';

export function connectionFor(sim: Simulator, over: Partial<ConnectionSettings> = {}): ConnectionSettings {
  return {
    url: sim.url,
    sharedSpaceId: sim.sharedSpaceId,
    workspaceId: sim.workspaceId,
    clientId: sim.credentials.clientId,
    clientSecret: sim.credentials.clientSecret,
    timeoutMs: 5000,
    retries: 2,
    ...over
  };
}

/** A signed-in client; retry waits are skipped so fault tests stay quick (no timing is asserted). */
export async function signedInClient(sim: Simulator, over: Partial<ConnectionSettings> = {}): Promise<OctaneClient> {
  const client = new OctaneClient({ connection: connectionFor(sim, over), sleep: async () => {} });
  await client.signIn();
  return client;
}

/**
 * Registers hooks in the calling scope: a simulator and a client signed in to it before the tests,
 * signed out and closed after them. Returns accessors, since jest collects tests before beforeAll runs.
 */
export function useSignedInClient(
  options: SimulatorOptions = {},
  over: Partial<ConnectionSettings> = {}
): { sim: () => Simulator; client: () => OctaneClient } {
  // Not built on useSimulator: jest runs afterAll hooks in the order they were declared, and the client
  // must sign out before the simulator closes.
  let sim: Simulator | undefined;
  let client: OctaneClient | undefined;
  beforeAll(async () => {
    sim = await startSimulator(options);
    client = await signedInClient(sim, over);
  });
  afterAll(async () => {
    await client?.signOut();
    await sim?.close();
  });
  const running = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the simulator is not running (used outside a test or hook?)');
    return value;
  };
  return { sim: () => running(sim), client: () => running(client) };
}

/** For one test: a simulator and a client signed in to it, signed out and closed after `fn`, whatever it does. */
export async function withSignedInClient(
  options: SimulatorOptions,
  fn: (sim: Simulator, client: OctaneClient) => Promise<void>
): Promise<void> {
  const sim = await startSimulator(options);
  try {
    const client = await signedInClient(sim);
    try {
      await fn(sim, client);
    } finally {
      await client.signOut();
    }
  } finally {
    await sim.close();
  }
}

export interface RecordingLog {
  log: Log;
  /** Info lines, and warnings as `warning: ...`, in order. */
  lines: string[];
  warnings: string[];
  /** Group titles, in order. */
  groups: string[];
}

export function recordingLog(): RecordingLog {
  const lines: string[] = [];
  const warnings: string[] = [];
  const groups: string[] = [];
  const log: Log = {
    info: (m) => lines.push(m),
    warning: (m) => {
      warnings.push(m);
      lines.push(`warning: ${m}`);
    },
    debug: () => {},
    group: async (name, fn) => {
      groups.push(name);
      return fn();
    }
  };
  return { log, lines, warnings, groups };
}

/** An api whose list calls go through `list`; create and links pass straight to `api`. */
function wrapList(
  api: OctaneApi,
  list: (collection: Collection, params: ListParams) => Promise<Page>,
  groups: ((collection: Collection, params: GroupsParams) => Promise<Group[]>) | undefined = api.groups?.bind(api)
): OctaneApi {
  return {
    list: <T extends Entity = Entity>(collection: Collection, params: ListParams) => list(collection, params) as Promise<Page<T>>,
    ...(groups ? { groups } : {}),
    create: (collection, fields, options) => api.create(collection, fields, options),
    workItemUrl: (id) => api.workItemUrl(id)
  };
}

/**
 * Wraps an api and groups its calls into waves: a call that starts while another is in
 * flight joins the current wave; a call that starts when none is in flight begins a new
 * one. The number of waves is the number of sequential round trips.
 */
export function waves(api: OctaneApi): {
  api: OctaneApi;
  waves: Array<Array<{ collection: Collection; params: ListParams; groupBy?: string }>>;
} {
  const all: Array<Array<{ collection: Collection; params: ListParams; groupBy?: string }>> = [];
  let inFlight = 0;
  const track = async <T>(entry: { collection: Collection; params: ListParams; groupBy?: string }, call: () => Promise<T>): Promise<T> => {
    if (inFlight === 0) all.push([]);
    all[all.length - 1]!.push(entry);
    inFlight += 1;
    try {
      return await call();
    } finally {
      inFlight -= 1;
    }
  };
  const wrapped = wrapList(
    api,
    (collection, params) => track({ collection, params }, () => api.list(collection, params)),
    api.groups &&
      ((collection, params) =>
        track({ collection, params: { query: params.query }, groupBy: params.groupBy }, () => api.groups!(collection, params)))
  );
  return { api: wrapped, waves: all };
}

/** An api whose list answers pass through `change` (to fake answers Octane should never give, or to record them). */
export function tampered(api: OctaneApi, change: (collection: Collection, params: ListParams, page: Page) => unknown): OctaneApi {
  return wrapList(api, async (collection, params) => change(collection, params, await api.list(collection, params)) as Page);
}
