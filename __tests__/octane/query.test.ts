import { describe, it, expect } from '@jest/globals';
import {
  ID_PATTERN,
  after,
  assertId,
  quoteString,
  eq,
  idEq,
  idIn,
  cross,
  and,
  or,
  not,
  like,
  hasMetacharacters
} from '../../src/octane/query.js';
import { parseQuery, type QueryNode } from '../../simulator/query/parser.js';
import { matches, type EntityLike } from '../../simulator/query/evaluate.js';

describe('ids', () => {
  it.each(['1001', '0', 'phase.defect.new', 'list_node.severity.very_high', 'ABC_1.2'])('accepts %j', (id) => {
    expect(ID_PATTERN.test(id)).toBe(true);
    expect(assertId(id)).toBe(id);
  });

  it.each(['', ' 1001', '1001 ', '1 OR 1', '1;id GT 0', '1||2', '{1}', '^1^', "1'", '1-2', 'é', '1\n', 'x'.repeat(256)])(
    'refuses %j',
    (id) => {
      expect(ID_PATTERN.test(id)).toBe(false);
      expect(() => assertId(id)).toThrow(/unexpected id/);
    }
  );

  it('refuses a non-string at run time', () => {
    expect(() => assertId(1001 as unknown as string)).toThrow(/unexpected id/);
  });
});

describe('quoteString', () => {
  it('puts a backslash before every metacharacter and nothing else', () => {
    expect(quoteString('plain text 2026.4')).toBe('^plain text 2026.4^');
    expect(quoteString(`\\^'"()*;|,{}`)).toBe(`^\\\\\\^\\'\\"\\(\\)\\*\\;\\|\\,\\{\\}^`);
    expect(quoteString('a!b<c>=d 😀')).toBe('^a!b<c>=d 😀^');
    expect(quoteString('')).toBe('^^');
  });

  it('reads back as exactly the text in the simulator parser, with no wildcard', () => {
    const name = `R1 ^x' "(y)" \\ * ; || {z}, end\\`;
    const node = parseQuery(eq('name', name));
    expect(node).toEqual({
      kind: 'compare',
      field: 'name',
      op: 'EQ',
      values: [{ kind: 'string', value: name, segments: [name] }]
    });
  });
});

describe('building expressions', () => {
  it('builds equality on a field', () => {
    expect(eq('name', '2026.4')).toBe('name EQ ^2026.4^');
    expect(eq('logical_name', 'phase.defect.new')).toBe('logical_name EQ ^phase.defect.new^');
  });

  it.each(['Name', 'name;', 'a b', '1abc', '', 'name EQ ^x^||id'])('refuses the field name %j', (field) => {
    expect(() => eq(field, 'x')).toThrow(/field name/);
    expect(() => idEq(field, '1')).toThrow(/field name/);
  });

  it('builds cross filters on ids, numbers bare and logical names quoted', () => {
    expect(idEq('release', '1001')).toBe('release EQ {id EQ 1001}');
    expect(idEq('id', '1001')).toBe('id EQ 1001');
    expect(idEq('phase', 'phase.defect.new')).toBe('phase EQ {id EQ ^phase.defect.new^}');
    expect(idIn('phase', ['1', 'phase.defect.opened', '3'])).toBe('phase EQ {id IN 1,^phase.defect.opened^,3}');
    expect(idIn('id', ['7', '8'])).toBe('id IN 7,8');
    expect(cross('list_root', eq('logical_name', 'list_node.severity'))).toBe('list_root EQ {logical_name EQ ^list_node.severity^}');
    expect(() => cross('list_root} || {x', 'id EQ 1')).toThrow(/field name/);
  });

  it('refuses a bad id or an empty list', () => {
    expect(() => idEq('release', '1001}||{id GT 0')).toThrow(/unexpected id/);
    expect(() => idIn('phase', ['1', '2;x'])).toThrow(/unexpected id/);
    expect(() => idIn('phase', [])).toThrow(/at least one id/);
  });

  it('joins with ; and ||, parenthesizing where precedence would change the meaning', () => {
    expect(and(idEq('release', '1'), undefined, '', or(idEq('phase', '2'), idEq('phase', '3')))).toBe(
      'release EQ {id EQ 1};(phase EQ {id EQ 2}||phase EQ {id EQ 3})'
    );
    expect(or(and(eq('name', 'a'), eq('name', 'b')), eq('name', 'c'))).toBe('(name EQ ^a^;name EQ ^b^)||name EQ ^c^');
    expect(and(eq('name', 'x'))).toBe('name EQ ^x^');
    expect(not(and(eq('name', 'a'), eq('name', 'b')))).toBe('!(name EQ ^a^;name EQ ^b^)');
    expect(() => and(undefined, '')).toThrow();
    expect(() => not(' ')).toThrow();
  });

  it('is not fooled by metacharacters inside strings when deciding on parentheses', () => {
    // An escaped `||` or `;` inside a name is part of the string, not an operator.
    expect(and(eq('name', 'a||b'), eq('name', 'c;d'))).toBe('name EQ ^a\\|\\|b^;name EQ ^c\\;d^');
    expect(or(eq('name', 'a;b'), eq('name', 'c'))).toBe('name EQ ^a\\;b^||name EQ ^c^');
  });
});

describe('meaning, as the simulator evaluates it', () => {
  const phases: Record<string, EntityLike> = {
    '2': { id: '2', type: 'phase', name: 'New' },
    '3': { id: '3', type: 'phase', name: 'Opened' },
    '4': { id: '4', type: 'phase', name: 'Closed' }
  };
  const resolve = (ref: { type: string; id: string }): EntityLike | undefined => (ref.type === 'phase' ? phases[ref.id] : undefined);
  const defect = (id: string, phase: string, name = `d${id}`): EntityLike => ({
    id,
    type: 'defect',
    name,
    phase: { type: 'phase', id: phase }
  });
  const defects = [defect('10', '2'), defect('11', '3'), defect('12', '4'), defect('13', '2', 'a;b')];
  const select = (q: string): string[] => {
    const node: QueryNode = parseQuery(q);
    return defects.filter((d) => matches(node, d, resolve)).map((d) => d.id);
  };

  it('filters by a cross filter and an IN list', () => {
    expect(select(idIn('phase', ['2', '3']))).toEqual(['10', '11', '13']);
    expect(select(idEq('phase', '4'))).toEqual(['12']);
  });

  it('keeps precedence: an OR inside an AND stays together', () => {
    expect(select(and(or(idEq('phase', '3'), idEq('phase', '4')), eq('name', 'd12')))).toEqual(['12']);
    expect(select(or(and(idEq('phase', '2'), eq('name', 'a;b')), idEq('id', '11')))).toEqual(['11', '13']);
  });

  it('negates a whole expression', () => {
    expect(select(not(or(idEq('phase', '2'), idEq('phase', '3'))))).toEqual(['12']);
  });
});

describe('like: a name pattern that needs no escaping', () => {
  it('is exactly eq for a name without metacharacters', () => {
    for (const name of ['2026.4', 'Build failed #12', 'a!b<c>=d 😀', '']) {
      expect(hasMetacharacters(name)).toBe(false);
      expect(like('name', name)).toBe(eq('name', name));
    }
  });

  it('puts one * for each run of metacharacters, and no backslash or delimiter remains', () => {
    expect(like('name', `R1 ^x' "(y)" \\ *`)).toBe('name EQ ^R1 *x* *y* * *^');
    expect(like('name', '***')).toBe('name EQ ^*^');
    for (const name of [`\\^'"()*;|,{}`, 'a^;name EQ ^b', 'x\\']) {
      expect(hasMetacharacters(name)).toBe(true);
      expect(like('name', name).slice('name EQ ^'.length, -1)).not.toMatch(/[\\^'"();|,{}]/);
    }
  });

  it('matches the name under every reading of backslashes', () => {
    const name = `fix (\\*) ; a|b, {c} ^end'`;
    for (const escaping of ['any', 'ci-sdk', 'none'] as const) {
      const node = parseQuery(like('name', name), { escaping });
      expect(matches(node, { id: '1', type: 'release', name }, () => undefined)).toBe(true);
    }
  });

  it('refuses a field that is not a plain field name', () => {
    expect(() => like('name EQ ^x^||name', 'a')).toThrow(/field/);
  });
});

describe('after: an instant as Octane writes it', () => {
  it('leaves out milliseconds that are 0, keeps those that are not', () => {
    expect(after('creation_time', new Date('2026-11-30T08:00:00Z'))).toBe('creation_time GT ^2026-11-30T08:00:00Z^');
    expect(after('creation_time', new Date('2026-11-30T08:00:00.250Z'))).toBe('creation_time GT ^2026-11-30T08:00:00.250Z^');
  });
});
