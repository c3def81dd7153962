import { describe, expect, it } from '@jest/globals';
import { idShape, readId, withCheckedIds } from '../../src/octane/ids.js';

const fail = (field: string, id: unknown): Error => new Error(`${field}: ${idShape(id)}`);

describe('ids in answers', () => {
  it('accepts numeric and logical-name ids, and safe integers as strings', () => {
    expect(readId('5007')).toBe('5007');
    expect(readId('phase.defect.new')).toBe('phase.defect.new');
    expect(readId(5007)).toBe('5007');
    expect(readId(undefined)).toBeUndefined();
    expect(readId(null)).toBeUndefined();
  });

  it('refuses anything else', () => {
    for (const bad of ['5007\n::error::x', '', '1 OR 1', '##[stop-commands]x', 'a'.repeat(256), 1.5, -3, 2 ** 60, true, {}, ['1']]) {
      expect(readId(bad)).toBeNull();
    }
  });

  it('converts reference and multi-reference ids, and names the field of a bad one without echoing it', () => {
    const entity = withCheckedIds<Record<string, unknown>>(
      {
        id: 12,
        type: 'defect',
        phase: { type: 'phase', id: 1001, name: 'New' },
        user_tags: { total_count: 1, data: [{ type: 'user_tag', id: 7 }] },
        name: 'x'
      },
      fail
    );
    expect(entity).toEqual({
      id: '12',
      type: 'defect',
      phase: { type: 'phase', id: '1001', name: 'New' },
      user_tags: { total_count: 1, data: [{ type: 'user_tag', id: '7' }] },
      name: 'x'
    });
    expect(() => withCheckedIds({ id: '5007\n::error::x', type: 'defect' }, fail)).toThrow(
      'id: a text of 15 characters, not only letters, digits, _ and .'
    );
    expect(() => withCheckedIds({ id: '1', type: 'defect', severity: { type: 'list_node', id: 'x;y' } }, fail)).toThrow(/^severity\.id: /);
    expect(() =>
      withCheckedIds({ id: '1', type: 'defect', product_areas: { data: [{ type: 'product_area', id: '1\n2' }] } }, fail)
    ).toThrow(/^product_areas\.id: /);
  });
});

describe('ids made of dots', () => {
  it('an id that is only dots or starts with one is unreadable; logical names with dots still read', () => {
    for (const bad of ['.', '..', '...', '.hidden']) expect(readId(bad)).toBeNull();
    for (const good of ['phase.defect.new', 'list_node.severity.high', '1001']) expect(readId(good)).toBe(good);
  });
});
