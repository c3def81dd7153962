// The gate's one-line verdict, for the log, the step's failure and the summary's first line.
import type { ConditionResult, GateResult } from './result.js';
import { oneLine } from '../markup/markdown.js';

/** `7 defects`, or `at least 2000 defects` when the count is a lower bound. */
export function countText(n: number, exact: boolean): string {
  return `${exact ? '' : 'at least '}${plural(n, 'defect', 'defects')}`;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** `release X, phases A/B, severities C/D, teams E/F, created after T` on one line: every part of the filter. */
export function filterText(r: GateResult): string {
  const phases = r.phases.map((p) => oneLine(p.name)).join('/');
  const severities = r.allSeverities
    ? 'every severity'
    : `${r.severities.length === 1 ? 'severity' : 'severities'} ${r.severities.map((s) => oneLine(s.name)).join('/')}`;
  const scopes = (r.scopes ?? [])
    .map((s) => `, ${s.values.length === 1 ? singular(s.label) : s.label} ${s.values.map((v) => oneLine(v.name)).join('/')}`)
    .join('');
  const created = r.createdAfter ? `, created after ${r.createdAfter.at.toISOString()}` : '';
  return `release ${oneLine(r.release.name)}, ${r.phases.length === 1 ? 'phase' : 'phases'} ${phases}, ${severities}${scopes}${created}`;
}

function singular(label: string): string {
  return label.replace(/s$/, '');
}

/** `High <= 3 (5 defects)` */
export function conditionText(c: ConditionResult): string {
  const count = c.count ? ` (${countText(c.count.n, c.count.exact)})` : '';
  return `${oneLine(c.condition)}${count}`;
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * One line, e.g. `Gate failed: 7 defects (release 2026.4, phases New/Opened, severities
 * High/Urgent); allowed: <= 0`. Line breaks in names are flattened, so the line cannot
 * smuggle a workflow command onto a line of its own.
 */
export function gateVerdict(r: GateResult): string {
  if (r.conditionsGiven && r.conditions) return conditionsVerdict(r, r.conditions);
  const allowed = `allowed: ${r.operator} ${r.threshold}`;
  if (r.dryRun || r.count === undefined) return `Dry run: would count defects (${filterText(r)}); ${allowed}`;
  return `Gate ${r.passed ? 'passed' : 'failed'}: ${countText(r.count, r.countExact !== false)} (${filterText(r)}); ${allowed}`;
}

/**
 * With `conditions`: `Gate failed: 2 of 3 conditions fail: Urgent, Very High == 0 (1 defect); High <= 3 (5 defects).
 * Release 2026.4, phases New/Opened/Deferred, every severity`, `Gate warned: ...` when only warn conditions fail.
 */
function conditionsVerdict(r: GateResult, conditions: ConditionResult[]): string {
  const where = `${capitalized(filterText(r))}`;
  const n = conditions.length;
  const plural = (k: number): string => `${k} ${k === 1 ? 'condition' : 'conditions'}`;
  if (r.dryRun || r.count === undefined)
    return `Dry run: would check ${plural(n)}: ${conditions.map((c) => oneLine(c.condition)).join('; ')}. ${where}`;
  const failed = conditions.filter((c) => c.passed === false && c.level === 'fail');
  const warned = conditions.filter((c) => c.passed === false && c.level === 'warn');
  if (failed.length > 0)
    return `Gate failed: ${failed.length} of ${plural(n)} ${failed.length === 1 ? 'fails' : 'fail'}: ${failed.map(conditionText).join('; ')}. ${where}`;
  if (warned.length > 0)
    return `Gate warned: ${warned.length} of ${plural(n)} ${warned.length === 1 ? 'warns' : 'warn'}: ${warned.map(conditionText).join('; ')}. ${where}`;
  return `Gate passed: ${n === 1 ? 'the condition holds' : `all ${n} conditions hold`} (${countText(r.count, r.countExact !== false)} in all). ${where}`;
}
