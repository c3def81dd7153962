/**
 * Dedupe for create-defect: an open defect with the same name in the release is reused (a
 * comment links this run) instead of filing another. The look-ups here join create-defect's
 * one parallel round; choosing the duplicate needs no further round trip, except for a name with
 * query metacharacters that its escaped form did not find (see confirmCandidates).
 */
import type { Entity, OctaneApi, Page } from '../octane/api.js';
import { and, cross, eq, hasMetacharacters, idEq, like } from '../octane/query.js';
import type { Log } from '../log.js';
import { isRefusedQuery } from '../lookups.js';
import { compareIds, refOf, stringOf } from '../octane/entities.js';
import { writeOnce } from './exactly-once.js';
import { hasToken } from './description.js';

export interface Duplicate {
  entity: Entity;
  /** The phase's display name, for the log and the outputs. */
  phase: string;
}

/** Phases that mean "not open" whatever the workspace's metaphases say. */
const CLOSED_PHASES = new Set(['phase.defect.closed', 'phase.defect.rejected', 'phase.defect.duplicate']);
// The largest page Octane code asks for: the normal answer is a handful of rows, the limit
// only matters for a name that recurs a lot in the release.
const CANDIDATE_LIMIT = 1000;
const CANDIDATE_FIELDS = ['id', 'name', 'release', 'phase'];

/**
 * Defects of this name in the release, newest first. Filtered by the release's name (its id is
 * not known yet in the look-up round), so that a name that recurs across many releases cannot
 * push this release's open one off the page. A server that reads the escaped names another way
 * may refuse the query (400): then an empty page marked `refused`, and confirmCandidates looks again.
 */
export async function listCandidates(api: OctaneApi, name: string, releaseName: string): Promise<Candidates> {
  try {
    return await api.list('defects', {
      query: and(eq('name', name), cross('release', eq('name', releaseName))),
      fields: CANDIDATE_FIELDS,
      orderBy: ['-id'],
      limit: CANDIDATE_LIMIT
    });
  } catch (e) {
    if ((hasMetacharacters(name) || hasMetacharacters(releaseName)) && isRefusedQuery(e)) return { total_count: 0, data: [], refused: true };
    throw e;
  }
}

export type Candidates = Page & { refused?: boolean };

/**
 * The candidates to choose from, once the release's id is known. When a name with query
 * metacharacters found no defect of exactly that name in the release (its escaped form may mean
 * something else to this server, or was refused), one more search that needs no escaping: the
 * release by id and the name as a wildcard pattern, matched exactly in code by openDuplicates.
 * Names without metacharacters never take this second round trip.
 */
export async function confirmCandidates(
  api: OctaneApi,
  log: Log,
  candidates: Candidates,
  name: string,
  releaseName: string,
  releaseId: string
): Promise<Page> {
  if (!hasMetacharacters(name) && !hasMetacharacters(releaseName)) return candidates;
  if (!candidates.refused && candidates.data.some((d) => d.name === name && refOf(d.release)?.id === releaseId)) return candidates;
  log.debug(`Dedupe: ${candidates.refused ? 'Octane refused the escaped name' : 'no exact match for the escaped name'}; searching again with a wildcard pattern`);
  return api.list('defects', {
    query: and(like('name', name), idEq('release', releaseId)),
    fields: CANDIDATE_FIELDS,
    orderBy: ['-id'],
    limit: CANDIDATE_LIMIT
  });
}

export async function listDefectPhases(api: OctaneApi): Promise<Entity[]> {
  const page = await api.list('phases', { query: eq('entity', 'defect'), fields: ['id', 'name', 'logical_name', 'metaphase'], limit: 1000 });
  return page.data;
}

/**
 * Ids of the workspace's "done" metaphases. Not every server exposes metaphases through the
 * REST API; without them the closed/rejected/duplicate logical names still apply.
 */
export async function listDoneMetaphases(api: OctaneApi, log: Log): Promise<Set<string> | undefined> {
  try {
    const page = await api.list('metaphases', { fields: ['id', 'name', 'logical_name'], limit: 1000 });
    return new Set(page.data.filter(isDoneMetaphase).map((m) => String(m.id)));
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

/** The newest open duplicate, if any; says in the log what was found and what was not checked. */
export function chooseDuplicate(
  log: Log,
  candidates: Page,
  name: string,
  releaseId: string,
  phases: Entity[],
  doneMetaphases?: Set<string>
): Duplicate | undefined {
  const open = openDuplicates(candidates.data, name, releaseId, phases, doneMetaphases);
  if (candidates.total_count > candidates.data.length) {
    log.warning(`Dedupe: ${candidates.total_count} defects match the name, only the newest ${candidates.data.length} were checked`);
  }
  const duplicate = open[0];
  log.info(
    duplicate
      ? `Dedupe: open defect ${duplicate.entity.id} (phase ${JSON.stringify(duplicate.phase)}) has this name in the release` +
          (open.length > 1 ? `; ${open.length} open ones, the newest is used` : '')
      : `Dedupe: no open defect named ${JSON.stringify(name)} in the release`
  );
  return duplicate;
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
): Duplicate[] {
  // By id, and by logical name too: a reference may carry either as its id (servers differ).
  const phaseById = new Map<string, Entity>();
  for (const p of phases) {
    const logical = stringOf(p.logical_name);
    if (logical && !phaseById.has(logical)) phaseById.set(logical, p);
  }
  for (const p of phases) phaseById.set(String(p.id), p);
  const out: Duplicate[] = [];
  for (const d of candidates) {
    if (d.name !== name || refOf(d.release)?.id !== releaseId) continue;
    const ref = refOf(d.phase);
    if (!ref) continue;
    const phase = phaseById.get(ref.id);
    const logical = stringOf(phase?.logical_name) ?? stringOf(ref.logical_name) ?? (ref.id.startsWith('phase.') ? ref.id : undefined);
    if (!phase && !logical) continue;
    if (logical && CLOSED_PHASES.has(logical.toLowerCase())) continue;
    const meta = refOf(phase?.metaphase);
    if (meta && doneMetaphases?.has(meta.id)) continue;
    out.push({ entity: d, phase: stringOf(phase?.name) ?? stringOf(ref.name) ?? logical ?? ref.id });
  }
  return out.sort((a, b) => compareIds(b.entity.id, a.entity.id));
}

/**
 * The "failed again" comment, sent exactly once: `text` carries the run's token, so a comment whose
 * answer was lost is looked for before it is sent again (writeOnce, as resolve-defect's comment).
 * When Octane cannot say whether it was added, the reuse still stands: a warning, and false.
 */
export async function addComment(
  api: OctaneApi,
  log: Log,
  comment: { id: string; text: string; token: string },
  sleep?: (ms: number) => Promise<void>
): Promise<boolean> {
  const { id, text, token } = comment;
  // find() only runs after an unclear answer: an error from then on is about that answer.
  let unclear = false;
  try {
    await writeOnce(
      log,
      {
        what: `the comment on defect ${id}`,
        send: () => api.create('comments', { text, owner_work_item: { type: 'work_item', id } }),
        find: () => {
          unclear = true;
          return findComment(api, id, token);
        }
      },
      sleep
    );
  } catch (e) {
    if (!unclear) throw e;
    log.warning(`The comment on defect ${id} may or may not have been added (${(e as Error).message}); it was not sent again`);
    return false;
  }
  log.info(`Added a comment with this run's link to defect ${id}`);
  return true;
}

/** The newest comment on the work item that carries the token. */
export async function findComment(api: OctaneApi, id: string, token: string): Promise<Entity | undefined> {
  const page = await api.list('comments', { query: idEq('owner_work_item', id), fields: ['id', 'text'], orderBy: ['-id'], limit: 50 });
  return page.data.filter((c) => hasToken(c.text, token)).sort((a, b) => compareIds(b.id, a.id))[0];
}
