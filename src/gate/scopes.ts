// The gate's scopes (issue 10): teams, milestones, sprints, application modules, defect types, tags, and
// created-after. Each named scope is a look-up in the gate's first wave and a cross filter on the defects.
import type { OctaneApi } from '../octane/api.js';
import { after, cross, idIn } from '../octane/query.js';
import {
  DEFECT_TYPE_FILTER,
  findNamedIn,
  lookUpDefectTypes,
  namedFilter,
  nodeFilter,
  releaseFilter,
  type Checked,
  type Resolved
} from '../lookups.js';
import type { GateScopes } from '../settings.js';

/** A named scope as the gate uses it: the input, the defect field, and the look-up's filter. */
export interface ScopeSpec {
  input: string;
  /** Plural label for the log, the summary and the failure message ("teams"). */
  label: string;
  field: string;
  names: string[];
  /** The look-up's own filter: the cross filter of the first wave repeats it. */
  filter: string;
  /** `release`: the gate's release once resolved (milestones and sprints are checked against it in code). */
  lookUp: (api: OctaneApi, release: Promise<Resolved>) => Promise<Checked<Resolved[]>>;
}

/** A scope the look-ups resolved. */
export interface ScopeResult {
  input: string;
  label: string;
  field: string;
  values: Resolved[];
}

/**
 * The named scopes, in a fixed order. Milestones and sprints are looked for among the release's: their
 * filter holds the release look-up's filter, so the first wave can use it before any id is known.
 * Application modules match by the listed modules only: a defect filed under a sub-module counts only
 * when the sub-module is listed too (Octane's cross filter on product_areas compares the defect's own modules).
 */
export function scopeSpecs(scopes: GateScopes | undefined, releaseName: string): ScopeSpec[] {
  if (!scopes) return [];
  const inRelease = cross('release', releaseFilter(releaseName));
  const named = (
    input: string,
    label: string,
    field: string,
    collection: 'teams' | 'milestones' | 'sprints' | 'product_areas' | 'user_tags',
    names: string[],
    within?: string
  ): ScopeSpec => ({
    input,
    label,
    field,
    names,
    filter: namedFilter(names, within),
    lookUp: (api, release) => findNamedIn(api, collection, input, label, names, within ? { within, release } : {})
  });
  const out: ScopeSpec[] = [];
  if (scopes.teams.length) out.push(named('teams', 'teams', 'team', 'teams', scopes.teams));
  if (scopes.milestones.length) out.push(named('milestones', 'milestones', 'milestone', 'milestones', scopes.milestones, inRelease));
  if (scopes.sprints.length) out.push(named('sprints', 'sprints', 'sprint', 'sprints', scopes.sprints, inRelease));
  if (scopes.applicationModules.length)
    out.push(named('application-modules', 'application modules', 'product_areas', 'product_areas', scopes.applicationModules));
  if (scopes.defectTypes.length) {
    out.push({
      input: 'defect-types',
      label: 'defect types',
      field: 'defect_type',
      names: scopes.defectTypes,
      filter: nodeFilter(DEFECT_TYPE_FILTER, scopes.defectTypes),
      lookUp: (api) => lookUpDefectTypes(api, scopes.defectTypes)
    });
  }
  if (scopes.tags.length) out.push(named('tags', 'tags', 'user_tags', 'user_tags', scopes.tags));
  return out;
}

/** The created-after part of a defect query, or undefined. */
export function createdAfterFilter(scopes: GateScopes | undefined): string | undefined {
  return scopes?.createdAfter ? after('creation_time', scopes.createdAfter.at) : undefined;
}

/** The scopes' parts of the id query. */
export function scopeIdFilters(results: ScopeResult[]): string[] {
  return results.map((s) =>
    idIn(
      s.field,
      s.values.map((v) => v.id)
    )
  );
}
