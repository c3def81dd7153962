import { describe, expect, it } from '@jest/globals';
import { withStringIds } from '../../src/octane/answers.js';

describe('withStringIds: ids read as the opaque strings they are', () => {
  it('turns numeric ids of the entity, its references and its multi-references into strings', () => {
    const answered = {
      type: 'defect',
      id: 1002,
      name: 'x',
      phase: { type: 'phase', id: 3001, name: 'New', index: 0 },
      owner_work_item: { type: 'defect', id: 77 },
      product_areas: { total_count: 2, data: [{ type: 'product_area', id: 5 }, { type: 'product_area', id: 'pa.logical' }] },
      release: null,
      story_points: 8
    };
    expect(withStringIds(answered)).toEqual({
      type: 'defect',
      id: '1002',
      name: 'x',
      phase: { type: 'phase', id: '3001', name: 'New', index: 0 },
      owner_work_item: { type: 'defect', id: '77' },
      product_areas: { total_count: 2, data: [{ type: 'product_area', id: '5' }, { type: 'product_area', id: 'pa.logical' }] },
      release: null,
      story_points: 8
    });
  });

  it('leaves ids of other shapes as they came, for the readers to refuse, and does not change its argument', () => {
    const odd = { type: 'defect', id: { evil: true }, phase: { type: 'phase', id: Number.NaN } };
    const copy = structuredClone(odd);
    expect(withStringIds(odd)).toEqual(copy);
    expect(withStringIds({ type: 'defect', id: 5 })).not.toBe(odd);
    expect(withStringIds(null)).toBeNull();
    expect(withStringIds('x')).toBe('x');
  });
});
