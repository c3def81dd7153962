// is_draft through the bundle: newer servers document it as technical preview (a client that sends
// it must send ALM-OCTANE-TECH-PREVIEW: true), and omitting it makes a draft anyway. So it is sent
// only when the user gives it in extra-fields, and then with that header.
import { describe, expect, it } from '@jest/globals';
import type { SimEntity } from '../../simulator/index.js';
import { connectionInputs, postsTo, uniqueName, useSimulator } from '../helpers/e2e-simulator.js';
import { runInProcess } from '../../test-support/run-in-process.js';

const sim = useSimulator();

function inputs(more: Record<string, string> = {}): Record<string, string> {
  return { mode: 'create-defect', ...connectionInputs(sim()), 'release-name': '2026.4', 'defect-name': uniqueName('Draft test'), ...more };
}

describe('is_draft', () => {
  it('is not sent by default, nor the tech-preview header; the defect is still a draft', async () => {
    const run = await runInProcess(inputs());

    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    const [post] = postsTo(sim(), 'defects');
    expect(postsTo(sim(), 'defects')).toHaveLength(1);
    expect(JSON.parse(post!.body).data[0]).not.toHaveProperty('is_draft');
    expect(post!.headers).not.toHaveProperty('alm-octane-tech-preview');
    expect((sim().store.get('defects', run.outputs['defect-id']!) as SimEntity).is_draft).toBe(true);
  });

  it.each([false, true])(
    'given in extra-fields as %s: sent as given, with ALM-OCTANE-TECH-PREVIEW: true on that POST only',
    async (value) => {
      // A non-draft must meet the required-field rules: phase and severity.
      const phase = sim().store.byLogicalName('phase.defect.new');
      const run = await runInProcess(
        inputs({ severity: 'High', 'extra-fields': JSON.stringify({ is_draft: value, phase: { type: 'phase', id: phase.id } }) })
      );

      expect(run.errors).toEqual([]);
      expect(run.code).toBe(0);
      const [post] = postsTo(sim(), 'defects');
      expect(JSON.parse(post!.body).data[0].is_draft).toBe(value);
      expect(post!.headers['alm-octane-tech-preview']).toBe('true');
      // Only the create that carries the tech-preview field asks for it.
      expect(sim().log.filter((r) => r !== post && r.headers['alm-octane-tech-preview'] !== undefined)).toEqual([]);
      expect((sim().store.get('defects', run.outputs['defect-id']!) as SimEntity).is_draft).toBe(value);
    }
  );
});
