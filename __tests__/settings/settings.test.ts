import { describe, it, expect } from '@jest/globals';
import { readSettings, type Settings, type SettingsResult, type GateSettings, type CreateDefectSettings } from '../../src/settings.js';
import { formatProblems, type InputProblem } from '../../src/inputs/problems.js';
import { showValue } from '../../src/inputs/shown.js';
import { findJsonError } from '../../src/inputs/extra-fields.js';
import { INPUT_NAMES } from '../../src/inputs/catalogue.js';

const SECRET = 'Sup3r-S3cret!value';

const GATE: Record<string, string> = {
  mode: 'gate',
  'octane-url': 'https://octane.example.com',
  'client-id': 'client',
  'client-secret': SECRET,
  'shared-space-id': '1001',
  'workspace-id': '1002',
  'release-name': '2026.4'
};
const CREATE: Record<string, string> = { ...GATE, mode: 'create-defect', 'defect-name': 'Build broke' };

function read(inputs: Record<string, string>, deps: Parameters<typeof readSettings>[1] = {}): SettingsResult {
  return readSettings((name) => inputs[name] ?? '', deps);
}

function settingsOf(inputs: Record<string, string>): Settings {
  const result = read(inputs);
  if (!result.ok) throw new Error(`expected valid inputs, got:\n${formatProblems(result.problems)}`);
  return result.settings;
}
const gate = (overrides: Record<string, string> = {}): GateSettings => settingsOf({ ...GATE, ...overrides }) as GateSettings;
const create = (overrides: Record<string, string> = {}): CreateDefectSettings =>
  settingsOf({ ...CREATE, ...overrides }) as CreateDefectSettings;

function problemsOf(inputs: Record<string, string>): InputProblem[] {
  const result = read(inputs);
  if (result.ok) throw new Error('expected problems, the inputs were accepted');
  return result.problems;
}
/** The problem lines exactly as formatProblems prints them. */
const lines = (inputs: Record<string, string>): string[] => formatProblems(problemsOf(inputs)).split('\n').slice(1);
const onlyLine = (inputs: Record<string, string>): string => {
  const l = lines(inputs);
  expect(l).toHaveLength(1);
  return l[0]!;
};

describe('defaults and valid inputs', () => {
  it('gives the gate its documented defaults when optional inputs are empty', () => {
    const s = gate();
    expect(s).toMatchObject({
      mode: 'gate',
      phases: ['New', 'Opened', 'Deferred'],
      severities: [],
      threshold: 0,
      operator: '<=',
      listLimit: 100,
      failOnGate: true,
      dryRun: false,
      releaseName: '2026.4'
    });
    expect(s.connection).toEqual({
      url: 'https://octane.example.com',
      sharedSpaceId: '1001',
      workspaceId: '1002',
      clientId: 'client',
      clientSecret: SECRET,
      timeoutMs: 30_000,
      retries: 4
    });
  });

  it('gives create-defect its defaults', () => {
    const s = create();
    expect(s).toMatchObject({
      mode: 'create-defect',
      defectName: 'Build broke',
      defectDescription: '',
      extraFields: {},
      dedupe: false,
      addRunContext: true,
      attachments: [],
      testResults: [],
      dryRun: false
    });
    expect(s.severity).toBeUndefined();
  });

  it('trims every value', () => {
    const s = gate({
      mode: ' gate\n',
      'octane-url': ' https://octane.example.com/ ',
      'shared-space-id': ' 1001 ',
      'release-name': '  2026.4  ',
      threshold: ' 3 ',
      'threshold-operator': ' ge ',
      'list-limit': '\t5\n'
    });
    expect(s.releaseName).toBe('2026.4');
    expect(s.threshold).toBe(3);
    expect(s.operator).toBe('>=');
    expect(s.listLimit).toBe(5);
    expect(s.connection.sharedSpaceId).toBe('1001');
  });

  it('reads every setting a user can give', () => {
    const s = create({
      'defect-description': 'line 1\n\tline 2\r\nline 3',
      severity: 'Very High',
      'extra-fields': '{"priority": {"type": "list_node", "id": "2001"}, "is_draft": false}',
      dedupe: 'TRUE',
      'add-run-context': 'False',
      'dry-run': 'True',
      'timeout-seconds': '600',
      retries: '0'
    });
    expect(s.defectDescription).toBe('line 1\n\tline 2\r\nline 3');
    expect(s.severity).toBe('Very High');
    expect(s.extraFields).toEqual({ priority: { type: 'list_node', id: '2001' }, is_draft: false });
    expect(s.dedupe).toBe(true);
    expect(s.addRunContext).toBe(false);
    expect(s.dryRun).toBe(true);
    expect(s.connection.timeoutMs).toBe(600_000);
    expect(s.connection.retries).toBe(0);
  });

  it('accepts Unicode and query metacharacters in names', () => {
    const name = `R1 ^x' "(y)" \\ * ; || ü 漢字 😀`;
    expect(gate({ 'release-name': name }).releaseName).toBe(name);
    expect(create({ 'defect-name': name }).defectName).toBe(name);
  });

  it('accepts a name of exactly 255 characters, counting astral characters as one', () => {
    expect(gate({ 'release-name': 'a'.repeat(255) }).releaseName).toHaveLength(255);
    expect(Array.from(gate({ 'release-name': '😀'.repeat(255) }).releaseName)).toHaveLength(255);
  });

  it('lists every input of action.yml once', () => {
    expect(new Set(INPUT_NAMES).size).toBe(INPUT_NAMES.length);
    expect(INPUT_NAMES).toHaveLength(40);
    expect(INPUT_NAMES).toContain('resolve-phase');
    expect(INPUT_NAMES).toContain('feature');
    expect(INPUT_NAMES).toContain('test-results');
    expect(INPUT_NAMES).toContain('conditions');
    expect(INPUT_NAMES).toContain('ca-certificate');
  });
});

describe('the secret', () => {
  it('is registered for masking before any input is read, also in its trimmed form', () => {
    const events: string[] = [];
    const inputs = { ...GATE, 'client-secret': `  ${SECRET}\n`, mode: 'nonsense' };
    readSettings(
      (name) => {
        events.push(`read ${name}`);
        return inputs[name as keyof typeof inputs] ?? '';
      },
      { setSecret: (v) => events.push(`mask ${JSON.stringify(v)}`) }
    );
    const firstOther = events.findIndex((e) => e.startsWith('read ') && e !== 'read client-secret');
    const masks = events.filter((e) => e.startsWith('mask'));
    expect(masks).toEqual([`mask ${JSON.stringify(`  ${SECRET}\n`)}`, `mask ${JSON.stringify(SECRET)}`]);
    expect(events.lastIndexOf(masks[1]!)).toBeLessThan(firstOther);
  });

  it('is registered once when it has no surrounding whitespace, and not at all when empty', () => {
    const masked: string[] = [];
    read(GATE, { setSecret: (v) => masked.push(v) });
    expect(masked).toEqual([SECRET]);
    masked.length = 0;
    read({ ...GATE, 'client-secret': '' }, { setSecret: (v) => masked.push(v) });
    expect(masked).toEqual([]);
  });

  it('never appears in a problem, whatever else is wrong', () => {
    const everythingWrong: Record<string, string> = {
      mode: SECRET,
      'octane-url': `https://user:${SECRET}@octane.example.com/?token=${SECRET}`,
      'client-id': '',
      'client-secret': SECRET,
      'shared-space-id': 'x',
      'workspace-id': 'y',
      'release-name': '\u0000',
      'dry-run': 'maybe',
      'ca-certificate': '/no/such/file'
    };
    const text = formatProblems(problemsOf(everythingWrong));
    expect(text).not.toContain(SECRET);
    // the URL's credentials are not echoed either
    expect(text).not.toContain('user:');
    const asQuery = formatProblems(problemsOf({ ...GATE, 'octane-url': `https://octane.example.com/?k=${SECRET}` }));
    expect(asQuery).not.toContain(SECRET);
  });

  it('is kept as given apart from the trim', () => {
    expect(gate({ 'client-secret': ' a b ' }).connection.clientSecret).toBe('a b');
  });
});

describe('all problems together', () => {
  it('reports every problem at once, in input order, each naming its input', () => {
    const problems = problemsOf({
      mode: 'gate',
      'octane-url': 'octane.example.com',
      'client-id': ' ',
      'client-secret': '',
      'shared-space-id': '-1',
      'workspace-id': '12a',
      'release-name': '',
      threshold: '1.5',
      'threshold-operator': '=',
      'list-limit': '0',
      'fail-on-gate': 'yes'
    });
    expect(problems.map((p) => p.input)).toEqual([
      'octane-url',
      'client-id',
      'client-secret',
      'shared-space-id',
      'workspace-id',
      'release-name',
      'threshold',
      'threshold-operator',
      'list-limit',
      'fail-on-gate'
    ]);
    expect(formatProblems(problems).split('\n')[0]).toBe('The inputs have 10 problems:');
  });

  it('still checks the common inputs when the mode is invalid', () => {
    expect(lines({ ...GATE, mode: 'Gate', 'workspace-id': '' })).toEqual([
      '- mode: must be create-defect, gate or resolve-defect, in lower case; got "Gate"',
      '- workspace-id: is required'
    ]);
  });

  it('says "1 problem" for one', () => {
    expect(formatProblems([{ input: 'mode', message: 'is required' }])).toBe('The inputs have 1 problem:\n- mode: is required');
  });

  it('reports a missing required input as required, also when only whitespace', () => {
    for (const name of ['octane-url', 'client-id', 'client-secret', 'shared-space-id', 'workspace-id', 'release-name']) {
      for (const value of ['', '   ', '\n\t']) {
        const line = onlyLine({ ...GATE, [name]: value });
        expect(line.startsWith(`- ${name}: is required`)).toBe(true);
      }
    }
    expect(onlyLine({ ...GATE, mode: ' ' })).toBe('- mode: is required (create-defect, gate or resolve-defect)');
    expect(onlyLine({ ...CREATE, 'defect-name': ' ' })).toBe('- defect-name: is required');
  });

  it('does not require defect-name in the gate', () => {
    expect(gate({ 'defect-name': '' }).mode).toBe('gate');
  });
});

describe('mode', () => {
  it.each(['create_defect', 'gate2', 'create defect'])('refuses %j and says the valid ones', (mode) => {
    expect(onlyLine({ ...GATE, mode })).toBe(`- mode: must be create-defect, gate or resolve-defect; got ${JSON.stringify(mode)}`);
  });

  it.each(['GATE', 'Gate', 'Create-Defect'])('refuses %j and says that only the case is wrong', (mode) => {
    expect(onlyLine({ ...GATE, mode })).toBe(
      `- mode: must be create-defect, gate or resolve-defect, in lower case; got ${JSON.stringify(mode)}`
    );
  });
});

describe('octane-url', () => {
  it.each([
    ['https://octane.example.com/ui/', 'https://octane.example.com', '/ui'],
    ['https://example.com:8443/octane/UI', 'https://example.com:8443/octane', '/UI']
  ])("warns when %j ends in the web pages' /ui path, and says what to give", (url, base, ui) => {
    const result = read({ ...GATE, 'octane-url': url });
    expect(result.ok && result.warnings).toEqual([
      `octane-url ends in ${ui}, the path of Octane's web pages, not of its API; give the server's address without it (like ${base}).`
    ]);
  });

  it('warns that a plain http:// address (not loopback) sends the secret unencrypted, naming the host', () => {
    const result = read({ ...GATE, 'octane-url': 'http://octane.example.com:8080/octane' });
    expect(result.ok && result.warnings).toEqual([
      'octane-url is a plain http:// address: the client secret and the session cookie go to octane.example.com:8080 unencrypted, readable by anyone on the way; use the https:// address of the site.'
    ]);
    for (const url of ['https://octane.example.com', 'http://127.0.0.1:8080', 'http://localhost:9000/octane', 'http://[::1]:8080']) {
      const local = read({ ...GATE, 'octane-url': url });
      expect(local.ok && local.warnings).toEqual([]);
    }
  });

  it('does not warn about a path prefix that merely contains ui', () => {
    for (const url of ['https://octane.example.com/octane-ui', 'https://ui.example.com', 'https://example.com/ui/octane']) {
      const result = read({ ...GATE, 'octane-url': url });
      expect(result.ok && result.warnings).toEqual([]);
    }
  });

  it('keeps a path prefix and the port, drops trailing slashes', () => {
    expect(gate({ 'octane-url': 'http://127.0.0.1:8080/octane/' }).connection.url).toBe('http://127.0.0.1:8080/octane');
    expect(gate({ 'octane-url': 'https://Octane.Example.com//' }).connection.url).toBe('https://octane.example.com');
    expect(gate({ 'octane-url': 'https://octane.example.com:8443/a/b' }).connection.url).toBe('https://octane.example.com:8443/a/b');
  });

  it.each([
    ['octane.example.com', 'must start with http:// or https://; got "octane.example.com"'],
    ['localhost:8080', 'must start with http:// or https://; got "localhost:8080"'],
    ['ftp://octane.example.com', 'must start with http:// or https://; got "ftp://octane.example.com"'],
    ['http://', 'is not a valid URL; got "http://"'],
    ['https://exa mple.com', 'is not a valid URL; got "https://exa mple.com"'],
    [
      'https://octane.example.com/octane?x=1',
      'must not have a query string or fragment (the part from "?" or "#"); got "https://octane.example.com/octane" followed by one'
    ],
    [
      'https://octane.example.com/#/home',
      'must not have a query string or fragment (the part from "?" or "#"); got "https://octane.example.com/" followed by one'
    ]
  ])('refuses %j', (url, message) => {
    expect(onlyLine({ ...GATE, 'octane-url': url })).toBe(`- octane-url: ${message}`);
  });

  it.each(['https://bob:pw@octane.example.com', 'https://bob@octane.example.com', 'bob:pw@octane.example.com', 'https://bob:p w@x'])(
    'refuses credentials in %j without echoing them',
    (url) => {
      expect(onlyLine({ ...GATE, 'octane-url': url })).toBe(
        '- octane-url: must not contain a user name or password; put credentials in client-id/client-secret, not in the URL'
      );
    }
  );
});

describe('ids', () => {
  it.each(['-1', '1.5', '0x10', '1 2', '1e3', 'abc', '١٢٣', '1234567890123456789', '+5'])('refuses %j', (id) => {
    expect(onlyLine({ ...GATE, 'shared-space-id': id })).toBe(
      `- shared-space-id: must be a number of 1 to 18 digits (like 1001); got ${showValue(id)}`
    );
    expect(onlyLine({ ...GATE, 'workspace-id': id })).toBe(
      `- workspace-id: must be a number of 1 to 18 digits (like 1001); got ${showValue(id)}`
    );
  });

  it('accepts 18 digits', () => {
    expect(gate({ 'workspace-id': '123456789012345678' }).connection.workspaceId).toBe('123456789012345678');
  });
});

describe('names', () => {
  it('refuses more than 255 characters and says the length', () => {
    expect(onlyLine({ ...GATE, 'release-name': 'x'.repeat(10_000) })).toBe('- release-name: must be at most 255 characters; got 10000');
    expect(onlyLine({ ...CREATE, 'defect-name': 'é'.repeat(256) })).toBe('- defect-name: must be at most 255 characters; got 256');
  });

  it.each([
    ['a\u0000b', 'U+0000 at character 2 of "a\\u0000b"'],
    ['tab\there', 'U+0009 at character 4 of "tab\\there"'],
    ['line\nbreak', 'U+000A at character 5 of "line\\nbreak"'],
    ['del\u007f', 'U+007F at character 4 of "del\\u007F"'],
    ['c1\u0085', 'U+0085 at character 3 of "c1\\u0085"'],
    ['😀\u001b[31m', 'U+001B at character 2 of "😀\\u001B[31m"']
  ])('refuses control characters in %j', (name, detail) => {
    expect(onlyLine({ ...GATE, 'release-name': name })).toBe(`- release-name: must not contain control characters; got ${detail}`);
  });

  it('lets the description have line breaks and tabs but not other controls, up to 100,000 characters', () => {
    expect(create({ 'defect-description': 'a\n\tb' }).defectDescription).toBe('a\n\tb');
    expect(onlyLine({ ...CREATE, 'defect-description': 'a\u0007' })).toBe(
      '- defect-description: must not contain control characters; got U+0007 at character 2 of "a\\u0007"'
    );
    expect(create({ 'defect-description': 'd'.repeat(100_000) }).defectDescription).toHaveLength(100_000);
    expect(onlyLine({ ...CREATE, 'defect-description': 'd'.repeat(100_001) })).toBe(
      '- defect-description: must be at most 100000 characters; got 100001'
    );
  });

  it('checks the severity input like a name and keeps it', () => {
    expect(onlyLine({ ...CREATE, severity: 'x'.repeat(300) })).toBe('- severity: must be at most 255 characters; got 300');
    expect(create({ severity: ' list_node.severity.high ' }).severity).toBe('list_node.severity.high');
  });

  it('shows long values cut to 60 characters', () => {
    expect(showValue('y'.repeat(100))).toBe(`"${'y'.repeat(60)}…"`);
    expect(showValue('"\\')).toBe('"\\"\\\\"');
    expect(showValue('\u202eevil')).toBe('"\\u202Eevil"');
  });
});

describe('phases and severities', () => {
  it('splits on commas and newlines, trims, and keeps the order', () => {
    expect(gate({ phases: 'New,Opened\nFixed ,  phase.defect.deferred' }).phases).toEqual([
      'New',
      'Opened',
      'Fixed',
      'phase.defect.deferred'
    ]);
    expect(gate({ severities: 'High,\nUrgent\n' }).severities).toEqual(['High', 'Urgent']);
    expect(gate({ severities: 'High\r\nUrgent,' }).severities).toEqual(['High', 'Urgent']);
  });

  it('uses the default for a value made only of whitespace', () => {
    expect(gate({ phases: ' \n\t ' }).phases).toEqual(['New', 'Opened', 'Deferred']);
    expect(gate({ severities: '\n\n' }).severities).toEqual([]);
  });

  it('refuses a value made only of separators: it would widen the gate to the default', () => {
    expect(onlyLine({ ...GATE, phases: ' ,\n, ' })).toBe(
      '- phases: names no entry, only separators; leave it empty for the default; got ",\\n,"'
    );
    expect(onlyLine({ ...GATE, severities: '\n,' })).toBe(
      '- severities: names no entry, only separators; leave it empty for the default; got ","'
    );
  });

  it('refuses an empty entry, naming its position', () => {
    expect(onlyLine({ ...GATE, phases: 'New,,Opened' })).toBe('- phases: entry 2 is empty; got "New,,Opened"');
    expect(onlyLine({ ...GATE, severities: ',High' })).toBe('- severities: entry 1 is empty; got ",High"');
    expect(onlyLine({ ...GATE, phases: 'New\n\nOpened' })).toBe('- phases: entry 2 is empty; got "New\\n\\nOpened"');
  });

  it('refuses a duplicate in any case, naming it', () => {
    expect(onlyLine({ ...GATE, phases: 'New, Opened, new' })).toBe('- phases: "new" is listed twice (entries are matched in any case)');
    expect(onlyLine({ ...GATE, severities: 'HIGH\nhigh' })).toBe('- severities: "high" is listed twice (entries are matched in any case)');
  });

  it('takes names that differ only in case where they match exactly (scopes, tags), and refuses the same name twice', () => {
    const ok = read({
      ...GATE,
      teams: 'Platform, platform',
      tags: 'Flaky, flaky',
      sprints: 'S1, s1',
      milestones: 'M, m',
      'application-modules': 'Core, core'
    });
    expect(ok.ok && ok.settings.mode === 'gate' && ok.settings.scopes?.teams).toEqual(['Platform', 'platform']);
    expect(read({ ...CREATE, tags: 'Flaky, flaky', 'application-modules': 'Core, core' }).ok).toBe(true);
    expect(onlyLine({ ...GATE, teams: 'Platform, Platform' })).toBe('- teams: "Platform" is listed twice');
    // One name in two Unicode spellings (é precomposed, and e with a combining accent) is one name.
    expect(onlyLine({ ...GATE, tags: 'Caf\u00e9, Cafe\u0301' })).toBe('- tags: "Cafe\u0301" is listed twice');
    expect(onlyLine({ ...GATE, 'defect-types': 'Bug, bug' })).toBe(
      '- defect-types: "bug" is listed twice (entries are matched in any case)'
    );
  });

  it('checks each entry like a name', () => {
    expect(onlyLine({ ...GATE, severities: `High, ${'z'.repeat(256)}` })).toBe(
      '- severities: entry 2 must be at most 255 characters; got 256'
    );
    expect(onlyLine({ ...GATE, phases: 'New, Op\u0000ened' })).toBe(
      '- phases: entry 2 must not contain control characters; got U+0000 at character 3 of "Op\\u0000ened"'
    );
  });
});

describe('numbers', () => {
  it.each(['1.5', '-1', '1e3', '0x10', 'three', '3 4'])('refuses threshold %j, saying what a threshold is', (t) => {
    expect(onlyLine({ ...GATE, threshold: t })).toBe(`- threshold: must be a whole number of 0 or more, like 0 or 5; got ${showValue(t)}`);
  });

  it.each(['9999999999999999999', '9007199254740992'])('refuses threshold %j as too large', (t) => {
    expect(onlyLine({ ...GATE, threshold: t })).toBe(`- threshold: is too large (at most 9007199254740991); got ${showValue(t)}`);
  });

  it('accepts the largest safe threshold and leading zeros', () => {
    expect(gate({ threshold: '9007199254740991' }).threshold).toBe(Number.MAX_SAFE_INTEGER);
    expect(gate({ threshold: '007' }).threshold).toBe(7);
  });

  it.each([
    ['list-limit', '0', 'must be a whole number from 1 to 1000; got "0"'],
    ['list-limit', '1001', 'must be a whole number from 1 to 1000; got "1001"'],
    ['timeout-seconds', '0', 'must be a whole number from 1 to 600; got "0"'],
    ['timeout-seconds', '1.5', 'must be a whole number from 1 to 600; got "1.5"'],
    ['retries', '11', 'must be a whole number from 0 to 10; got "11"'],
    ['retries', '-1', 'must be a whole number from 0 to 10; got "-1"']
  ])('refuses %s %j', (name, v, message) => {
    expect(onlyLine({ ...GATE, [name]: v })).toBe(`- ${name}: ${message}`);
  });

  it('accepts the bounds', () => {
    expect(gate({ 'list-limit': '1000' }).listLimit).toBe(1000);
    expect(gate({ 'list-limit': '1' }).listLimit).toBe(1);
    expect(gate({ retries: '10' }).connection.retries).toBe(10);
    expect(gate({ 'timeout-seconds': '1' }).connection.timeoutMs).toBe(1000);
  });
});

describe('threshold-operator', () => {
  it.each([
    ['<', '<'],
    ['<=', '<='],
    ['==', '=='],
    ['!=', '!='],
    ['>=', '>='],
    ['>', '>'],
    ['LT', '<'],
    ['Le', '<='],
    ['eq', '=='],
    ['NE', '!='],
    ['ge', '>='],
    ['gT', '>']
  ])('reads %j', (text, op) => {
    expect(gate({ 'threshold-operator': text }).operator).toBe(op);
  });

  it.each(['=', '=<', '<>', '===', 'lte', 'less', '< ='])('refuses %j and says what is valid', (text) => {
    expect(onlyLine({ ...GATE, 'threshold-operator': text })).toBe(
      `- threshold-operator: must be one of < <= == != >= > (or lt le eq ne ge gt, any case); got ${showValue(text)}`
    );
  });

  it('warns about a gate that can never pass', () => {
    const result = read({ ...GATE, 'threshold-operator': '<', threshold: '0' });
    expect(result.ok && result.warnings).toEqual(['threshold-operator < with threshold 0 can never hold: this gate always fails.']);
  });
});

describe('booleans', () => {
  const names = ['dry-run', 'fail-on-gate'];
  it.each(['yes', 'no', '1', '0', 'on', 'tRUE', 'falsy'])('refuses %j', (v) => {
    for (const name of names) expect(onlyLine({ ...GATE, [name]: v })).toBe(`- ${name}: must be true or false; got ${showValue(v)}`);
    for (const name of ['dedupe', 'add-run-context']) {
      expect(onlyLine({ ...CREATE, [name]: v })).toBe(`- ${name}: must be true or false; got ${showValue(v)}`);
    }
  });

  it('reads the YAML core forms', () => {
    for (const v of ['true', 'True', 'TRUE']) expect(gate({ 'fail-on-gate': v }).failOnGate).toBe(true);
    for (const v of ['false', 'False', 'FALSE']) expect(gate({ 'fail-on-gate': v }).failOnGate).toBe(false);
  });
});

describe('extra-fields', () => {
  it.each([
    ['{"a": }', 'is not valid JSON: unexpected "}" at character 7'],
    ['{a: 1}', 'is not valid JSON: unexpected "a" at character 2'],
    ['{"a": 1', 'is not valid JSON: unexpected end of text at character 8'],
    ["{'a': 1}", 'is not valid JSON: unexpected "\'" at character 2'],
    ['{"a": 1,}', 'is not valid JSON: unexpected "}" at character 9'],
    ['{"a": 1} x', 'is not valid JSON: unexpected "x" at character 10']
  ])('refuses invalid JSON %j with the position', (json, message) => {
    expect(onlyLine({ ...CREATE, 'extra-fields': json })).toBe(`- extra-fields: ${message}`);
  });

  it.each([
    ['[]', 'an array'],
    ['null', 'null'],
    ['42', 'a number'],
    ['"x"', 'a string'],
    ['true', 'a boolean']
  ])('refuses %s: it must be an object', (json, kind) => {
    expect(onlyLine({ ...CREATE, 'extra-fields': json })).toBe(
      `- extra-fields: must be a JSON object like {"priority": {"type": "list_node", "id": "1005"}}; got ${kind}`
    );
  });

  it('refuses the fields the action sets, naming them', () => {
    expect(onlyLine({ ...CREATE, 'extra-fields': '{"parent": {}, "owner": 1, "name": "x"}' })).toBe(
      '- extra-fields: must not set "name", "parent": the action sets id, type, name, parent, release, description itself'
    );
    for (const key of ['id', 'type', 'release', 'description']) {
      expect(onlyLine({ ...CREATE, 'extra-fields': `{"${key}": 1}` })).toContain(`must not set "${key}"`);
    }
  });

  it('refuses severity only when the severity input is given', () => {
    expect(create({ 'extra-fields': '{"severity": {"type": "list_node", "id": "9"}}' }).extraFields).toHaveProperty('severity');
    expect(onlyLine({ ...CREATE, severity: 'High', 'extra-fields': '{"severity": {"type": "list_node", "id": "9"}}' })).toBe(
      '- extra-fields: must not set "severity" when the severity input is given; use one or the other'
    );
  });

  it('agrees with JSON.parse on what is valid', () => {
    const samples = [
      '{}',
      '{"a":[1,2,{"b":null}],"c":"\\u00e9\\n","d":-0.5e+3}',
      '{"a":"\\x"}',
      '{"a":01}',
      '{"a":"\u0001"}',
      ' {} ',
      '{"a":.5}'
    ];
    for (const s of samples) {
      let ok = true;
      try {
        JSON.parse(s);
      } catch {
        ok = false;
      }
      expect(findJsonError(s) === undefined).toBe(ok);
    }
  });

  it('names the input probably meant when severity and severities are swapped between the modes', () => {
    const inGate = read({ ...GATE, severity: 'High' });
    expect(inGate.ok && inGate.warnings).toEqual([
      'Input severity is only used in mode create-defect; it is ignored. The gate filters on the severities input (plural).'
    ]);
    const inCreate = read({ ...CREATE, severities: 'High' });
    expect(inCreate.ok && inCreate.warnings).toEqual([
      "Input severities is only used in mode gate; it is ignored. The new defect's severity is set with the severity input (singular)."
    ]);
  });

  it('is only read in create-defect; the gate warns that it is ignored', () => {
    const result = read({ ...GATE, 'extra-fields': 'not json', 'defect-name': 'x' });
    expect(result.ok).toBe(true);
    expect(result.ok && result.warnings).toEqual([
      'Input defect-name is only used in mode create-defect; it is ignored.',
      'Input extra-fields is only used in mode create-defect; it is ignored.'
    ]);
  });
});

describe('resolve-defect', () => {
  it('warns that tags and application-modules are ignored there: it sets no fields', () => {
    const result = read({ ...CREATE, mode: 'resolve-defect', tags: 'ci', 'application-modules': 'Checkout' });
    expect(result.ok).toBe(true);
    expect(result.ok && result.warnings).toEqual([
      'Input tags is only used in modes create-defect and gate; it is ignored.',
      'Input application-modules is only used in modes create-defect and gate; it is ignored.'
    ]);
  });
});

describe('ca-certificate', () => {
  const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

  it('takes PEM text as it is', () => {
    expect(gate({ 'ca-certificate': PEM }).connection.caCertificate).toBe(PEM.trim());
  });

  it('reads a path with readFile', () => {
    const asked: string[] = [];
    const result = read({ ...GATE, 'ca-certificate': ' /etc/ca.pem ' }, { readFile: (p) => (asked.push(p), PEM) });
    expect(asked).toEqual(['/etc/ca.pem']);
    expect(result.ok && result.settings.connection.caCertificate).toBe(PEM);
  });

  it('names the input and the path when the file is missing, unreadable or not PEM', () => {
    const fail = (code: string) => () => {
      throw Object.assign(new Error('x'), { code });
    };
    expect(lines({ ...GATE, 'ca-certificate': '/no/such.pem' })).toEqual([
      '- ca-certificate: cannot read the file "/no/such.pem": no such file; give PEM text or the path of a PEM file'
    ]);
    const withReader = (readFile: (p: string) => string) =>
      formatProblems(
        (readSettings((n) => ({ ...GATE, 'ca-certificate': '/etc/ca.pem' })[n] ?? '', { readFile }) as { problems: InputProblem[] })
          .problems
      );
    expect(withReader(fail('EACCES'))).toContain('- ca-certificate: cannot read the file "/etc/ca.pem": permission denied;');
    expect(withReader(fail('EISDIR'))).toContain('- ca-certificate: cannot read the file "/etc/ca.pem": it is a directory;');
    expect(withReader(() => 'hello')).toContain(
      '- ca-certificate: the file "/etc/ca.pem" does not contain a PEM certificate ("-----BEGIN CERTIFICATE-----" ... "-----END CERTIFICATE-----")'
    );
  });

  it('never echoes a private key pasted instead of the certificate, and says what is wanted', () => {
    const key = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n';
    const asked: string[] = [];
    const result = read({ ...GATE, 'ca-certificate': key }, { readFile: (p) => (asked.push(p), '') });
    const text = formatProblems((result as { problems: InputProblem[] }).problems);
    expect(text.split('\n').slice(1)).toEqual([
      '- ca-certificate: holds a PEM block "PRIVATE KEY", not a certificate; give the CA\'s certificate ("-----BEGIN CERTIFICATE-----" ... "-----END CERTIFICATE-----")'
    ]);
    expect(text).not.toContain('MIIE');
    expect(asked).toEqual([]);
  });

  it('does not take text with line breaks for a path, nor echo it', () => {
    const body = 'MIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBa\nMQswCQYDVQQGEwJJRTESMBAGA1UEChMJQmFsdGltb3Jl';
    const asked: string[] = [];
    const result = read({ ...GATE, 'ca-certificate': body }, { readFile: (p) => (asked.push(p), '') });
    const text = formatProblems((result as { problems: InputProblem[] }).problems);
    expect(text.split('\n').slice(1)).toEqual([
      '- ca-certificate: is neither PEM text (it has no "-----BEGIN CERTIFICATE-----" line) nor a file path (it has line breaks); give PEM text or the path of a PEM file'
    ]);
    expect(text).not.toContain('MIID');
    expect(asked).toEqual([]);
  });

  it('refuses PEM text cut short', () => {
    expect(onlyLine({ ...GATE, 'ca-certificate': '-----BEGIN CERTIFICATE-----\nMIIB' })).toBe(
      '- ca-certificate: looks like PEM text but has no "-----END CERTIFICATE-----" line'
    );
  });
});

describe('a secret pasted into the wrong input', () => {
  it('is hidden even where the value would be cut or escaped', () => {
    const secret = 'a"b\\c-0123456789';
    const long = `${'x'.repeat(55)}${secret}`;
    const text = formatProblems(
      problemsOf({ ...GATE, 'client-secret': secret, 'release-name': `${secret}\u0001`, 'shared-space-id': long, mode: secret })
    );
    expect(text).toContain('- mode: must be create-defect, gate or resolve-defect; got "***"');
    const escaped = (v: string) => showValue(v).slice(1, -1);
    for (const part of [secret, escaped(secret), escaped(secret.slice(0, 5))]) expect(text).not.toContain(part);
  });
});

describe('fields by name (create-defect)', () => {
  it('reads single names and comma/newline lists, all empty by default', () => {
    expect(create().fieldNames).toEqual({ applicationModules: [], tags: [] });
    const s = create({
      team: ' Platform ',
      owner: 'Ana Lima',
      milestone: '2026.4 code freeze',
      sprint: 'Sprint 1',
      'application-modules': 'Checkout,\nExport\n',
      tags: 'regression, flaky',
      priority: 'High',
      feature: '1042'
    });
    expect(s.fieldNames).toEqual({
      team: 'Platform',
      owner: 'Ana Lima',
      milestone: '2026.4 code freeze',
      sprint: 'Sprint 1',
      applicationModules: ['Checkout', 'Export'],
      tags: ['regression', 'flaky'],
      priority: 'High',
      feature: '1042'
    });
  });

  it.each([
    ['team', 'team', 'Platform'],
    ['owner', 'owner', 'ana.lima@example.com'],
    ['milestone', 'milestone', 'Freeze'],
    ['sprint', 'sprint', 'Sprint 1'],
    ['application-modules', 'product_areas', 'Checkout'],
    ['application-modules', 'application_modules', 'Checkout'],
    ['tags', 'user_tags', 'flaky'],
    ['priority', 'priority', 'High']
  ])('%s and "%s" in extra-fields is an input error naming both', (input, field, value) => {
    expect(onlyLine({ ...CREATE, [input]: value, 'extra-fields': `{"${field}": {"type": "x", "id": "1"}}` })).toBe(
      `- extra-fields: must not set "${field}" when the ${input} input is given; use one or the other`
    );
    // Without the input, extra-fields may set the field.
    expect(create({ 'extra-fields': `{"${field}": {"type": "x", "id": "1"}}` }).extraFields).toHaveProperty(field);
  });

  it('a list with an empty entry, a name with a control character, are input errors', () => {
    expect(onlyLine({ ...CREATE, tags: 'a,,b' })).toContain('- tags: entry 2 is empty');
    expect(onlyLine({ ...CREATE, team: 'a\u0007b' })).toContain('- team: must not contain control characters');
  });

  it('given in gate mode they are ignored with a warning, but tags and application-modules are gate scopes there', () => {
    const r = read({ ...GATE, team: 'Platform', tags: 'x' });
    expect(r.ok).toBe(true);
    expect(r.warnings).toEqual([expect.stringContaining('Input team is only used in mode create-defect')]);
    expect(r.ok && r.settings.mode === 'gate' && r.settings.scopes?.tags).toEqual(['x']);
  });
});

describe('conditions and scopes (issue 10)', () => {
  it('threshold and threshold-operator default in the code: without conditions they make `total <= 0`', () => {
    const s = gate();
    expect([s.threshold, s.operator, s.conditions]).toEqual([0, '<=', undefined]);
  });

  it('reads conditions line by line, and refuses them together with threshold or threshold-operator', () => {
    const s = gate({ conditions: 'Urgent, Very High == 0\n# a comment\n\nHigh <= 3\ntotal <= 25 warn' });
    expect(s.conditions!.map((c) => [c.text, c.level])).toEqual([
      ['Urgent, Very High == 0', 'fail'],
      ['High <= 3', 'fail'],
      ['total <= 25', 'warn']
    ]);
    expect(lines({ ...GATE, conditions: 'total <= 1', threshold: '0' })).toEqual([
      expect.stringMatching(/^- conditions: cannot be given together with threshold: /)
    ]);
    expect(lines({ ...GATE, conditions: 'total <= 1', 'threshold-operator': '<', threshold: '2' })[0]).toContain(
      'threshold and threshold-operator'
    );
  });

  it('names the line of a condition that does not parse', () => {
    expect(lines({ ...GATE, conditions: 'total <= 1\nHigh =< 3' })).toEqual([expect.stringMatching(/^- conditions: line 2: /)]);
  });

  it('reads the scope lists and created-after, an age counted from the start of the run', () => {
    const now = new Date('2026-12-01T10:00:00Z');
    const result = read({ ...GATE, teams: 'Platform, Mobile', tags: 'regression', 'created-after': '7d' }, { now: () => now });
    expect(result.ok).toBe(true);
    const s = (result as { settings: GateSettings }).settings;
    expect(s.scopes).toMatchObject({ teams: ['Platform', 'Mobile'], tags: ['regression'], milestones: [], sprints: [] });
    expect(s.scopes!.createdAfter!.at.toISOString()).toBe('2026-11-24T10:00:00.000Z');
  });

  it('refuses a created-after that is not a date, date-time or age, naming the input', () => {
    expect(lines({ ...GATE, 'created-after': 'last week' })).toEqual([
      expect.stringMatching(/^- created-after: must be a date .*got "last week"$/)
    ]);
    // Instants a query cannot carry are the input's problem, not a failed query later.
    expect(lines({ ...GATE, 'created-after': '999999d' })).toEqual([
      '- created-after: is before 1970-01-01; give a later date or a shorter age; got "999999d"'
    ]);
    expect(lines({ ...GATE, 'created-after': '0001-01-01' })).toEqual([
      '- created-after: is before 1970-01-01; give a later date or a shorter age; got "0001-01-01"'
    ]);
    expect(read({ ...GATE, 'created-after': '9999-12-31T23:59:59+02:00' }).ok).toBe(true);
    expect(lines({ ...GATE, 'created-after': '9999-12-31T23:00-02:00' })).toEqual([
      '- created-after: is after 9999-12-31; give an earlier date; got "9999-12-31T23:00-02:00"'
    ]);
    expect(lines({ ...GATE, teams: 'A,,B' })[0]).toMatch(/^- teams: entry 2 is empty/);
  });

  it('warns that the gate inputs are ignored in create-defect', () => {
    const result = read({ ...CREATE, teams: 'Platform', conditions: 'total == 0' });
    expect(result.warnings.join('\n')).toMatch(/conditions is only used in mode gate[\s\S]*teams is only used in mode gate/);
  });
});
