// What the gate found: the result the renderers and main read. Its own module so that the gate
// (run.ts) and the renderers (render.ts, verdict.ts) depend on it and never on each other.
import type { Resolved } from '../lookups.js';
import type { Operator } from './operators.js';
import type { ConditionLevel } from '../inputs/conditions.js';
import type { ScopeResult } from './scopes.js';

/** One condition and what the gate found for it. */
export interface ConditionResult {
  /** As written (spaces folded, without `warn`). */
  condition: string;
  /** The severities it counts; undefined = total. */
  severities?: Resolved[];
  operator: Operator;
  threshold: number;
  level: ConditionLevel;
  /** Absent in a dry run. */
  count?: Tally;
  passed?: boolean;
}

export type GateOutcome = 'passed' | 'warned' | 'failed';

export interface ListedDefect {
  id: string;
  name: string;
  phase: string;
  severity: string;
  url: string;
}

export interface GateResult {
  release: Resolved;
  phases: Resolved[];
  /** The severity filter; every severity node when the input was empty. */
  severities: Resolved[];
  allSeverities: boolean;
  /** The filter expression sent (or, in a dry run, that would be sent). */
  query: string;
  /** When true nothing was counted: count, passed, defects and the counts are absent. */
  dryRun: boolean;
  /** The count when countExact; otherwise a lower bound (the real count is at least this). */
  count?: number;
  /** False when Octane flagged the count as not exact and the verdict was settled without the exact number. */
  countExact?: boolean;
  /** False when a fail-level condition fails (the step fails, unless fail-on-gate is false). */
  passed?: boolean;
  /** passed, warned (only warn conditions fail) or failed; absent in a dry run. */
  outcome?: GateOutcome;
  /** Every condition in input order; without `conditions` the one `total operator threshold`. */
  conditions?: ConditionResult[];
  /** Whether the conditions came from the `conditions` input (else threshold and threshold-operator). */
  conditionsGiven?: boolean;
  /** Named scopes, in a fixed order. */
  scopes?: ScopeResult[];
  /** created-after as given and the instant it stands for. */
  createdAfter?: { at: Date; text: string };
  operator: Operator;
  threshold: number;
  /** At most listLimit, most severe first. */
  defects?: ListedDefect[];
  /**
   * Counts by name, in the order of the filter. Maps, not objects: names come from Octane, and a severity named
   * `__proto__` must stay a name. An entry that is not exact is a lower bound. Without a severities filter,
   * '(no severity)' holds the defects without one (or with a severity the look-up did not find): exact when the
   * counts are, a lower bound when Octane's grouping gave it beside a flagged total, and left out when nothing
   * says how many there are (flagged counts of each severity leave the rest unknown) or there are none.
   */
  countsBySeverity?: Map<string, Tally>;
  countsByPhase?: Map<string, Tally>;
}

/** A count from Octane: exact, or only a lower bound (Octane flagged its total_count and no answer settled it). */
export interface Tally {
  n: number;
  exact: boolean;
}

export const NO_SEVERITY = '(no severity)';
