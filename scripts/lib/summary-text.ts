// Turns a job summary (GitHub-flavoured Markdown with HTML escapes) into plain text for a terminal:
// headings as lines, tables aligned in columns, links and code as their text, entities decoded.
// Mermaid charts are left out: the tables beside them hold the same numbers.

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return Number.isFinite(code) ? String.fromCodePoint(code) : whole;
    }
    return NAMED[body.toLowerCase()] ?? whole;
  });
}

/** Inline Markdown/HTML to text; entities last, so an escaped `<b>` from the data stays visible as `<b>`. */
function inline(text: string): string {
  const plain = text
    .replace(/<a\s[^>]*>(.*?)<\/a>/gi, '$1')
    .replace(/<\/?[a-z][^>]*>/gi, '')
    .replace(/\*\*(.+?)\*\*/g, '$1')
    .replace(/`([^`]*)`/g, '$1');
  return decodeEntities(plain).trim();
}

function cells(row: string): string[] {
  // A `|` inside a cell is escaped as an entity in the summary, so a raw `|` always separates cells.
  return row.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').map(inline);
}

function table(rows: string[]): string[] {
  const parsed = rows.filter((r) => !/^\|(\s*:?-+:?\s*\|)+\s*$/.test(r.trim())).map(cells);
  const body = parsed.filter((r) => r.some((c) => c !== ''));
  const widths: number[] = [];
  for (const row of body) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, [...c].length)));
  return body.map((row) => '  ' + row.map((c, i) => (i === row.length - 1 ? c : c + ' '.repeat(widths[i]! - [...c].length))).join('  '));
}

export function summaryToText(markdown: string): string {
  const out: string[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^```mermaid/.test(line.trim())) {
      while (i < lines.length && !/^```\s*$/.test((lines[++i] ?? '```').trim()));
      continue;
    }
    if (line.trim().startsWith('|')) {
      const rows: string[] = [];
      for (; i < lines.length && lines[i]!.trim().startsWith('|'); i++) rows.push(lines[i]!);
      i--;
      out.push(...table(rows));
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      const text = inline(heading[2]!);
      out.push(text, (heading[1]!.length <= 2 ? '=' : '-').repeat([...text].length));
      continue;
    }
    out.push(inline(line));
  }
  // Collapse runs of blank lines left by dropped charts.
  return out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
