import { describe, expect, it } from '@jest/globals';
import { parseConditions } from '../../src/inputs/conditions.js';
import { parseCreatedAfter } from '../../src/inputs/created-after.js';

describe('parseConditions', () => {
  it('reads the issue example: severities, total, operators and warn, skipping blank lines and comments', () => {
    const { conditions, problems } = parseConditions('# release 2026.4\n  Urgent, Very High == 0\n\nHigh <= 3\ntotal <= 25 warn\n');
    expect(problems).toEqual([]);
    expect(conditions).toEqual([
      { text: 'Urgent, Very High == 0', which: ['Urgent', 'Very High'], operator: '==', threshold: 0, level: 'fail' },
      { text: 'High <= 3', which: ['High'], operator: '<=', threshold: 3, level: 'fail' },
      { text: 'total <= 25', which: 'total', operator: '<=', threshold: 25, level: 'warn' }
    ]);
  });

  it('takes word operators, operators without spaces, logical names, CRLF and any case of total and warn', () => {
    const { conditions, problems } = parseConditions('list_node.severity.high le 3 WARN\r\nTOTAL<10\r\nmedium,low>=2');
    expect(problems).toEqual([]);
    expect(conditions.map((c) => [c.which, c.operator, c.threshold, c.level])).toEqual([
      [['list_node.severity.high'], '<=', 3, 'warn'],
      ['total', '<', 10, 'fail'],
      [['medium', 'low'], '>=', 2, 'fail']
    ]);
  });

  it('reads a severity name that holds an operator character by the last operator on the line', () => {
    expect(parseConditions('P<1 <= 3').conditions[0]).toMatchObject({ which: ['P<1'], operator: '<=', threshold: 3 });
  });

  it.each([
    ['High 3', /line 1: needs WHICH OPERATOR NUMBER/],
    ['High <= three', /line 1: "three" is not a whole number/],
    ['High <= -1', /line 1: "-1" is not a whole number/],
    ['High <= 3warn', /line 1: "3warn" is not a whole number.*write warn after the number/],
    ['High <= 3 fail', /line 1: needs WHICH OPERATOR NUMBER/],
    ['<= 3', /line 1: names nothing before the operator/],
    ['High,, Low <= 3', /line 1: has an empty severity name/],
    ['total, High <= 3', /line 1: `total` stands alone/],
    ['High, high == 0', /line 1: names "high" twice/],
    ['High => 3', /line 1: /],
    ['High =< 3', /line 1: /],
    ['High = 3', /line 1: needs WHICH OPERATOR NUMBER/],
    ['High <= 99999999999999999999', /line 1: .* is not a whole number/],
    ['High\u0007 <= 3', /line 1: has a control character/]
  ])('refuses %j, naming the line and what is wrong', (text, message) => {
    const { conditions, problems } = parseConditions(text);
    expect(conditions).toEqual([]);
    expect(problems).toEqual([expect.stringMatching(message)]);
  });

  it('names the line number of each bad line among good ones, counting blank and comment lines', () => {
    expect(parseConditions('High <= 3\n\n# x\nUrgent ==\ntotal < 5\nLow >= x').problems).toEqual([
      expect.stringMatching(/^line 4: /),
      expect.stringMatching(/^line 6: /)
    ]);
  });

  it('refuses a value with no condition at all, and more than 50', () => {
    expect(parseConditions('# nothing\n\n').problems).toEqual(['holds no condition, only blank lines or comments']);
    const many = Array.from({ length: 51 }, (_, i) => `total <= ${i}`).join('\n');
    expect(parseConditions(many).problems).toEqual(['holds 51 conditions; at most 50']);
  });
});

describe('parseCreatedAfter', () => {
  const now = new Date('2026-12-01T12:00:00Z');

  it('counts ages back from now', () => {
    expect(parseCreatedAfter('7d', now)).toEqual(new Date('2026-11-24T12:00:00Z'));
    expect(parseCreatedAfter('36h', now)).toEqual(new Date('2026-11-30T00:00:00Z'));
    expect(parseCreatedAfter('90m', now)).toEqual(new Date('2026-12-01T10:30:00Z'));
  });

  it('reads dates and date-times as UTC unless they name a zone', () => {
    expect(parseCreatedAfter('2026-11-30', now)).toEqual(new Date('2026-11-30T00:00:00Z'));
    expect(parseCreatedAfter('2026-11-30T08:15', now)).toEqual(new Date('2026-11-30T08:15:00Z'));
    expect(parseCreatedAfter('2026-11-30T08:15:30.25Z', now)).toEqual(new Date('2026-11-30T08:15:30.250Z'));
    expect(parseCreatedAfter('2026-11-30T08:15:00+02:00', now)).toEqual(new Date('2026-11-30T06:15:00Z'));
    expect(parseCreatedAfter('2026-11-30T08:15:00-0130', now)).toEqual(new Date('2026-11-30T09:45:00Z'));
  });

  it('takes instants from 1970-01-01 to the end of 9999 and refuses those outside', () => {
    expect(parseCreatedAfter('1970-01-01', now)).toEqual(new Date(0));
    expect(parseCreatedAfter('9999-12-31T23:59:59.999Z', now)).toEqual(new Date('9999-12-31T23:59:59.999Z'));
    expect(parseCreatedAfter('1969-12-31T23:59:59Z', now)).toBe('is before 1970-01-01; give a later date or a shorter age');
    expect(parseCreatedAfter('999999d', now)).toBe('is before 1970-01-01; give a later date or a shorter age');
  });

  it.each(['2026-02-30', '2026-13-01', '2026-11-30T24:00', 'yesterday', '7 days', '7w', '-7d', '', '2026-11-30T08:15+2'])(
    'refuses %j with a message',
    (text) => {
      expect(typeof parseCreatedAfter(text, now)).toBe('string');
    }
  );
});
