// Gate settings for the gate suite; the client, recorder and api wrappers are in ../helpers/octane-client.ts.
import type { GateSettings } from '../../src/settings.js';
import type { Simulator } from '../../simulator/index.js';
import { connectionFor } from '../helpers/octane-client.js';

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
