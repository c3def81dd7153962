// The gate: count the release's defects in the given phases (and severities), compare the
// count with the threshold, and return everything the renderers need. It never sets
// outputs or fails the step itself; main decides that from the result.
import type { Entity, OctaneApi, Page } from '../octane/api.js';
import type { Log } from '../log.js';
import type { GateSettings } from '../settings.js';
import { compare, type Operator } from '../operators.js';
import { and, idEq, idIn } from '../octane/query.js';
import { findRelease, resolveAll, resolvePhases, resolveSeverities, type Resolved } from '../lookups.js';
import { oneLine } from '../render/markdown.js';
import { gateVerdict } from '../render/gate.js';
import { refOf } from './entity-ids.js';

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
  count?: number;
  passed?: boolean;
  operator: Operator;
  threshold: number;
  /** At most listLimit, most severe first. */
  defects?: ListedDefect[];
  /** Complete counts, name -> count; '(no severity)' when some defects have none. */
  countsBySeverity?: Record<string, number>;
  countsByPhase?: Record<string, number>;
}

export const NO_SEVERITY = '(no severity)';

const LIST_FIELDS = ['id', 'name', 'phase', 'severity'];

/** A total_count we can trust, or an error: a gate must never pass on an unreadable answer. */
function totalOf(page: Page | undefined, what: string): number {
  const total: unknown = page?.total_count;
  if (typeof total !== 'number' || !Number.isSafeInteger(total) || total < 0) {
    throw new Error(`Octane's answer for ${what} has no valid total_count (${JSON.stringify(total) ?? 'missing'}); the gate cannot count, so it fails.`);
  }
  // Octane sometimes flags a total_count as not the whole count; such a count could pass a gate.
  if (page?.exceeds_total_count === true) {
    throw new Error(`Octane's answer for ${what} says its total_count (${total}) is not exact (exceeds_total_count); the gate cannot count, so it fails.`);
  }
  return total;
}

function dataOf(page: Page, what: string): Entity[] {
  if (!Array.isArray(page.data)) throw new Error(`Octane's answer for ${what} has no data list; the gate cannot list defects.`);
  return page.data;
}

function refName(value: unknown): string {
  if (value && typeof value === 'object' && 'name' in value) {
    const name = (value as { name: unknown }).name;
    if (typeof name === 'string') return name;
  }
  return '';
}

function addCount(counts: Record<string, number>, key: string, n: number): void {
  counts[key] = (counts[key] ?? 0) + n;
}

/** The count of each part's page under the part's name, and their sum; pages[i] belongs to parts[i]. */
function tally(pages: Page[], parts: Resolved[], what: string): { counts: Record<string, number>; sum: number } {
  const counts: Record<string, number> = {};
  let sum = 0;
  pages.forEach((page, i) => {
    const n = totalOf(page, `${what} ${parts[i]!.name}`);
    sum += n;
    addCount(counts, parts[i]!.name, n);
  });
  return { counts, sum };
}

/** Names in log lines: one line each, so Octane data can never start a workflow command. */
function names(list: Resolved[]): string {
  return list.map((r) => `${oneLine(r.name)} (${oneLine(r.id)})`).join(', ');
}

export async function runGate(settings: GateSettings, api: OctaneApi, log: Log): Promise<GateResult> {
  const allSeverities = settings.severities.length === 0;
  const found = await log.group('Look-ups', async () => {
    const r = await resolveAll({
      release: findRelease(api, settings.releaseName),
      phases: resolvePhases(api, settings.phases),
      severities: resolveSeverities(api, settings.severities)
    });
    log.info(`Release: ${oneLine(r.release.name)} (id ${oneLine(r.release.id)})`);
    log.info(`Phases: ${names(r.phases)}`);
    log.info(`Severities: ${allSeverities ? 'every severity' : names(r.severities)}`);
    return r;
  });
  const { release, phases, severities } = found;

  const releaseFilter = idEq('release', release.id);
  const phaseFilter = idIn('phase', phases.map((p) => p.id));
  const severityFilter = allSeverities ? undefined : idIn('severity', severities.map((s) => s.id));
  const query = and(releaseFilter, phaseFilter, severityFilter);

  const base: GateResult = {
    release,
    phases,
    severities,
    allSeverities,
    query,
    dryRun: settings.dryRun,
    operator: settings.operator,
    threshold: settings.threshold
  };

  return log.group('Gate query', async () => {
    log.info(`Filter: ${query}`);
    if (settings.dryRun) {
      log.info('Dry run: nothing counted.');
      log.info(gateVerdict(base));
      return base;
    }
    const limit = settings.listLimit;
    // One parallel batch: the whole filter (its total_count is the count), one page per
    // severity (counts by severity and the most-severe-first list), one count per phase.
    // With a severity filter every match is on a severity page, so the whole filter is only
    // counted; without one, its page also lists the defects that have no severity.
    const whole = allSeverities
      ? api.list('defects', { query, fields: LIST_FIELDS, limit, orderBy: ['id'] })
      : api.list('defects', { query, fields: ['id'], limit: 1 });
    const [wholePage, perSeverity, perPhase] = await Promise.all([
      whole,
      Promise.all(
        severities.map((s) =>
          api.list('defects', { query: and(releaseFilter, phaseFilter, idEq('severity', s.id)), fields: LIST_FIELDS, limit, orderBy: ['id'] })
        )
      ),
      Promise.all(
        phases.map((p) =>
          api.list('defects', {
            query: and(releaseFilter, idEq('phase', p.id), severityFilter),
            fields: ['id'],
            limit: 1
          })
        )
      )
    ]);

    const count = totalOf(wholePage, 'the gate query');
    const { counts: countsBySeverity, sum: severitySum } = tally(perSeverity, severities, 'severity');
    const { counts: countsByPhase, sum: phaseSum } = tally(perPhase, phases, 'phase');
    // Each defect has one severity and one phase, so the parts cannot exceed the whole; with a
    // severity filter every match has one of its severities, so they must add up exactly. If
    // not (or the phases do not add up), the answers disagree and none is trusted.
    if (severitySum > count || (!allSeverities && severitySum !== count) || phaseSum !== count) {
      throw new Error(
        `Octane's counts disagree (total ${count}, by severity ${severitySum}, by phase ${phaseSum}); the defects may be changing. Run the gate again.`
      );
    }
    if (severitySum < count) addCount(countsBySeverity, NO_SEVERITY, count - severitySum);

    const phaseName = new Map(phases.map((p) => [p.id, p.name]));
    const severityName = new Map(severities.map((s) => [s.id, s.name]));
    const listed: ListedDefect[] = [];
    const seen = new Set<string>();
    const add = (e: Entity): void => {
      // A broken answer may lack an id: list it without one rather than as "undefined".
      const id = typeof e.id === 'string' || typeof e.id === 'number' ? String(e.id) : '';
      if (listed.length >= limit || (id && seen.has(id))) return;
      if (id) seen.add(id);
      const sevId = refOf(e.severity)?.id;
      const phId = refOf(e.phase)?.id;
      listed.push({
        id,
        name: typeof e.name === 'string' ? e.name : '',
        phase: (phId !== undefined ? phaseName.get(phId) : undefined) ?? refName(e.phase),
        severity: (sevId !== undefined ? severityName.get(sevId) : undefined) ?? refName(e.severity),
        url: id ? api.workItemUrl(id) : ''
      });
    };
    perSeverity.forEach((page, i) => dataOf(page, `severity ${severities[i]!.name}`).forEach(add));
    if (allSeverities) dataOf(wholePage, 'the gate query').forEach(add);

    const passed = compare(count, settings.operator, settings.threshold);
    const result: GateResult = { ...base, count, passed, defects: listed, countsBySeverity, countsByPhase };
    log.info(gateVerdict(result));
    return result;
  });
}
