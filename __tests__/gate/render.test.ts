import { describe, it, expect } from '@jest/globals';
import type { GateResult, ListedDefect, Tally } from '../../src/gate/result.js';
import { gateOutputs, gateSummary } from '../../src/gate/render.js';
import { gateVerdict } from '../../src/gate/verdict.js';
import { shown } from '../helpers/markup.js';

function defect(id: string, name: string, severity = 'High', phase = 'New'): ListedDefect {
  return { id, name, phase, severity, url: `https://octane.example/ui/entity-navigation?p=1001/1002&entityType=work_item&id=${id}` };
}

/** Exact counts by name, as the gate returns them. */
function counts(entries: Record<string, number>): Map<string, Tally> {
  return new Map(Object.entries(entries).map(([k, n]) => [k, { n, exact: true }]));
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
    countsBySeverity: counts({ Urgent: 1, High: 1 }),
    countsByPhase: counts({ New: 1, Opened: 1 }),
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
    const r = result({
      count: 5,
      passed: false,
      countsBySeverity: counts({ Urgent: 3, High: 2 }),
      countsByPhase: counts({ New: 4, Opened: 1 })
    });
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
    const order = ['❌ Gate failed', 'Gate failed: 2 defects', '### Filter', '### Breakdown', '```mermaid', '### Defects'].map((x) =>
      s.indexOf(x)
    );
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(gateSummary(result())).toContain(
      '<a href="https://octane.example/ui/entity-navigation?p=1001/1002&amp;entityType=work_item&amp;id=11">11</a>'
    );
    expect(s).toContain('| Urgent | 1 |');
    expect(s).not.toContain('more');
  });

  it('shows a passed gate with a check mark', () => {
    const s = gateSummary(
      result({
        defects: [],
        count: 0,
        passed: true,
        countsBySeverity: counts({ Urgent: 0, High: 0 }),
        countsByPhase: counts({ New: 0, Opened: 0 })
      })
    );
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
      countsBySeverity: counts({ [evil]: 1 }),
      countsByPhase: counts({ [evil]: 1 })
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

  it('says in the heading that a failed gate with fail-on-gate false let the step pass', () => {
    const reported = gateSummary(result({ count: 2, passed: false }), { failOnGate: false });
    const heading = reported.split('\n')[0]!;
    expect(heading).toMatch(/^## .*Gate failed/);
    expect(heading).toContain('the step passed');
    expect(heading).toContain('fail-on-gate is false');
    expect(heading).not.toContain('❌');
    // The default (and fail-on-gate true) still reads as a failed step.
    expect(gateSummary(result({ count: 2, passed: false })).split('\n')[0]).toBe('## ❌ Gate failed');
    expect(gateSummary(result({ count: 0, passed: true, defects: [] }), { failOnGate: false }).split('\n')[0]).toBe('## ✅ Gate passed');
  });

  it('gives the Filter table a header row with words in it', () => {
    const lines = gateSummary(result()).split('\n');
    const header = lines[lines.indexOf('### Filter') + 2]!;
    const cells = header
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    expect(cells).toEqual(['Setting', 'Value']);
    expect(lines[lines.indexOf('### Filter') + 4]).toMatch(/^\| Release \| 2026\.4 /);
  });

  it('colours the severity chart by severity, Urgent red through Low grey, whatever the counts', () => {
    const severities = [
      { id: '5', name: 'Urgent', logicalName: 'list_node.severity.urgent' },
      { id: '4', name: 'Very High', logicalName: 'list_node.severity.very_high' },
      { id: '3', name: 'High', logicalName: 'list_node.severity.high' },
      { id: '2', name: 'Medium', logicalName: 'list_node.severity.medium' },
      { id: '1', name: 'Low', logicalName: 'list_node.severity.low' }
    ];
    const s = gateSummary(
      result({ severities, count: 15, passed: false, countsBySeverity: counts({ Urgent: 1, 'Very High': 2, High: 3, Medium: 3, Low: 6 }) })
    );
    const chart = s.slice(s.indexOf('```mermaid'), s.indexOf('```', s.indexOf('```mermaid') + 3));
    const init = /%%\{init: (.*)\}%%/.exec(chart);
    const vars = (JSON.parse(init![1]!) as { themeVariables: Record<string, string> }).themeVariables;
    const slices = [...chart.matchAll(/^ {4}"(.*)" : (\d+)$/gm)].map((m) => m[1]!);
    // Largest first, ties most severe first: the order in which Mermaid draws them, old and new.
    expect(slices).toEqual(['Low', 'High', 'Medium', 'Very High', 'Urgent']);
    const colourOf = Object.fromEntries(slices.map((name, i) => [name, vars[`pie${i + 1}`]]));
    expect(colourOf).toEqual({ Urgent: '#cf222e', 'Very High': '#e8590c', High: '#fb8f44', Medium: '#d4a72c', Low: '#8c959f' });
    // The phase chart keeps the theme's colours.
    const phaseChart = s.slice(s.lastIndexOf('```mermaid'));
    expect(phaseChart).not.toContain('%%{init');
  });

  it('in a dry run shows the verdict and filter but no counts', () => {
    const s = gateSummary(
      result({
        dryRun: true,
        count: undefined,
        passed: undefined,
        defects: undefined,
        countsBySeverity: undefined,
        countsByPhase: undefined
      })
    );
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
      result({ phases, count: 3, passed: false, countsByPhase: counts(Object.fromEntries(phases.map((p) => [p.name, 0]))) })
    );
    expect(Buffer.byteLength(summary)).toBeLessThanOrEqual(512 * 1024);
    expect(summary).toContain('## ❌ Gate failed');
    // The verdict line, cut: its start, then how much was left out.
    expect(summary).toMatch(
      /\*\*Gate failed&#58; 3 defects &#40;release 2026\.4, phases 0&#124;&#124;[^*\n]*… &#40;\d+ more characters&#41;\*\*\n/
    );
    expect(summary).toContain('The full summary would be larger than 512 KiB');
  });

  it('keeps the verdict of the conditions, not the threshold, when the summary is too large', () => {
    const phases = Array.from({ length: 3000 }, (_, i) => ({ id: String(5000 + i), name: `Phase ${'x'.repeat(300)} ${i}` }));
    const conditions = [
      {
        condition: 'total <= 25 warn',
        operator: '<=' as const,
        threshold: 25,
        level: 'warn' as const,
        count: { n: 30, exact: true },
        passed: false
      }
    ];
    const summary = gateSummary(result({ phases, count: 30, passed: true, outcome: 'warned', conditions, conditionsGiven: true }));
    expect(Buffer.byteLength(summary)).toBeLessThanOrEqual(512 * 1024);
    expect(summary).toContain('The full summary would be larger than 512 KiB');
    expect(summary).toContain(
      '**Gate warned&#58; 1 of 1 condition warns&#58; total &lt;&#61; 25 warn &#40;30 defects&#41;. Release 2026.4, phases Phase xxx'
    );
    expect(summary).not.toContain('allowed:');
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
