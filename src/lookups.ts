// Name -> id look-ups shared by the modes. Every name a user gives is matched in code
// against what Octane answered (exact for releases, case-insensitive for phases and list
// nodes), so a typo fails with the valid names listed instead of silently matching nothing.
import type { Collection, Entity, OctaneApi, Page } from './octane/api.js';
import { OctaneError } from './octane/errors.js';
import { and, cross, eq, hasMetacharacters, idEq, like, or } from './octane/query.js';
// One reader for text fields (entities.ts); the short local name keeps the call sites as they were.
import { refOf, textOf as text } from './octane/entities.js';

export interface Resolved {
  id: string;
  name: string;
  logicalName?: string;
}

/** A name that did not resolve, and the action input it came from. */
export interface LookupProblem {
  input: string;
  message: string;
}

/** Names that did not resolve: one problem or several (look-ups run together), so the user fixes them in one go. */
export class LookupError extends Error {
  override name = 'LookupError';
  readonly problems: readonly LookupProblem[];

  constructor(problems: readonly LookupProblem[]) {
    super(problems.map((p) => p.message).join('\n'));
    this.problems = problems;
  }

  static of(input: string, message: string): LookupError {
    return new LookupError([{ input, message }]);
  }
}

const PAGE_MAX = 1000;
/** Pages a wildcard search for a name reads at most (5,000 rows) before it gives up, failing closed. */
const WALK_PAGES = 5;
const SHOWN_NAMES = 20;

const SEVERITY_ROOT = 'list_node.severity';
const ORIGIN_ROOT = 'list_node.item_origin';

/** Most severe first; unknown logical names after the known ones. */
const SEVERITY_RANK = ['urgent', 'very_high', 'high', 'medium', 'low'];

/**
 * The page's entities; `complete` refuses a page that does not hold every match (a list we would
 * match names against must be whole). The client already checked the page's shape.
 */
function checkedPage(page: Page, what: string, complete: boolean): Entity[] {
  if (complete && page.total_count > page.data.length) {
    throw new Error(
      `Octane has ${page.total_count} ${what} but answered only ${page.data.length}; refusing to match names against a partial list.`
    );
  }
  return page.data;
}

function toResolved(e: Entity): Resolved {
  const logicalName = text(e.logical_name);
  return { id: text(e.id), name: text(e.name), ...(logicalName ? { logicalName } : {}) };
}

function quoted(names: string[]): string {
  return names.map((n) => JSON.stringify(n)).join(', ');
}

/** What searchByName looks in, and how a row is confirmed in code. */
export interface NameSearch {
  collection: Collection;
  fields: string[];
  /** The fields the name may be in (ORed), default ['name']. */
  match?: string[];
  /**
   * Further conditions (built with query.ts), ANDed. `loose` asks for a form that needs no
   * escaping (with like()), for the wildcard search; undefined = none.
   */
  where?: (loose: boolean) => string | undefined;
  /** Extra text that may hold metacharacters inside `where` (a release name in a cross filter). */
  whereText?: string;
  /** Whether a row is what was asked for: the exact comparison in code. */
  isMatch: (e: Entity) => boolean;
  /** Awaited (after the first query is sent) before isMatch runs: what isMatch needs from a look-up in the same wave. */
  ready?: Promise<unknown>;
  /** Plural noun for messages ("releases"). */
  what: string;
}

export interface NameMatches {
  /** Rows that passed isMatch. */
  matches: Entity[];
  /** Every row read (matches and near names). */
  rows: Entity[];
  total: number;
  /** Whether every row of the query was read. */
  complete: boolean;
}

/**
 * Rows whose name field holds this name, confirmed in code by `isMatch`; the query is only a
 * pre-filter. Canonically equivalent spellings (é as one code point or as e + accent) are asked for
 * both ways. A name (or `whereText`) with query metacharacters may be read differently by a server
 * (refused with 400, or not found): then one wildcard search that needs no escaping (like()),
 * walked in pages, whose near names isMatch sorts out. Names without metacharacters never take it.
 */
export async function searchByName(api: OctaneApi, name: string, s: NameSearch): Promise<NameMatches> {
  const forms = [...new Set([name, name.normalize('NFC'), name.normalize('NFD')])];
  const match = s.match ?? ['name'];
  const query = (loose: boolean): string =>
    and(or(...forms.flatMap((form) => match.map((field) => (loose ? like(field, form) : eq(field, form))))), s.where?.(loose));
  const tricky = hasMetacharacters(name) || (s.whereText !== undefined && hasMetacharacters(s.whereText));
  let found: NameMatches | undefined;
  try {
    const page = await api.list(s.collection, { query: query(false), fields: s.fields, limit: PAGE_MAX });
    const rows = checkedPage(page, s.what, false);
    await s.ready;
    found = { matches: rows.filter(s.isMatch), rows, total: page.total_count, complete: page.total_count <= rows.length };
  } catch (e) {
    // A server that reads backslashes differently may refuse the escaped name: the wildcard below needs none.
    if (!(tricky && isRefusedQuery(e))) throw e;
  }
  if (tricky && (found === undefined || found.matches.length === 0)) {
    const walked = await walk(api, s.collection, query(true), s.fields, s.what);
    await s.ready;
    found = { ...walked, matches: walked.rows.filter(s.isMatch) };
  }
  return found!;
}

/**
 * A look-up's answer, and whether the filter it was asked with (`filter`), evaluated by the server, matched
 * exactly the entities chosen in code: only then may a query that repeats that filter in a cross filter
 * stand for those entities (the gate sends such queries in the look-ups' own wave).
 */
export interface Checked<T> {
  value: T;
  exact: boolean;
}

/** Canonically equivalent spellings (é as one code point or as e + accent): inputs and Octane need not agree on the form. */
function forms(name: string): string[] {
  return [...new Set([name, name.normalize('NFC'), name.normalize('NFD')])];
}

/** The release look-up's filter: the name in each of its forms. */
export function releaseFilter(name: string): string {
  return or(...forms(name).map((form) => eq('name', form)));
}

/** The release with exactly this name (case-sensitive); the query is only a pre-filter. */
export async function findRelease(api: OctaneApi, name: string): Promise<Resolved> {
  return (await lookUpRelease(api, name)).value;
}

/** findRelease, and whether releaseFilter(name) matched that one release and nothing else. */
export async function lookUpRelease(api: OctaneApi, name: string): Promise<Checked<Resolved>> {
  const found = await findNamedIn(api, 'releases', 'release-name', 'releases', [name], { first: releaseFilter(name) });
  return { value: found.value[0]!, exact: found.exact };
}

interface NamedOptions {
  /** The filter asked first (default: the names' own filter, `within` and-ed). */
  first?: string;
  /** An expression every candidate must also match (a sprint's release, by the release look-up's filter). */
  within?: string;
  /** The release candidates must belong to (their `release` field), checked in code once it resolves. */
  release?: Promise<Resolved>;
  fields?: string[];
}

/** The filter for entities named exactly one of `names` (each in its forms), inside `within` when given. */
export function namedFilter(names: string[], within?: string): string {
  return and(within, or(...names.flatMap(forms).map((form) => eq('name', form))));
}

/**
 * Entities named exactly (case-sensitive, compared in NFC) each of `names`, one each: an unknown name
 * or a name two entities share fails (naming `input`, listing some that exist). The query is a
 * pre-filter; a name with metacharacters that the server refuses or does not find escaped is
 * searched with wildcards (no escaping) and compared in code. `within` that the server refuses (an
 * escaped release name) is dropped for the release check in code.
 */
export async function findNamedIn(
  api: OctaneApi,
  collection: Collection,
  input: string,
  what: string,
  names: string[],
  options: NamedOptions = {}
): Promise<Checked<Resolved[]>> {
  const fields = options.fields ?? (options.release ? ['id', 'name', 'release'] : ['id', 'name']);
  const tricky = names.some(hasMetacharacters);
  let within = options.within;
  let found: { rows: Entity[]; total: number; complete: boolean } | undefined;
  let exact = true;
  const ask = async (query: string): Promise<void> => {
    const page = await api.list(collection, { query, fields, limit: PAGE_MAX });
    const rows = checkedPage(page, what, false);
    found = { rows, total: page.total_count, complete: page.total_count <= rows.length };
  };
  try {
    await ask(options.first ?? namedFilter(names, within));
  } catch (e) {
    // A server that reads backslashes differently may refuse the escaped name: the wildcard below needs none.
    if (!isRefusedQuery(e) || !(tricky || within)) throw e;
    exact = false;
    if (within) {
      within = undefined;
      if (!tricky) await ask(namedFilter(names));
    }
  }
  const isExact =
    (wanted: string) =>
    (r: Entity): boolean =>
      typeof r.name === 'string' && r.name.normalize('NFC') === wanted.normalize('NFC');
  if (tricky && (found === undefined || !names.every((n) => found!.rows.some(isExact(n))))) {
    exact = false;
    found = await walk(api, collection, and(within, or(...names.flatMap(forms).map((form) => like('name', form)))), fields, what);
  }
  let { rows } = found!;
  const { total, complete } = found!;
  let release: Resolved | undefined;
  if (options.release) {
    release = await options.release.catch(() => undefined);
    // The release did not resolve: its own look-up reports that.
    if (!release) throw new LookupError([]);
    const mine = rows.filter((r) => refOf(r.release)?.id === release!.id);
    if (mine.length !== rows.length) exact = false;
    rows = mine;
  }
  const problems: string[] = [];
  const chosen: Resolved[] = [];
  const unknown: string[] = [];
  for (const name of names) {
    const hits = rows.filter(isExact(name));
    if (hits.length === 1) {
      if (!chosen.some((c) => c.id === text(hits[0]!.id))) chosen.push(toResolved(hits[0]!));
    } else if (hits.length > 1) {
      problems.push(
        `Several ${what} are named ${JSON.stringify(name)} (ids ${hits.map((r) => text(r.id)).join(', ')}); rename all but one in Octane.`
      );
    } else unknown.push(name);
  }
  if (unknown.length > 0) {
    if (!complete) {
      // A server that treats `*` as a wildcard even when escaped, or a wildcard search, can answer many near names.
      problems.push(
        `No ${unknown.length === 1 ? singular(what) : what} named exactly ${quoted(unknown)} among the first ${rows.length} of ${total} similar names.`
      );
    } else {
      // Only on this failure path: a short list of what is there, to spot the typo.
      const scope = release ? idEq('release', release.id) : within;
      const somePage = await api.list(collection, {
        ...(scope ? { query: scope } : {}),
        fields: ['id', 'name'],
        limit: SHOWN_NAMES,
        orderBy: ['-id']
      });
      const some = checkedPage(somePage, what, false);
      const more = somePage.total_count - some.length;
      const list = some.length === 0 ? 'none' : quoted(some.map((r) => text(r.name))) + (more > 0 ? ` and ${more} more` : '');
      const spaced = [...rows, ...some].map((r) => text(r.name)).find((n) => unknown.some((u) => n !== u && n.trim() === u));
      const hint =
        spaced === undefined
          ? ''
          : `. Octane's ${singular(what)} ${JSON.stringify(spaced)} has spaces around its name, which an input cannot carry (inputs are trimmed): remove them in Octane`;
      const article = unknown.length === 1 ? `No ${singular(what)} named ${quoted(unknown)}` : `No ${what} named ${quoted(unknown)}`;
      const where = release ? `in release ${JSON.stringify(release.name)}` : 'in the workspace';
      problems.push(`${article} ${where}; ${what} there: ${list}${hint}`);
    }
  }
  if (problems.length > 0) throw LookupError.of(input, problems.join(' '));
  // Trusted only when every row the filter matched is a chosen one, and the page held every match.
  exact &&= complete && rows.length === chosen.length && rows.every((r) => chosen.some((c) => c.id === text(r.id)));
  return { value: chosen, exact };
}

function singular(what: string): string {
  return what.endsWith('ies') ? `${what.slice(0, -3)}y` : what.replace(/s$/, '');
}

/**
 * Up to 20 rows of a collection shown for a failed name, newest first, as `"a", "b" and N more`
 * ("none" when empty). Only on a failure path: one more round trip, after the look-up wave.
 */
export async function someOf(
  api: OctaneApi,
  collection: Collection,
  what: string,
  fields: string[],
  show: (e: Entity) => string,
  query?: string
): Promise<string> {
  const page = await api.list(collection, { ...(query ? { query } : {}), fields, limit: SHOWN_NAMES, orderBy: ['-id'] });
  const some = checkedPage(page, what, false);
  const more = page.total_count - some.length;
  return some.length === 0 ? 'none' : some.map(show).join(', ') + (more > 0 ? ` and ${more} more` : '');
}

/** A 400 to a GET: the server could not read the query (here: an escaped name it reads another way). */
export function isRefusedQuery(e: unknown): boolean {
  return e instanceof OctaneError && e.status === 400;
}

/**
 * Every row of a query, page by page in id order, at most WALK_PAGES pages; `complete` says
 * whether all were read. A page ends it only when it is empty, or short and the count agrees: a
 * server may cap total_count, or answer less than the limit before the end.
 */
async function walk(
  api: OctaneApi,
  collection: Collection,
  query: string,
  fields: string[],
  what: string
): Promise<{ rows: Entity[]; total: number; complete: boolean }> {
  const rows: Entity[] = [];
  let total = 0;
  for (let n = 0; n < WALK_PAGES; n++) {
    const page = await api.list(collection, { query, fields, limit: PAGE_MAX, offset: rows.length, orderBy: ['id'] });
    const data = checkedPage(page, what, false);
    rows.push(...data);
    total = Math.max(page.total_count, rows.length);
    if (data.length === 0 || (data.length < PAGE_MAX && rows.length >= page.total_count)) return { rows, total, complete: true };
  }
  return { rows, total, complete: false };
}

/**
 * Resolves names against a complete list of candidates, name or logical name, any case.
 * A logical name (unique in Octane) picks its own node; a display name must fit exactly one
 * candidate, since silently taking several would widen the filter, and a wider count can make
 * a gate with `>=`, `>` or `==` pass by mistake. Every unknown or ambiguous name is reported
 * in one error that lists the valid names.
 */
export function matchNames(input: string, what: string, names: string[], candidates: Resolved[]): Resolved[] {
  const out: Resolved[] = [];
  const unknown: string[] = [];
  const ambiguous: string[] = [];
  const seen = new Set<string>();
  const label = (c: Resolved): string => (c.logicalName ? `${c.name} (${c.logicalName})` : `${c.name} (id ${c.id})`);
  for (const raw of names) {
    const want = raw.trim().toLowerCase();
    const byLogical = candidates.filter((c) => (c.logicalName ?? '').toLowerCase() === want);
    const hits = byLogical.length > 0 ? byLogical : candidates.filter((c) => c.name.toLowerCase() === want);
    if (hits.length === 0) unknown.push(raw);
    else if (hits.length > 1) ambiguous.push(`${JSON.stringify(raw)} fits ${hits.map(label).join(' and ')}`);
    else if (!seen.has(hits[0]!.id)) {
      seen.add(hits[0]!.id);
      out.push(hits[0]!);
    }
  }
  const problems: string[] = [];
  if (unknown.length > 0) problems.push(`Unknown ${what} ${quoted(unknown)}`);
  if (ambiguous.length > 0) problems.push(`Ambiguous ${what}: ${ambiguous.join('; ')}; write the logical name instead`);
  if (problems.length > 0) {
    const valid = candidates.map((c) => (c.logicalName ? `${c.name} (${c.logicalName})` : c.name));
    throw LookupError.of(input, `${problems.join('. ')}; valid ${what}: ${valid.length ? valid.join(', ') : 'none'}`);
  }
  return out;
}

/** Defect phases only (stories and others have phases with the same names). */
export async function resolvePhases(api: OctaneApi, names: string[], input = 'phases'): Promise<Resolved[]> {
  const page = await api.list('phases', {
    query: eq('entity', 'defect'),
    fields: ['id', 'name', 'logical_name', 'entity'],
    limit: PAGE_MAX
  });
  // The filter is confirmed in code: a story phase named "New" must never join the defect filter.
  const phases = checkedPage(page, 'defect phases', true)
    .filter((p) => p.entity === undefined || (typeof p.entity === 'string' && p.entity.toLowerCase() === 'defect'))
    .map(toResolved);
  return matchNames(input, 'phases', names, phases);
}

/** Defect phases (stories and others have phases with the same names). */
export const DEFECT_PHASE_FILTER = eq('entity', 'defect');
export const SEVERITY_FILTER = cross('list_root', eq('logical_name', SEVERITY_ROOT));
export const DEFECT_TYPE_FILTER = cross('list_root', eq('logical_name', 'list_node.defect_type'));

/** A phase or list-node look-up's filter: inside `base`, each name as a name or a logical name. */
export function nodeFilter(base: string, names: string[]): string {
  return and(base, or(...names.map((n) => n.trim()).flatMap((n) => [eq('name', n), eq('logical_name', n)])));
}

/**
 * Phases or list nodes by name or logical name, any case (matchNames), asked with nodeFilter so that the
 * answer shows what that filter matches on this server. Names the filtered answer does not settle (or a
 * refused filter) are matched against the whole list inside `base`, which also lists the valid names on
 * failure; then the filter is not trusted.
 */
async function lookUpNodes(
  api: OctaneApi,
  collection: 'phases' | 'list_nodes',
  base: string,
  names: string[],
  input: string,
  what: string
): Promise<Checked<Resolved[]>> {
  const fields = collection === 'phases' ? ['id', 'name', 'logical_name', 'entity'] : ['id', 'name', 'logical_name'];
  // The filter is confirmed in code: a story phase named "New" must never join the defect filter.
  const keep = (p: Entity): boolean =>
    collection !== 'phases' || p.entity === undefined || (typeof p.entity === 'string' && p.entity.toLowerCase() === 'defect');
  let filtered: Entity[] | undefined;
  try {
    const page = await api.list(collection, { query: nodeFilter(base, names), fields, limit: PAGE_MAX });
    if (page.total_count <= page.data.length) filtered = page.data;
  } catch (e) {
    if (!isRefusedQuery(e)) throw e;
  }
  if (filtered) {
    try {
      const chosen = matchNames(input, what, names, filtered.filter(keep).map(toResolved));
      const exact = filtered.length === chosen.length && filtered.every((r) => chosen.some((c) => c.id === text(r.id)));
      return { value: chosen, exact };
    } catch (e) {
      if (!(e instanceof LookupError)) throw e;
    }
  }
  const page = await api.list(collection, { query: base, fields, limit: PAGE_MAX });
  return { value: matchNames(input, what, names, checkedPage(page, what, true).filter(keep).map(toResolved)), exact: false };
}

/** resolvePhases with exactness: whether nodeFilter(DEFECT_PHASE_FILTER, names) matched just the chosen phases. */
export function lookUpPhases(api: OctaneApi, names: string[]): Promise<Checked<Resolved[]>> {
  return lookUpNodes(api, 'phases', DEFECT_PHASE_FILTER, names, 'phases', 'phases');
}

/** resolveSeverities with exactness; no names = every node, and no filter to trust. */
export async function lookUpSeverities(api: OctaneApi, names: string[]): Promise<Checked<Resolved[]>> {
  if (names.length === 0) return { value: await resolveSeverities(api, []), exact: true };
  const found = await lookUpNodes(api, 'list_nodes', SEVERITY_FILTER, names, 'severities', 'severities');
  return { value: [...found.value].sort(bySeverity), exact: found.exact };
}

/** Defect types (the list list_node.defect_type), like severities. */
export function lookUpDefectTypes(api: OctaneApi, names: string[]): Promise<Checked<Resolved[]>> {
  return lookUpNodes(api, 'list_nodes', DEFECT_TYPE_FILTER, names, 'defect-types', 'defect types');
}

function severityRank(s: Resolved): number {
  const suffix = (s.logicalName ?? '').startsWith(`${SEVERITY_ROOT}.`) ? s.logicalName!.slice(SEVERITY_ROOT.length + 1) : '';
  const i = SEVERITY_RANK.indexOf(suffix);
  return i === -1 ? SEVERITY_RANK.length : i;
}

/** Orders severities most severe first, unknown ones last, then by name. */
export function bySeverity(a: Resolved, b: Resolved): number {
  return severityRank(a) - severityRank(b) || a.name.localeCompare(b.name);
}

export async function listNodes(api: OctaneApi, root: string, what: string): Promise<Resolved[]> {
  const page = await api.list('list_nodes', {
    query: cross('list_root', eq('logical_name', root)),
    fields: ['id', 'name', 'logical_name'],
    limit: PAGE_MAX
  });
  return checkedPage(page, what, true).map(toResolved);
}

/**
 * Nodes of the severity list only (other lists reuse names like "High"), most severe
 * first. No names = every node.
 */
export async function resolveSeverities(api: OctaneApi, names: string[], input = 'severities'): Promise<Resolved[]> {
  const nodes = await listNodes(api, SEVERITY_ROOT, 'severities');
  const chosen = names.length === 0 ? nodes : matchNames(input, 'severities', names, nodes);
  return [...chosen].sort(bySeverity);
}

/** The backlog root that new defects hang under; never assumed to be 1001. */
export async function findBacklogRoot(api: OctaneApi): Promise<Resolved> {
  const page = await api.list('work_item_roots', { fields: ['id'], limit: 2 });
  const data = checkedPage(page, 'work item roots', false);
  if (page.total_count !== 1 || data.length !== 1 || !text(data[0]!.id)) {
    throw new Error(`Expected exactly one backlog root (work_item_roots) in the workspace, Octane answered ${page.total_count}.`);
  }
  return { id: text(data[0]!.id), name: 'Backlog' };
}

/** The item-origin node with exactly this name, if the workspace has one. */
export async function findOriginNode(api: OctaneApi, name = 'GitHub Actions'): Promise<Resolved | undefined> {
  const nodes = await listNodes(api, ORIGIN_ROOT, 'item origins');
  return nodes.find((n) => n.name === name);
}

type Settled<T extends Record<string, Promise<unknown>>> = { [K in keyof T]: Awaited<T[K]> };

/**
 * Awaits look-ups that already run in parallel. Every failed name comes back in one
 * LookupError; any other failure (network, Octane error) is rethrown as it is.
 */
export async function resolveAll<T extends Record<string, Promise<unknown>>>(lookups: T): Promise<Settled<T>> {
  const keys = Object.keys(lookups) as Array<keyof T>;
  const settled = await Promise.allSettled(keys.map((k) => lookups[k]));
  const problems: LookupProblem[] = [];
  for (const s of settled) {
    if (s.status === 'rejected') {
      if (!(s.reason instanceof LookupError)) throw s.reason;
      problems.push(...s.reason.problems);
    }
  }
  if (problems.length > 0) throw new LookupError(problems);
  const out = {} as Settled<T>;
  keys.forEach((k, i) => {
    out[k] = (settled[i] as PromiseFulfilledResult<Settled<T>[typeof k]>).value;
  });
  return out;
}
