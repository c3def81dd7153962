// Shared set-up for the create-defect suites: a real simulator, the real client, a log recorder.
import type { Log } from '../../src/log.js';
import type { CreateDefectSettings, ConnectionSettings } from '../../src/settings.js';
import { OctaneClient } from '../../src/octane/client.js';
import type { Simulator } from '../../simulator/index.js';

export interface Recorded {
  log: Log;
  lines: string[];
  warnings: string[];
}

export function recorder(): Recorded {
  const lines: string[] = [];
  const warnings: string[] = [];
  const log: Log = {
    info: (m) => lines.push(m),
    warning: (m) => {
      warnings.push(m);
      lines.push(`warning: ${m}`);
    },
    debug: () => {},
    group: async (name, fn) => {
      lines.push(`[group] ${name}`);
      return fn();
    }
  };
  return { log, lines, warnings };
}

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

let counter = 0;
/** A defect name no other test uses, so each test counts only its own defects. */
export function uniqueName(label: string): string {
  counter += 1;
  return `${label} #${counter} ${Date.now()}`;
}

export function settingsFor(sim: Simulator, over: Partial<CreateDefectSettings> = {}): CreateDefectSettings {
  return {
    mode: 'create-defect',
    connection: connectionFor(sim),
    releaseName: '2026.4',
    dryRun: false,
    defectName: uniqueName('Build failed'),
    defectDescription: '',
    extraFields: {},
    dedupe: false,
    addRunContext: true,
    ...over
  };
}

export function defectsNamed(sim: Simulator, name: string): Array<Record<string, unknown> & { id: string }> {
  return sim.store.find('defects', (d) => d.name === name);
}

export function postsTo(sim: Simulator, collection: string): number {
  return sim.log.filter((r) => r.method === 'POST' && r.path.endsWith(`/${collection}`)).length;
}

export function refId(value: unknown): string | undefined {
  return value && typeof value === 'object' ? String((value as { id?: unknown }).id) : undefined;
}
