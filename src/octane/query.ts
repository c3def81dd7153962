/**
 * The only place Octane query expressions are built. Ids are checked against a strict pattern
 * and names are escaped, so no value can change the structure of a query.
 *
 * Escaping: Octane does not document escaping inside `^...^` strings. The CI plugin SDK puts a
 * backslash before `\ " ' ( )`; `^` (the string delimiter) and `*` (the wildcard) are not
 * documented at all. We put a backslash before every character that has a meaning anywhere in
 * the language: `\ ^ ' " ( ) * ; | , { }`. A backslash before a character that needed none is
 * read as that character by parsers that treat `\x` as "x" (the simulator, and the SDK's
 * behaviour for its own set), and a server that read `\*` differently could at worst return too
 * few or too many rows, never run a different query: callers therefore confirm every match by
 * exact comparison in code (see the modes), so a name is never matched by a wildcard.
 *
 * Servers differ exactly there (a CI-SDK-style server reads `\^` as a backslash that ends the
 * string, and refuses the rest with 400; one that escapes nothing looks for a literal backslash),
 * so a name with a metacharacter may be refused or not found by its escaped query. `like` is the
 * fallback that needs no escaping at all: `*`, a wildcard on every server, in place of each run of
 * metacharacters. It matches the name and perhaps near names: callers compare in code.
 */

/**
 * Opaque ids: digits, or logical-name style (phases and list nodes on some servers). Nothing else;
 * never one starting with a dot, so `.` and `..` cannot become path segments.
 */
export const ID_PATTERN = /^(?!\.)[A-Za-z0-9_.]{1,255}$/;

/** A work item's id (what goes into a path to change one): digits only, as Octane numbers them. */
export const WORK_ITEM_ID = /^[0-9]{1,20}$/;

const FIELD_PATTERN = /^[a-z_][a-z0-9_]*$/;
const NUMERIC_ID = /^[0-9]+$/;
const ESCAPED = /[\\^'"()*;|,{}]/g;
const ESCAPED_RUNS = /[\\^'"()*;|,{}]+/g;

export function assertId(id: string): string {
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) {
    // The id came from Octane; show its shape, not a possibly huge value.
    throw new Error(`Refusing to put an unexpected id into a query (${JSON.stringify(String(id).slice(0, 40))})`);
  }
  return id;
}

function assertField(field: string): string {
  if (!FIELD_PATTERN.test(field)) throw new Error(`Not a query field name: ${JSON.stringify(field.slice(0, 40))}`);
  return field;
}

/** `^text^` with every metacharacter preceded by a backslash. */
export function quoteString(text: string): string {
  return `^${text.replace(ESCAPED, (c) => `\\${c}`)}^`;
}

/** Whether the text has a character that must be escaped in a query string (so servers may read it differently). */
export function hasMetacharacters(text: string): boolean {
  return /[\\^'"()*;|,{}]/.test(text);
}

/**
 * `field EQ ^pattern^` with `*` in place of each run of metacharacters: no backslash, no
 * delimiter, so every server reads it the same way. For text without metacharacters this is
 * exactly `eq(field, text)`. It may also match other names: confirm each match in code.
 */
export function like(field: string, text: string): string {
  return `${assertField(field)} EQ ^${text.replace(ESCAPED_RUNS, '*')}^`;
}

/** An id as a query value: numbers bare (as Octane's own examples write them), logical names quoted. */
function idValue(id: string): string {
  assertId(id);
  return NUMERIC_ID.test(id) ? id : quoteString(id);
}

/** `field EQ ^value^` */
export function eq(field: string, value: string): string {
  return `${assertField(field)} EQ ${quoteString(value)}`;
}

/** `field EQ {inner}`: a cross filter on a reference field, with an inner expression built here too. */
export function cross(field: string, inner: string): string {
  return `${assertField(field)} EQ {${inner}}`;
}

/** `field EQ {id EQ <id>}` (a cross filter on a reference), or `id EQ <id>` for the id itself. */
export function idEq(field: string, id: string): string {
  assertField(field);
  const inner = `id EQ ${idValue(id)}`;
  return field === 'id' ? inner : cross(field, inner);
}

/** `field EQ {id IN a,b}`, or `id IN a,b` for the id itself. At least one id. */
export function idIn(field: string, ids: string[]): string {
  assertField(field);
  if (ids.length === 0) throw new Error(`idIn(${field}) needs at least one id: an empty IN would match nothing or everything`);
  const inner = `id IN ${ids.map(idValue).join(',')}`;
  return field === 'id' ? inner : cross(field, inner);
}

/** Parts joined with `;`; a part that is an OR at its top level is parenthesized. Empty parts are skipped. */
export function and(...parts: (string | undefined)[]): string {
  const kept = present(parts);
  if (kept.length === 1) return kept[0]!;
  return kept.map((p) => (topLevel(p).or ? `(${p})` : p)).join(';');
}

/** Parts joined with `||`; a part that is an AND at its top level is parenthesized (precedence is undocumented). */
export function or(...parts: (string | undefined)[]): string {
  const kept = present(parts);
  if (kept.length === 1) return kept[0]!;
  return kept.map((p) => (topLevel(p).and ? `(${p})` : p)).join('||');
}

/** `!(part)` */
export function not(part: string): string {
  if (part.trim() === '') throw new Error('not() of an empty expression');
  return `!(${part})`;
}

function present(parts: (string | undefined)[]): string[] {
  const kept = parts.filter((p): p is string => p !== undefined && p.trim() !== '');
  if (kept.length === 0) throw new Error('An expression needs at least one part');
  return kept;
}

/** Whether `;` or `||` occurs outside strings, parentheses and braces. */
function topLevel(expression: string): { and: boolean; or: boolean } {
  let depth = 0;
  let inString = false;
  const found = { and: false, or: false };
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '^') inString = false;
      continue;
    }
    if (c === '^') inString = true;
    else if (c === '(' || c === '{') depth++;
    else if (c === ')' || c === '}') depth--;
    else if (depth === 0 && c === ';') found.and = true;
    else if (depth === 0 && c === '|' && expression[i + 1] === '|') found.or = true;
  }
  return found;
}

/**
 * `field GT ^2026-11-30T08:00:00Z^`: an instant as Octane writes it in its answers (`2017-05-02T07:32:38Z`),
 * with milliseconds only where they are not 0 (as JavaScript writes them, as OpenText's JS SDK puts dates in queries).
 */
export function after(field: string, instant: Date): string {
  const iso = instant.toISOString().replace(/\.000Z$/, 'Z');
  if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{3})?Z$/.test(iso))
    throw new Error(`Not an instant for a query: ${iso.slice(0, 40)}`);
  return `${assertField(field)} GT ^${iso}^`;
}
