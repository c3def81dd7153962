/**
 * create-defect: files one defect (a draft: is_draft is omitted) at the backlog root, in the release, with the
 * GitHub Actions origin when the workspace has one; optionally reuses an open defect of the
 * same name (dedupe), or only shows what it would do (dry run).
 *
 * Round trips: one parallel round of look-ups, then one write (plus the client's sign-in
 * and sign-out). How an open defect of the same name is found and reused is in dedupe.ts; an
 * ambiguous write is never repeated blindly: see exactly-once.ts.
 */
import { randomUUID } from 'node:crypto';
import type { AttachmentApi, OctaneApi } from '../octane/api.js';
import type { Log } from '../log.js';
import type { CreateDefectSettings } from '../settings.js';
import type { RunContext } from './run-context.js';
import { findBacklogRoot, findOriginNode, findRelease, resolveAll, resolveSeverities, type Resolved } from '../lookups.js';
import { buildDescription, failedAgainCommentHtml } from './description.js';
import { addComment, chooseDuplicate, confirmCandidates, listCandidates, listDefectPhases, listDoneMetaphases } from './dedupe.js';
import { createExactlyOnce } from './exactly-once.js';
import { checkExtraReferences } from './extra-references.js';
import { resolveFieldNames, type NamedField, type NamedFields } from './fields.js';
import { readEvidence, attachEvidence, type Evidence } from './evidence.js';

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
  /** What the fields given by name (team, owner, ...) resolved to; [] when none. */
  named?: NamedField[];
  /** Every field sent (or that would be sent). */
  fields: Record<string, unknown>;
  /** The open defect of the same name that was reused (dedupe); in a dry run, the one that would be. */
  reused?: { id: string; url: string; phase: string; commentAdded: boolean };
  /** Found by its creation token after a POST whose outcome was unknown. */
  recovered?: boolean;
  /** What the attachments and test-results inputs found, and the names uploaded. */
  evidence?: Evidence;
}

export interface CreateDefectDeps {
  runContext?: RunContext;
  newToken?: () => string;
  /** How the search for a lost create waits before looking again (tests pass a fast one). */
  sleep?: (ms: number) => Promise<void>;
  /** Where attachments and test-results are looked for; default the current folder. */
  workspace?: string;
}

const ORIGIN_NAME = 'GitHub Actions';

export async function runCreateDefect(
  settings: CreateDefectSettings,
  api: OctaneApi & Partial<AttachmentApi>,
  log: Log,
  deps: CreateDefectDeps = {}
): Promise<CreateDefectResult> {
  const name = settings.defectName;
  const token = (deps.newToken ?? randomUUID)();

  const found = await log.group('Look-ups', async () => {
    // One parallel round: everything the create needs, plus what dedupe compares against.
    const release = findRelease(api, settings.releaseName);
    const r = await resolveAll({
      evidence: readEvidence(settings, deps.workspace ?? process.cwd(), log),
      release,
      // A defect filed under a feature needs no backlog root.
      root: settings.fieldNames?.feature ? Promise.resolve(undefined) : findBacklogRoot(api),
      named: settings.fieldNames ? resolveFieldNames(api, settings.fieldNames, settings.releaseName, release) : Promise.resolve(undefined),
      origin: findOriginNode(api, ORIGIN_NAME),
      severity: findSeverity(api, settings.severity),
      candidates: settings.dedupe ? listCandidates(api, name, settings.releaseName) : Promise.resolve(undefined),
      phases: settings.dedupe ? listDefectPhases(api) : Promise.resolve(undefined),
      doneMetaphases: settings.dedupe ? listDoneMetaphases(api, log) : Promise.resolve(undefined)
    });
    log.info(`Release ${JSON.stringify(r.release.name)}: id ${r.release.id}`);
    if (r.root) log.info(`Backlog root: id ${r.root.id}`);
    for (const f of r.named?.shown ?? [])
      log.info(`${f.input}: ${f.values.map((v) => `${JSON.stringify(v.name)} (id ${v.id})`).join(', ')}`);
    log.info(
      r.origin
        ? `Origin ${JSON.stringify(r.origin.name)}: id ${r.origin.id}`
        : `No ${JSON.stringify(ORIGIN_NAME)} node in the item-origin list; the origin is left unset`
    );
    if (r.severity)
      log.info(
        `Severity ${JSON.stringify(r.severity.name)}: id ${r.severity.id}${r.severity.logicalName ? ` (${r.severity.logicalName})` : ''}`
      );

    const candidates = r.candidates ? await confirmCandidates(api, log, r.candidates, name, settings.releaseName, r.release.id) : undefined;
    const duplicate =
      candidates && r.phases ? await chooseDuplicate(api, log, candidates, name, r.release.id, r.phases, r.doneMetaphases) : undefined;
    return { ...r, duplicate };
  });

  const { release, root, origin, severity, duplicate, named, evidence } = found;
  const description = buildDescription({
    text: settings.defectDescription,
    runContext: settings.addRunContext ? deps.runContext : undefined,
    token,
    extraHtml: evidence.html
  });
  const fields = defectFields({
    name,
    description,
    rootId: root?.id ?? '',
    releaseId: release.id,
    origin,
    severity,
    extra: settings.extraFields,
    named
  });
  const base = {
    name,
    release,
    ...(severity ? { severity } : {}),
    ...(origin ? { origin } : {}),
    named: named?.shown ?? [],
    fields,
    evidence
  };

  return log.group(settings.dryRun ? 'Create defect (dry run)' : 'Create defect', async () => {
    if (duplicate) {
      const id = duplicate.entity.id;
      const url = api.workItemUrl(id);
      // Dedupe does not reopen it: the comment alone could hide a regression in a defect marked fixed.
      if (duplicate.fixed) {
        log.warning(
          `Defect ${id} is marked fixed (phase ${JSON.stringify(duplicate.phase)}${duplicate.logicalName ? `, ${duplicate.logicalName}` : ''}) and the failure recurred; ` +
            `this run is added to it as a comment and its phase is left as it is: reopen it in Octane if the fix did not hold`
        );
      }
      const comment = failedAgainCommentHtml(deps.runContext, token) + (evidence.html ? `\n${evidence.html}` : '');
      if (settings.dryRun) {
        log.info(`Dry run: would add a comment to open defect ${id} (${url}) instead of creating one; nothing was written`);
        log.info(`Fields a new defect would have had:\n${JSON.stringify(fields, null, 2)}`);
        return { ...base, dryRun: true, created: false, reused: { id, url, phase: duplicate.phase, commentAdded: false } };
      }
      const commentAdded = await addComment(api, log, { id, text: comment, token }, deps.sleep);
      log.info(`Reused open defect ${id}: ${url}`);
      const attached = await attachEvidence(api, log, id, evidence);
      return {
        ...base,
        evidence: attached,
        dryRun: false,
        created: false,
        id,
        url,
        reused: { id, url, phase: duplicate.phase, commentAdded }
      };
    }
    if (settings.dryRun) {
      await checkExtraReferences(api, settings.extraFields, log);
      log.info(`Dry run: would create this defect; nothing was written:\n${JSON.stringify(fields, null, 2)}`);
      return { ...base, dryRun: true, created: false };
    }
    const { entity, recovered } = await createExactlyOnce(api, log, fields, { name, release, token }, deps.sleep);
    const url = api.workItemUrl(entity.id);
    log.info(`${recovered ? 'Found the defect created by an earlier attempt' : 'Created defect'} ${entity.id}: ${url}`);
    // Only now that the create is settled: an upload can never stand in the way of the defect.
    const attached = await attachEvidence(api, log, entity.id, evidence);
    return { ...base, evidence: attached, dryRun: false, created: true, id: entity.id, url, ...(recovered ? { recovered: true } : {}) };
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
  /** Fields given by name; a feature replaces the backlog root as parent. */
  named?: NamedFields;
}

/**
 * The defect's fields. is_draft is not sent: Octane makes a draft when it is omitted, and newer
 * servers document is_draft as technical preview, to be sent only with a tech-preview header. A
 * user who wants required-field rules enforced sends `"is_draft": false` in extra-fields (the
 * create then carries that header), which may also override the origin. Name, parent, release and
 * description always win (settings already refuses them in extra-fields), and the validated
 * `severity` input wins over a severity in extra-fields.
 */
export function defectFields(p: FieldParts): Record<string, unknown> {
  return {
    ...(p.origin ? { item_origin: { type: 'list_node', id: p.origin.id } } : {}),
    ...p.extra,
    ...(p.severity ? { severity: { type: 'list_node', id: p.severity.id } } : {}),
    ...p.named?.fields,
    name: p.name,
    description: p.description,
    parent: p.named?.feature ? { type: 'feature', id: p.named.feature.id } : { type: 'work_item_root', id: p.rootId },
    release: { type: 'release', id: p.releaseId }
  };
}

/** The one severity named by the `severity` input (name or logical name), if given. */
async function findSeverity(api: OctaneApi, name: string | undefined): Promise<Resolved | undefined> {
  if (!name) return undefined;
  const [first] = await resolveSeverities(api, [name], 'severity');
  return first;
}
