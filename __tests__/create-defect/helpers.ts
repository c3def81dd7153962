// Create-defect settings and store queries for the create-defect suites; the client and recorder are in
// ../helpers/octane-client.ts.
import type { CreateDefectSettings } from '../../src/settings.js';
import type { Simulator } from '../../simulator/index.js';
import { connectionFor } from '../helpers/octane-client.js';

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
    attachments: [],
    testResults: [],
    ...over
  };
}

export function defectsNamed(sim: Simulator, name: string): Array<Record<string, unknown> & { id: string }> {
  return sim.store.find('defects', (d) => d.name === name);
}

export function postsTo(sim: Simulator, collection: string): number {
  return sim.log.filter((r) => r.method === 'POST' && r.path.endsWith(`/${collection}`)).length;
}
