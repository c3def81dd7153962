// The last check on every mode's summary: under the budget, cut on a line, and saying so.
import { describe, expect, it } from '@jest/globals';
import { SUMMARY_BUDGET_BYTES, withinSummaryBudget } from '../../src/markup/budget.js';

describe('withinSummaryBudget', () => {
  it('leaves a summary within the budget as it is', () => {
    const text = `# Title\n\n${'é'.repeat(1000)}\n`;
    expect(withinSummaryBudget(text)).toBe(text);
  });

  it('cuts a larger one at a whole line under the budget, and says it was cut', () => {
    const line = `| row | ${'ü'.repeat(300)} |`;
    const text = Array.from({ length: 3000 }, () => line).join('\n');
    expect(Buffer.byteLength(text)).toBeGreaterThan(SUMMARY_BUDGET_BYTES);
    const cut = withinSummaryBudget(text);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(SUMMARY_BUDGET_BYTES);
    const [kept, note] = cut.split('\n\n*');
    expect(kept!.split('\n').every((l) => l === line)).toBe(true);
    expect(note).toContain('The rest of this summary was cut to keep it under 512 KiB');
  });
});
