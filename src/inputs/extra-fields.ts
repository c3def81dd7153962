// The extra-fields input: a JSON object of further defect fields, which may not replace the
// fields the action sets itself.
import type { ProblemReport } from './reader.js';
import { showValue } from './shown.js';

/** Fields the action sets itself; extra-fields may not replace them. */
export const RESERVED_FIELDS = ['id', 'type', 'name', 'parent', 'release', 'description'] as const;

/**
 * The fields ({} when the input is empty); undefined when it has a problem (reported). `claimed`:
 * defect field -> the input given that sets it (team, owner, ...), which extra-fields may not set too.
 */
export function readExtraFields(
  text: string,
  severityGiven: boolean,
  { report }: ProblemReport,
  claimed: ReadonlyMap<string, string> = new Map()
): Record<string, unknown> | undefined {
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
    report(`must not set ${reserved.map((k) => `"${k}"`).join(', ')}: the action sets ${RESERVED_FIELDS.join(', ')} itself`);
    ok = false;
  }
  if (severityGiven && Object.prototype.hasOwnProperty.call(fields, 'severity')) {
    report('must not set "severity" when the severity input is given; use one or the other');
    ok = false;
  }
  for (const [field, input] of claimed) {
    // parent is reserved already (reported above).
    if (field === 'parent' || !Object.prototype.hasOwnProperty.call(fields, field)) continue;
    report(`must not set "${field}" when the ${input} input is given; use one or the other`);
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
