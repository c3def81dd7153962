import { describe, it, expect } from '@jest/globals';
import { readSettings } from '../../src/settings.js';
import { formatProblems } from '../../src/inputs/problems.js';
import { HOSTILE_INPUTS, DEFAULT_CONNECTION, baseInputs } from '../fixtures/hostile-inputs.js';

const read = (inputs: Record<string, string>) => {
  const masked: string[] = [];
  const result = readSettings((name) => inputs[name] ?? '', { setSecret: (v) => masked.push(v) });
  return { result, masked };
};

describe('the hostile input table', () => {
  it('has at least 30 refused cases across the gate and create-defect modes, and some accepted ones', () => {
    const refused = HOSTILE_INPUTS.filter((c) => !c.accepted);
    expect(refused.length).toBeGreaterThanOrEqual(30);
    expect(new Set(refused.map((c) => c.mode))).toEqual(new Set(['gate', 'create-defect']));
    expect(HOSTILE_INPUTS.filter((c) => c.accepted).length).toBeGreaterThanOrEqual(3);
    expect(new Set(HOSTILE_INPUTS.map((c) => c.title)).size).toBe(HOSTILE_INPUTS.length);
  });

  it('starts from bases that are valid', () => {
    for (const mode of ['gate', 'create-defect'] as const) expect(read(baseInputs(mode)).result.ok).toBe(true);
  });

  it.each(HOSTILE_INPUTS.map((c) => [c.title, c] as const))('%s', (_title, c) => {
    const { result, masked } = read(c.inputs);
    const secret = (c.inputs['client-secret'] ?? '').trim();
    if (secret !== '') expect(masked).toContain(secret);
    if (c.accepted) {
      if (!result.ok) throw new Error(formatProblems(result.problems));
      if (c.settings) expect(result.settings).toMatchObject(c.settings);
      return;
    }
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const text = formatProblems(result.problems);
    const lines = text.split('\n');
    expect(lines[0]).toBe('The inputs have 1 problem:');
    if (typeof c.error === 'string') expect(lines[1]).toBe(c.error);
    else expect(lines[1]).toMatch(c.error);
    expect(text).not.toContain(DEFAULT_CONNECTION.clientSecret);
    for (const hidden of c.notShown ?? []) expect(text).not.toContain(hidden);
  });
});
