// Building blocks for the job summary (GitHub-flavoured Markdown with inline HTML).
// Every function that takes plain text escapes it; functions that take "markup" expect
// strings already produced here, so untrusted text is escaped exactly once.
import { escapeHtml, httpUrl } from './html.js';

/**
 * Markdown metacharacters that could start emphasis, code, links, tables or auto-links,
 * written as numeric character references so GitHub shows them literally.
 */
const MARKDOWN_ENTITIES: Record<string, string> = {
  '|': '&#124;',
  '`': '&#96;',
  '*': '&#42;',
  _: '&#95;',
  '~': '&#126;',
  '[': '&#91;',
  ']': '&#93;',
  '(': '&#40;',
  ')': '&#41;',
  '\\': '&#92;',
  '#': '&#35;',
  '!': '&#33;',
  ':': '&#58;',
  '@': '&#64;',
  $: '&#36;',
  '+': '&#43;',
  '-': '&#45;',
  '=': '&#61;',
  '{': '&#123;',
  '}': '&#125;'
};

// C0/C1 controls, line and paragraph separators: a line break would end a table row.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/** Collapses control characters and line breaks into single spaces. */
export function oneLine(text: string): string {
  return text.replace(CONTROL, ' ');
}

/**
 * Plain text -> inline markup that renders as exactly that text, on one line: safe in a
 * paragraph, a heading and a table cell. Workflow-command look-alikes (`::x::`) come out
 * with their colons as entities, so they are never a command on any line.
 */
export function escapeText(text: string): string {
  // One pass over the raw text: escaping HTML first would let `#` hit its `&#39;`.
  return oneLine(text).replace(/[&<>"'|`*_~[\]()\\#!:@$+=\-{}]/g, (c) => MARKDOWN_ENTITIES[c] ?? escapeHtml(c));
}

/** Same as escapeText; the name says where it is used. An empty cell shows an em dash. */
export function escapeCell(text: string): string {
  return text === '' ? '—' : escapeText(text);
}

/** Plain text shown as code: `<code>` with the text escaped (backticks cannot close it). */
export function code(text: string): string {
  return `<code>${escapeText(text)}</code>`;
}

/**
 * A link with plain-text label. Only http(s) URLs become links; anything else is shown
 * as text, so a `javascript:` URL can never reach the page.
 */
export function link(text: string, url: string): string {
  const label = escapeCell(text);
  const parsed = httpUrl(url);
  return parsed ? `<a href="${escapeHtml(parsed.href)}">${label}</a>` : label;
}

export type Align = 'left' | 'right' | 'center';

/** A Markdown table from markup cells (escape text with escapeCell first). */
export function table(header: string[], rows: string[][], align: Align[] = []): string {
  const rule = header.map((_, i) => {
    switch (align[i]) {
      case 'right':
        return '---:';
      case 'center':
        return ':---:';
      default:
        return '---';
    }
  });
  const line = (cells: string[]): string => `| ${cells.map((c) => (c === '' ? ' ' : c)).join(' | ')} |`;
  return [line(header), line(rule), ...rows.map((r) => line(header.map((_, i) => r[i] ?? '')))].join('\n');
}

/**
 * Text -> a Mermaid label: only letters, digits, spaces and a few harmless punctuation
 * marks survive (quotes, colons, semicolons, brackets, `#`, backticks and line breaks
 * all break or inject Mermaid syntax), trimmed and capped in length.
 */
export function mermaidLabel(text: string, max = 40): string {
  const cleaned = oneLine(text)
    .replace(/[^\p{L}\p{N} .,/+_-]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const cut = [...cleaned];
  const label =
    cut.length > max
      ? `${cut
          .slice(0, max - 1)
          .join('')
          .trimEnd()}…`
      : cleaned;
  return label === '' ? '(unnamed)' : label;
}

const HEX_COLOUR = /^#[0-9a-fA-F]{6}$/;

/**
 * A ```mermaid pie chart of the positive counts, or '' when there is nothing to draw
 * (Mermaid cannot draw a pie of zeros). `colours[i]` (#rrggbb) colours `counts[i]`: Mermaid's
 * theme variables pie1, pie2, ... go to the slices in the order they are drawn, so the
 * caller orders the slices as Mermaid draws them.
 */
export function mermaidPie(title: string, counts: Array<[string, number]>, colours: string[] = []): string {
  const kept = counts.map((c, i) => ({ c, colour: colours[i] })).filter(({ c: [, n] }) => Number.isFinite(n) && n > 0);
  if (kept.length === 0) return '';
  const lines = ['```mermaid'];
  const variables = kept.map(({ colour }, i) => (colour && HEX_COLOUR.test(colour) ? `"pie${i + 1}": "${colour}"` : undefined));
  // Only a whole set: a gap would let the theme's colour for that place stand beside ours.
  if (kept.length <= 12 && variables.every((v) => v !== undefined)) lines.push(`%%{init: {"themeVariables": {${variables.join(', ')}}}}%%`);
  lines.push(`pie showData title ${mermaidLabel(title, 60)}`);
  for (const {
    c: [label, n]
  } of kept)
    lines.push(`    "${mermaidLabel(label)}" : ${n}`);
  lines.push('```');
  return lines.join('\n');
}
