// The action's settings: every input read and validated once, into one typed object, with all
// problems reported together. This is the only module that reads the inputs; src/inputs/ holds
// the rules it applies.
import { readFileSync } from 'node:fs';
import type { Operator } from './gate/operators.js';
import { parseOperator, VALID_OPERATORS_TEXT } from './gate/operators.js';
import { readCaCertificate } from './inputs/ca-certificate.js';
import { MAX_DESCRIPTION_LENGTH, MAX_LIST_LIMIT, type InputName } from './inputs/catalogue.js';
import { readExtraFields } from './inputs/extra-fields.js';
import { claimedFields, readFieldNames, type FieldNames } from './inputs/field-names.js';
import { readFilePatterns } from './inputs/file-patterns.js';
import { parseConditions, type ConditionSpec } from './inputs/conditions.js';
import { parseCreatedAfter } from './inputs/created-after.js';
import type { InputProblem } from './inputs/problems.js';
import { Inputs, type InputReader } from './inputs/reader.js';
import { parseServerUrl } from './inputs/server-url.js';
import type { ConnectionSettings } from './octane/connection.js';

export type Mode = 'create-defect' | 'gate' | 'resolve-defect';

interface CommonSettings {
  connection: ConnectionSettings;
  releaseName: string;
  dryRun: boolean;
}

export interface CreateDefectSettings extends CommonSettings {
  mode: 'create-defect';
  defectName: string;
  defectDescription: string;
  /** Severity name or logical name; undefined when not given. */
  severity?: string;
  /** Parsed `extra-fields`; never contains name, parent or release, nor a field set by name (fieldNames). */
  extraFields: Record<string, unknown>;
  /** Fields by name (team, owner, milestone, sprint, application-modules, tags, priority, feature). */
  fieldNames?: FieldNames;
  dedupe: boolean;
  addRunContext: boolean;
  /** Paths or glob patterns of files to attach, one per line, relative to the workspace; [] when not given. */
  attachments: string[];
  /** Paths or glob patterns of JUnit XML reports, one per line; [] when not given. */
  testResults: string[];
}

export interface GateSettings extends CommonSettings {
  mode: 'gate';
  phases: string[];
  /** Empty = every severity. */
  severities: string[];
  threshold: number;
  operator: Operator;
  listLimit: number;
  failOnGate: boolean;
  /** Parsed `conditions`; absent = the one condition `total operator threshold`. */
  conditions?: ConditionSpec[];
  /** Scopes (issue 10); absent or empty lists = no scope. */
  scopes?: GateScopes;
}

/** Names per scope input (values ORed, inputs ANDed), and created-after. */
export interface GateScopes {
  teams: string[];
  milestones: string[];
  sprints: string[];
  applicationModules: string[];
  defectTypes: string[];
  tags: string[];
  createdAfter?: { at: Date; text: string };
}

/** resolve-defect: comment on (and perhaps move) the open defects of the name that this action filed. */
export interface ResolveDefectSettings extends CommonSettings {
  mode: 'resolve-defect';
  defectName: string;
  /** Defect phase name or logical name to move them to; undefined = comment only. */
  resolvePhase?: string;
}

export type Settings = CreateDefectSettings | GateSettings | ResolveDefectSettings;

export type SettingsResult =
  { ok: true; settings: Settings; warnings: string[] } | { ok: false; problems: InputProblem[]; warnings: string[] };

export interface SettingsDeps {
  /** Registers a value for masking in the log (core.setSecret). */
  setSecret?: (value: string) => void;
  /** Reads a text file (utf8); default fs.readFileSync. */
  readFile?: (path: string) => string;
  /** The start of the run, for ages in created-after; default now. */
  now?: () => Date;
}

type ModeSettings =
  | Omit<CreateDefectSettings, keyof CommonSettings>
  | Omit<GateSettings, keyof CommonSettings>
  | Omit<ResolveDefectSettings, keyof CommonSettings>;

const MODES = ['create-defect', 'gate', 'resolve-defect'] as const;
const MODES_TEXT = 'create-defect, gate or resolve-defect';
const RESOLVE_ONLY: readonly InputName[] = ['resolve-phase'];
// application-modules and tags are read by both create-defect (set on the new defect) and the gate (a scope).
const CREATE_ONLY: readonly InputName[] = [
  'defect-name',
  'defect-description',
  'severity',
  'extra-fields',
  'team',
  'owner',
  'milestone',
  'sprint',
  'priority',
  'feature',
  'attachments',
  'test-results'
];
const GATE_ONLY_WITHOUT_DEFAULT: readonly InputName[] = [
  'severities',
  'conditions',
  'teams',
  'milestones',
  'sprints',
  'defect-types',
  'created-after'
];

export function readSettings(getInput: InputReader, deps: SettingsDeps = {}): SettingsResult {
  const secret = maskSecret(getInput, deps.setSecret);
  const inputs = new Inputs(getInput, secret);
  const mode = readMode(inputs);
  const common = readCommon(inputs, deps.readFile ?? ((path) => readFileSync(path, 'utf8')));
  const modeSettings =
    mode === 'create-defect'
      ? readCreateDefect(inputs)
      : mode === 'gate'
        ? readGate(inputs, deps.now?.() ?? new Date())
        : mode === 'resolve-defect'
          ? readResolveDefect(inputs)
          : undefined;
  if (inputs.problems.length > 0 || common === undefined || modeSettings === undefined) {
    return { ok: false, problems: inputs.problems, warnings: inputs.warnings };
  }
  return { ok: true, settings: { ...common, ...modeSettings } as Settings, warnings: inputs.warnings };
}

/**
 * Registers the client secret for masking, raw and trimmed, before any other input is read, so
 * no later message (ours or a library's) can show it. Returns it raw.
 */
function maskSecret(getInput: InputReader, setSecret: SettingsDeps['setSecret']): string {
  const secret = getInput('client-secret') ?? '';
  if (secret !== '' && setSecret) {
    setSecret(secret);
    const trimmed = secret.trim();
    if (trimmed !== '' && trimmed !== secret) setSecret(trimmed);
  }
  return secret;
}

function readMode(inputs: Inputs): Mode | undefined {
  const text = inputs.required('mode', ` (${MODES_TEXT})`);
  if (text === undefined) return undefined;
  if ((MODES as readonly string[]).includes(text)) return text as Mode;
  // Modes are matched exactly; a value that is right but for its case gets that said outright.
  const hint = (MODES as readonly string[]).includes(text.toLowerCase()) ? ', in lower case' : '';
  inputs.problem('mode', `must be ${MODES_TEXT}${hint}; got ${inputs.show(text)}`);
  return undefined;
}

/** The connection, release and dry-run, used by every mode. */
function readCommon(inputs: Inputs, readFile: (path: string) => string): CommonSettings | undefined {
  const urlText = inputs.required('octane-url', ' (like https://octane.example.com)');
  const url = urlText === undefined ? undefined : parseServerUrl(urlText, inputs.reportFor('octane-url'));
  const clientId = inputs.required('client-id');
  const clientSecret = inputs.required('client-secret');
  const sharedSpaceId = inputs.id('shared-space-id');
  const workspaceId = inputs.id('workspace-id');
  const releaseName = inputs.name('release-name', true);
  const dryRun = inputs.boolean('dry-run');
  const timeoutSeconds = inputs.wholeNumber('timeout-seconds', 1, 600);
  const retries = inputs.wholeNumber('retries', 0, 10);
  const caCertificate = readCaCertificate(inputs.value('ca-certificate'), readFile, inputs.reportFor('ca-certificate'));
  if (
    url === undefined ||
    clientId === undefined ||
    clientSecret === undefined ||
    sharedSpaceId === undefined ||
    workspaceId === undefined ||
    releaseName === undefined ||
    dryRun === undefined ||
    timeoutSeconds === undefined ||
    retries === undefined
  ) {
    return undefined;
  }
  // The client's settings, from the inputs octane-url, shared-space-id, workspace-id, client-id,
  // client-secret, timeout-seconds, retries and ca-certificate (its PEM text, a file already read).
  const connection: ConnectionSettings = {
    url,
    sharedSpaceId,
    workspaceId,
    clientId,
    clientSecret,
    timeoutMs: timeoutSeconds * 1000,
    retries,
    ...(caCertificate !== undefined ? { caCertificate } : {})
  };
  return { connection, releaseName, dryRun };
}

function readCreateDefect(inputs: Inputs): ModeSettings | undefined {
  const defectName = inputs.name('defect-name', true);
  const defectDescription = inputs.text('defect-description', MAX_DESCRIPTION_LENGTH);
  const severity = inputs.name('severity', false);
  const fieldNames = readFieldNames(inputs);
  const extraFields = readExtraFields(
    inputs.value('extra-fields'),
    inputs.given('severity'),
    inputs.reportFor('extra-fields'),
    claimedFields(inputs)
  );
  const dedupe = inputs.boolean('dedupe');
  const addRunContext = inputs.boolean('add-run-context');
  const attachments = readFilePatterns(inputs.value('attachments'), inputs.reportFor('attachments'));
  const testResults = readFilePatterns(inputs.value('test-results'), inputs.reportFor('test-results'));
  warnIgnored(inputs, GATE_ONLY_WITHOUT_DEFAULT, 'gate');
  warnIgnored(inputs, RESOLVE_ONLY, 'resolve-defect');
  if (
    defectName === undefined ||
    defectDescription === undefined ||
    extraFields === undefined ||
    fieldNames === undefined ||
    dedupe === undefined ||
    addRunContext === undefined ||
    attachments === undefined ||
    testResults === undefined
  ) {
    return undefined;
  }
  return {
    mode: 'create-defect',
    defectName,
    defectDescription,
    ...(severity !== undefined ? { severity } : {}),
    extraFields,
    fieldNames,
    dedupe,
    addRunContext,
    attachments,
    testResults
  };
}

/** `conditions`, parsed before any call to Octane; undefined when not given (threshold and threshold-operator then apply). */
function readConditions(inputs: Inputs): { conditions?: ConditionSpec[]; ok: boolean } {
  if (!inputs.given('conditions')) return { ok: true };
  if (inputs.given('threshold') || inputs.given('threshold-operator')) {
    const both = ['threshold', 'threshold-operator'].filter((n) => inputs.given(n as InputName)).join(' and ');
    inputs.problem('conditions', `cannot be given together with ${both}: write that check as a condition line, like \`total <= 0\``);
    return { ok: false };
  }
  const { conditions, problems } = parseConditions(inputs.value('conditions'));
  for (const p of problems) inputs.problem('conditions', p);
  return problems.length > 0 ? { ok: false } : { conditions, ok: true };
}

/** The scope inputs; undefined when one of them has a problem. */
function readScopes(inputs: Inputs, now: Date): GateScopes | undefined {
  const teams = inputs.list('teams', 'exact');
  const milestones = inputs.list('milestones', 'exact');
  const sprints = inputs.list('sprints', 'exact');
  const applicationModules = inputs.list('application-modules', 'exact');
  const defectTypes = inputs.list('defect-types');
  const tags = inputs.list('tags', 'exact');
  let createdAfter: GateScopes['createdAfter'];
  let ok = true;
  if (inputs.given('created-after')) {
    const text = inputs.value('created-after');
    const at = parseCreatedAfter(text, now);
    if (typeof at === 'string') {
      inputs.problem('created-after', `${at}; got ${inputs.show(text)}`);
      ok = false;
    } else createdAfter = { at, text };
  }
  if (!ok || !teams || !milestones || !sprints || !applicationModules || !defectTypes || !tags) return undefined;
  return { teams, milestones, sprints, applicationModules, defectTypes, tags, ...(createdAfter ? { createdAfter } : {}) };
}

function readGate(inputs: Inputs, now: Date): ModeSettings | undefined {
  const phases = inputs.list('phases');
  const severities = inputs.list('severities');
  const conditions = readConditions(inputs);
  const scopes = readScopes(inputs, now);
  const threshold = inputs.wholeNumber('threshold', 0);
  const operatorText = inputs.orDefault('threshold-operator');
  const operator = parseOperator(operatorText);
  if (operator === undefined) {
    inputs.problem('threshold-operator', `must be one of ${VALID_OPERATORS_TEXT}; got ${inputs.show(operatorText)}`);
  }
  const listLimit = inputs.wholeNumber('list-limit', 1, MAX_LIST_LIMIT);
  const failOnGate = inputs.boolean('fail-on-gate');
  warnIgnored(inputs, CREATE_ONLY, 'create-defect');
  warnIgnored(inputs, RESOLVE_ONLY, 'resolve-defect');
  if (operator === '<' && threshold === 0) {
    inputs.warn('threshold-operator < with threshold 0 can never hold: this gate always fails.');
  }
  if (
    phases === undefined ||
    severities === undefined ||
    threshold === undefined ||
    operator === undefined ||
    listLimit === undefined ||
    failOnGate === undefined ||
    !conditions.ok ||
    scopes === undefined
  ) {
    return undefined;
  }
  return {
    mode: 'gate',
    phases,
    severities,
    threshold,
    operator,
    listLimit,
    failOnGate,
    ...(conditions.conditions ? { conditions: conditions.conditions } : {}),
    scopes
  };
}

/** resolve-defect: the same defect-name and release-name as the create step, and an optional phase. */
function readResolveDefect(inputs: Inputs): ModeSettings | undefined {
  const defectName = inputs.name('defect-name', true);
  const resolvePhase = inputs.name('resolve-phase', false);
  warnIgnored(
    inputs,
    CREATE_ONLY.filter((n) => n !== 'defect-name'),
    'create-defect'
  );
  warnIgnored(inputs, ['tags', 'application-modules'], ['create-defect', 'gate']);
  warnIgnored(inputs, GATE_ONLY_WITHOUT_DEFAULT, 'gate');
  if (defectName === undefined) return undefined;
  return { mode: 'resolve-defect', defectName, ...(resolvePhase !== undefined ? { resolvePhase } : {}) };
}

/**
 * severity and severities differ by one letter; written for the wrong mode, the gate would count
 * every severity without a word, so the warning names the input that was probably meant.
 */
const MEANT: Readonly<Partial<Record<InputName, string>>> = {
  severity: ' The gate filters on the severities input (plural).',
  severities: " The new defect's severity is set with the severity input (singular)."
};

/** Inputs given for the other mode are a likely mix-up, worth a warning but not a failure. */
function warnIgnored(inputs: Inputs, names: readonly InputName[], usedIn: Mode | readonly Mode[]): void {
  const where = typeof usedIn === 'string' ? `mode ${usedIn}` : `modes ${usedIn.join(' and ')}`;
  for (const name of names) {
    if (inputs.given(name)) inputs.warn(`Input ${name} is only used in ${where}; it is ignored.${MEANT[name] ?? ''}`);
  }
}
