// The gate's one-line verdict, for the log, the step's failure and the summary's first line.
import type { GateResult } from './result.js';
import { oneLine } from '../markup/markdown.js';

/** `7 defects`, or `at least 2000 defects` when the count is a lower bound. */
export function countText(n: number, exact: boolean): string {
  return `${exact ? '' : 'at least '}${plural(n, 'defect', 'defects')}`;
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
  return `Gate ${r.passed ? 'passed' : 'failed'}: ${countText(r.count, r.countExact !== false)} (${filterText(r)}); ${allowed}`;
}
