// The gate: count the release's defects in the given phases (and severities), compare the
// count with the threshold, and return everything the renderers need. It never sets
// outputs or fails the step itself; main decides that from the result.
import type { Entity, OctaneApi, Page } from '../octane/api.js';
import type { Log } from '../log.js';
import type { GateSettings } from '../settings.js';
import { compare, type Operator } from './operators.js';
import { and, idEq, idIn } from '../octane/query.js';
import { findRelease, resolveAll, resolvePhases, resolveSeverities, type Resolved } from '../lookups.js';
import { oneLine } from '../markup/markdown.js';
import { gateVerdict } from './verdict.js';
import { NO_SEVERITY, type GateResult, type ListedDefect, type Tally } from './result.js';
import { refName, refOf } from '../octane/entities.js';

const LIST_FIELDS = ['id', 'name', 'phase', 'severity'];

/**
 * How far the gate lists ids when Octane flags a count as not exact and only the exact number up to
 * threshold + 1 can settle the verdict: pages of 1000 (the largest page official Octane code asks for),
 * at most 10 of them. Beyond that the step fails closed.
 */
const SETTLE_PAGE = 1000;
const SETTLE_PAGES = 10;

/**
 * The count a first page (offset 0, `limit` rows asked for) gives. `exceeds_total_count` is undocumented and
 * servers are read several ways (never set; set whenever more rows exist than the page holds; set whenever
 * limit > total_count; set when total_count was capped at a server maximum). Under every reading a flagged
 * total_count is at most the real count, and an unflagged one is exact. A flagged page that had room to spare
 * holds every match, so its rows are the exact count (a capped total_count is only smaller); any other flagged
 * page gives a lower bound.
 */
function tallyOf(page: Page, limit: number): Tally {
  const total = page.total_count;
  if (page.exceeds_total_count !== true) return { n: total, exact: true };
  const rows = page.data.length;
  if (rows < limit && rows >= total) return { n: rows, exact: true };
  return { n: Math.max(total, rows), exact: false };
}

function sumOf(tallies: Iterable<Tally>): Tally {
  let n = 0;
  let exact = true;
  for (const t of tallies) {
    n += t.n;
    exact &&= t.exact;
  }
  return { n, exact };
}

/** Each part's tally under its name (two nodes may share a name: their counts add up); pages[i] belongs to parts[i]. */
function tally(pages: Page[], parts: Resolved[], limit: number): Map<string, Tally> {
  const counts = new Map<string, Tally>();
  pages.forEach((page, i) => {
    const name = parts[i]!.name;
    const t = tallyOf(page, limit);
    const before = counts.get(name);
    counts.set(name, before ? sumOf([before, t]) : t);
  });
  return counts;
}

function disagree(whole: Tally, bySeverity: Tally, byPhase: Tally): Error {
  const text = (t: Tally): string => (t.exact ? String(t.n) : `at least ${t.n}`);
  return new Error(
    `Octane's counts disagree (total ${text(whole)}, by severity ${text(bySeverity)}, by phase ${text(byPhase)}); the defects may be changing. Run the gate again.`
  );
}

interface Counts {
  whole: Tally;
  bySeverity: Map<string, Tally>;
  byPhase: Map<string, Tally>;
}

/**
 * Checks the parts against the whole and settles what the parts prove. Each defect has one phase, so the phases
 * split the whole exactly; so do the severities of a severity filter (without one, the rest has no severity).
 * So: parts above the whole, or exact parts that do not add up, mean the answers disagree and none is trusted;
 * exact parts that split the whole make it exact; parts whose lower bounds add up to an exact whole are exact.
 */
function reconcile(whole: Tally, bySeverity: Map<string, Tally>, byPhase: Map<string, Tally>, allSeverities: boolean): Counts {
  const sev = sumOf(bySeverity.values());
  const ph = sumOf(byPhase.values());
  let w = whole;
  if (!w.exact) {
    const split = ph.exact ? ph : !allSeverities && sev.exact ? sev : undefined;
    if (split && split.n < w.n) throw disagree(w, sev, ph);
    w = split ?? { n: Math.max(w.n, sev.n, ph.n), exact: false };
  }
  if (w.exact) {
    if (sev.n > w.n || ph.n > w.n || (ph.exact && ph.n !== w.n) || (!allSeverities && sev.exact && sev.n !== w.n)) throw disagree(w, sev, ph);
  }
  const settle = (parts: Map<string, Tally>, sum: Tally): Map<string, Tally> =>
    w.exact && !sum.exact && sum.n === w.n ? new Map([...parts].map(([k, t]) => [k, { n: t.n, exact: true }])) : parts;
  const severities = settle(bySeverity, sev);
  const phases = settle(byPhase, ph);
  const sevNow = sumOf(severities.values());
  // Without a severity filter the rest has no severity; it is known only when every part is exact.
  if (allSeverities && w.exact && sevNow.exact && sevNow.n < w.n) {
    const before = severities.get(NO_SEVERITY);
    severities.set(NO_SEVERITY, { n: (before?.n ?? 0) + w.n - sevNow.n, exact: true });
  }
  return { whole: w, bySeverity: severities, byPhase: phases };
}

/**
 * The verdict when the real count is only known to be at least `lower`, or undefined when counts at or above
 * it disagree. Every operator's answer changes only at threshold and threshold + 1, so checking `lower` and
 * those two points (where they are not below it) covers every possible count.
 */
export function verdictAtLeast(lower: number, op: Operator, threshold: number): boolean | undefined {
  const points = [lower, threshold, threshold + 1].filter((c) => c >= lower);
  const answers = new Set(points.map((c) => compare(c, op, threshold)));
  return answers.size === 1 ? [...answers][0] : undefined;
}

/**
 * Lists the gate query's ids, up to threshold + 1, to settle a verdict that a flagged count leaves open: fewer
 * rows than that are the exact count; that many prove the count is above the threshold. `lower` is what the
 * first answers already proved; a listing that finds fewer is a contradiction and fails.
 */
async function settleByListing(
  api: OctaneApi,
  query: string,
  lower: number,
  settings: GateSettings,
  log: Log
): Promise<Tally> {
  const need = settings.threshold + 1;
  const cap = SETTLE_PAGE * SETTLE_PAGES;
  const want = Math.min(need, cap);
  log.info(
    `Octane flagged the count as possibly not exact (exceeds_total_count; at least ${lower}), which does not settle count ${settings.operator} ${settings.threshold}: listing up to ${want} matching ids.`
  );
  const ids = new Set<string>();
  let atLeast = lower;
  let short = false;
  while (ids.size < want && !short) {
    const limit = Math.min(SETTLE_PAGE, want - ids.size);
    const page = await api.list('defects', { query, fields: ['id'], limit, offset: ids.size, orderBy: ['id'] });
    atLeast = Math.max(atLeast, page.total_count);
    const data = page.data;
    for (const e of data) {
      const id = e.id ?? '';
      // A row without an id, or seen twice, means the pages shift under us: the count could be off.
      if (!id || ids.has(id)) throw new Error(`Octane's pages of the gate query overlap or lack ids; the defects may be changing. Run the gate again.`);
      ids.add(id);
    }
    short = data.length < limit;
  }
  if (short) {
    // Octane stopped early: what was listed is every match, unless a total_count (never above the real
    // count) says there are more; then a page was cut short and the listing proves nothing.
    if (ids.size < atLeast) {
      throw new Error(
        `Octane's answers for the gate query contradict each other (exceeds_total_count): at least ${atLeast} match, but listing them found ${ids.size}. The gate cannot count, so it fails.`
      );
    }
    log.info(`Listed every match: the count is exactly ${ids.size}.`);
    return { n: ids.size, exact: true };
  }
  if (want < need) {
    throw new Error(
      `Octane flagged the count as not exact (exceeds_total_count) and at least ${Math.max(atLeast, ids.size)} defects match; settling count ${settings.operator} ${settings.threshold} would need listing ${need} of them, more than the ${cap} the gate lists. Use a threshold below ${cap} or narrow the filter.`
    );
  }
  log.info(`Listed ${ids.size} matches, more than the threshold ${settings.threshold}: the count is at least ${Math.max(atLeast, ids.size)}.`);
  return { n: Math.max(atLeast, ids.size), exact: false };
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

    const wholeLimit = allSeverities ? limit : 1;
    let counts = reconcile(
      tallyOf(wholePage, wholeLimit),
      tally(perSeverity, severities, limit),
      tally(perPhase, phases, 1),
      allSeverities
    );
    let passed = counts.whole.exact
      ? compare(counts.whole.n, settings.operator, settings.threshold)
      : verdictAtLeast(counts.whole.n, settings.operator, settings.threshold);
    if (passed === undefined) {
      // Only here, when a flagged count leaves the verdict open, does the gate spend more requests.
      const listed = await settleByListing(api, query, counts.whole.n, settings, log);
      counts = reconcile(listed, counts.bySeverity, counts.byPhase, allSeverities);
      passed = counts.whole.exact
        ? compare(counts.whole.n, settings.operator, settings.threshold)
        : verdictAtLeast(counts.whole.n, settings.operator, settings.threshold);
      // A listing of threshold + 1 ids always settles it; if not, something is wrong: fail closed.
      if (passed === undefined) throw new Error(`The gate could not settle count ${settings.operator} ${settings.threshold} (at least ${counts.whole.n}); it fails.`);
    } else if (!counts.whole.exact) {
      log.info(
        `Octane flagged the count as possibly not exact (exceeds_total_count): at least ${counts.whole.n} defects match, which settles count ${settings.operator} ${settings.threshold} whatever the exact number.`
      );
    }
    const inexact = [...counts.bySeverity, ...counts.byPhase].filter(([, t]) => !t.exact).map(([k]) => oneLine(k));
    if (inexact.length > 0) {
      log.info(`Counts for ${inexact.join(', ')} are lower bounds: Octane flagged them as possibly not exact (exceeds_total_count).`);
    }

    const phaseName = new Map(phases.map((p) => [p.id, p.name]));
    const severityName = new Map(severities.map((s) => [s.id, s.name]));
    const listed: ListedDefect[] = [];
    const seen = new Set<string>();
    const add = (e: Entity): void => {
      // A broken answer may lack an id: list it without one rather than as "undefined".
      const id = e.id ?? '';
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
    for (const page of perSeverity) page.data.forEach(add);
    if (allSeverities) wholePage.data.forEach(add);

    const result: GateResult = {
      ...base,
      count: counts.whole.n,
      countExact: counts.whole.exact,
      passed,
      defects: listed,
      countsBySeverity: counts.bySeverity,
      countsByPhase: counts.byPhase
    };
    log.info(gateVerdict(result));
    return result;
  });
}
