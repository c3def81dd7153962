// The one expected-gate oracle: what the gate should find, counted straight from the simulator's store.
// It imports nothing from src/ on purpose: an oracle that reused the code it checks could not catch it.
import type { SimEntity, Simulator } from '../../simulator/index.js';
import { refId } from './e2e-simulator.js';

type Store = Simulator['store'];

/** The label the gate shows for defects without a severity (what a user reads in the outputs). */
export const NO_SEVERITY_LABEL = '(no severity)';
/** The phases the gate counts when the `phases` input is empty. */
export const DEFAULT_PHASES = ['New', 'Opened', 'Deferred'];

export interface GateFilter {
  release: string;
  /** Phase names or logical names, any case; default DEFAULT_PHASES. */
  phases?: string[];
  /** Severity names or logical names, any case; empty or absent means every severity. */
  severities?: string[];
}

export interface ExpectedGate {
  count: number;
  /** The matching defects, in store order. */
  defects: SimEntity[];
  /** Their ids, sorted. */
  ids: string[];
  /** Display name -> count for every phase of the filter (zeros included). */
  byPhase: Record<string, number>;
  /**
   * Display name -> count for every severity of the filter, or every severity of the list when none is
   * given (zeros included), and NO_SEVERITY_LABEL when some matching defect has none.
   */
  bySeverity: Record<string, number>;
}

/** Entities of `candidates` named `wanted` by name or logical name, any case; an unknown name is a mistake in the test. */
function pick(candidates: SimEntity[], wanted: string[], what: string): SimEntity[] {
  return wanted.map((w) => {
    const key = w.trim().toLowerCase();
    const found = candidates.filter((e) => String(e.name).toLowerCase() === key || String(e.logical_name ?? '').toLowerCase() === key);
    if (found.length !== 1) throw new Error(`expected-gate oracle: ${what} "${w}" matches ${found.length} entities in the store`);
    return found[0] as SimEntity;
  });
}

const severityNodes = (store: Store): SimEntity[] =>
  store.find('list_nodes', (n) => String(n.logical_name ?? '').startsWith('list_node.severity.'));

// Object.fromEntries defines own keys, so names such as `__proto__` stay ordinary keys.
const counted = (entries: Array<[string, number]>): Record<string, number> => Object.fromEntries(entries);

export function expectedGate(store: Store, filter: GateFilter): ExpectedGate {
  const release = store.releaseByName(filter.release);
  const phases = pick(
    store.find('phases', (p) => p.entity === 'defect'),
    filter.phases ?? DEFAULT_PHASES,
    'phase'
  );
  const chosen = filter.severities && filter.severities.length > 0 ? pick(severityNodes(store), filter.severities, 'severity') : undefined;
  const phaseIds = new Set(phases.map((p) => p.id));
  const severityIds = chosen && new Set(chosen.map((s) => s.id));
  const defects = store.find(
    'defects',
    (d) =>
      refId(d.release) === release.id && phaseIds.has(refId(d.phase) ?? '') && (!severityIds || severityIds.has(refId(d.severity) ?? ''))
  );
  const tally = (of: (d: SimEntity) => string | undefined, id: string | undefined): number => defects.filter((d) => of(d) === id).length;
  const byPhase = counted(phases.map((p) => [String(p.name), tally((d) => refId(d.phase), p.id)]));
  const severityEntries: Array<[string, number]> = (chosen ?? severityNodes(store)).map((s) => [
    String(s.name),
    tally((d) => refId(d.severity), s.id)
  ]);
  const none = tally((d) => refId(d.severity), undefined);
  if (none > 0) severityEntries.push([NO_SEVERITY_LABEL, none]);
  return { count: defects.length, defects, ids: defects.map((d) => d.id).sort(), byPhase, bySeverity: counted(severityEntries) };
}

/** The buckets of `counts` that are not zero (for comparing with a breakdown that leaves zeros out). */
export function nonZeroCounts(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).filter(([, n]) => n !== 0));
}
