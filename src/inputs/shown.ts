// How input values appear in messages: quoted, cut short and escaped, so that a value can
// neither break a log line nor disguise itself (line separators, bidi overrides).

const SHOWN_LENGTH = 60;

/**
 * A value as it may appear in a message: double-quoted, at most SHOWN_LENGTH characters
 * (code points), with control, line-separator and bidi-override characters written as escapes.
 */
export function showValue(value: string): string {
  const chars = Array.from(value);
  const cut = chars.length > SHOWN_LENGTH;
  const body = (cut ? chars.slice(0, SHOWN_LENGTH) : chars).map(escapeChar).join('');
  return `"${body}${cut ? '…' : ''}"`;
}

/** A character as messages name it, like U+0007. */
export function codePointName(c: string): string {
  return `U+${hex(c)}`;
}

/** C0, DEL and C1 controls: never allowed in names. */
export function isControl(c: string): boolean {
  const n = c.codePointAt(0)!;
  return n <= 0x1f || (n >= 0x7f && n <= 0x9f);
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
  return isDisplayUnsafe(c) ? `\\u${hex(c)}` : c;
}

function hex(c: string): string {
  return c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
}

function isDisplayUnsafe(c: string): boolean {
  const n = c.codePointAt(0)!;
  return isControl(c) || n === 0x2028 || n === 0x2029 || (n >= 0x202a && n <= 0x202e) || (n >= 0x2066 && n <= 0x2069);
}
