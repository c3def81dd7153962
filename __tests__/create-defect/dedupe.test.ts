import { describe, expect, it } from '@jest/globals';
import { openDuplicates } from '../../src/create-defect/dedupe.js';

const phases = [
  { id: '1', type: 'phase', name: 'New', logical_name: 'phase.defect.new' },
  { id: '5', type: 'phase', name: 'Closed', logical_name: 'phase.defect.closed' }
];
const candidate = (id: string, phase: unknown) => ({
  id,
  type: 'defect',
  name: 'Build broke',
  release: { type: 'release', id: '7' },
  phase
});

describe('openDuplicates on odd phase references', () => {
  it('a reference with a non-string logical_name and an unknown id is not taken as open, and does not throw', () => {
    const found = openDuplicates([candidate('10', { type: 'phase', id: '99', logical_name: 42 })], 'Build broke', '7', phases);
    expect(found).toEqual([]);
  });

  it('a known open phase is still found next to it, and a closed one is not', () => {
    const found = openDuplicates(
      [
        candidate('10', { type: 'phase', id: '99', logical_name: 42 }),
        candidate('11', { type: 'phase', id: '1' }),
        candidate('12', { type: 'phase', id: '5' })
      ],
      'Build broke',
      '7',
      phases
    );
    expect(found.map((d) => [d.entity.id, d.phase])).toEqual([['11', 'New']]);
  });
});

describe('openDuplicates on the reference shapes servers answer', () => {
  const meta = { done: { type: 'metaphase', id: '40' }, open: { type: 'metaphase', id: '41' } };
  const numericPhases = [
    { id: '1', type: 'phase', name: 'Opened', logical_name: 'phase.defect.opened', metaphase: meta.open },
    { id: '6', type: 'phase', name: 'Proposed Closed', logical_name: 'phase.defect.proposeclose', metaphase: meta.done }
  ];
  const done = new Set(['40']);

  it('a bare {type, id, name, index} reference is matched to the listed phase by id', () => {
    const found = openDuplicates(
      [candidate('10', { type: 'phase', id: '1', name: 'Opened', index: 1 })],
      'Build broke',
      '7',
      numericPhases,
      done
    );
    expect(found.map((d) => [d.entity.id, d.phase])).toEqual([['10', 'Opened']]);
    expect(
      openDuplicates([candidate('11', { type: 'phase', id: '6', name: 'Proposed Closed' })], 'Build broke', '7', numericPhases, done)
    ).toEqual([]);
  });

  it('a reference whose id is a logical name finds the phase listed with a numeric id, and its metaphase', () => {
    const found = openDuplicates(
      [
        candidate('10', { type: 'phase', id: 'phase.defect.proposeclose', name: 'Proposed Closed' }),
        candidate('11', { type: 'phase', id: 'phase.defect.opened' })
      ],
      'Build broke',
      '7',
      numericPhases,
      done
    );
    expect(found.map((d) => [d.entity.id, d.phase])).toEqual([['11', 'Opened']]);
  });
});
