// What a reader sees of markup the action escaped, for checks that the text survived escaping.

/** Character references (hex and decimal) and the five named entities, decoded; `&amp;` last, so nothing is decoded twice. */
export function shown(markup: string): string {
  return markup
    .replace(/&#x([0-9a-f]+);/gi, (_m, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_m, dec: string) => String.fromCodePoint(Number(dec)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}
