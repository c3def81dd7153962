// The action's inputs: their names, the defaults used when one is empty, and length limits.

/** Every input the action reads; __tests__/settings/docs.test.ts holds action.yml and the README to it. */
export const INPUT_NAMES = [
  'mode',
  'octane-url',
  'client-id',
  'client-secret',
  'shared-space-id',
  'workspace-id',
  'release-name',
  'defect-name',
  'defect-description',
  'severity',
  'extra-fields',
  'team',
  'owner',
  'milestone',
  'sprint',
  'application-modules',
  'tags',
  'priority',
  'feature',
  'dedupe',
  'add-run-context',
  'attachments',
  'test-results',
  'dry-run',
  'phases',
  'severities',
  'threshold',
  'threshold-operator',
  'list-limit',
  'fail-on-gate',
  'resolve-phase',
  'conditions',
  'teams',
  'milestones',
  'sprints',
  'defect-types',
  'created-after',
  'timeout-seconds',
  'retries',
  'ca-certificate'
] as const;

export type InputName = (typeof INPUT_NAMES)[number];

/**
 * Defaults that action.yml must not declare: the code needs to tell "given" from "left empty" (giving
 * `conditions` with either is an input error), and the runner would fill an action.yml default in.
 */
export const DEFAULTED_IN_CODE: readonly InputName[] = ['threshold', 'threshold-operator'];

/** Values used when an input is empty (the runner fills action.yml defaults, but not every caller does). */
export const INPUT_DEFAULTS: Readonly<Partial<Record<InputName, string>>> = {
  phases: 'New, Opened, Deferred',
  severities: '',
  threshold: '0',
  'threshold-operator': '<=',
  'list-limit': '100',
  'timeout-seconds': '30',
  retries: '4',
  dedupe: 'false',
  'add-run-context': 'true',
  'dry-run': 'false',
  'fail-on-gate': 'true'
};

export const MAX_NAME_LENGTH = 255;
export const MAX_DESCRIPTION_LENGTH = 100_000;

/** The most defects a gate lists (list-limit); the count itself is never limited. */
export const MAX_LIST_LIMIT = 1000;
