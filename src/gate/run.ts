// The gate: count the release's defects in the given phases (and severities), compare the
// count with the threshold, and return everything the renderers need. It never sets
// outputs or fails the step itself; main decides that from the result.
import type { Entity, Group, OctaneApi, Page } from '../octane/api.js';
import type { Log } from '../log.js';
import type { GateSettings } from '../settings.js';
import { compare, type Operator } from './operators.js';
import { and, cross, idEq, idIn } from '../octane/query.js';
import {
  DEFECT_PHASE_FILTER,
  LookupError,
  SEVERITY_FILTER,
  bySeverity as severityOrder,
  lookUpPhases,
  lookUpRelease,
  lookUpSeverities,
  matchNames,
  nodeFilter,
  releaseFilter,
  resolveAll,
  type Checked,
  type Resolved
} from '../lookups.js';
import { OctaneError, UnreadableAnswerError } from '../octane/errors.js';
import { createdAfterFilter, scopeIdFilters, scopeSpecs, type ScopeResult } from './scopes.js';
import { oneLine } from '../markup/markdown.js';
import { gateVerdict } from './verdict.js';
import { NO_SEVERITY, type ConditionResult, type GateOutcome, type GateResult, type ListedDefect, type Tally } from './result.js';
import type { ConditionSpec } from '../inputs/conditions.js';
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

function disagree(whole: Tally, bySeverity: Tally, byPhase: Tally, rows?: string): Error {
  const text = (t: Tally): string => (t.exact ? String(t.n) : `at least ${t.n}`);
  return new Error(
    `Octane's counts disagree (total ${text(whole)}, by severity ${text(bySeverity)}, by phase ${text(byPhase)})${rows ? ` with the defects listed (${rows})` : ''}; the defects may be changing. Run the gate again.`
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
    if (sev.n > w.n || ph.n > w.n || (ph.exact && ph.n !== w.n) || (!allSeverities && sev.exact && sev.n !== w.n))
      throw disagree(w, sev, ph);
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
  settings: { operator: Operator; threshold: number },
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
      if (!id || ids.has(id))
        throw new Error(`Octane's pages of the gate query overlap or lack ids; the defects may be changing. Run the gate again.`);
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
  log.info(
    `Listed ${ids.size} matches, more than the threshold ${settings.threshold}: the count is at least ${Math.max(atLeast, ids.size)}.`
  );
  return { n: Math.max(atLeast, ids.size), exact: false };
}

/** Names in log lines: one line each, so Octane data can never start a workflow command. */
function names(list: Resolved[]): string {
  return list.map((r) => `${oneLine(r.name)} (${oneLine(r.id)})`).join(', ');
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

function settled<T>(p: Promise<T>): Promise<Settled<T>> {
  return p.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error })
  );
}

/**
 * Most severe first where the server orders a list field by its nodes that way (the simulator does, by
 * node id). The listing does not depend on it (it is completed by per-severity pages where the page holds
 * fewer than a severity's count), but the rows check does: a page that holds the most severe defects is
 * where a count that hides them shows up. Unordered, the check sees only what the page happens to hold.
 */
const LIST_ORDER = ['-severity', 'id'];

/** One wave of the gate's defect requests: the list page (its total_count is the count) and the two groupings. */
interface DefectAnswers {
  list: Settled<Page>;
  bySeverity: Settled<Group[]>;
  byPhase: Settled<Group[]>;
}

const NO_GROUPS = new Error('the client has no grouping resource');

function defectWave(api: OctaneApi, query: string, limit: number): Promise<DefectAnswers> {
  const grouped = (groupBy: string): Promise<Settled<Group[]>> =>
    api.groups ? settled(api.groups('defects', { query, groupBy })) : Promise.resolve({ ok: false, error: NO_GROUPS });
  return Promise.all([
    settled(api.list('defects', { query, fields: LIST_FIELDS, limit, orderBy: LIST_ORDER })),
    grouped('severity'),
    grouped('phase')
  ]).then(([list, bySeverity, byPhase]) => ({ list, bySeverity, byPhase }));
}

/** A server without the grouping resource, or one whose answer the client could not read: count the parts instead. */
function groupsRefused(e: unknown): boolean {
  return e === NO_GROUPS || e instanceof UnreadableAnswerError || (e instanceof OctaneError && (e.status === 400 || e.status === 404));
}

/**
 * Part tallies from a grouping answer, by id (NO_SEVERITY for the group without a value, where `none` is
 * allowed), or undefined when the answer cannot stand: a group outside the parts, counts that do not add up
 * to an exact whole, or that add up to less than a flagged one. Group counts carry no flag, and a server that
 * caps total_count may cap them too: they are exact only when they add up to an exact whole, and lower bounds
 * when the whole is one. Groups that add up can still misplace defects: checkRows holds them to the rows.
 */
function fromGroups(groups: Group[], parts: Resolved[], whole: Tally, none: boolean): Map<string, Tally> | undefined {
  const counts = new Map<string, number>(parts.map((p) => [p.id, 0]));
  for (const g of groups) {
    let key: string | undefined;
    if (g.value === null) key = none ? NO_SEVERITY : undefined;
    else
      key =
        parts.find((p) => p.id === g.value!.id)?.id ??
        parts.find((p) => p.logicalName !== undefined && p.logicalName === g.value!.logical_name)?.id;
    if (key === undefined) return undefined;
    counts.set(key, (counts.get(key) ?? 0) + g.count);
  }
  const sum = [...counts.values()].reduce((a, b) => a + b, 0);
  // Capped groups still add up to at least a capped whole; fewer means groups are missing, so none is trusted.
  if (whole.exact ? sum !== whole.n : sum < whole.n) return undefined;
  // Beside a flagged whole every group, an empty one too (a part left out reads as 0), is only a lower bound.
  const out = new Map<string, Tally>();
  for (const [k, n] of counts) if (k !== NO_SEVERITY || n > 0) out.set(k, { n, exact: whole.exact });
  return out;
}

/** Each part's tally under its id; pages[i] belongs to parts[i]. */
function tallyById(pages: Page[], parts: Resolved[], limit: number): Map<string, Tally> {
  const counts = new Map<string, Tally>();
  pages.forEach((page, i) => counts.set(parts[i]!.id, tallyOf(page, limit)));
  return counts;
}

/** Tallies by id turned into tallies by name, in the parts' order (two nodes may share a name: their counts add up). */
function byName(counts: Map<string, Tally>, parts: Resolved[]): Map<string, Tally> {
  const out = new Map<string, Tally>();
  for (const p of parts) {
    const t = counts.get(p.id);
    if (!t) continue;
    const before = out.get(p.name);
    out.set(p.name, before ? sumOf([before, t]) : t);
  }
  const none = counts.get(NO_SEVERITY);
  if (none) out.set(NO_SEVERITY, none);
  return out;
}

/** The conditions in force: the `conditions` input, or the one made of threshold and threshold-operator. */
function conditionSpecs(settings: GateSettings): ConditionSpec[] {
  return (
    settings.conditions ?? [
      {
        text: `total ${settings.operator} ${settings.threshold}`,
        which: 'total',
        operator: settings.operator,
        threshold: settings.threshold,
        level: 'fail'
      }
    ]
  );
}

/**
 * The conditions with their severities resolved like `severities` (any case, name or logical name), among the
 * gate's severities: with a `severities` filter a condition may count only severities inside it.
 */
function resolveConditions(specs: ConditionSpec[], severities: Resolved[], filtered: boolean): ConditionResult[] {
  const problems: string[] = [];
  const out = specs.map((c): ConditionResult => {
    const base = { condition: c.text, operator: c.operator, threshold: c.threshold, level: c.level };
    if (c.which === 'total') return base;
    try {
      return { ...base, severities: matchNames('conditions', 'severities', c.which, severities) };
    } catch (e) {
      if (!(e instanceof LookupError)) throw e;
      const message = filtered
        ? `${e.message.replace(/; valid severities: [\s\S]*$/, '')} among the severities input (${severities.map((s) => s.name).join(', ')}); a condition counts only severities the gate counts`
        : e.message;
      problems.push(`Condition ${JSON.stringify(c.text)}: ${message}`);
      return base;
    }
  });
  if (problems.length > 0) throw new LookupError(problems.map((message) => ({ input: 'conditions', message })));
  return out;
}

function judge(t: Tally, op: Operator, threshold: number): boolean | undefined {
  return t.exact ? compare(t.n, op, threshold) : verdictAtLeast(t.n, op, threshold);
}

export async function runGate(settings: GateSettings, api: OctaneApi, log: Log): Promise<GateResult> {
  const allSeverities = settings.severities.length === 0;
  const limit = settings.listLimit;
  const specs = scopeSpecs(settings.scopes, settings.releaseName);
  const created = createdAfterFilter(settings.scopes);
  // The defect requests leave with the look-ups: the release, phases, severities and scopes as cross filters
  // that repeat the look-ups' own filters. Their answers stand only if the look-ups show that each filter
  // matched exactly what the exact match in code chose (the same expression, read by the same server).
  const speculative = and(
    cross('release', releaseFilter(settings.releaseName)),
    cross('phase', nodeFilter(DEFECT_PHASE_FILTER, settings.phases)),
    allSeverities ? undefined : cross('severity', nodeFilter(SEVERITY_FILTER, settings.severities)),
    ...specs.map((s) => cross(s.field, s.filter)),
    created
  );
  const early = settings.dryRun ? undefined : defectWave(api, speculative, limit);

  const found = await log.group('Look-ups', async () => {
    const releaseFound = lookUpRelease(api, settings.releaseName);
    const releaseValue = releaseFound.then((r) => r.value);
    // Its failure is the release look-up's to report; the scopes that wait for it only stop.
    releaseValue.catch(() => undefined);
    const r = await resolveAll({
      release: releaseFound,
      phases: lookUpPhases(api, settings.phases),
      severities: lookUpSeverities(api, settings.severities),
      scopes: resolveAll(Object.fromEntries(specs.map((s, i) => [String(i), s.lookUp(api, releaseValue)]))) as Promise<
        Record<string, Checked<Resolved[]>>
      >
    });
    log.info(`Release: ${oneLine(r.release.value.name)} (id ${oneLine(r.release.value.id)})`);
    log.info(`Phases: ${names(r.phases.value)}`);
    log.info(`Severities: ${allSeverities ? 'every severity' : names(r.severities.value)}`);
    specs.forEach((s, i) => log.info(`${s.label[0]!.toUpperCase()}${s.label.slice(1)}: ${names(r.scopes[String(i)]!.value)}`));
    if (settings.scopes?.createdAfter)
      log.info(`Created after: ${settings.scopes.createdAfter.at.toISOString()} (${oneLine(settings.scopes.createdAfter.text)})`);
    return r;
  });
  const release = found.release.value;
  const phases = found.phases.value;
  const severities = found.severities.value;
  const scopes: ScopeResult[] = specs.map((s, i) => ({
    input: s.input,
    label: s.label,
    field: s.field,
    values: found.scopes[String(i)]!.value
  }));
  const conditions = resolveConditions(conditionSpecs(settings), severities, !allSeverities);
  const confirmed =
    found.release.exact && found.phases.exact && found.severities.exact && Object.values(found.scopes).every((c) => c.exact);

  /** The query with ids, and with `severity` in place of the severity filter when given. */
  const byIds = (severity?: string): string =>
    and(
      idEq('release', release.id),
      idIn(
        'phase',
        phases.map((p) => p.id)
      ),
      severity ??
        (allSeverities
          ? undefined
          : idIn(
              'severity',
              severities.map((s) => s.id)
            )),
      ...scopeIdFilters(scopes),
      created
    );
  // A dry run shows the query with ids: the same defects, easier to read back.
  const query = confirmed && !settings.dryRun ? speculative : byIds();

  const base: GateResult = {
    release,
    phases,
    severities,
    allSeverities,
    query,
    dryRun: settings.dryRun,
    operator: settings.operator,
    threshold: settings.threshold,
    conditions,
    conditionsGiven: settings.conditions !== undefined,
    scopes,
    ...(settings.scopes?.createdAfter ? { createdAfter: settings.scopes.createdAfter } : {})
  };

  return log.group('Gate query', async () => {
    log.info(`Filter: ${query}`);
    if (settings.dryRun || !early) {
      log.info('Dry run: nothing counted.');
      log.info(gateVerdict(base));
      return base;
    }
    let answers: DefectAnswers;
    if (confirmed) {
      log.info('The look-ups confirmed every filter: the counts sent with them stand.');
      answers = await early;
    } else {
      // A name the server matched with others, or found only by a wildcard: count again with the ids.
      log.info('A look-up filter matched more than the names chosen, or needed another search: counting again by id.');
      answers = await defectWave(api, query, limit);
    }

    let page: Page;
    if (answers.list.ok) page = answers.list.value;
    else if (answers.list.error instanceof OctaneError && answers.list.error.status === 400) {
      // A server that does not order by severity: the list is completed per severity below anyway.
      page = await api.list('defects', { query, fields: LIST_FIELDS, limit, orderBy: ['id'] });
    } else throw answers.list.error;
    const wholeTally = tallyOf(page, limit);

    const grouped = (a: Settled<Group[]>, parts: Resolved[], none: boolean): Map<string, Tally> | undefined => {
      if (!a.ok) {
        if (!groupsRefused(a.error)) throw a.error;
        return undefined;
      }
      const t = fromGroups(a.value, parts, wholeTally, none);
      if (!t) log.info(`Octane's grouped counts do not add up to the total ${wholeTally.n}; counting each part instead.`);
      return t;
    };
    // Today's way, where the groupings are missing or cannot stand: one count per part, all in one wave. Each
    // part's page carries its own flag, which a grouping does not.
    const perPart = async (sev: boolean, ph: boolean) => {
      const [s, p] = await Promise.all([
        sev
          ? Promise.all(severities.map((x) => api.list('defects', { query: byIds(idEq('severity', x.id)), fields: ['id'], limit: 1 })))
          : undefined,
        ph
          ? Promise.all(
              phases.map((x) =>
                api.list('defects', {
                  query: and(
                    idEq('release', release.id),
                    idEq('phase', x.id),
                    allSeverities
                      ? undefined
                      : idIn(
                          'severity',
                          severities.map((v) => v.id)
                        ),
                    ...scopeIdFilters(scopes),
                    created
                  ),
                  fields: ['id'],
                  limit: 1
                })
              )
            )
          : undefined
      ]);
      return { sev: s && tallyById(s, severities, 1), ph: p && tallyById(p, phases, 1) };
    };
    let sevParts = grouped(answers.bySeverity, severities, allSeverities);
    let phParts = grouped(answers.byPhase, phases, false);
    if (!sevParts || !phParts) {
      const parts = await perPart(!sevParts, !phParts);
      sevParts ??= parts.sev!;
      phParts ??= parts.ph!;
    }
    const countOf = (c: ConditionResult, k: Counts): Tally =>
      c.severities ? sumOf(c.severities.map((s) => k.bySeverity.get(s.id) ?? { n: 0, exact: k.whole.exact })) : k.whole;
    let counts = reconcile(wholeTally, sevParts, phParts, allSeverities);
    if (!counts.whole.exact && conditions.some((c) => judge(countOf(c, counts), c.operator, c.threshold) === undefined)) {
      // Flagged counts leave a condition open: parts counted one by one, each with its own flag, may prove more
      // (parts below a cap that add up); only then is anything listed.
      const parts = await perPart(true, true);
      counts = reconcile(wholeTally, parts.sev!, parts.ph!, allSeverities);
    }
    // Each condition from the counts already made; only a flagged count that leaves one open costs a listing.
    for (const c of conditions) {
      let t = countOf(c, counts);
      let passed = judge(t, c.operator, c.threshold);
      if (passed === undefined) {
        const q = c.severities
          ? byIds(
              idIn(
                'severity',
                c.severities.map((s) => s.id)
              )
            )
          : query;
        const listed = await settleByListing(api, q, t.n, c, log);
        if (!c.severities) {
          counts = reconcile(listed, counts.bySeverity, counts.byPhase, allSeverities);
          t = counts.whole;
        } else t = listed;
        passed = judge(t, c.operator, c.threshold);
        // A listing of threshold + 1 ids always settles it; if not, something is wrong: fail closed.
        if (passed === undefined) throw new Error(`The gate could not settle ${c.condition} (at least ${t.n}); it fails.`);
      } else if (!t.exact) {
        log.info(
          `Octane flagged the count as possibly not exact (exceeds_total_count): at least ${t.n} defects match, which settles ${c.condition} whatever the exact number.`
        );
      }
      c.count = t;
      c.passed = passed;
    }
    const countsBySeverity = byName(counts.bySeverity, severities);
    const countsByPhase = byName(counts.byPhase, phases);
    const inexact = [...countsBySeverity, ...countsByPhase].filter(([, t]) => !t.exact).map(([k]) => oneLine(k));
    if (inexact.length > 0) {
      log.info(`Counts for ${inexact.join(', ')} are lower bounds: Octane flagged them as possibly not exact (exceeds_total_count).`);
    }
    const failedAt = (level: 'fail' | 'warn'): boolean => conditions.some((c) => c.level === level && c.passed === false);
    const outcome: GateOutcome = failedAt('fail') ? 'failed' : failedAt('warn') ? 'warned' : 'passed';

    const { listed, pages } = await listDefects(api, page, phases, severities, counts.bySeverity, limit, (id) =>
      byIds(idEq('severity', id))
    );
    checkRows(counts, page, limit, pages, severities, phases, allSeverities);
    const result: GateResult = {
      ...base,
      count: counts.whole.n,
      countExact: counts.whole.exact,
      passed: outcome !== 'failed',
      outcome,
      defects: listed,
      countsBySeverity,
      countsByPhase
    };
    log.info(gateVerdict(result));
    return result;
  });
}

/**
 * Up to `limit` defects, most severe first. The page asked for with the counts holds them when the server
 * ordered it by severity (or when it holds every match); for each severity where it holds fewer than its
 * share, one page of that severity is read, all in one wave.
 */
async function listDefects(
  api: OctaneApi,
  page: Page,
  phases: Resolved[],
  severities: Resolved[],
  counts: Map<string, Tally>,
  limit: number,
  severityQuery: (id: string) => string
): Promise<{ listed: ListedDefect[]; pages: SeverityPage[] }> {
  const rowsOf = new Map<string, Entity[]>();
  const other: Entity[] = [];
  for (const e of page.data) {
    const id = refOf(e.severity)?.id;
    const known = id !== undefined && severities.some((s) => s.id === id);
    if (known) rowsOf.set(id, [...(rowsOf.get(id) ?? []), e]);
    else other.push(e);
  }
  const ranked = [...severities].sort(severityOrder);
  let room = limit;
  const fetch: Array<{ id: string; limit: number }> = [];
  for (const s of ranked) {
    if (room <= 0) break;
    const t = counts.get(s.id) ?? { n: 0, exact: true };
    const want = Math.min(t.n, room);
    if ((rowsOf.get(s.id)?.length ?? 0) < want || (!t.exact && (rowsOf.get(s.id)?.length ?? 0) < room)) {
      fetch.push({ id: s.id, limit: t.exact ? want : room });
    }
    room -= want;
  }
  const pages = await Promise.all(
    fetch.map((f) => api.list('defects', { query: severityQuery(f.id), fields: LIST_FIELDS, limit: f.limit, orderBy: ['id'] }))
  );
  fetch.forEach((f, i) => rowsOf.set(f.id, [...(rowsOf.get(f.id) ?? []), ...pages[i]!.data]));

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
  for (const s of ranked) (rowsOf.get(s.id) ?? []).forEach(add);
  other.forEach(add);
  return { listed, pages: fetch.map((f, i) => ({ id: f.id, limit: f.limit, page: pages[i]! })) };
}

/** One page of one severity read to complete the list, with the limit it was asked for. */
interface SeverityPage {
  id: string;
  limit: number;
  page: Page;
}

/**
 * Holds the counts to the rows in hand before any verdict stands: groups that add up can still put a defect
 * under the wrong severity. Distinct ids seen per severity and per phase are never more than an exact count;
 * a page that held every match (fewer rows than asked for) shows exactly an exact count and at least a
 * lower bound: the list page for every severity and phase, a severity's page for its severity. Rows whose
 * field is not a readable reference to one of the gate's nodes cannot be placed and only widen that range.
 */
function checkRows(
  counts: Counts,
  list: Page,
  limit: number,
  pages: SeverityPage[],
  severities: Resolved[],
  phases: Resolved[],
  allSeverities: boolean
): void {
  const knownSeverity = new Set(severities.map((s) => s.id));
  const knownPhase = new Set(phases.map((p) => p.id));
  /** Distinct ids per part, and how many rows could not be placed (no id, or a field that is not one of the gate's nodes). */
  const seen = (rows: Entity[]) => {
    const sev = new Map<string, Set<string>>();
    const ph = new Map<string, Set<string>>();
    const unplaced = { sev: 0, ph: 0 };
    const put = (m: Map<string, Set<string>>, key: string, id: string): void => void m.set(key, (m.get(key) ?? new Set<string>()).add(id));
    for (const e of rows) {
      if (!e.id) {
        unplaced.sev++;
        unplaced.ph++;
        continue;
      }
      // Without a severity filter the rest is "(no severity)", as reconcile counts it: no value, or a node the
      // severity look-up did not find. A field that is not a reference proves nothing either way.
      const s = refOf(e.severity)?.id;
      if (s !== undefined && knownSeverity.has(s)) put(sev, s, e.id);
      else if (allSeverities && (e.severity === null || e.severity === undefined || s !== undefined)) put(sev, NO_SEVERITY, e.id);
      else unplaced.sev++;
      const p = refOf(e.phase)?.id;
      if (p !== undefined && knownPhase.has(p)) put(ph, p, e.id);
      else unplaced.ph++;
    }
    return { sev, ph, unplaced };
  };
  const all = seen([...list.data, ...pages.flatMap((p) => p.page.data)]);
  // A part without a count is 0 (outside the filter); "(no severity)" without one is known only beside exact counts.
  const sevExact = counts.whole.exact && sumOf(counts.bySeverity.values()).exact;
  const countOf = (m: Map<string, Tally>, key: string): Tally =>
    m.get(key) ?? { n: 0, exact: key !== NO_SEVERITY || !allSeverities || sevExact };
  const label = (what: string, key: string) => (key === NO_SEVERITY ? NO_SEVERITY : `${what} id ${oneLine(key)}`);
  const bad: string[] = [];
  const atMost = (what: string, m: Map<string, Tally>, rows: Map<string, Set<string>>) => {
    for (const [k, ids] of rows) {
      const t = countOf(m, k);
      if (t.exact && ids.size > t.n) bad.push(`${label(what, k)}: ${ids.size} listed, ${t.n} counted`);
    }
  };
  atMost('severity', counts.bySeverity, all.sev);
  atMost('phase', counts.byPhase, all.ph);
  // Rows that held every match: an exact count lies between the rows placed and those plus the unplaced ones.
  const whole = (what: string, m: Map<string, Tally>, rows: Map<string, Set<string>>, unplaced: number, key: string) => {
    const t = countOf(m, key);
    const n = rows.get(key)?.size ?? 0;
    if ((t.exact && n > t.n) || n + unplaced < t.n)
      bad.push(`${label(what, key)}: all ${n} listed, ${t.exact ? '' : 'at least '}${t.n} counted`);
  };
  if (list.data.length < limit) {
    const page = seen(list.data);
    for (const k of new Set([...counts.bySeverity.keys(), ...page.sev.keys()]))
      whole('severity', counts.bySeverity, page.sev, page.unplaced.sev, k);
    for (const k of new Set([...counts.byPhase.keys(), ...page.ph.keys()])) whole('phase', counts.byPhase, page.ph, page.unplaced.ph, k);
  }
  for (const p of pages) if (p.page.data.length < p.limit) whole('severity', counts.bySeverity, all.sev, all.unplaced.sev, p.id);
  if (bad.length > 0) throw disagree(counts.whole, sumOf(counts.bySeverity.values()), sumOf(counts.byPhase.values()), bad[0]);
}
