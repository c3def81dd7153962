/**
 * resolve-defect: for a passing run. Finds the open defects of the name in the release that this
 * action filed (their description carries its creation marker; a defect a person filed is never
 * touched), comments on each with the run that passed, and, with resolve-phase, moves each to that
 * phase where the workflow (transitions) allows it from the defect's phase.
 *
 * Round trips: one parallel round of look-ups, one read of the candidates' descriptions, then per
 * defect a comment and perhaps a PUT. "Open" is dedupe's definition (dedupe.ts); a write whose
 * answer is lost is looked for before it is sent again (exactly-once.ts, writeOnce).
 */
import { randomUUID } from 'node:crypto';
import type { Entity, OctaneApiWithUpdate } from '../octane/api.js';
import { OctaneError, isCancelled } from '../octane/errors.js';
import { idEq } from '../octane/query.js';
import { refOf } from '../octane/entities.js';
import type { Log } from '../log.js';
import type { ResolveDefectSettings } from '../settings.js';
import type { RunContext } from '../create-defect/run-context.js';
import { findRelease, resolveAll, resolvePhases, type Resolved } from '../lookups.js';
import {
  confirmCandidates,
  findComment,
  listCandidates,
  listDefectPhases,
  listDoneMetaphases,
  openDuplicates,
  splitByMarker
} from '../create-defect/dedupe.js';
import { writeOnce } from '../create-defect/exactly-once.js';
import type { PhaseIndex } from '../create-defect/phases.js';
import { passedCommentHtml } from './comment.js';

/** Open defects of the name handled in one run at most (the newest); more is a warning. */
export const MAX_RESOLVED = 50;
const PAGE = 1000;
const TRANSITION_PAGES = 5;

export interface DefectOutcome {
  id: string;
  url: string;
  /** Phase name before the run. */
  phase: string;
  commented: boolean;
  /** Moved to resolve-phase (also when a lost PUT is found to have moved it). */
  moved: boolean;
  /** Phases the workflow allows from `phase` (names), when resolve-phase was given. */
  allowed?: string[];
  /** Why it was not moved, when resolve-phase was given and it was not. */
  notMoved?: string;
  /** A write that failed (not a refused move): the step fails at the end, naming it; the other defects still go. */
  failed?: string;
}

export interface ResolveDefectResult {
  dryRun: boolean;
  name: string;
  release: Resolved;
  resolvePhase?: Resolved;
  /** The defects acted on (or that would be, in a dry run), newest first. */
  defects: DefectOutcome[];
  /** Open defects of the name filed by a person (no creation marker): left alone. */
  notOurs: string[];
  /** Open defects of ours already in resolve-phase: left alone. */
  alreadyThere: string[];
}

export interface ResolveDefectDeps {
  runContext?: RunContext;
  newToken?: () => string;
  sleep?: (ms: number) => Promise<void>;
}

interface Transition {
  source: string;
  target: string;
}

export async function runResolveDefect(
  settings: ResolveDefectSettings,
  api: OctaneApiWithUpdate,
  log: Log,
  deps: ResolveDefectDeps = {}
): Promise<ResolveDefectResult> {
  const name = settings.defectName;
  const found = await log.group('Look-ups', async () => {
    const r = await resolveAll({
      release: findRelease(api, settings.releaseName),
      candidates: listCandidates(api, name, settings.releaseName),
      phases: listDefectPhases(api),
      doneMetaphases: listDoneMetaphases(api, log),
      // A name that is not a defect phase fails here, before any write, listing the valid ones.
      target: findTarget(api, settings.resolvePhase),
      transitions: settings.resolvePhase ? listTransitions(api) : Promise.resolve(undefined)
    });
    log.info(`Release ${JSON.stringify(r.release.name)}: id ${r.release.id}`);
    if (r.target)
      log.info(
        `Resolve phase ${JSON.stringify(r.target.name)}: id ${r.target.id}${r.target.logicalName ? ` (${r.target.logicalName})` : ''}`
      );
    const candidates = await confirmCandidates(api, log, r.candidates, name, settings.releaseName, r.release.id);
    if (candidates.total_count > candidates.data.length) {
      log.warning(`${candidates.total_count} defects match the name, only the newest ${candidates.data.length} were checked`);
    }
    const open = openDuplicates(candidates.data, name, r.release.id, r.phases, r.doneMetaphases);
    if (open.length > MAX_RESOLVED)
      log.warning(`${open.length} open defects have this name; only the newest ${MAX_RESOLVED} are handled in this run`);
    const split = await splitByMarker(api, open.slice(0, MAX_RESOLVED));
    return { ...r, ...split };
  });

  const { release, target, phases, transitions, ours: open, notOurs } = found;
  const result: ResolveDefectResult = {
    dryRun: settings.dryRun,
    name,
    release,
    ...(target ? { resolvePhase: target } : {}),
    defects: [],
    notOurs: [],
    alreadyThere: []
  };
  for (const d of notOurs) {
    result.notOurs.push(d.entity.id);
    log.info(`Defect ${d.entity.id} has this name but was not filed by this action (no creation marker); it is left alone`);
  }
  const ours: Array<{ entity: Entity; phase: string; phaseId: string }> = [];
  for (const d of open) {
    const id = d.entity.id;
    const phaseId = refOf(d.entity.phase)?.id ?? '';
    if (target && samePhase(phaseId, target, phases)) {
      result.alreadyThere.push(id);
      log.info(`Defect ${id} is already in phase ${JSON.stringify(target.name)}; it is left alone`);
      continue;
    }
    ours.push({ entity: d.entity, phase: d.phase, phaseId });
  }
  if (ours.length === 0) {
    log.info(
      `No open defect named ${JSON.stringify(name)} filed by this action${target ? ` outside phase ${JSON.stringify(target.name)}` : ''} in release ${JSON.stringify(release.name)}; nothing to resolve`
    );
    return result;
  }

  return log.group(settings.dryRun ? 'Resolve defects (dry run)' : 'Resolve defects', async () => {
    for (const d of ours) {
      const id = d.entity.id;
      const url = api.workItemUrl(id);
      const outcome: DefectOutcome = { id, url, phase: d.phase, commented: false, moved: false };
      const allowedIds = target ? (transitions ?? []).filter((t) => phases.same(t.source, d.phaseId)).map((t) => t.target) : [];
      const canMove = target !== undefined && allowedIds.some((t) => samePhase(t, target, phases));
      if (target) {
        outcome.allowed = [...new Set(allowedIds.map((t) => phases.name(t)))];
        if (!canMove) outcome.notMoved = `the workflow has no transition from ${JSON.stringify(d.phase)} to ${JSON.stringify(target.name)}`;
      }
      result.defects.push(outcome);
      if (settings.dryRun) {
        log.info(
          `Dry run: would comment on defect ${id} (${url})${target ? (canMove ? ` and move it from ${JSON.stringify(d.phase)} to ${JSON.stringify(target.name)}` : `; would not move it: ${outcome.notMoved}`) : ''}; nothing was written`
        );
        continue;
      }
      try {
        await resolveOne(api, log, { ...d, id, url, outcome }, target, canMove, phases, deps);
      } catch (e) {
        // One defect's failure does not cost the others, nor the outputs and summary of what was done.
        outcome.failed = (e as Error).message;
        log.warning(`Defect ${id} was not resolved: ${outcome.failed}`);
        if (isCancelled(e)) break;
      }
    }
    return result;
  });
}

/** The comment, then the move where the workflow allows it; a refused move is a warning, any other failure throws. */
async function resolveOne(
  api: OctaneApiWithUpdate,
  log: Log,
  d: { entity: Entity; phase: string; id: string; url: string; outcome: DefectOutcome },
  target: Resolved | undefined,
  canMove: boolean,
  phases: PhaseIndex,
  deps: ResolveDefectDeps
): Promise<void> {
  const { id, url, outcome } = d;
  const token = (deps.newToken ?? randomUUID)();
  const text = passedCommentHtml(deps.runContext, token);
  await writeOnce(
    log,
    {
      what: `the comment on defect ${id}`,
      send: () => api.create('comments', { text, owner_work_item: { type: 'work_item', id } }),
      find: () => findComment(api, id, token)
    },
    deps.sleep
  );
  outcome.commented = true;
  log.info(`Added a comment with this run's link to defect ${id}: ${url}`);
  if (!target) return;
  if (!canMove) {
    log.warning(
      `Defect ${id} was not moved to ${JSON.stringify(target.name)}: ${outcome.notMoved}; ` +
        `from there it can move to ${outcome.allowed!.length ? outcome.allowed!.map((p) => JSON.stringify(p)).join(', ') : 'no other phase'}`
    );
    return;
  }
  try {
    await writeOnce(
      log,
      {
        what: `the move of defect ${id} to phase ${JSON.stringify(target.name)}`,
        send: () => api.update('defects', id, { phase: { type: 'phase', id: target.id } }),
        find: async () => {
          const now = await readPhase(api, id);
          return now !== undefined && samePhase(now, target, phases) ? d.entity : undefined;
        }
      },
      deps.sleep
    );
    outcome.moved = true;
    log.info(`Moved defect ${id} from ${JSON.stringify(d.phase)} to ${JSON.stringify(target.name)}`);
  } catch (e) {
    // A refusal (a rule of the workspace, such as a field the phase requires): the comment stands.
    if (!(e instanceof OctaneError) || e.status < 400 || e.status > 499) throw e;
    outcome.notMoved = `Octane refused the move (${e.message})`;
    log.warning(`Defect ${id} was not moved to ${JSON.stringify(target.name)}: ${outcome.notMoved}`);
  }
}

/** The resolve-phase, a defect phase; a name that is not one fails the look-ups, listing the valid ones. */
async function findTarget(api: OctaneApiWithUpdate, name: string | undefined): Promise<Resolved | undefined> {
  if (!name) return undefined;
  const [phase] = await resolvePhases(api, [name], 'resolve-phase');
  return phase;
}

/** A phase reference's id against the resolved phase, through the one index (by id or logical name). */
function samePhase(id: string, target: Resolved, phases: PhaseIndex): boolean {
  return phases.same(id, target.id) || (target.logicalName !== undefined && phases.same(id, target.logicalName));
}

/**
 * The workflow's transitions, every entity's (whether `entity` can be filtered on is not in the
 * public sources): callers match the defect's own phase ids. A workflow read only in part could
 * hide a transition, so an incomplete read fails before any write.
 */
async function listTransitions(api: OctaneApiWithUpdate): Promise<Transition[]> {
  const out: Transition[] = [];
  for (let n = 0; n < TRANSITION_PAGES; n++) {
    const page = await api.list('transitions', {
      fields: ['source_phase', 'target_phase'],
      limit: PAGE,
      offset: n * PAGE,
      orderBy: ['id']
    });
    const data = page.data;
    for (const t of data) {
      const source = refOf(t.source_phase)?.id;
      const target = refOf(t.target_phase)?.id;
      if (source && target) out.push({ source, target });
    }
    if (data.length < PAGE || (n + 1) * PAGE >= page.total_count) return out;
  }
  throw new Error(
    `The workspace's workflow has more than ${TRANSITION_PAGES * PAGE} transitions; refusing to judge phase changes from part of it.`
  );
}

/** The defect's current phase id, for a PUT whose answer was lost. */
async function readPhase(api: OctaneApiWithUpdate, id: string): Promise<string | undefined> {
  const page = await api.list('defects', { query: idEq('id', id), fields: ['id', 'phase'], limit: 1 });
  const d = page.data.find((x) => String(x.id) === id);
  return refOf(d?.phase)?.id;
}
