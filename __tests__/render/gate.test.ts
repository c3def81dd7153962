import { describe, it, expect } from '@jest/globals';
import type { GateResult, ListedDefect } from '../../src/modes/gate.js';
import { gateOutputs, gateSummary, gateVerdict } from '../../src/render/gate.js';
import { shown } from '../helpers/markup.js';

function defect(id: string, name: string, severity = 'High', phase = 'New'): ListedDefect {
  return { id, name, phase, severity, url: `https://octane.example/ui/entity-navigation?p=1001/1002&entityType=work_item&id=${id}` };
}

function result(over: Partial<GateResult> = {}): GateResult {
  const defects = over.defects ?? [defect('11', 'Crash on save', 'Urgent'), defect('12', 'Typo', 'High', 'Opened')];
  return {
    release: { id: '2001', name: '2026.4' },
    phases: [
      { id: '3001', name: 'New', logicalName: 'phase.defect.new' },
      { id: '3002', name: 'Opened', logicalName: 'phase.defect.opened' }
    ],
    severities: [
      { id: '4005', name: 'Urgent', logicalName: 'list_node.severity.urgent' },
      { id: '4003', name: 'High', logicalName: 'list_node.severity.high' }
    ],
    allSeverities: false,
    query: 'release EQ {id EQ 2001};phase EQ {id IN 3001,3002};severity EQ {id IN 4005,4003}',
    dryRun: false,
    count: defects.length,
    passed: defects.length === 0,
    operator: '<=',
    threshold: 0,
    defects,
    countsBySeverity: { Urgent: 1, High: 1 },
    countsByPhase: { New: 1, Opened: 1 },
    ...over
  };
}

describe('gateVerdict', () => {
  it('says failed with the count, the filter and the allowed range', () => {
    expect(gateVerdict(result({ count: 7, passed: false }))).toBe(
      'Gate failed: 7 defects (release 2026.4, phases New/Opened, severities Urgent/High); allowed: <= 0'
    );
  });

  it('says passed, singular and plural right, and "every severity" when not filtered', () => {
    expect(gateVerdict(result({ count: 0, passed: true, allSeverities: true }))).toBe(
      'Gate passed: 0 defects (release 2026.4, phases New/Opened, every severity); allowed: <= 0'
    );
    expect(gateVerdict(result({ count: 1, passed: false, operator: '<', threshold: 1 }))).toBe(
      'Gate failed: 1 defect (release 2026.4, phases New/Opened, severities Urgent/High); allowed: < 1'
    );
  });

  it('uses the singular for one phase and one severity', () => {
    const r = result({ phases: [{ id: '1', name: 'New' }], severities: [{ id: '2', name: 'Urgent' }], count: 2, passed: false });
    expect(gateVerdict(r)).toBe('Gate failed: 2 defects (release 2026.4, phase New, severity Urgent); allowed: <= 0');
  });

  it('keeps a hostile release name on one line', () => {
    const r = result({ release: { id: '1', name: 'x\n::set-output name=gate-result::passed' } });
    expect(gateVerdict(r)).not.toContain('\n');
  });

  it('says what a dry run would do', () => {
    const r = result({ dryRun: true, count: undefined, passed: undefined, defects: undefined });
    expect(gateVerdict(r)).toBe('Dry run: would count defects (release 2026.4, phases New/Opened, severities Urgent/High); allowed: <= 0');
  });
});

describe('gateOutputs', () => {
  it('sets the count, the result, the defects and the breakdown as JSON', () => {
    const r = result({ count: 5, passed: false, countsBySeverity: { Urgent: 3, High: 2 }, countsByPhase: { New: 4, Opened: 1 } });
    const out = gateOutputs(r);
    expect(out['defect-count']).toBe('5');
    expect(out['gate-result']).toBe('failed');
    expect(JSON.parse(out.defects!)).toEqual(r.defects);
    expect(JSON.parse(out['counts-by-severity']!)).toEqual({ Urgent: 3, High: 2 });
    expect(JSON.parse(out['counts-by-phase']!)).toEqual({ New: 4, Opened: 1 });
  });

  it('says passed when the check holds', () => {
    expect(gateOutputs(result({ defects: [], count: 0, passed: true }))['gate-result']).toBe('passed');
  });

  it('keeps a hostile defect name as data inside the JSON', () => {
    const name = '::set-output name=gate-result::passed\n"}]';
    const out = gateOutputs(result({ defects: [defect('1', name)], count: 1, passed: false }));
    expect(JSON.parse(out.defects!)[0].name).toBe(name);
    expect(out['gate-result']).toBe('failed');
  });

  it('sets nothing that was not counted in a dry run', () => {
    expect(gateOutputs(result({ dryRun: true, count: undefined, passed: undefined, defects: undefined }))).toEqual({});
  });
});

describe('gateSummary', () => {
  it('puts the verdict first, then the filter, the breakdown with a chart, then the defects', () => {
    const s = shown(gateSummary(result({ count: 2, passed: false })));
    const order = ['❌ Gate failed', 'Gate failed: 2 defects', '### Filter', '### Breakdown', '```mermaid', '### Defects'].map((x) => s.indexOf(x));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(gateSummary(result())).toContain('<a href="https://octane.example/ui/entity-navigation?p=1001/1002&amp;entityType=work_item&amp;id=11">11</a>');
    expect(s).toContain('| Urgent | 1 |');
    expect(s).not.toContain('more');
  });

  it('shows a passed gate with a check mark', () => {
    const s = gateSummary(result({ defects: [], count: 0, passed: true, countsBySeverity: { Urgent: 0, High: 0 }, countsByPhase: { New: 0, Opened: 0 } }));
    expect(s).toMatch(/^## ✅ Gate passed/);
    expect(s).toContain('No matching defects.');
    expect(s).not.toContain('```mermaid'); // no pie of zeros
  });

  it('says "and N more" when the list was cut', () => {
    const s = gateSummary(result({ count: 250, passed: false }));
    expect(s).toContain('and 248 more');
  });

  it('makes hostile names from users and from Octane inert', () => {
    const evil = '<script>alert(1)</script> | `x` ::set-output name=gate-result::passed\n[a](javascript:b)';
    const r = result({
      release: { id: '1', name: evil },
      phases: [{ id: '2', name: evil }],
      severities: [{ id: '3', name: evil }],
      defects: [defect('9', evil, evil, evil)],
      count: 1,
      passed: false,
      countsBySeverity: { [evil]: 1 },
      countsByPhase: { [evil]: 1 }
    });
    const s = gateSummary(r);
    expect(s).not.toContain('<script');
    expect(s).not.toContain('::set-output');
    expect(s).not.toContain('javascript:');
    // Every table row keeps its four columns: no `|` leaked from a name.
    const defectRow = s.split('\n').find((l) => l.includes('>9</a>'));
    expect(defectRow?.split('|').length).toBe(6);
    // Mermaid labels lost the characters that would break the chart.
    const pieLines = s.split('\n').filter((l) => /^ {4}".*" : \d+$/.test(l));
    expect(pieLines.length).toBe(2);
    for (const l of pieLines) expect(l.slice(5, l.lastIndexOf('"'))).not.toMatch(/[<>`:|[\]"\n]/);
  });

  it('in a dry run shows the verdict and filter but no counts', () => {
    const s = gateSummary(result({ dryRun: true, count: undefined, passed: undefined, defects: undefined, countsBySeverity: undefined, countsByPhase: undefined }));
    expect(s).toContain('Dry run');
    expect(s).toContain('### Filter');
    expect(s).not.toContain('### Defects');
    expect(s).not.toContain('### Breakdown');
  });
});

describe('size budgets', () => {
  it('keeps a summary whose filter alone is too large to its heading and count', () => {
    // 600 phases of 255 `|` each: the filter, the verdict and the breakdown escape to several MB.
    const phases = Array.from({ length: 600 }, (_, i) => ({ id: String(5000 + i), name: `${i}`.padEnd(255, '|') }));
    const summary = gateSummary(
      result({ phases, count: 3, passed: false, countsByPhase: Object.fromEntries(phases.map((p) => [p.name, 0])) })
    );
    expect(Buffer.byteLength(summary)).toBeLessThanOrEqual(512 * 1024);
    expect(summary).toContain('## ❌ Gate failed');
    expect(summary).toContain('**Gate failed: 3 defects; allowed: &lt;&#61; 0.**');
    expect(summary).toContain('The full summary would be larger than 512 KiB');
  });

  it('gives the defects output only what the counts leave, and never cuts the counts', () => {
    const many = Array.from({ length: 1000 }, (_, i) => defect(String(i + 1), 'x'.repeat(255)));
    const outputs = gateOutputs(result({ defects: many, count: 1000, passed: false }));
    const bytes = Object.entries(outputs).reduce((n, [k, v]) => n + 2 * (k.length + v.length), 0);
    expect(bytes).toBeLessThanOrEqual(512 * 1024);
    const listed = JSON.parse(outputs.defects ?? '') as ListedDefect[];
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.length).toBeLessThan(1000);
    expect(listed.map((d) => d.id)).toEqual(many.slice(0, listed.length).map((d) => d.id));
    expect(outputs['counts-by-severity']).toBe('{"Urgent":1,"High":1}');
  });
});
