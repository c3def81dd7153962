/**
 * Defect fields given by name (inputs team, owner, milestone, sprint, application-modules, tags,
 * priority, feature), resolved to references in create-defect's one look-up wave. Each name is
 * searched with an escaped query (searchByName, with its wildcard fallback for names with query
 * metacharacters) and confirmed in code; an unknown or ambiguous name fails closed, naming its
 * input and the valid values, before anything is written. Sprints and milestones belong to a
 * release: the query filters by the release's name (its id is not known yet in the wave) and the
 * release's id is confirmed in code once the release look-up answers.
 */
import type { Collection, Entity, OctaneApi } from '../octane/api.js';
import { refOf, textOf } from '../octane/entities.js';
import { and, cross, eq, idEq, like } from '../octane/query.js';
import { LookupError, listNodes, matchNames, resolveAll, searchByName, someOf, type Resolved } from '../lookups.js';
import type { FieldNames } from '../inputs/field-names.js';

/** What one input resolved to, for the log and the summary. */
export interface NamedField {
  input: string;
  /** The defect field it sets. */
  field: string;
  values: Resolved[];
}

export interface NamedFields {
  /** Defect fields to send (parent not included: see `feature`). */
  fields: Record<string, unknown>;
  /** The feature to file the defect under instead of the backlog root. */
  feature?: Resolved;
  shown: NamedField[];
}

const ID = /^[0-9]{1,18}$/;
const PRIORITY_ROOT = 'list_node.priority';

/** Case-insensitive comparison in NFC; an exact-case match is preferred among several (see pick). */
const fold = (v: unknown): string | undefined => (typeof v === 'string' ? v.normalize('NFC').toLowerCase() : undefined);
const nameOf = (e: Entity): string => JSON.stringify(textOf(e.name));

/**
 * Resolves every field given by name. `release` is the release look-up of the same wave: sprint
 * and milestone wait for its answer only to confirm in code, their queries go out at once.
 */
export async function resolveFieldNames(
  api: OctaneApi,
  names: FieldNames,
  releaseName: string,
  release: Promise<Resolved>
): Promise<NamedFields> {
  // The release's own failure is reported by its own look-up; here it only means "nothing to confirm against".
  const releaseId = release.then(
    (r) => r.id,
    () => undefined
  );
  const r = await resolveAll({
    team: names.team ? one(api, 'team', names.team, { collection: 'teams', what: 'teams', noun: 'team' }) : none,
    owner: names.owner ? findOwner(api, names.owner) : none,
    sprint: names.sprint ? ofRelease(api, 'sprint', names.sprint, 'sprints', releaseName, releaseId) : none,
    milestone: names.milestone ? ofRelease(api, 'milestone', names.milestone, 'milestones', releaseName, releaseId) : none,
    modules: Promise.all(
      names.applicationModules.map((n) =>
        one(api, 'application-modules', n, {
          collection: 'product_areas',
          what: 'application modules',
          noun: 'application module',
          withParent: true
        })
      )
    ),
    tags: Promise.all(names.tags.map((n) => one(api, 'tags', n, { collection: 'user_tags', what: 'tags', noun: 'tag' }))),
    priority: names.priority ? findPriority(api, names.priority) : none,
    feature: names.feature ? findFeature(api, names.feature) : none
  });
  const fields: Record<string, unknown> = {};
  const shown: NamedField[] = [];
  const single = (input: string, field: string, type: string, v: Resolved | undefined): void => {
    if (!v) return;
    fields[field] = { type, id: v.id };
    shown.push({ input, field, values: [v] });
  };
  const multi = (input: string, field: string, type: string, vs: Resolved[]): void => {
    if (vs.length === 0) return;
    // Octane's multi-reference shape: {data: [refs]} (a bare array is refused).
    fields[field] = { data: vs.map((v) => ({ type, id: v.id })) };
    shown.push({ input, field, values: vs });
  };
  single('team', 'team', 'team', r.team);
  single('owner', 'owner', 'workspace_user', r.owner);
  single('sprint', 'sprint', 'sprint', r.sprint);
  single('milestone', 'milestone', 'milestone', r.milestone);
  multi('application-modules', 'product_areas', 'product_area', dedupeById(r.modules));
  multi('tags', 'user_tags', 'user_tag', dedupeById(r.tags));
  single('priority', 'priority', 'list_node', r.priority);
  if (r.feature) shown.push({ input: 'feature', field: 'parent', values: [r.feature] });
  return { fields, shown, ...(r.feature ? { feature: r.feature } : {}) };
}

const none: Promise<undefined> = Promise.resolve(undefined);

function dedupeById(vs: Resolved[]): Resolved[] {
  const seen = new Set<string>();
  return vs.filter((v) => !seen.has(v.id) && (seen.add(v.id), true));
}

interface Kind {
  collection: Collection;
  /** Plural, for messages. */
  what: string;
  noun: string;
  /** Show a row's parent (application modules are a tree; one name may be in two branches). */
  withParent?: boolean;
  /** Fields accept needs. */
  fields?: string[];
  where?: (loose: boolean) => string | undefined;
  whereText?: string;
  ready?: Promise<unknown>;
  /** Further in-code condition (a sprint's release). */
  accept?: (e: Entity) => boolean;
  /** The short list shown when nothing fits. */
  listQuery?: () => Promise<string | undefined>;
}

/**
 * The one row of the matches: the only one, or the only one of exactly this case; several is
 * ambiguous (reported with their ids), none is undefined.
 */
function pick(input: string, name: string, matches: Entity[], kind: Pick<Kind, 'what' | 'withParent'>): Entity | undefined {
  if (matches.length <= 1) return matches[0];
  const sameCase = matches.filter((e) => typeof e.name === 'string' && e.name.normalize('NFC') === name.normalize('NFC'));
  if (sameCase.length === 1) return sameCase[0];
  const show = (e: Entity): string => {
    const parent = kind.withParent ? refOf(e.parent) : undefined;
    return `${nameOf(e)} (id ${textOf(e.id)}${parent?.name ? `, under ${JSON.stringify(parent.name)}` : ''})`;
  };
  throw LookupError.of(
    input,
    `Several ${kind.what} fit ${JSON.stringify(name)}: ${(sameCase.length > 1 ? sameCase : matches).map(show).join(', ')}; rename all but one in Octane.`
  );
}

/** One entity by exact name (any case) in a collection. */
async function one(api: OctaneApi, input: string, name: string, kind: Kind): Promise<Resolved> {
  const fields = ['id', 'name', ...(kind.withParent ? ['parent'] : []), ...(kind.fields ?? [])];
  const wanted = fold(name);
  const found = await searchByName(api, name, {
    collection: kind.collection,
    fields,
    what: kind.what,
    ...(kind.where ? { where: kind.where } : {}),
    ...(kind.whereText !== undefined ? { whereText: kind.whereText } : {}),
    ...(kind.ready ? { ready: kind.ready } : {}),
    isMatch: (e) => fold(e.name) === wanted && (kind.accept?.(e) ?? true)
  });
  const hit = pick(input, name, found.matches, kind);
  if (hit) return { id: textOf(hit.id), name: textOf(hit.name) };
  if (!found.complete) {
    throw LookupError.of(
      input,
      `No ${kind.noun} named exactly ${JSON.stringify(name)} among the first ${found.rows.length} of ${found.total} similar names.`
    );
  }
  const list = kind.listQuery ? await kind.listQuery() : await someOf(api, kind.collection, kind.what, ['id', 'name'], nameOf);
  if (list === undefined) throw LookupError.of(input, `Unknown ${kind.noun} ${JSON.stringify(name)}`);
  throw LookupError.of(input, `Unknown ${kind.noun} ${JSON.stringify(name)}; ${kind.what} there: ${list}`);
}

/**
 * A sprint or milestone of the release, by name (names repeat across releases). Undefined when
 * the release itself did not resolve: that failure is reported by the release look-up.
 */
async function ofRelease(
  api: OctaneApi,
  input: 'sprint' | 'milestone',
  name: string,
  collection: 'sprints' | 'milestones',
  releaseName: string,
  releaseId: Promise<string | undefined>
): Promise<Resolved | undefined> {
  let rid: string | undefined;
  const ready = releaseId.then((id) => {
    rid = id;
  });
  const what = `${input}s of release ${JSON.stringify(releaseName)}`;
  try {
    return await one(api, input, name, {
      collection,
      what,
      noun: `${input} of release ${JSON.stringify(releaseName)}`,
      // Filtered by the release's name, not its id, to stay in the wave; the id is confirmed in code (accept).
      where: (loose) => cross('release', loose ? like('name', releaseName) : eq('name', releaseName)),
      whereText: releaseName,
      ready,
      fields: ['release'],
      accept: (e) => rid !== undefined && refOf(e.release)?.id === rid,
      listQuery: async () => (rid === undefined ? undefined : someOf(api, collection, what, ['id', 'name'], nameOf, idEq('release', rid)))
    });
  } catch (e) {
    if ((await releaseId) === undefined) return undefined;
    throw e;
  }
}

/**
 * A workspace user by email (any case) or by full name; API keys (is_api_key true) are never an
 * owner. A full name that several people share is ambiguous: the error lists their emails.
 */
async function findOwner(api: OctaneApi, given: string): Promise<Resolved> {
  const wanted = fold(given);
  const person = (e: Entity): boolean => e.is_api_key !== true;
  const found = await searchByName(api, given, {
    collection: 'workspace_users',
    fields: ['id', 'name', 'full_name', 'email', 'is_api_key'],
    match: ['email', 'full_name'],
    what: 'workspace users',
    isMatch: (e) => person(e) && (fold(e.email) === wanted || fold(e.full_name) === wanted)
  });
  const label = (e: Entity): string => `${textOf(e.full_name) || textOf(e.name)} <${textOf(e.email) || 'no email'}>`;
  const resolved = (e: Entity): Resolved => ({ id: textOf(e.id), name: label(e) });
  const byEmail = found.matches.filter((e) => fold(e.email) === wanted);
  if (byEmail.length === 1) return resolved(byEmail[0]!);
  if (byEmail.length > 1)
    throw LookupError.of(
      'owner',
      `Several workspace users have the email ${JSON.stringify(given)} (ids ${byEmail.map((e) => textOf(e.id)).join(', ')}).`
    );
  const byName = found.matches;
  const exactCase = byName.filter((e) => typeof e.full_name === 'string' && e.full_name.normalize('NFC') === given.normalize('NFC'));
  const chosen = byName.length === 1 ? byName : exactCase.length === 1 ? exactCase : [];
  if (chosen.length === 1) return resolved(chosen[0]!);
  if (byName.length > 1) {
    const emails = byName.map((e) => textOf(e.email)).filter((m) => m !== '');
    throw LookupError.of(
      'owner',
      `Several workspace users are named ${JSON.stringify(given)}; give the owner's email instead: ${emails.length ? emails.join(', ') : `(no emails; ids ${byName.map((e) => textOf(e.id)).join(', ')})`}`
    );
  }
  if (!found.complete) {
    throw LookupError.of(
      'owner',
      `No workspace user with email or full name ${JSON.stringify(given)} among the first ${found.rows.length} of ${found.total} similar ones.`
    );
  }
  const some = await someOf(api, 'workspace_users', 'workspace users', ['id', 'name', 'full_name', 'email'], label);
  throw LookupError.of(
    'owner',
    `Unknown owner ${JSON.stringify(given)} (no workspace user, API keys aside, has it as email or full name); users there: ${some}`
  );
}

/** The priority list's node, by name or logical name, any case (like severity). */
async function findPriority(api: OctaneApi, name: string): Promise<Resolved | undefined> {
  const nodes = await listNodes(api, PRIORITY_ROOT, 'priorities');
  return matchNames('priority', 'priorities', [name], nodes)[0];
}

/**
 * A feature (a work item of subtype feature) by id (digits) or by exact name (any case). All digits
 * is tried as an id first, then as a name: a feature may be named "2024".
 */
async function findFeature(api: OctaneApi, given: string): Promise<Resolved> {
  const isFeature = (e: Entity): boolean => e.subtype === 'feature';
  const list = (): Promise<string> =>
    someOf(api, 'work_items', 'features', ['id', 'name', 'subtype'], (e) => `${nameOf(e)} (id ${textOf(e.id)})`, eq('subtype', 'feature'));
  const byName = (): Promise<Resolved> =>
    one(api, 'feature', given, {
      collection: 'work_items',
      what: 'features',
      noun: 'feature',
      where: () => eq('subtype', 'feature'),
      fields: ['subtype'],
      accept: isFeature,
      listQuery: list
    });
  if (!ID.test(given)) return byName();
  const page = await api.list('work_items', {
    query: and(idEq('id', given), eq('subtype', 'feature')),
    fields: ['id', 'name', 'subtype'],
    limit: 2
  });
  const hit = page.data.find((e) => textOf(e.id) === given && isFeature(e));
  if (hit) return { id: textOf(hit.id), name: textOf(hit.name) };
  try {
    const named = await byName();
    // Said precisely: the digits were not an id, they are this feature's name.
    return { ...named, name: `${named.name} (by name: no feature has id ${given})` };
  } catch (e) {
    // Only "unknown" becomes the joint message; an ambiguous name keeps its own (it lists the ids).
    if (!(e instanceof LookupError) || !e.message.startsWith('Unknown feature')) throw e;
    throw LookupError.of(
      'feature',
      `No feature with id ${given}, nor one named ${JSON.stringify(given)}, in the workspace; features there: ${await list()}`
    );
  }
}
