import { describe, it, expect } from '@jest/globals';
import { OPERATORS, parseOperator, compare, describeOperator } from '../../src/gate/operators.js';

describe('operators', () => {
  it('parses symbols and letters in any case, and nothing else', () => {
    expect(OPERATORS.map((op) => parseOperator(op))).toEqual([...OPERATORS]);
    expect(['lt', 'LE', 'Eq', 'nE', 'GE', 'gt'].map(parseOperator)).toEqual(['<', '<=', '==', '!=', '>=', '>']);
    for (const bad of ['=', '===', '=<', '=>', '<>', '', 'lte', 'toString', '__proto__', ' <']) expect(parseOperator(bad)).toBeUndefined();
  });

  it('compares count OP threshold', () => {
    const table: [number, string, number, boolean][] = [
      [0, '<=', 0, true],
      [1, '<=', 0, false],
      [0, '<', 0, false],
      [2, '==', 2, true],
      [3, '==', 2, false],
      [3, '!=', 2, true],
      [2, '!=', 2, false],
      [2, '>=', 2, true],
      [1, '>=', 2, false],
      [3, '>', 2, true],
      [2, '>', 2, false]
    ];
    for (const [count, op, threshold, holds] of table) expect(compare(count, parseOperator(op)!, threshold)).toBe(holds);
  });

  it('describes each operator in words', () => {
    expect(OPERATORS.map(describeOperator)).toEqual(['fewer than', 'at most', 'exactly', 'other than', 'at least', 'more than']);
  });
});
