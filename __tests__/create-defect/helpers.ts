// Create-defect settings for the create-defect suites; the client and recorder are in
// ../helpers/octane-client.ts, unique names and store and log queries in ../helpers/e2e-simulator.ts.
import type { CreateDefectSettings } from '../../src/settings.js';
import type { Simulator } from '../../simulator/index.js';
import { connectionFor } from '../helpers/octane-client.js';
import { uniqueName } from '../helpers/e2e-simulator.js';

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
