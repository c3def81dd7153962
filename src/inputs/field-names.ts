// Inputs that set defect fields by name (create-defect): team, owner, milestone, sprint,
// application-modules, tags, priority, feature. The names are resolved against Octane later
// (src/create-defect/fields.ts); here they are only read, and each claims its defect fields so
// that extra-fields cannot set the same field a second way.
import type { InputName } from './catalogue.js';
import type { Inputs } from './reader.js';

export interface FieldNames {
  team?: string;
  /** Email or full name of a workspace user. */
  owner?: string;
  /** Of the release. */
  milestone?: string;
  /** Of the release. */
  sprint?: string;
  /** product_areas; [] when not given. */
  applicationModules: string[];
  /** user_tags; [] when not given. */
  tags: string[];
  priority?: string;
  /** The parent feature, by id (digits) or name, instead of the backlog root. */
  feature?: string;
}

/** Input -> the defect fields it sets (extra-fields may not set them when the input is given). */
export const FIELD_INPUTS: ReadonlyArray<readonly [InputName, readonly string[]]> = [
  ['team', ['team']],
  ['owner', ['owner']],
  ['milestone', ['milestone']],
  ['sprint', ['sprint']],
  ['application-modules', ['product_areas', 'application_modules']],
  ['tags', ['user_tags']],
  ['priority', ['priority']],
  ['feature', ['parent']]
];

/** The names; undefined when one has a problem (reported). */
export function readFieldNames(inputs: Inputs): FieldNames | undefined {
  const single = (name: InputName): string | undefined => inputs.name(name, false);
  const applicationModules = inputs.list('application-modules', 'exact');
  const tags = inputs.list('tags', 'exact');
  const out: FieldNames = { applicationModules: applicationModules ?? [], tags: tags ?? [] };
  for (const [key, input] of [
    ['team', 'team'],
    ['owner', 'owner'],
    ['milestone', 'milestone'],
    ['sprint', 'sprint'],
    ['priority', 'priority'],
    ['feature', 'feature']
  ] as const) {
    const v = single(input);
    if (v !== undefined) out[key] = v;
  }
  return applicationModules === undefined || tags === undefined ? undefined : out;
}

/** Defect field -> the input that claims it, for the inputs given. */
export function claimedFields(inputs: Inputs): Map<string, InputName> {
  const out = new Map<string, InputName>();
  for (const [input, fields] of FIELD_INPUTS) if (inputs.given(input)) for (const f of fields) out.set(f, input);
  return out;
}
