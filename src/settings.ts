// Contract only: the reading and validation is implemented below the types.
import { readFileSync } from 'node:fs';
import type { Operator } from './operators.js';
import { parseOperator, VALID_OPERATORS_TEXT } from './operators.js';

export type Mode = 'create-defect' | 'gate';

/** How to reach Octane; everything the client needs and nothing about GitHub. */
export interface ConnectionSettings {
  /** Server URL, scheme + host + optional port + optional path prefix, no trailing slash, no query. */
  url: string;
  sharedSpaceId: string;
  workspaceId: string;
  clientId: string;
  clientSecret: string;
  /** Per-request timeout. Input `timeout-seconds`, default 30. */
  timeoutMs: number;
  /** Retries after the first attempt for retryable failures. Input `retries`, default 4. */
  retries: number;
  /** Extra trusted CA certificates, PEM text (input `ca-certificate`, text or a path to a file). */
  caCertificate?: string;
}

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
  /** Parsed `extra-fields`; never contains name, parent or release. */
  extraFields: Record<string, unknown>;
  dedupe: boolean;
  addRunContext: boolean;
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
}

export type Settings = CreateDefectSettings | GateSettings;

/** One thing wrong with the inputs; `input` is the input's name as written in action.yml. */
export interface InputProblem {
  input: string;
  message: string;
}

// ---------------------------------------------------------------------------------------------
// Reading and validation. Every problem is collected and reported together, each naming its
// input, so a user fixes a workflow in one round instead of one failed run per mistake.


/** Raw input value, '' when unset: name => core.getInput(name, { trimWhitespace: false }). */
export type InputReader = (name: string) => string;

export type SettingsResult =
  | { ok: true; settings: Settings; warnings: string[] }
  | { ok: false; problems: InputProblem[] };

export interface SettingsDeps {
  /** Registers a value for masking in the log (core.setSecret). */
  setSecret?: (value: string) => void;
  /** Reads a text file (utf8); default fs.readFileSync. */
  readFile?: (path: string) => string;
}

/** Every input, in the order of action.yml and of the problem list. */
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
  'dedupe',
  'add-run-context',
  'dry-run',
  'phases',
  'severities',
  'threshold',
  'threshold-operator',
  'list-limit',
  'fail-on-gate',
  'timeout-seconds',
  'retries',
  'ca-certificate'
] as const;

export type InputName = (typeof INPUT_NAMES)[number];

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
/** Fields the action sets itself; extra-fields may not replace them. */
export const RESERVED_FIELDS = ['id', 'type', 'name', 'parent', 'release', 'description'] as const;

const MODES = ['create-defect', 'gate'] as const;
const CREATE_ONLY: readonly InputName[] = ['defect-name', 'defect-description', 'severity', 'extra-fields'];
const GATE_ONLY_WITHOUT_DEFAULT: readonly InputName[] = ['severities'];
const ID_INPUT = /^[0-9]{1,18}$/;
const WHOLE_NUMBER = /^[0-9]+$/;
const PEM_BEGIN = '-----BEGIN CERTIFICATE-----';
const PEM_END = '-----END CERTIFICATE-----';
const SHOWN_LENGTH = 60;

export function formatProblems(problems: InputProblem[]): string {
  const noun = problems.length === 1 ? 'problem' : 'problems';
  return [`The inputs have ${problems.length} ${noun}:`, ...problems.map(formatProblem)].join('\n');
}

/** One line of formatProblems: `- input: message`. */
export function formatProblem(problem: InputProblem): string {
  return `- ${problem.input}: ${problem.message}`;
}

/**
 * A value as it may appear in a message: double-quoted, at most SHOWN_LENGTH characters
 * (code points), with control, line-separator and bidi-override characters written as escapes
 * so a value can neither break the log line nor disguise itself.
 */
export function showValue(value: string): string {
  const chars = Array.from(value);
  const cut = chars.length > SHOWN_LENGTH;
  const body = (cut ? chars.slice(0, SHOWN_LENGTH) : chars).map(escapeChar).join('');
  return `"${body}${cut ? '…' : ''}"`;
}

function escapeChar(c: string): string {
  switch (c) {
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
    case '"':
      return '\\"';
    case '\\':
      return '\\\\';
  }
  return isDisplayUnsafe(c) ? unicodeEscape(c) : c;
}

function unicodeEscape(c: string): string {
  return `\\u${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

function codePointName(c: string): string {
  return `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** C0, DEL and C1 controls: never allowed in names. */
function isControl(c: string): boolean {
  const n = c.codePointAt(0)!;
  return n <= 0x1f || (n >= 0x7f && n <= 0x9f);
}

function isDisplayUnsafe(c: string): boolean {
  const n = c.codePointAt(0)!;
  return isControl(c) || n === 0x2028 || n === 0x2029 || (n >= 0x202a && n <= 0x202e) || (n >= 0x2066 && n <= 0x2069);
}

/** Problem text for a name (or list entry); undefined when the name is fine. */
function nameProblem(
  value: string,
  maxLength: number,
  show: (v: string) => string,
  allowed: (c: string) => boolean = () => false
): string | undefined {
  const chars = Array.from(value);
  if (chars.length > maxLength) return `must be at most ${maxLength} characters; got ${chars.length}`;
  const index = chars.findIndex((c) => isControl(c) && !allowed(c));
  if (index >= 0) {
    return `must not contain control characters; got ${codePointName(chars[index]!)} at character ${index + 1} of ${show(value)}`;
  }
  return undefined;
}

export function readSettings(getInput: InputReader, deps: SettingsDeps = {}): SettingsResult {
  // Mask the secret before anything else can print, so no later message (ours or a library's)
  // can show it.
  const rawSecret = getInput('client-secret') ?? '';
  if (rawSecret !== '' && deps.setSecret) {
    deps.setSecret(rawSecret);
    const trimmed = rawSecret.trim();
    if (trimmed !== '' && trimmed !== rawSecret) deps.setSecret(trimmed);
  }

  const problems: InputProblem[] = [];
  const warnings: string[] = [];
  // A secret pasted into the wrong input must not come back in a message: hide it before a value
  // is cut or escaped for display, and once more in the finished message.
  const hidden = [rawSecret, rawSecret.trim()].filter((v) => v !== '').sort((a, b) => b.length - a.length);
  const redact = (text: string): string => hidden.reduce((t, secret) => t.split(secret).join('***'), text);
  const show = (v: string): string => showValue(redact(v));
  const problem = (input: InputName, message: string): void => {
    problems.push({ input, message: redact(message) });
  };
  /** Trimmed value; '' when unset or only whitespace. */
  const value = (name: InputName): string => (getInput(name) ?? '').trim();
  const orDefault = (name: InputName): string => value(name) || (INPUT_DEFAULTS[name] ?? '');
  const required = (name: InputName, hint = ''): string | undefined => {
    const v = value(name);
    if (v === '') {
      problem(name, `is required${hint}`);
      return undefined;
    }
    return v;
  };

  // mode
  const modeText = required('mode', ' (create-defect or gate)');
  let mode: Mode | undefined;
  if (modeText !== undefined) {
    if ((MODES as readonly string[]).includes(modeText)) mode = modeText as Mode;
    else problem('mode', `must be create-defect or gate; got ${show(modeText)}`);
  }

  // connection
  const urlText = required('octane-url', ' (like https://octane.example.com)');
  const url = urlText === undefined ? undefined : parseServerUrl(urlText, (m) => problem('octane-url', m), show);
  const clientId = required('client-id');
  const clientSecret = required('client-secret');
  const sharedSpaceId = readId('shared-space-id');
  const workspaceId = readId('workspace-id');
  const releaseName = readName('release-name', true);

  function readId(name: InputName): string | undefined {
    const v = required(name);
    if (v === undefined) return undefined;
    if (!ID_INPUT.test(v)) {
      problem(name, `must be a number of 1 to 18 digits (like 1001); got ${show(v)}`);
      return undefined;
    }
    return v;
  }

  function readName(name: InputName, isRequired: boolean): string | undefined {
    const v = isRequired ? required(name) : value(name);
    if (v === undefined || v === '') return undefined;
    const p = nameProblem(v, MAX_NAME_LENGTH, show);
    if (p) {
      problem(name, p);
      return undefined;
    }
    return v;
  }

  function readBoolean(name: InputName): boolean | undefined {
    const v = orDefault(name);
    if (v === 'true' || v === 'True' || v === 'TRUE') return true;
    if (v === 'false' || v === 'False' || v === 'FALSE') return false;
    problem(name, `must be true or false; got ${show(v)}`);
    return undefined;
  }

  function readWholeNumber(name: InputName, min: number, max: number): number | undefined {
    const v = orDefault(name);
    const n = WHOLE_NUMBER.test(v) ? Number(v) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      problem(name, `must be a whole number from ${min} to ${max}; got ${show(v)}`);
      return undefined;
    }
    return n;
  }

  const dryRun = readBoolean('dry-run');
  const timeoutSeconds = readWholeNumber('timeout-seconds', 1, 600);
  const retries = readWholeNumber('retries', 0, 10);
  const caCertificate = readCaCertificate(
    value('ca-certificate'),
    deps.readFile ?? ((path) => readFileSync(path, 'utf8')),
    (m) => problem('ca-certificate', m),
    show
  );

  const given = (name: InputName): boolean => value(name) !== '';
  let modeSettings: Omit<CreateDefectSettings, keyof CommonSettings> | Omit<GateSettings, keyof CommonSettings> | undefined;

  if (mode === 'create-defect') {
    const defectName = readName('defect-name', true);
    const description = value('defect-description');
    const descriptionProblem = nameProblem(description, MAX_DESCRIPTION_LENGTH, show, (c) => c === '\n' || c === '\r' || c === '\t');
    if (descriptionProblem) problem('defect-description', descriptionProblem);
    const severity = readName('severity', false);
    const extraFields = readExtraFields(value('extra-fields'), given('severity'), (m) => problem('extra-fields', m));
    const dedupe = readBoolean('dedupe');
    const addRunContext = readBoolean('add-run-context');
    for (const name of GATE_ONLY_WITHOUT_DEFAULT) {
      if (given(name)) warnings.push(`Input ${name} is only used in mode gate; it is ignored.`);
    }
    if (defectName !== undefined && extraFields !== undefined && dedupe !== undefined && addRunContext !== undefined) {
      modeSettings = {
        mode,
        defectName,
        defectDescription: description,
        ...(severity !== undefined ? { severity } : {}),
        extraFields,
        dedupe,
        addRunContext
      };
    }
  } else if (mode === 'gate') {
    const phases = readList('phases', orDefault('phases'));
    const severities = readList('severities', value('severities'));
    const threshold = readWholeNumber('threshold', 0, Number.MAX_SAFE_INTEGER);
    const operatorText = orDefault('threshold-operator');
    const operator = parseOperator(operatorText);
    if (operator === undefined) {
      problem('threshold-operator', `must be one of ${VALID_OPERATORS_TEXT}; got ${show(operatorText)}`);
    }
    const listLimit = readWholeNumber('list-limit', 1, 1000);
    const failOnGate = readBoolean('fail-on-gate');
    for (const name of CREATE_ONLY) {
      if (given(name)) warnings.push(`Input ${name} is only used in mode create-defect; it is ignored.`);
    }
    if (operator === '<' && threshold === 0) {
      warnings.push('threshold-operator < with threshold 0 can never hold: this gate always fails.');
    }
    if (
      phases !== undefined &&
      severities !== undefined &&
      threshold !== undefined &&
      operator !== undefined &&
      listLimit !== undefined &&
      failOnGate !== undefined
    ) {
      modeSettings = { mode, phases, severities, threshold, operator, listLimit, failOnGate };
    }
  }

  /**
   * A list input: entries separated by commas or newlines, trimmed. Only separators and
   * whitespace means the default; an empty entry between separators is a mistake (a stray
   * comma may have swallowed a name), so it is reported rather than skipped.
   */
  function readList(name: InputName, text: string): string[] | undefined {
    if (text.replace(/[\s,]/g, '') === '') {
      const fallback = INPUT_DEFAULTS[name] ?? '';
      return fallback === '' ? [] : readList(name, fallback);
    }
    // A separator at the very end (a YAML block's last newline, a trailing comma) is fine, and
    // a comma at the end of a line is one separator with that line break.
    const entries = text
      .replace(/[\s,]*$/, '')
      .split(/[ \t]*(?:,[ \t]*(?:\r\n|\r|\n)?|\r\n|\r|\n)/)
      .map((e) => e.trim());
    const seen = new Map<string, string>();
    let ok = true;
    entries.forEach((entry, i) => {
      if (entry === '') {
        problem(name, `entry ${i + 1} is empty; got ${show(text)}`);
        ok = false;
        return;
      }
      const p = nameProblem(entry, MAX_NAME_LENGTH, show);
      if (p) {
        problem(name, `entry ${i + 1} ${p}`);
        ok = false;
        return;
      }
      const key = entry.toLowerCase();
      const first = seen.get(key);
      if (first !== undefined) {
        problem(name, `${show(entry)} is listed twice (entries are matched in any case)`);
        ok = false;
        return;
      }
      seen.set(key, entry);
    });
    return ok ? entries : undefined;
  }

  if (problems.length > 0) return { ok: false, problems };

  const connection: ConnectionSettings = {
    url: url!,
    sharedSpaceId: sharedSpaceId!,
    workspaceId: workspaceId!,
    clientId: clientId!,
    clientSecret: clientSecret!,
    timeoutMs: timeoutSeconds! * 1000,
    retries: retries!,
    ...(caCertificate !== undefined ? { caCertificate } : {})
  };
  const settings = { connection, releaseName: releaseName!, dryRun: dryRun!, ...modeSettings! } as Settings;
  return { ok: true, settings, warnings };
}

/**
 * The server URL: http(s) with a host, a path prefix kept (reverse proxies), no trailing slash,
 * no credentials, no query or fragment (they would be glued onto every API path).
 */
function parseServerUrl(text: string, report: (message: string) => void, show: (v: string) => string): string | undefined {
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(text)) {
    // Do not echo what could be `user:password@host`.
    if (/^[^/?#]*@/.test(text)) {
      report('must not contain a user name or password; put credentials in client-id/client-secret, not in the URL');
    } else {
      report(`must start with http:// or https://; got ${show(text)}`);
    }
    return undefined;
  }
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*@/.test(text)) {
      report('must not contain a user name or password; put credentials in client-id/client-secret, not in the URL');
    } else {
      report(`is not a valid URL; got ${show(text)}`);
    }
    return undefined;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    report(`must start with http:// or https://; got ${show(text)}`);
    return undefined;
  }
  if (parsed.username !== '' || parsed.password !== '') {
    report('must not contain a user name or password; put credentials in client-id/client-secret, not in the URL');
    return undefined;
  }
  if (parsed.hostname === '') {
    report(`must have a host name; got ${show(text)}`);
    return undefined;
  }
  if (parsed.search !== '' || parsed.hash !== '' || /[?#]/.test(text)) {
    // Show only what comes before the query: it may carry a token.
    const base = text.split(/[?#]/)[0] ?? '';
    report(`must not have a query string or fragment (the part from "?" or "#"); got ${show(base)} followed by one`);
    return undefined;
  }
  return `${parsed.protocol}//${parsed.host}${parsed.pathname.replace(/\/+$/, '')}`;
}

function readCaCertificate(
  text: string,
  readFile: (path: string) => string,
  report: (message: string) => void,
  show: (v: string) => string
): string | undefined {
  if (text === '') return undefined;
  if (text.includes(PEM_BEGIN)) {
    if (!text.includes(PEM_END)) {
      report(`looks like PEM text but has no "${PEM_END}" line`);
      return undefined;
    }
    return text;
  }
  let content: string;
  try {
    content = readFile(text);
  } catch (error) {
    report(`cannot read the file ${show(text)}: ${fileErrorReason(error)}; give PEM text or the path of a PEM file`);
    return undefined;
  }
  if (!content.includes(PEM_BEGIN) || !content.includes(PEM_END)) {
    report(`the file ${show(text)} does not contain a PEM certificate ("${PEM_BEGIN}" ... "${PEM_END}")`);
    return undefined;
  }
  return content;
}

function fileErrorReason(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
  }
  return typeof code === 'string' ? code : 'unreadable';
}

function readExtraFields(text: string, severityGiven: boolean, report: (message: string) => void): Record<string, unknown> | undefined {
  if (text === '') return {};
  const syntaxError = findJsonError(text);
  if (syntaxError !== undefined) {
    report(`is not valid JSON: ${syntaxError}`);
    return undefined;
  }
  const parsed: unknown = JSON.parse(text);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    const kind = parsed === null ? 'null' : Array.isArray(parsed) ? 'an array' : `a ${typeof parsed}`;
    report(`must be a JSON object like {"priority": {"type": "list_node", "id": "1005"}}; got ${kind}`);
    return undefined;
  }
  const fields = parsed as Record<string, unknown>;
  let ok = true;
  const reserved = RESERVED_FIELDS.filter((k) => Object.prototype.hasOwnProperty.call(fields, k));
  if (reserved.length > 0) {
    report(
      `must not set ${reserved.map((k) => `"${k}"`).join(', ')}: the action sets ${RESERVED_FIELDS.join(', ')} itself`
    );
    ok = false;
  }
  if (severityGiven && Object.prototype.hasOwnProperty.call(fields, 'severity')) {
    report('must not set "severity" when the severity input is given; use one or the other');
    ok = false;
  }
  return ok ? fields : undefined;
}

/**
 * Where JSON text first goes wrong, as "unexpected X at character N" (1-based), or undefined.
 * A small checker of its own because JSON.parse words its errors differently in each Node
 * version and quotes the input in them.
 */
export function findJsonError(text: string): string | undefined {
  let i = 0;
  function fail(what = 'unexpected'): never {
    const c = text[i];
    const shown = c === undefined ? 'end of text' : showValue(c);
    throw new JsonSyntax(`${what} ${shown} at character ${i + 1}`);
  }
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const literal = (word: string): void => {
    for (const ch of word) {
      if (text[i] !== ch) fail();
      i++;
    }
  };
  const string = (): void => {
    i++; // opening quote
    for (;;) {
      const c = text[i];
      if (c === undefined) fail();
      if (c === '"') {
        i++;
        return;
      }
      if (c === '\\') {
        i++;
        const e = text[i];
        if (e === 'u') {
          i++;
          for (let k = 0; k < 4; k++) {
            if (!/[0-9a-fA-F]/.test(text[i] ?? '')) fail();
            i++;
          }
          continue;
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) fail();
        i++;
        continue;
      }
      if (c < ' ') fail();
      i++;
    }
  };
  const number = (): void => {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i));
    if (!m || m[0] === '' || m[0] === '-') fail();
    i += m[0].length;
  };
  const value = (depth: number): void => {
    if (depth > 200) fail('too deeply nested at');
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        string();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value(depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        fail();
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value(depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        fail();
      }
    } else if (c === '"') string();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) number();
    else fail();
  };
  try {
    value(0);
    ws();
    if (i < text.length) fail();
    return undefined;
  } catch (error) {
    if (error instanceof JsonSyntax) return error.message;
    throw error;
  }
}

class JsonSyntax extends Error {}
