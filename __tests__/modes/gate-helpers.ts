// Shared set-up for the look-up and gate suites: the real client against the simulator, a
// log recorder, and a wrapper that measures how many sequential round trips calls took.
import type { Log } from '../../src/log.js';
import type { Collection, Entity, ListParams, OctaneApi, Page } from '../../src/octane/api.js';
import type { ConnectionSettings, GateSettings } from '../../src/settings.js';
import { OctaneClient } from '../../src/octane/client.js';
import type { Simulator } from '../../simulator/index.js';

export function connectionFor(sim: Simulator): ConnectionSettings {
  return {
    url: sim.url,
    sharedSpaceId: sim.sharedSpaceId,
    workspaceId: sim.workspaceId,
    clientId: sim.credentials.clientId,
    clientSecret: sim.credentials.clientSecret,
    timeoutMs: 10000,
    retries: 1
  };
}

/** A signed-in real client; retry waits skipped (no timing is asserted). */
export async function signedIn(sim: Simulator): Promise<OctaneClient> {
  const client = new OctaneClient({ connection: connectionFor(sim), sleep: async () => {} });
  await client.signIn();
  return client;
}

export function gateSettings(sim: Simulator, over: Partial<GateSettings> = {}): GateSettings {
  return {
    mode: 'gate',
    connection: connectionFor(sim),
    releaseName: '2026.4',
    dryRun: false,
    phases: ['New', 'Opened', 'Deferred'],
    severities: [],
    threshold: 0,
    operator: '<=',
    listLimit: 100,
    failOnGate: true,
    ...over
  };
}

export interface Recorded {
  log: Log;
  lines: string[];
  groups: string[];
}

export function recorder(): Recorded {
  const lines: string[] = [];
  const groups: string[] = [];
  const log: Log = {
    info: (m) => lines.push(m),
    warning: (m) => lines.push(`warning: ${m}`),
    debug: () => {},
    group: async (name, fn) => {
      groups.push(name);
      return fn();
    }
  };
  return { log, lines, groups };
}

/**
 * Wraps an api and groups its calls into waves: a call that starts while another is in
 * flight joins the current wave; a call that starts when none is in flight begins a new
 * one. The number of waves is the number of sequential round trips.
 */
export function waves(api: OctaneApi): { api: OctaneApi; waves: Array<Array<{ collection: Collection; params: ListParams }>> } {
  const all: Array<Array<{ collection: Collection; params: ListParams }>> = [];
  let inFlight = 0;
  const wrapped: OctaneApi = {
    async list<T extends Entity = Entity>(collection: Collection, params: ListParams): Promise<Page<T>> {
      if (inFlight === 0) all.push([]);
      all[all.length - 1]!.push({ collection, params });
      inFlight += 1;
      try {
        return await api.list<T>(collection, params);
      } finally {
        inFlight -= 1;
      }
    },
    create: (collection, fields) => api.create(collection, fields),
    workItemUrl: (id) => api.workItemUrl(id)
  };
  return { api: wrapped, waves: all };
}

/** An api whose list answers pass through `change` (to fake answers Octane should never give). */
export function tampered(api: OctaneApi, change: (collection: Collection, params: ListParams, page: Page) => unknown): OctaneApi {
  return {
    async list<T extends Entity = Entity>(collection: Collection, params: ListParams): Promise<Page<T>> {
      const page = await api.list(collection, params);
      return change(collection, params, page) as Page<T>;
    },
    create: (collection, fields) => api.create(collection, fields),
    workItemUrl: (id) => api.workItemUrl(id)
  };
}

export function refId(value: unknown): string | undefined {
  return value && typeof value === 'object' && 'id' in value ? String((value as { id: unknown }).id) : undefined;
}
