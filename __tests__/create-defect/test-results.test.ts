// The JUnit reader: what a developer reads in the defect's "Failed tests" section comes from here.
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { execFile, execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  MAX_LISTED_CASES,
  MAX_REPORT_BYTES,
  MESSAGE_CHARS,
  MESSAGE_LINES,
  failedTestsHtml,
  readJUnitFile,
  readJUnitText,
  readTestReports
} from '../../src/create-defect/test-results.js';
import { listedFile } from '../helpers/listed-file.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/junit/${name}`, import.meta.url));
const found = (path: string, shown = path) => listedFile(path, shown, shown);

describe('JUnit reports as the common runners write them', () => {
  it('jest-junit: a <testsuites> root, classname repeating the name, a failure without a message attribute', async () => {
    const r = await readJUnitFile(fixture('jest-junit.xml'));
    expect({ tests: r.tests, failures: r.failures, errors: r.errors, skipped: r.skipped }).toEqual({
      tests: 4,
      failures: 1,
      errors: 0,
      skipped: 1
    });
    expect(r.cases).toHaveLength(1);
    expect(r.cases[0]).toMatchObject({ suite: 'cart totals', name: 'cart totals rounds to cents', kind: 'failure' });
    // The first lines of the element's text, blank lines dropped.
    expect(r.cases[0]!.message.split('\n')).toEqual([
      'Error: expect(received).toBe(expected) // Object.is equality',
      'Expected: 10.01',
      'Received: 10.009999',
      '    at Object.<anonymous> (src/cart.test.ts:14:23)',
      '    at Promise.then.completed (node_modules/jest-circus/build/utils.js:298:28)'
    ]);
  });

  it('pytest: the class in classname, a failure and a setup error with message attributes', async () => {
    const r = await readJUnitFile(fixture('pytest.xml'));
    expect({ tests: r.tests, failures: r.failures, errors: r.errors, skipped: r.skipped }).toEqual({
      tests: 5,
      failures: 1,
      errors: 1,
      skipped: 1
    });
    expect(r.cases).toEqual([
      { suite: 'tests.test_parse', name: 'test_quoted_comma', kind: 'failure', message: "AssertionError: assert ['a', 'b'] == ['a,b']" },
      { suite: 'tests.test_db', name: 'test_connect', kind: 'error', message: 'failed on setup with "ConnectionRefusedError: [Errno 111]"' }
    ]);
  });

  it('Maven Surefire: a bare <testsuite> root; a flaky failure that passed on rerun is no failure', async () => {
    const r = await readJUnitFile(fixture('surefire.xml'));
    expect({ tests: r.tests, failures: r.failures, errors: r.errors, skipped: r.skipped }).toEqual({
      tests: 4,
      failures: 1,
      errors: 1,
      skipped: 0
    });
    expect(r.cases.map((c) => [c.name, c.kind, c.message])).toEqual([
      ['totalIncludesVat', 'failure', 'expected: <119.00> but was: <100.00>'],
      ['rejectsNegativeAmount', 'error', 'Cannot invoke "Money.amount()" because "line" is null']
    ]);
    expect(r.cases[0]!.suite).toBe('com.example.billing.InvoiceTest');
  });

  it('go-junit-report: CDATA messages, subtests, the package as the suite', async () => {
    const r = await readJUnitFile(fixture('go-junit-report.xml'));
    expect({ tests: r.tests, failures: r.failures, errors: r.errors, skipped: r.skipped }).toEqual({
      tests: 3,
      failures: 1,
      errors: 0,
      skipped: 1
    });
    expect(r.cases).toEqual([{ suite: 'example.com/shop/cache', name: 'TestConcurrentGet', kind: 'failure', message: 'Failed' }]);
  });
});

describe('counting', () => {
  it('counts from the cases when the suite attributes are missing or wrong', () => {
    const r = readJUnitText(
      '<testsuites tests="99" failures="0"><testsuite name="s" tests="1" failures="7" errors="3">' +
        '<testcase name="a"><failure message="boom"/></testcase><testcase name="b"/><testcase name="c"><error/></testcase>' +
        '</testsuite><testsuite><testcase name="d"><skipped/></testcase></testsuite></testsuites>'
    );
    expect({ tests: r.tests, failures: r.failures, errors: r.errors, skipped: r.skipped }).toEqual({
      tests: 4,
      failures: 1,
      errors: 1,
      skipped: 1
    });
  });

  it('uses the innermost suite name for nested suites, and the outer one again after an inner suite ends', () => {
    const r = readJUnitText(
      '<testsuites><testsuite name="outer"><testsuite name="inner"><testcase name="x"><failure message="m1"/></testcase></testsuite>' +
        '<testcase name="y"><failure message="m2"/></testcase></testsuite></testsuites>'
    );
    expect(r.cases.map((c) => `${c.suite}/${c.name}`)).toEqual(['inner/x', 'outer/y']);
  });

  it('lists at most the first 50 failed cases but counts every one', () => {
    const cases = Array.from({ length: 120 }, (_, i) => `<testcase name="t${i}"><failure message="f${i}"/></testcase>`).join('');
    const r = readJUnitText(`<testsuite name="big">${cases}</testsuite>`);
    expect(r.failures).toBe(120);
    expect(r.cases).toHaveLength(MAX_LISTED_CASES);
    expect(r.cases.at(-1)!.name).toBe(`t${MAX_LISTED_CASES - 1}`);
    expect(failedTestsHtml(r)).toContain(`and ${120 - MAX_LISTED_CASES} more failed or errored tests`);
  });

  it('keeps the first lines of a long message, cut to the limit', () => {
    const body = Array.from({ length: 40 }, (_, i) => `line ${i} ${'x'.repeat(200)}`).join('\n');
    const r = readJUnitText(`<testsuite><testcase name="t"><failure><![CDATA[${body}]]></failure></testcase></testsuite>`);
    const message = r.cases[0]!.message;
    expect(message.split('\n').length).toBeLessThanOrEqual(MESSAGE_LINES);
    expect(Array.from(message).length).toBeLessThanOrEqual(MESSAGE_CHARS);
    expect(message.startsWith('line 0 ')).toBe(true);
  });
});

describe('reports that cannot be read', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'junit-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['truncated', '<testsuites><testsuite name="s"><testcase name="a">'],
    ['not XML', 'PASS src/a.test.ts\nTests: 3 passed'],
    ['empty', ''],
    ['another root element', '<html><body>report</body></html>'],
    ['mismatched tags', '<testsuite><testcase name="a"></testsuite>'],
    ['an undeclared entity', '<testsuite><testcase name="&boom;"/></testsuite>']
  ])('a report that is %s is a warning naming the file, and counts for nothing', async (label, text) => {
    const bad = join(dir, `${label.replace(/\s/g, '-')}.xml`);
    const good = fixture('pytest.xml');
    writeFileSync(bad, text);
    const read = await readTestReports([found(bad, `reports/${label}.xml`), found(good, 'pytest.xml')]);
    expect(read.warnings).toHaveLength(1);
    expect(read.warnings[0]).toContain(`"reports/${label}.xml" is not a JUnit XML report that can be read`);
    // The good report still counts; the bad one adds nothing.
    expect(read.results).toMatchObject({ reports: 1, tests: 5, failures: 1, errors: 1 });
  });

  it('a report swapped for a link or a pipe after it was listed is a warning, and nothing of it is read', async () => {
    const link = join(dir, 'linked.xml');
    const pipe = join(dir, 'piped.xml');
    writeFileSync(link, '<testsuite/>');
    writeFileSync(pipe, '<testsuite/>');
    const listed = [found(link, 'linked.xml'), found(pipe, 'piped.xml'), found(fixture('pytest.xml'), 'pytest.xml')];
    rmSync(link);
    symlinkSync(fixture('surefire.xml'), link);
    rmSync(pipe);
    execFileSync('mkfifo', [pipe]);
    const read = await readTestReports(listed);
    expect(read.warnings).toEqual([
      expect.stringContaining(
        '"linked.xml" is not a JUnit XML report that can be read (it was replaced by a symbolic link since it was listed)'
      ),
      expect.stringContaining('"piped.xml" is not a JUnit XML report that can be read (it is no longer a regular file)')
    ]);
    expect(read.results).toMatchObject({ reports: 1, tests: 5 });
  });

  it('a report over the size limit is left out with a warning naming it, without being read', async () => {
    const huge = join(dir, 'huge.xml');
    writeFileSync(huge, '<testsuite>');
    // Sparse: its size is over the limit, its disk use nothing.
    truncateSync(huge, MAX_REPORT_BYTES + 1);
    const read = await readTestReports([found(huge, 'huge.xml'), found(fixture('pytest.xml'), 'pytest.xml')]);
    expect(read.warnings).toEqual([
      expect.stringContaining('test-results: "huge.xml" is larger than the 256.0 MiB a report may have; it was left out')
    ]);
    expect(read.results).toMatchObject({ reports: 1, tests: 5 });
  });

  it('gives no results at all when no report could be read', async () => {
    const bad = join(dir, 'only.xml');
    writeFileSync(bad, '<testsuite>');
    const read = await readTestReports([found(bad, 'only.xml')]);
    expect(read.results).toBeUndefined();
    expect(read.warnings).toHaveLength(1);
  });

  it('does not expand entities declared in a DTD (no entity expansion bomb)', () => {
    const bomb =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>' +
      '<testsuite><testcase name="&lol2;"><failure message="&lol2;"/></testcase></testsuite>';
    let name: string;
    try {
      name = readJUnitText(bomb).cases[0]?.name ?? '';
    } catch {
      name = '(refused)';
    }
    expect(name).not.toContain('lollol');
  });
});

describe('the description section', () => {
  it('escapes names and messages (description.ts builds HTML)', () => {
    const r = readJUnitText(
      '<testsuite name="&lt;script&gt;"><testcase name="a &amp; b"><failure message="&lt;img src=x onerror=alert(1)&gt;"/></testcase></testsuite>'
    );
    const html = failedTestsHtml(r);
    expect(html).toContain('&lt;script&gt; › <b>a &amp; b</b>');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<script');
    expect(html).toContain('Tests: 1, failures: 1, errors: 0, skipped: 0');
  });
});

describe('a 100 MB report', () => {
  let dir: string;
  let big: string;
  let small: string;
  const cases = 400_000;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'junit-big-'));
    big = join(dir, 'big.xml');
    small = join(dir, 'small.xml');
    writeFileSync(small, '<testsuite name="s"><testcase name="a"><failure message="m"/></testcase></testsuite>');
    const out = createWriteStream(big);
    const write = (text: string): Promise<void> =>
      new Promise((resolve) => (out.write(text) ? resolve() : out.once('drain', () => resolve())));
    await write('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n<testsuite name="generated" tests="1">\n');
    // One failure whose stack trace alone is 8 MB: it must be cut while read, not kept whole.
    await write(`<testcase classname="gen.Huge" name="huge"><failure><![CDATA[${'at frame\n'.repeat(900_000)}]]></failure></testcase>\n`);
    const padding = 'p'.repeat(180);
    for (let i = 0; i < cases; i++) {
      const failed = i % 10 === 0;
      await write(
        failed
          ? `<testcase classname="gen.Case${i % 97}" name="t${i}" time="0.001"><failure message="failure ${i}" type="Assertion">${padding}</failure></testcase>\n`
          : `<testcase classname="gen.Case${i % 97}" name="t${i}" time="0.001"><system-out>${padding}</system-out></testcase>\n`
      );
    }
    await write('</testsuite>\n</testsuites>\n');
    await new Promise<void>((resolve) => out.end(() => resolve()));
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const child = fileURLToPath(new URL('../helpers/read-junit-child.ts', import.meta.url));
  const readInChild = async (file: string) => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', child, file], { maxBuffer: 1 << 20 });
    return JSON.parse(stdout) as { tests: number; failures: number; listed: number; longest: number; maxRssKb: number };
  };

  it('is streamed from disk: counted in full, with memory far below its size', async () => {
    const { statSync } = await import('node:fs');
    const size = statSync(big).size;
    expect(size).toBeGreaterThan(100 * 1024 * 1024);
    const baseline = await readInChild(small);
    const r = await readInChild(big);
    expect(r).toMatchObject({ tests: cases + 1, failures: cases / 10 + 1, listed: MAX_LISTED_CASES });
    expect(r.longest).toBeLessThanOrEqual(MESSAGE_CHARS);
    const grownMb = (r.maxRssKb - baseline.maxRssKb) / 1024;
    process.stdout.write(
      `100 MB report (${(size / 1048576).toFixed(1)} MiB): peak RSS ${(r.maxRssKb / 1024).toFixed(1)} MiB, ${grownMb.toFixed(1)} MiB above a tiny report's ${(baseline.maxRssKb / 1024).toFixed(1)} MiB\n`
    );
    // Holding the report as one string would take at least its size again.
    expect(grownMb).toBeLessThan(50);
  }, 180_000);
});
