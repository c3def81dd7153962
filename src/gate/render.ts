// The gate's result as outputs, a one-line verdict, and the job summary.
import type { ConditionResult, GateResult, Tally } from './result.js';
import { gateVerdict } from './verdict.js';
import { describeOperator } from './operators.js';
import { code, escapeCell, escapeText, link, mermaidPie, table } from '../markup/markdown.js';
import { MAX_LIST_LIMIT } from '../inputs/catalogue.js';
import { SUMMARY_BUDGET_BYTES } from '../markup/budget.js';

/** A count for outputs: the number when exact, `N+` when Octane's count is only known to be at least N. */
function outputCount(t: Tally): number | string {
  return t.exact ? t.n : `${t.n}+`;
}

/**
 * Name -> count as JSON. Built as a list of pairs and joined by hand, not through an object: the names come
 * from Octane, and an object would turn a severity named `__proto__` into its prototype instead of a key.
 */
function countsJson(counts: Map<string, Tally> | undefined): string {
  const pairs = [...(counts ?? [])].map(([name, t]) => `${JSON.stringify(name)}:${JSON.stringify(outputCount(t))}`);
  return `{${pairs.join(',')}}`;
}

// The budget is shared with the other modes' summaries (main.ts checks every one against it).
export { SUMMARY_BUDGET_BYTES };

/**
 * The gate's outputs together are kept under this many bytes, counted as GitHub counts them (UTF-16,
 * two bytes a code unit). GitHub allows 1 MB of outputs per job (docs: "output limitations"), counted
 * over the outputs a job maps; half of it lists 1,000 defects with names of usual length and leaves
 * the other half to the rest of the job.
 */
export const OUTPUTS_BUDGET_BYTES = 512 * 1024;

const utf16Bytes = (text: string): number => text.length * 2;

/** Outputs by name; in a dry run only what is known without counting (nothing yet). */
export function gateOutputs(r: GateResult): Record<string, string> {
  if (r.dryRun || r.count === undefined || r.passed === undefined) return {};
  return { ...countOutputs(r), defects: outputDefects(r).json };
}

/** Every gate output but `defects`: these are never cut. */
function countOutputs(r: GateResult): Record<string, string> {
  return {
    'defect-count': String(outputCount({ n: r.count ?? 0, exact: r.countExact !== false })),
    'gate-result': r.outcome ?? (r.passed ? 'passed' : 'failed'),
    'counts-by-severity': countsJson(r.countsBySeverity),
    'counts-by-phase': countsJson(r.countsByPhase),
    conditions: conditionsJson(r.conditions ?? [])
  };
}

/** The `conditions` output: in input order, `{condition, count, operator, threshold, level, result}`. */
function conditionsJson(conditions: ConditionResult[]): string {
  return JSON.stringify(
    conditions.map((c) => ({
      condition: c.condition,
      count: c.count ? outputCount(c.count) : null,
      operator: c.operator,
      threshold: c.threshold,
      level: c.level,
      result: c.passed === false ? 'failed' : 'passed'
    }))
  );
}

/**
 * The `defects` output: the listed defects as a JSON array, as many as fit in what the other outputs
 * leave of OUTPUTS_BUDGET_BYTES (the counts are never cut). `listed` says how many that is.
 */
export function outputDefects(r: GateResult): { json: string; listed: number } {
  const others = Object.entries(countOutputs(r)).reduce(
    (n, [name, value]) => n + utf16Bytes(name) + utf16Bytes(value),
    utf16Bytes('defects')
  );
  let room = OUTPUTS_BUDGET_BYTES - others - utf16Bytes('[]');
  const items: string[] = [];
  for (const { id, name, phase, severity, url } of r.defects ?? []) {
    const item = JSON.stringify({ id, name, phase, severity, url });
    const cost = utf16Bytes(item) + (items.length > 0 ? utf16Bytes(',') : 0);
    if (cost > room) break;
    room -= cost;
    items.push(item);
  }
  return { json: `[${items.join(',')}]`, listed: items.length };
}

function heading(r: GateResult, failOnGate: boolean): string {
  if (r.dryRun || r.passed === undefined) return '## 🔎 Gate dry run';
  if (r.outcome === 'warned') return '## ⚠️ Gate passed with warnings';
  if (r.passed) return '## ✅ Gate passed';
  return failOnGate ? '## ❌ Gate failed' : '## ⚠️ Gate failed, reported only: the step passed (fail-on-gate is false)';
}

/** The conditions: passed, warned or failed, the condition, its count. */
function conditionsSection(r: GateResult): string {
  const result = (c: ConditionResult): string =>
    c.passed === undefined ? '—' : c.passed ? '✅ passed' : c.level === 'warn' ? '⚠️ warned' : '❌ failed';
  const count = (c: ConditionResult): string => (c.count ? (c.count.exact ? String(c.count.n) : `at least ${c.count.n}`) : '—');
  const rows = (r.conditions ?? []).map((c) => [result(c), escapeCell(`${c.condition}${c.level === 'warn' ? ' warn' : ''}`), count(c)]);
  return ['### Conditions', '', table(['Result', 'Condition', 'Defects'], rows, ['left', 'left', 'right'])].join('\n');
}

function filterSection(r: GateResult): string {
  const names = (list: { name: string; id: string }[]): string =>
    list.map((x) => `${escapeText(x.name)} (id ${escapeText(x.id)})`).join(', ');
  const rows = [
    ['Release', `${escapeText(r.release.name)} (id ${escapeText(r.release.id)})`],
    ['Phases', names(r.phases)],
    ['Severities', r.allSeverities ? 'every severity' : names(r.severities)],
    ...(r.scopes ?? []).map((s) => [escapeText(s.label.charAt(0).toUpperCase() + s.label.slice(1)), names(s.values)]),
    ...(r.createdAfter ? [['Created after', `${escapeText(r.createdAfter.at.toISOString())} (${escapeText(r.createdAfter.text)})`]] : []),
    ...(r.conditionsGiven
      ? []
      : [['Passes when', `count ${escapeText(r.operator)} ${r.threshold} (${escapeText(describeOperator(r.operator))} ${r.threshold})`]]),
    ['Query', code(r.query)]
  ];
  return ['### Filter', '', table(['Setting', 'Value'], rows)].join('\n');
}

/** Pie colours by the severity's logical name, Urgent red through Low grey. */
const SEVERITY_COLOURS: Record<string, string> = {
  'list_node.severity.urgent': '#cf222e',
  'list_node.severity.very_high': '#e8590c',
  'list_node.severity.high': '#fb8f44',
  'list_node.severity.medium': '#d4a72c',
  'list_node.severity.low': '#8c959f'
};
/** A workspace's own severity node, and the defects without a severity. */
const OTHER_SEVERITY_COLOUR = '#8250df';
const NO_SEVERITY_COLOUR = '#d0d7de';

/**
 * The severity chart's slices with their colours. Mermaid up to 11.x draws the slices largest
 * first whatever their order in the text, and gives pie1 to the largest (mermaid-js/mermaid
 * issues 5314 and 5899; PR 7295 keeps the text's order). Slices sorted by count, ties most
 * severe first, are drawn in the same order by both, so each colour lands on its severity.
 */
function severitySlices(r: GateResult): { counts: Array<[string, number]>; colours: string[] } {
  const rank = new Map(r.severities.map((s, i) => [s.name, i]));
  const colour = new Map(r.severities.map((s) => [s.name, SEVERITY_COLOURS[s.logicalName ?? ''] ?? OTHER_SEVERITY_COLOUR]));
  const counts: Array<[string, number]> = [...(r.countsBySeverity ?? [])]
    .map(([name, t]): [string, number] => [name, t.n])
    .sort(([a], [b]) => (rank.get(a) ?? rank.size) - (rank.get(b) ?? rank.size))
    .sort(([, m], [, n]) => n - m);
  return { counts, colours: counts.map(([name]) => colour.get(name) ?? NO_SEVERITY_COLOUR) };
}

function breakdownSection(r: GateResult): string {
  const bySeverity = [...(r.countsBySeverity ?? [])];
  const byPhase = [...(r.countsByPhase ?? [])];
  const cell = (t: Tally): string => (t.exact ? String(t.n) : `at least ${t.n}`);
  const parts = ['### Breakdown', ''];
  parts.push(
    table(
      ['Severity', 'Defects'],
      bySeverity.map(([k, t]) => [escapeCell(k), cell(t)]),
      ['left', 'right']
    )
  );
  parts.push('');
  parts.push(
    table(
      ['Phase', 'Defects'],
      byPhase.map(([k, t]) => [escapeCell(k), cell(t)]),
      ['left', 'right']
    )
  );
  const exact = (list: Array<[string, Tally]>): boolean => list.every(([, t]) => t.exact);
  if (!exact(bySeverity) || !exact(byPhase)) {
    parts.push(
      '',
      'Counts marked "at least" are lower bounds: Octane flagged them as possibly not exact (`exceeds_total_count`). ' +
        'Defects without a severity are then not counted separately, and there is no chart.'
    );
    return parts.join('\n');
  }
  const pie = (list: Array<[string, Tally]>): Array<[string, number]> => list.map(([k, t]) => [k, t.n]);
  const slices = severitySlices(r);
  const charts = [mermaidPie('Defects by severity', slices.counts, slices.colours), mermaidPie('Defects by phase', pie(byPhase))].filter(
    (c) => c !== ''
  );
  for (const c of charts) parts.push('', c);
  return parts.join('\n');
}

/** The defects table, with as many rows as fit in `roomBytes`, and what was left out. */
function defectsSection(r: GateResult, roomBytes: number): string {
  const defects = r.defects ?? [];
  const count = r.count ?? 0;
  const parts = ['### Defects', ''];
  if (defects.length === 0) {
    parts.push('No matching defects.');
    return parts.join('\n');
  }
  const header = table(['ID', 'Name', 'Phase', 'Severity'], []);
  // Room for the heading, the table's head and the closing lines, which are short.
  let room = roomBytes - Buffer.byteLength(parts.join('\n')) - Buffer.byteLength(header) - 1024;
  const rows: string[] = [];
  for (const d of defects) {
    const row = table(['', '', '', ''], [[link(d.id, d.url), escapeCell(d.name), escapeCell(d.phase), escapeCell(d.severity)]]).split(
      '\n'
    )[2]!;
    const cost = Buffer.byteLength(row) + 1;
    if (cost > room) break;
    room -= cost;
    rows.push(row);
  }
  parts.push([header, ...rows].join('\n'));
  const more = count - rows.length;
  if (more > 0) {
    const why =
      rows.length < defects.length
        ? `the list was cut to keep this summary under ${SUMMARY_BUDGET_BYTES / 1024} KiB; see the rest in Octane`
        : defects.length < MAX_LIST_LIMIT
          ? 'raise `list-limit` to see more'
          : 'see the rest in Octane';
    const atLeast = r.countExact === false ? 'at least ' : '';
    parts.push('', `… and ${atLeast}${more} more (listed ${rows.length} of ${atLeast}${count}; ${why}).`);
  }
  const inOutputs = outputDefects(r).listed;
  if (inOutputs < defects.length) {
    parts.push(
      '',
      `The \`defects\` output lists ${inOutputs} of them, to keep the step's outputs under ${OUTPUTS_BUDGET_BYTES / 1024} KiB; \`defect-count\` and the counts are complete.`
    );
  }
  return parts.join('\n');
}

/** How much of the verdict the over-budget summary keeps. */
const FALLBACK_VERDICT_CHARS = 2000;

/**
 * The job summary: the verdict first, the filter, the breakdown, then the listed defects, which
 * get what is left of SUMMARY_BUDGET_BYTES. If even the rest is too large (hundreds of long
 * phase names), only the heading and the verdict, cut to FALLBACK_VERDICT_CHARS, are kept.
 */
export function gateSummary(r: GateResult, { failOnGate = true }: { failOnGate?: boolean } = {}): string {
  const parts = [
    heading(r, failOnGate),
    '',
    `**${escapeText(gateVerdict(r))}**`,
    '',
    ...(r.conditionsGiven ? [conditionsSection(r), ''] : []),
    filterSection(r)
  ];
  if (!r.dryRun && r.count !== undefined) {
    parts.push('', breakdownSection(r), '');
    const room = SUMMARY_BUDGET_BYTES - Buffer.byteLength(parts.join('\n')) - 1;
    parts.push(defectsSection(r, room));
  } else {
    parts.push('', 'Dry run: nothing was counted and nothing was written to Octane.');
  }
  const summary = parts.join('\n') + '\n';
  if (Buffer.byteLength(summary) <= SUMMARY_BUDGET_BYTES) return summary;
  // The verdict says what decided (conditions or threshold); its filter part is what made the summary large.
  const verdict = Array.from(gateVerdict(r));
  const line =
    verdict.length > FALLBACK_VERDICT_CHARS
      ? `${verdict.slice(0, FALLBACK_VERDICT_CHARS).join('')}… (${verdict.length - FALLBACK_VERDICT_CHARS} more characters)`
      : verdict.join('');
  return (
    [
      heading(r, failOnGate),
      '',
      `**${escapeText(line)}**`,
      '',
      `The full summary would be larger than ${SUMMARY_BUDGET_BYTES / 1024} KiB (its filter and counts name many phases or severities); the step's log and outputs have them.`
    ].join('\n') + '\n'
  );
}
