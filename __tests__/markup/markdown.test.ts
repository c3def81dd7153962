import { describe, it, expect } from '@jest/globals';
import { code, escapeCell, escapeText, link, mermaidLabel, mermaidPie, oneLine, table } from '../../src/markup/markdown.js';
import { shown } from '../helpers/markup.js';

describe('escapeText', () => {
  const hostile = [
    '<script>alert(1)</script>',
    'a | b | c',
    '`code` and ```fence```',
    '::set-output name=gate-result::passed',
    '::add-mask::x',
    '[click](javascript:alert(1))',
    '**bold** _it_ ~~del~~ # heading',
    'O\'Brien & "Co" \\ ^x^',
    '&#39; already an entity'
  ];

  it.each(hostile)('leaves no active character in %j and still shows it exactly', (text) => {
    const out = escapeText(text);
    // Apart from character references, nothing that HTML or Markdown would act on.
    expect(out.replace(/&(#\d+|amp|lt|gt|quot);/g, '')).not.toMatch(/[&<>|`*_~[\]()\\#:"']/);
    expect(shown(out)).toBe(text);
  });

  it('puts line breaks and control characters on one line, so a table row stays one row', () => {
    const out = escapeText('first\n::set-output name=x::y\r\nthird\u2028fourth\u0000');
    expect(out).not.toMatch(/[\r\n\u2028]/);
    expect(out).not.toContain(String.fromCharCode(0));
    expect(out).not.toContain('::');
    expect(oneLine('a\nb\r\nc')).toBe('a b c');
  });

  it('shows an empty cell as a dash', () => {
    expect(escapeCell('')).toBe('—');
    expect(escapeCell('x')).toBe('x');
  });

  it('escapes code so a backtick cannot close it', () => {
    expect(code('a`b<c')).toBe('<code>a&#96;b&lt;c</code>');
  });
});

describe('link', () => {
  it('links http(s) URLs with an escaped label and attribute', () => {
    const out = link('<b>', 'https://octane.example/ui/entity-navigation?p=1/2&entityType=work_item&id=5');
    expect(out).toBe('<a href="https://octane.example/ui/entity-navigation?p=1/2&amp;entityType=work_item&amp;id=5">&lt;b&gt;</a>');
  });

  it('never links other schemes or garbage', () => {
    expect(link('x', 'javascript:alert(1)')).toBe('x');
    expect(link('x', 'not a url')).toBe('x');
  });

  it('cannot break out of the href with a quote', () => {
    const out = link('x', 'https://h/"onmouseover="alert(1)');
    expect(out).not.toContain('"onmouseover');
  });
});

describe('table', () => {
  it('builds header, alignment rule and rows, padding short rows', () => {
    expect(table(['A', 'B'], [['1', '2'], ['3']], ['left', 'right'])).toBe('| A | B |\n| --- | ---: |\n| 1 | 2 |\n| 3 |   |');
  });
});

describe('mermaid', () => {
  it('strips characters that break or inject Mermaid and caps the length', () => {
    expect(mermaidLabel('a"b:c;d`e#f\n%%g{h}[i]<j>')).toBe('a b c d e f g h i j');
    expect(mermaidLabel('"";')).toBe('(unnamed)');
    expect([...mermaidLabel('x'.repeat(100))].length).toBe(40);
    expect(mermaidLabel('Très Élevé 高')).toBe('Très Élevé 高');
  });

  it('draws a pie of the positive counts only, inside a mermaid fence', () => {
    const pie = mermaidPie('By severity', [
      ['High "x"', 3],
      ['Low', 0],
      ['```', 2]
    ]);
    expect(pie.split('\n')).toEqual(['```mermaid', 'pie showData title By severity', '    "High x" : 3', '    "(unnamed)" : 2', '```']);
  });

  it('sets pie1, pie2, ... to the colours of the slices it draws, skipping the zeros with their colours', () => {
    const pie = mermaidPie(
      't',
      [
        ['a', 2],
        ['b', 0],
        ['c', 1]
      ],
      ['#111111', '#222222', '#333333']
    );
    expect(pie.split('\n').slice(0, 3)).toEqual([
      '```mermaid',
      '%%{init: {"themeVariables": {"pie1": "#111111", "pie2": "#333333"}}}%%',
      'pie showData title t'
    ]);
    // A colour that is not #rrggbb never reaches the chart, and then no colour is set at all.
    expect(
      mermaidPie(
        't',
        [
          ['a', 1],
          ['b', 1]
        ],
        ['#111111', 'red"}}}%%']
      )
    ).not.toContain('%%');
  });

  it('draws nothing when every count is zero', () => {
    expect(mermaidPie('t', [['a', 0]])).toBe('');
    expect(mermaidPie('t', [])).toBe('');
  });
});
