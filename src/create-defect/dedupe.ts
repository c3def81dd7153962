/**
 * Dedupe for create-defect: an open defect with the same name in the release that this action
 * filed (its creation marker) is reused (a comment links this run) instead of filing another; a
 * person's defect of that name is never touched. The look-ups here join create-defect's one
 * parallel round; choosing the duplicate takes one more read (the open candidates' descriptions)
 * only when one is open, and one for a name with query metacharacters that its escaped form did
 * not find (see confirmCandidates).
 */
import type { Entity, OctaneApi, Page } from '../octane/api.js';
import { and, cross, eq, hasMetacharacters, idEq, idIn, like } from '../octane/query.js';
import type { Log } from '../log.js';
import { isRefusedQuery } from '../lookups.js';
import { compareIds, refOf } from '../octane/entities.js';
import { writeOnce } from './exactly-once.js';
import { carriesCreationMarker, hasToken } from './description.js';
import { PhaseIndex } from './phases.js';

export interface Duplicate {
  entity: Entity;
  /** The phase's display name, for the log and the outputs. */
  phase: string;
  logicalName?: string;
  /** Its phase says it was fixed (Fixed, Proposed Close): the failure recurred there. */
  fixed: boolean;
}

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
    if ((hasMetacharacters(name) || hasMetacharacters(releaseName)) && isRefusedQuery(e))
      return { total_count: 0, data: [], refused: true };
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
  log.debug(
    `Dedupe: ${candidates.refused ? 'Octane refused the escaped name' : 'no exact match for the escaped name'}; searching again with a wildcard pattern`
  );
  return api.list('defects', {
    query: and(like('name', name), idEq('release', releaseId)),
    fields: CANDIDATE_FIELDS,
    orderBy: ['-id'],
    limit: CANDIDATE_LIMIT
  });
}

/** The defect phases, indexed once for every phase comparison of the run. */
export async function listDefectPhases(api: OctaneApi): Promise<PhaseIndex> {
  const page = await api.list('phases', {
    query: eq('entity', 'defect'),
    fields: ['id', 'name', 'logical_name', 'metaphase'],
    limit: 1000
  });
  return new PhaseIndex(page.data);
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

/** Open defects of the name read for their creation marker at most (the newest); more is a warning. */
export const MAX_OPEN_READ = 50;

/**
 * The newest open defect of the name that this action filed (its description carries the creation
 * marker), if any; says in the log what was found and what was not checked. A defect a person filed
 * under the same name is never reused: without one of ours a new defect is filed. One more read
 * (the open ones' descriptions) only when there is an open candidate.
 */
export async function chooseDuplicate(
  api: OctaneApi,
  log: Log,
  candidates: Page,
  name: string,
  releaseId: string,
  phases: PhaseIndex,
  doneMetaphases?: Set<string>
): Promise<Duplicate | undefined> {
  if (candidates.total_count > candidates.data.length) {
    log.warning(`Dedupe: ${candidates.total_count} defects match the name, only the newest ${candidates.data.length} were checked`);
  }
  const open = openDuplicates(candidates.data, name, releaseId, phases, doneMetaphases);
  if (open.length > MAX_OPEN_READ)
    log.warning(
      `Dedupe: ${open.length} open defects have this name; only the newest ${MAX_OPEN_READ} were checked for this action's marker`
    );
  const { ours, notOurs } = await splitByMarker(api, open.slice(0, MAX_OPEN_READ));
  if (notOurs.length > 0) {
    log.info(
      `Dedupe: open defect${notOurs.length > 1 ? 's' : ''} ${notOurs.map((d) => d.entity.id).join(', ')} of this name ${notOurs.length > 1 ? 'were' : 'was'} not filed by this action (no creation marker); left alone`
    );
  }
  const duplicate = ours[0];
  log.info(
    duplicate
      ? `Dedupe: open defect ${duplicate.entity.id} (phase ${JSON.stringify(duplicate.phase)}), filed by this action, has this name in the release` +
          (ours.length > 1 ? `; ${ours.length} open ones, the newest is used` : '')
      : `Dedupe: no open defect named ${JSON.stringify(name)} filed by this action in the release`
  );
  return duplicate;
}

/** The open defects this action filed (creation marker in the description) and the others, each newest first. */
export async function splitByMarker(api: OctaneApi, open: Duplicate[]): Promise<{ ours: Duplicate[]; notOurs: Duplicate[] }> {
  const descriptions = await readDescriptions(
    api,
    open.map((d) => d.entity.id)
  );
  const ours: Duplicate[] = [];
  const notOurs: Duplicate[] = [];
  for (const d of open) (carriesCreationMarker(descriptions.get(d.entity.id)) ? ours : notOurs).push(d);
  return { ours, notOurs };
}

/** Descriptions of these defects (only they: a description may be large, so candidates are listed without). */
async function readDescriptions(api: OctaneApi, ids: string[]): Promise<Map<string, unknown>> {
  if (ids.length === 0) return new Map();
  const page = await api.list('defects', { query: idIn('id', ids), fields: ['id', 'description'], limit: ids.length });
  return new Map(page.data.map((d) => [String(d.id), d.description]));
}

/** Candidates with exactly this name in this release whose phase is open (PhaseIndex.of), newest first. */
export function openDuplicates(
  candidates: Entity[],
  name: string,
  releaseId: string,
  phases: PhaseIndex | Entity[],
  doneMetaphases?: Set<string>
): Duplicate[] {
  const index = phases instanceof PhaseIndex ? phases : new PhaseIndex(phases);
  const out: Duplicate[] = [];
  for (const d of candidates) {
    if (d.name !== name || refOf(d.release)?.id !== releaseId) continue;
    const phase = index.of(d.phase, doneMetaphases);
    if (!phase?.open) continue;
    out.push({ entity: d, phase: phase.name, ...(phase.logicalName ? { logicalName: phase.logicalName } : {}), fixed: phase.fixed });
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
