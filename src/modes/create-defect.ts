/**
 * create-defect: files one draft defect at the backlog root, in the release, with the
 * GitHub Actions origin when the workspace has one; optionally reuses an open defect of the
 * same name (dedupe), or only shows what it would do (dry run).
 *
 * Round trips: one parallel round of look-ups, then one write (plus the client's sign-in
 * and sign-out). An ambiguous write is never repeated blindly: see createExactlyOnce.
 */
import { randomUUID } from 'node:crypto';
import type { Entity, OctaneApi, Reference } from '../octane/api.js';
import { OctaneError, OutcomeUnknownError } from '../octane/errors.js';
import { and, cross, eq, idEq } from '../octane/query.js';
import type { Log } from '../log.js';
import type { CreateDefectSettings } from '../settings.js';
import type { RunContext } from '../run-context.js';
import { findBacklogRoot, findOriginNode, findRelease, resolveAll, resolveSeverities, type Resolved } from '../lookups.js';
import { buildDescription, failedAgainCommentHtml, hasToken, tokenText } from '../description.js';

export interface CreateDefectResult {
  dryRun: boolean;
  /** false when an open defect was reused (dedupe) or in a dry run. */
  created: boolean;
  /** Undefined in a dry run. */
  id?: string;
  url?: string;
  name: string;
  release: Resolved;
  severity?: Resolved;
  origin?: Resolved;
  /** Every field sent (or that would be sent). */
  fields: Record<string, unknown>;
  /** The open defect of the same name that was reused (dedupe); in a dry run, the one that would be. */
  reused?: { id: string; url: string; phase: string; commentAdded: boolean };
  /** Found by its creation token after a POST whose outcome was unknown. */
  recovered?: boolean;
}

export interface CreateDefectDeps {
  runContext?: RunContext;
  newToken?: () => string;
  /** How the search for a lost create waits before looking again (tests pass a fast one). */
  sleep?: (ms: number) => Promise<void>;
}

/** POSTs of one defect at most, when each one's outcome is unknown and the defect is not found. */
export const MAX_CREATE_POSTS = 3;

const ORIGIN_NAME = 'GitHub Actions';
/** Phases that mean "not open" whatever the workspace's metaphases say. */
const CLOSED_PHASES = new Set(['phase.defect.closed', 'phase.defect.rejected', 'phase.defect.duplicate']);
// The largest page Octane code asks for: the normal answer is a handful of rows, the limit
// only matters for a name that recurs a lot in the release.
const CANDIDATE_LIMIT = 1000;
const RECOVERY_LIMIT = 50;
/**
 * After a create whose answer was lost and a search that found nothing, look once more this
 * much later before sending it again: a server still busy with the request when the answer was
 * lost (a timeout) may store the defect a little after the first search. Only that rare path waits.
 */
export const LATE_WRITE_WAIT_MS = 2000;

export async function runCreateDefect(
  settings: CreateDefectSettings,
  api: OctaneApi,
  log: Log,
  deps: CreateDefectDeps = {}
): Promise<CreateDefectResult> {
  const name = settings.defectName;
  const token = (deps.newToken ?? randomUUID)();

  const found = await log.group('Look-ups', async () => {
    // One parallel round: everything the create needs, plus what dedupe compares against.
    const r = await resolveAll({
      release: findRelease(api, settings.releaseName),
      root: findBacklogRoot(api),
      origin: findOriginNode(api, ORIGIN_NAME),
      severity: findSeverity(api, settings.severity),
      // Filtered by the release's name too (its id is not known yet in this round), so that a
      // name that recurs across many releases cannot push this release's open one off the page.
      candidates: settings.dedupe
        ? api.list('defects', {
            query: and(eq('name', name), cross('release', eq('name', settings.releaseName))),
            fields: ['id', 'name', 'release', 'phase'],
            orderBy: ['-id'],
            limit: CANDIDATE_LIMIT
          })
        : Promise.resolve(undefined),
      phases: settings.dedupe ? listDefectPhases(api) : Promise.resolve(undefined),
      doneMetaphases: settings.dedupe ? listDoneMetaphases(api, log) : Promise.resolve(undefined)
    });
    log.info(`Release ${JSON.stringify(r.release.name)}: id ${r.release.id}`);
    log.info(`Backlog root: id ${r.root.id}`);
    log.info(
      r.origin
        ? `Origin ${JSON.stringify(r.origin.name)}: id ${r.origin.id}`
        : `No ${JSON.stringify(ORIGIN_NAME)} node in the item-origin list; the origin is left unset`
    );
    if (r.severity) log.info(`Severity ${JSON.stringify(r.severity.name)}: id ${r.severity.id}${r.severity.logicalName ? ` (${r.severity.logicalName})` : ''}`);

    let duplicate: { entity: Entity; phase: string } | undefined;
    if (r.candidates && r.phases) {
      const open = openDuplicates(r.candidates.data, name, r.release.id, r.phases, r.doneMetaphases);
      if (r.candidates.total_count > r.candidates.data.length) {
        log.warning(
          `Dedupe: ${r.candidates.total_count} defects match the name, only the newest ${r.candidates.data.length} were checked`
        );
      }
      duplicate = open[0];
      log.info(
        duplicate
          ? `Dedupe: open defect ${duplicate.entity.id} (phase ${JSON.stringify(duplicate.phase)}) has this name in the release` +
              (open.length > 1 ? `; ${open.length} open ones, the newest is used` : '')
          : `Dedupe: no open defect named ${JSON.stringify(name)} in the release`
      );
    }
    return { ...r, duplicate };
  });

  const { release, root, origin, severity, duplicate } = found;
  const description = buildDescription({
    text: settings.defectDescription,
    runContext: settings.addRunContext ? deps.runContext : undefined,
    token
  });
  const fields = defectFields({ name, description, rootId: root.id, releaseId: release.id, origin, severity, extra: settings.extraFields });
  const base = { name, release, ...(severity ? { severity } : {}), ...(origin ? { origin } : {}), fields };

  return log.group(settings.dryRun ? 'Create defect (dry run)' : 'Create defect', async () => {
    if (duplicate) {
      const id = duplicate.entity.id;
      const url = api.workItemUrl(id);
      const comment = failedAgainCommentHtml(deps.runContext);
      if (settings.dryRun) {
        log.info(`Dry run: would add a comment to open defect ${id} (${url}) instead of creating one; nothing was written`);
        log.info(`Fields a new defect would have had:\n${JSON.stringify(fields, null, 2)}`);
        return { ...base, dryRun: true, created: false, reused: { id, url, phase: duplicate.phase, commentAdded: false } };
      }
      const commentAdded = await addComment(api, log, id, comment);
      log.info(`Reused open defect ${id}: ${url}`);
      return { ...base, dryRun: false, created: false, id, url, reused: { id, url, phase: duplicate.phase, commentAdded } };
    }
    if (settings.dryRun) {
      log.info(`Dry run: would create this defect; nothing was written:\n${JSON.stringify(fields, null, 2)}`);
      return { ...base, dryRun: true, created: false };
    }
    const { entity, recovered } = await createExactlyOnce(api, log, fields, { name, release, token }, deps.sleep);
    const url = api.workItemUrl(entity.id);
    log.info(`${recovered ? 'Found the defect created by an earlier attempt' : 'Created defect'} ${entity.id}: ${url}`);
    return { ...base, dryRun: false, created: true, id: entity.id, url, ...(recovered ? { recovered: true } : {}) };
  });
}

interface FieldParts {
  name: string;
  description: string;
  rootId: string;
  releaseId: string;
  origin?: Resolved;
  severity?: Resolved;
  extra: Record<string, unknown>;
}

/**
 * The defect's fields. is_draft is sent as true explicitly: Octane also makes a draft when
 * it is omitted, but saying so makes the dry-run output tell the whole story and does not
 * depend on a server default; a user who wants required-field rules enforced can send
 * `"is_draft": false` in extra-fields, which may also override the origin. Name, parent,
 * release and description always win (settings already refuses them in extra-fields), and
 * the validated `severity` input wins over a severity in extra-fields.
 */
export function defectFields(p: FieldParts): Record<string, unknown> {
  return {
    is_draft: true,
    ...(p.origin ? { item_origin: { type: 'list_node', id: p.origin.id } } : {}),
    ...p.extra,
    ...(p.severity ? { severity: { type: 'list_node', id: p.severity.id } } : {}),
    name: p.name,
    description: p.description,
    parent: { type: 'work_item_root', id: p.rootId },
    release: { type: 'release', id: p.releaseId }
  };
}

/** The one severity named by the `severity` input (name or logical name), if given. */
async function findSeverity(api: OctaneApi, name: string | undefined): Promise<Resolved | undefined> {
  if (!name) return undefined;
  const [first] = await resolveSeverities(api, [name], 'severity');
  return first;
}

async function listDefectPhases(api: OctaneApi): Promise<Entity[]> {
  const page = await api.list('phases', { query: eq('entity', 'defect'), fields: ['id', 'name', 'logical_name', 'metaphase'], limit: 1000 });
  return Array.isArray(page?.data) ? page.data : [];
}

/**
 * Ids of the workspace's "done" metaphases. Not every server exposes metaphases through the
 * REST API; without them the closed/rejected/duplicate logical names still apply.
 */
async function listDoneMetaphases(api: OctaneApi, log: Log): Promise<Set<string> | undefined> {
  try {
    const page = await api.list('metaphases', { fields: ['id', 'name', 'logical_name'], limit: 1000 });
    const data = Array.isArray(page?.data) ? page.data : [];
    return new Set(data.filter(isDoneMetaphase).map((m) => String(m.id)));
  } catch (e) {
    log.debug(`Metaphases are not available (${(e as Error).message}); open = not closed, rejected or duplicate`);
    return undefined;
  }
}

function isDoneMetaphase(m: Entity): boolean {
  const logical = typeof m.logical_name === 'string' ? m.logical_name.toLowerCase() : '';
  const name = typeof m.name === 'string' ? m.name.toLowerCase() : '';
  return logical.endsWith('.done') || (logical === '' && name === 'done');
}

function refOf(value: unknown): Reference | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const id = (value as { id?: unknown }).id;
  return typeof id === 'string' || typeof id === 'number' ? ({ ...(value as object), id: String(id) } as Reference) : undefined;
}

/**
 * Candidates with exactly this name in this release whose phase is open, newest first.
 * A phase that cannot be identified counts as not open: creating a second defect is a
 * smaller harm than hiding a failure in a comment on a closed one.
 */
export function openDuplicates(
  candidates: Entity[],
  name: string,
  releaseId: string,
  phases: Entity[],
  doneMetaphases?: Set<string>
): Array<{ entity: Entity; phase: string }> {
  const phaseById = new Map(phases.map((p) => [String(p.id), p]));
  const out: Array<{ entity: Entity; phase: string }> = [];
  for (const d of candidates) {
    if (d.name !== name || refOf(d.release)?.id !== releaseId) continue;
    const ref = refOf(d.phase);
    if (!ref) continue;
    const phase = phaseById.get(ref.id);
    const logical = str(phase?.logical_name) ?? ref.logical_name ?? (ref.id.startsWith('phase.') ? ref.id : undefined);
    if (!phase && !logical) continue;
    if (logical && CLOSED_PHASES.has(logical.toLowerCase())) continue;
    const meta = refOf(phase?.metaphase);
    if (meta && doneMetaphases?.has(meta.id)) continue;
    out.push({ entity: d, phase: str(phase?.name) ?? str(ref.name) ?? logical ?? ref.id });
  }
  return out.sort((a, b) => compareIds(b.entity.id, a.entity.id));
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function compareIds(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  return Number.isFinite(na) && Number.isFinite(nb) ? na - nb : a.localeCompare(b);
}

/** A comment whose outcome is unknown is not repeated: reported, never duplicated. */
async function addComment(api: OctaneApi, log: Log, id: string, text: string): Promise<boolean> {
  try {
    await api.create('comments', { text, owner_work_item: { type: 'work_item', id } });
    log.info(`Added a comment with this run's link to defect ${id}`);
    return true;
  } catch (e) {
    if (!(e instanceof OutcomeUnknownError)) throw e;
    log.warning(`The comment on defect ${id} may or may not have been added (${e.message}); it was not sent again`);
    return false;
  }
}

interface Identity {
  name: string;
  release: Resolved;
  token: string;
}

/**
 * POSTs the defect; after a POST whose outcome is unknown, looks for the creation token
 * before POSTing again (same fields, same token), so at most one defect is ever created.
 * A 2xx whose body cannot be read means the defect exists: it is looked for, never sent again.
 */
export async function createExactlyOnce(
  api: OctaneApi,
  log: Log,
  fields: Record<string, unknown>,
  who: Identity,
  sleep: (ms: number) => Promise<void> = defaultSleep
): Promise<{ entity: Entity; recovered: boolean }> {
  for (let post = 1; ; post++) {
    let entity: Entity;
    try {
      entity = await api.create('defects', fields);
    } catch (e) {
      if (e instanceof OctaneError && e.status >= 200 && e.status <= 299) {
        log.warning(`Creating the defect: Octane accepted it but its answer could not be read (${e.message}); looking for it`);
        const existing = await findSettled(api, log, who, sleep);
        if (existing) return recoveredFrom(log, existing);
        throw new Error(
          `A defect may have been created: Octane answered ${e.status} to the create, but its answer could not be read (${e.message}), ` +
            `and no defect carrying ${tokenText(who.token)} was found in release ${JSON.stringify(who.release.name)}. ` +
            `Look there for a defect named ${JSON.stringify(who.name)} before running again; the create was not sent again.`,
          { cause: e }
        );
      }
      if (!(e instanceof OutcomeUnknownError)) throw e;
      log.warning(`Creating the defect: outcome unknown (${e.message}); looking for it before trying again`);
      const existing = await findSettled(api, log, who, sleep);
      if (existing) return recoveredFrom(log, existing);
      if (post >= MAX_CREATE_POSTS) {
        throw new Error(
          `Could not create the defect: ${post} attempts got no clear answer from Octane (last: ${e.message}), ` +
            `and no defect carrying creation token ${tokenText(who.token)} was found afterwards.`,
          { cause: e }
        );
      }
      log.info(`Not found: the request did not create it; sending it again (attempt ${post + 1} of ${MAX_CREATE_POSTS})`);
      continue;
    }
    if (post > 1) await warnIfStoredTwice(api, log, who, entity.id);
    return { entity, recovered: false };
  }
}

function recoveredFrom(log: Log, existing: Entity): { entity: Entity; recovered: boolean } {
  log.info(`Recovered: defect ${existing.id} was created by that request (found by its creation token); not creating another`);
  return { entity: existing, recovered: true };
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The defect carrying the token: looked for now and, if absent, once more a little later (a late write). */
async function findSettled(api: OctaneApi, log: Log, who: Identity, sleep: (ms: number) => Promise<void>): Promise<Entity | undefined> {
  const first = await findByToken(api, log, who);
  if (first.length > 0) return first[0];
  log.info(`No defect carries the creation token yet; looking once more in ${LATE_WRITE_WAIT_MS / 1000} s in case Octane stores it late`);
  await sleep(LATE_WRITE_WAIT_MS);
  return (await findByToken(api, log, who))[0];
}

/**
 * After a POST that followed a lost one succeeded: if the lost one was stored even later than the
 * second search, two defects now carry the token. That cannot be undone here, but it is said
 * plainly, naming both. A failure to look is only a debug line: the defect was created.
 */
async function warnIfStoredTwice(api: OctaneApi, log: Log, who: Identity, createdId: string): Promise<void> {
  try {
    const ids = [...new Set([createdId, ...(await findByToken(api, log, who, 1)).map((d) => String(d.id))])];
    if (ids.length > 1) {
      log.warning(
        `Defects ${ids.join(', ')} all carry this run's creation token: an earlier request that got no answer was stored late. ` +
          `Defect ${createdId} is reported; close the other as a duplicate.`
      );
    }
  } catch (e) {
    log.debug(`Could not check for a late copy of the defect (${(e as Error).message})`);
  }
}

/**
 * Every defect carrying the token, newest first. Two searches in parallel, and the token is
 * matched in code (it is unique, so the name is not compared): by name in the release, and the
 * release's newest defects, so the defect is found even if the server matched the escaped name
 * differently or stored the name normalised. Both must answer before "not there" is believed;
 * `attempts` searches at most, then a clear error.
 */
async function findByToken(api: OctaneApi, log: Log, who: Identity, attempts = 2): Promise<Entity[]> {
  const fields = ['id', 'name', 'description'];
  const searches = [
    { query: and(eq('name', who.name), idEq('release', who.release.id)), fields, orderBy: ['-id'], limit: RECOVERY_LIMIT },
    { query: idEq('release', who.release.id), fields, orderBy: ['-id'], limit: RECOVERY_LIMIT }
  ];
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const answers = await Promise.allSettled(searches.map((params) => api.list('defects', params)));
    const found = new Map<string, Entity>();
    for (const a of answers) {
      if (a.status !== 'fulfilled') continue;
      const data = Array.isArray(a.value?.data) ? a.value.data : [];
      for (const d of data) if (hasToken(d.description, who.token)) found.set(String(d.id), d);
    }
    if (found.size > 0) return [...found.values()].sort((a, b) => compareIds(b.id, a.id));
    const failed = answers.find((a): a is PromiseRejectedResult => a.status === 'rejected');
    if (!failed) return [];
    lastError = failed.reason;
    // The last failure is not logged here: the error thrown below carries it.
    if (attempt < attempts) log.warning(`Looking for the defect failed (${(lastError as Error).message}); trying once more`);
  }
  throw new Error(
    `A defect may have been created, but Octane could not be asked whether it was (${(lastError as Error).message}). ` +
      `Before running again, look in release ${JSON.stringify(who.release.name)} for a defect named ${JSON.stringify(who.name)} ` +
      `whose description contains ${tokenText(who.token)}.`,
    { cause: lastError }
  );
}
