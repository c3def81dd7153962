// Names with %, CR, :: and %0A, through the bundle: @actions/core escapes the annotation text in the
// child's real stdout and the runner decodes it; these runs read that stdout as the runner does.
// (Moved from the adversarial suite, whose other probes run in-process: __tests__/main/adversarial.test.ts.)
import { describe, expect, it } from '@jest/globals';
import { connectionInputs, useSimulator } from '../helpers/e2e-simulator.js';
import { runAction, type ActionRun } from '../../test-support/run-action.js';

const sim = useSimulator();

const gate = (inputs: Record<string, string> = {}): Promise<ActionRun> =>
  runAction({ mode: 'gate', ...connectionInputs(sim()), 'release-name': '2026.4', ...inputs });

describe('%, CR, :: and %0A in names that reach annotations', () => {
  it('an unknown severity "100%0A::warning::pwn" is named literally in one error annotation and forges nothing', async () => {
    const run = await gate({ severities: 'High, 100%0A::warning::pwn' });

    expect(run.code).toBe(1);
    expect(run.warnings).toEqual([]);
    expect(run.errors).toHaveLength(1);
    // Decoded as the runner decodes it: the text reads exactly as typed, on one line.
    expect(run.errors[0]).toMatch(/^severities: Unknown severities "100%0A::warning::pwn"; valid severities: Low/);
    expect(run.errors[0]).not.toContain('\n');
    // Raw, the % is escaped so the runner cannot turn %0A into a line break.
    expect(run.stdout).toContain('100%250A::warning::pwn');
    expect(run.outputs).toEqual({});
  });

  it('a CR in the release name is refused before any request, naming the character and where it is', async () => {
    const run = await gate({ 'release-name': '50%0A::error::x %25 \r y' });

    expect(run.code).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toContain('release-name: must not contain control characters; got U+000D');
    expect(sim().log).toHaveLength(0);
  });

  it('a release really named "R%0A::x%25" is found, and the verdict annotation reads the name as stored', async () => {
    const name = 'R%0A::x%25';
    sim().store.add('releases', { name });
    sim().store.addDefects(1, {
      release: sim().store.releaseByName(name),
      phase: sim().store.byLogicalName('phase.defect.new'),
      severity: sim().store.byLogicalName('list_node.severity.low')
    });

    const run = await gate({ 'release-name': name });

    expect(run.code).toBe(1);
    expect(run.warnings).toEqual([]);
    expect(run.errors).toEqual([`Gate failed: 1 defect (release ${name}, phases New/Opened/Deferred, every severity); allowed: <= 0`]);
    expect(run.outputs['defect-count']).toBe('1');
  });
});
