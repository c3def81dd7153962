import { describe, it, expect } from '@jest/globals';
import { refName, stringOf, textOf } from '../../src/octane/entities.js';

describe('field readers', () => {
  it('textOf: text and numeric fields as text, nothing else, untrimmed', () => {
    expect([textOf('a '), textOf(1009), textOf(null), textOf({ name: 'x' }), textOf(undefined)]).toEqual(['a ', '1009', '', '', '']);
  });

  it('stringOf: a non-empty string as it is; numbers and empty text are absent', () => {
    expect([stringOf(' Opened'), stringOf(''), stringOf(5), stringOf(null)]).toEqual([' Opened', undefined, undefined, undefined]);
  });

  it('refName: the string name of a reference, else empty', () => {
    expect([refName({ type: 'phase', id: '1', name: 'New' }), refName({ id: '1', name: 7 }), refName(null), refName('New')]).toEqual([
      'New',
      '',
      '',
      ''
    ]);
  });
});
