// The gate's result as outputs, a one-line verdict, and the job summary.
import type { GateResult } from '../modes/gate.js';
import { describeOperator } from '../operators.js';
import { code, escapeCell, escapeText, link, mermaidPie, oneLine, table } from './markdown.js';
import { MAX_LIST_LIMIT } from '../inputs/catalogue.js';

/**
 * The step summary is kept under this many bytes. GitHub drops a summary file over 1 MiB with only an
 * error (actions/runner src/Runner.Worker/FileCommandManager.cs, CreateStepSummaryCommand,
 * AttachmentSizeLimit); half of it leaves room for whatever else the step's file holds, and a table
 * of that size is still one a browser shows without stalling.
 */
export const SUMMARY_BUDGET_BYTES = 512 * 1024;

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
  const outputs: Record<string, string> = {
    'defect-count': String(r.count),
    'gate-result': r.passed ? 'passed' : 'failed',
    defects: '',
    'counts-by-severity': JSON.stringify(r.countsBySeverity ?? {}),
    'counts-by-phase': JSON.stringify(r.countsByPhase ?? {})
  };
  outputs.defects = outputDefects(r).json;
  return outputs;
}

/**
 * The `defects` output: the listed defects as a JSON array, as many as fit in what the other outputs
 * leave of OUTPUTS_BUDGET_BYTES (the counts are never cut). `listed` says how many that is.
 */
export function outputDefects(r: GateResult): { json: string; listed: number } {
  const others =
    ['defect-count', 'gate-result', 'defects', 'counts-by-severity', 'counts-by-phase'].reduce((n, name) => n + utf16Bytes(name), 0) +
    utf16Bytes(String(r.count ?? 0)) +
    utf16Bytes(r.passed ? 'passed' : 'failed') +
    utf16Bytes(JSON.stringify(r.countsBySeverity ?? {})) +
    utf16Bytes(JSON.stringify(r.countsByPhase ?? {}));
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

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** `release X, phases A/B, severities C/D` on one line. */
function filterText(r: GateResult): string {
  const phases = r.phases.map((p) => oneLine(p.name)).join('/');
  const severities = r.allSeverities ? 'every severity' : `${r.severities.length === 1 ? 'severity' : 'severities'} ${r.severities.map((s) => oneLine(s.name)).join('/')}`;
  return `release ${oneLine(r.release.name)}, ${r.phases.length === 1 ? 'phase' : 'phases'} ${phases}, ${severities}`;
}

/**
 * One line, e.g. `Gate failed: 7 defects (release 2026.4, phases New/Opened, severities
 * High/Urgent); allowed: <= 0`. Line breaks in names are flattened, so the line cannot
 * smuggle a workflow command onto a line of its own.
 */
export function gateVerdict(r: GateResult): string {
  const allowed = `allowed: ${r.operator} ${r.threshold}`;
  if (r.dryRun || r.count === undefined) return `Dry run: would count defects (${filterText(r)}); ${allowed}`;
  return `Gate ${r.passed ? 'passed' : 'failed'}: ${plural(r.count, 'defect', 'defects')} (${filterText(r)}); ${allowed}`;
}

function heading(r: GateResult): string {
  if (r.dryRun || r.passed === undefined) return '## 🔎 Gate dry run';
  return r.passed ? '## ✅ Gate passed' : '## ❌ Gate failed';
}

function filterSection(r: GateResult): string {
  const names = (list: { name: string; id: string }[]): string => list.map((x) => `${escapeText(x.name)} (id ${escapeText(x.id)})`).join(', ');
  const rows = [
    ['Release', `${escapeText(r.release.name)} (id ${escapeText(r.release.id)})`],
    ['Phases', names(r.phases)],
    ['Severities', r.allSeverities ? 'every severity' : names(r.severities)],
    ['Passes when', `count ${escapeText(r.operator)} ${r.threshold} (${escapeText(describeOperator(r.operator))} ${r.threshold})`],
    ['Query', code(r.query)]
  ];
  return ['### Filter', '', table(['', ''], rows)].join('\n');
}

function breakdownSection(r: GateResult): string {
  const bySeverity = Object.entries(r.countsBySeverity ?? {});
  const byPhase = Object.entries(r.countsByPhase ?? {});
  const parts = ['### Breakdown', ''];
  parts.push(table(['Severity', 'Defects'], bySeverity.map(([k, n]) => [escapeCell(k), String(n)]), ['left', 'right']));
  parts.push('');
  parts.push(table(['Phase', 'Defects'], byPhase.map(([k, n]) => [escapeCell(k), String(n)]), ['left', 'right']));
  const charts = [mermaidPie('Defects by severity', bySeverity), mermaidPie('Defects by phase', byPhase)].filter((c) => c !== '');
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
    const row = table(['', '', '', ''], [[link(d.id, d.url), escapeCell(d.name), escapeCell(d.phase), escapeCell(d.severity)]]).split('\n')[2]!;
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
    parts.push('', `… and ${more} more (listed ${rows.length} of ${count}; ${why}).`);
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

/**
 * The job summary: the verdict first, the filter, the breakdown, then the listed defects, which
 * get what is left of SUMMARY_BUDGET_BYTES. If even the rest is too large (hundreds of long
 * phase names), only the heading and the counts are kept.
 */
export function gateSummary(r: GateResult): string {
  const parts = [heading(r), '', `**${escapeText(gateVerdict(r))}**`, '', filterSection(r)];
  if (!r.dryRun && r.count !== undefined) {
    parts.push('', breakdownSection(r), '');
    const room = SUMMARY_BUDGET_BYTES - Buffer.byteLength(parts.join('\n')) - 1;
    parts.push(defectsSection(r, room));
  } else {
    parts.push('', 'Dry run: nothing was counted and nothing was written to Octane.');
  }
  const summary = parts.join('\n') + '\n';
  if (Buffer.byteLength(summary) <= SUMMARY_BUDGET_BYTES) return summary;
  const counted = r.count === undefined ? '' : ` ${plural(r.count, 'defect', 'defects')}; allowed: ${escapeText(r.operator)} ${r.threshold}.`;
  return (
    [
      heading(r),
      '',
      `**${r.passed === undefined ? 'Gate dry run.' : r.passed ? 'Gate passed:' : 'Gate failed:'}${counted}**`,
      '',
      `The full summary would be larger than ${SUMMARY_BUDGET_BYTES / 1024} KiB (its filter and counts name many phases or severities); the step's log and outputs have them.`
    ].join('\n') + '\n'
  );
}
