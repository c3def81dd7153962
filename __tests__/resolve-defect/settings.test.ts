/** The inputs of mode resolve-defect: defect-name required, resolve-phase optional, other modes' inputs warned about. */
import { describe, it, expect } from '@jest/globals';
import { readSettings, type ResolveDefectSettings } from '../../src/settings.js';
import { formatProblems } from '../../src/inputs/problems.js';

const BASE: Record<string, string> = {
  mode: 'resolve-defect',
  'octane-url': 'https://octane.example.com',
  'client-id': 'id',
  'client-secret': 'secret',
  'shared-space-id': '1001',
  'workspace-id': '1002',
  'release-name': '2026.4',
  'defect-name': 'Build broken'
};
const read = (inputs: Record<string, string>) => readSettings((name) => inputs[name] ?? '');

describe('mode resolve-defect settings', () => {
  it('reads defect-name and resolve-phase', () => {
    const r = read({ ...BASE, 'resolve-phase': ' Fixed ' });
    expect(r.ok && (r.settings as ResolveDefectSettings)).toMatchObject({
      mode: 'resolve-defect',
      defectName: 'Build broken',
      resolvePhase: 'Fixed'
    });
    const without = read(BASE);
    expect(without.ok && 'resolvePhase' in without.settings).toBe(false);
  });

  it('requires defect-name, naming the input', () => {
    const r = read({ ...BASE, 'defect-name': '' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(formatProblems(r.problems)).toMatch(/- defect-name: is required/);
  });

  it('warns about inputs of the other modes, and about resolve-phase given to create-defect', () => {
    expect(read({ ...BASE, severity: 'High', severities: 'High' }).warnings.join('\n')).toMatch(
      /severity is only used in mode create-defect[\s\S]*severities is only used in mode gate/
    );
    expect(read({ ...BASE, mode: 'create-defect', 'resolve-phase': 'Fixed' }).warnings).toEqual([
      'Input resolve-phase is only used in mode resolve-defect; it is ignored.'
    ]);
  });
});
