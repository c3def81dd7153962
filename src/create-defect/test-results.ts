/**
 * JUnit XML reports, read as a stream with sax so that a report of any size costs only what is
 * kept: the totals and the first MAX_LISTED_CASES failed or errored cases, each message cut short
 * while it is read. The writers differ (jest-junit, pytest, Maven Surefire, Gradle,
 * go-junit-report): the root is <testsuites> or a bare <testsuite>, suites may nest, and their
 * tests/failures/errors/skipped attributes may be missing or wrong, so every count comes from the
 * <testcase> elements and their <failure>, <error> and <skipped> children.
 */
import sax from 'sax';
import { escapeHtml } from '../markup/html.js';
import { isControl } from '../inputs/shown.js';
import { identityOf, openListed, type FoundFile } from './workspace-files.js';

/** Failed or errored cases listed in the description; the totals count all of them. */
export const MAX_LISTED_CASES = 50;
/** Lines and characters of a failure message kept for the description. */
export const MESSAGE_LINES = 5;
export const MESSAGE_CHARS = 500;
/** Characters of a message read before the rest is skipped (a stack trace may be megabytes). */
const MESSAGE_READ_CHARS = 4 * MESSAGE_CHARS;
const NAME_CHARS = 255;

const MIB = 1024 * 1024;
/**
 * Bytes of one report, and of all reports of a run, that are read. A report is streamed, so its
 * size costs time, not memory; the limits bound that time, far above a real report's size.
 */
export const MAX_REPORT_BYTES = 256 * MIB;
export const MAX_REPORTS_TOTAL_BYTES = 1024 * MIB;
/**
 * What sax keeps while it reads: one entry per open element with its attributes. Real reports
 * nest a few levels (suites in suites); without these limits, 90 MB of nested `<a>` held 30
 * million open elements and drove the runner out of memory.
 */
export const MAX_DEPTH = 64;
export const MAX_ATTRIBUTES = 100;
/** Characters of attribute names and values held by all open elements together. */
const MAX_OPEN_ATTRIBUTE_CHARS = 4 * MIB;

export interface Totals {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

export interface FailedCase {
  suite: string;
  name: string;
  kind: 'failure' | 'error';
  /** The first lines of the message; '' when the report gives none. */
  message: string;
}

export interface TestResults extends Totals {
  /** At most MAX_LISTED_CASES, in report order. */
  cases: FailedCase[];
  /** Reports that were read. */
  reports: number;
}

export interface ReadReports {
  /** Undefined when no report could be read. */
  results?: TestResults;
  warnings: string[];
}

/** Reads every report; a malformed one is a warning naming it and counts for nothing. */
export async function readTestReports(files: FoundFile[]): Promise<ReadReports> {
  const warnings: string[] = [];
  const all: TestResults = { tests: 0, failures: 0, errors: 0, skipped: 0, cases: [], reports: 0 };
  let bytes = 0;
  for (const file of files) {
    const shown = JSON.stringify(file.shown);
    if (file.size > MAX_REPORT_BYTES) {
      warnings.push(`test-results: ${shown} is larger than the ${mib(MAX_REPORT_BYTES)} a report may have; it was left out`);
      continue;
    }
    if (bytes + file.size > MAX_REPORTS_TOTAL_BYTES) {
      warnings.push(
        `test-results: ${shown} (${mib(file.size)}) would bring the reports over ${mib(MAX_REPORTS_TOTAL_BYTES)} in all; it was left out`
      );
      continue;
    }
    bytes += file.size;
    try {
      const one = await readJUnitFile(file, MAX_LISTED_CASES - all.cases.length);
      all.tests += one.tests;
      all.failures += one.failures;
      all.errors += one.errors;
      all.skipped += one.skipped;
      all.cases.push(...one.cases);
      all.reports++;
    } catch (e) {
      warnings.push(`test-results: ${shown} is not a JUnit XML report that can be read (${(e as Error).message}); it was left out`);
    }
  }
  return { ...(all.reports > 0 ? { results: all } : {}), warnings };
}

export class ReportError extends Error {}

const mib = (bytes: number): string => `${(bytes / MIB).toFixed(1)} MiB`;

/**
 * One report, streamed from disk: a listed file (opened only if it is still the file listed), or
 * a path. Throws ReportError when it cannot be read.
 */
export async function readJUnitFile(file: string | FoundFile, listUpTo = MAX_LISTED_CASES): Promise<TestResults> {
  let handle;
  try {
    handle = await openListed(typeof file === 'string' ? await identityOf(file) : file);
  } catch (e) {
    throw new ReportError(firstLine((e as Error).message));
  }
  const opened = handle;
  return new Promise((resolve, reject) => {
    const reader = new JUnitReader(listUpTo);
    // At most one byte past the limit is read: enough to tell that the report grew over it.
    const stream = opened.createReadStream({ encoding: 'utf8', end: MAX_REPORT_BYTES });
    const fail = (error: Error): void => {
      stream.destroy();
      reject(error instanceof ReportError ? error : new ReportError(firstLine(error.message)));
    };
    stream.on('data', (chunk) => {
      try {
        if (stream.bytesRead > MAX_REPORT_BYTES) throw new ReportError(`it grew over ${mib(MAX_REPORT_BYTES)} since it was listed`);
        reader.write(chunk as string);
      } catch (e) {
        fail(e as Error);
      }
    });
    stream.on('error', (e) => fail(e));
    stream.on('end', () => {
      try {
        resolve(reader.end());
      } catch (e) {
        fail(e as Error);
      }
    });
  });
}

/** Reads a report from text (tests, and anything already in memory). */
export function readJUnitText(xml: string, listUpTo = MAX_LISTED_CASES): TestResults {
  const reader = new JUnitReader(listUpTo);
  reader.write(xml);
  return reader.end();
}

interface OpenCase {
  suite: string;
  name: string;
  status?: 'failure' | 'error' | 'skipped';
  /** Collecting the message of the first failure or error child. */
  message?: string;
  /** Text of the failure element, when it has no message attribute. */
  text?: string;
  collecting: boolean;
}

class JUnitReader {
  private readonly parser: sax.SAXParser;
  private readonly totals: Totals = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  private readonly cases: FailedCase[] = [];
  private readonly suites: string[] = [];
  private depth = 0;
  /** Attributes of the tag being read, and attribute characters of each open element. */
  private attributes = 0;
  private attributeChars = 0;
  private readonly openChars: number[] = [];
  private heldChars = 0;
  private sawRoot = false;
  private current: OpenCase | undefined;
  private caseDepth = 0;

  constructor(private readonly listUpTo: number) {
    // Strict: a report that is not well-formed XML is refused rather than half read. sax expands
    // only the XML entities and character references, never a DTD's, so no entity can grow.
    this.parser = sax.parser(true, { trim: false, normalize: false, position: true });
    this.parser.onerror = (error) => {
      throw new ReportError(firstLine(error.message));
    };
    this.parser.onopentagstart = () => {
      if (this.depth >= MAX_DEPTH) throw new ReportError(`its elements nest more than ${MAX_DEPTH} deep`);
      this.attributes = 0;
      this.attributeChars = 0;
    };
    this.parser.onattribute = (a) => {
      if (++this.attributes > MAX_ATTRIBUTES) throw new ReportError(`an element has more than ${MAX_ATTRIBUTES} attributes`);
      this.attributeChars += a.name.length + a.value.length;
      if (this.heldChars + this.attributeChars > MAX_OPEN_ATTRIBUTE_CHARS)
        throw new ReportError('its open elements hold too many attribute characters');
    };
    this.parser.onopentag = (tag) => {
      this.openChars.push(this.attributeChars);
      this.heldChars += this.attributeChars;
      this.open(tag as sax.Tag);
    };
    this.parser.onclosetag = (name) => {
      this.heldChars -= this.openChars.pop() ?? 0;
      this.close(name);
    };
    this.parser.ontext = (text) => this.text(text);
    this.parser.oncdata = (text) => this.text(text);
  }

  write(chunk: string): void {
    this.parser.write(chunk);
  }

  end(): TestResults {
    this.parser.close();
    if (!this.sawRoot) throw new ReportError('no <testsuites> or <testsuite> element at its root');
    return { ...this.totals, cases: this.cases, reports: 1 };
  }

  private open(tag: sax.Tag): void {
    this.depth++;
    const attr = (name: string): string => (typeof tag.attributes[name] === 'string' ? (tag.attributes[name] as string) : '');
    if (this.depth === 1) {
      if (tag.name !== 'testsuites' && tag.name !== 'testsuite') {
        throw new ReportError(`its root element is <${cut(tag.name, 40)}>, not <testsuites> or <testsuite>`);
      }
      this.sawRoot = true;
    }
    if (tag.name === 'testsuite') {
      this.suites.push(cut(attr('name'), NAME_CHARS));
      return;
    }
    if (tag.name === 'testcase' && !this.current) {
      const name = attr('name');
      const className = attr('classname');
      // pytest and Surefire name the class in classname; jest-junit repeats the name there.
      const suite = className !== '' && className !== name ? className : (this.suites.at(-1) ?? '');
      this.current = { suite: cut(suite, NAME_CHARS), name: cut(name, NAME_CHARS), collecting: false };
      this.caseDepth = this.depth;
      return;
    }
    const c = this.current;
    // Only the case's own children count: <rerunFailure> and <flakyFailure> (Surefire) are passes.
    if (!c || this.depth !== this.caseDepth + 1) return;
    if (tag.name === 'failure' || tag.name === 'error') {
      if (c.status === 'failure' || c.status === 'error') return;
      c.status = tag.name;
      const message = attr('message');
      c.message = message !== '' ? message.slice(0, MESSAGE_READ_CHARS) : undefined;
      c.text = '';
      c.collecting = message === '';
    } else if (tag.name === 'skipped' && c.status === undefined) {
      c.status = 'skipped';
    }
  }

  private text(text: string): void {
    const c = this.current;
    if (!c?.collecting || c.text === undefined || c.text.length >= MESSAGE_READ_CHARS) return;
    c.text += text.slice(0, MESSAGE_READ_CHARS - c.text.length);
  }

  private close(name: string): void {
    const c = this.current;
    if (c && this.depth === this.caseDepth + 1) c.collecting = false;
    if (c && this.depth === this.caseDepth) {
      this.totals.tests++;
      if (c.status === 'failure') this.totals.failures++;
      else if (c.status === 'error') this.totals.errors++;
      else if (c.status === 'skipped') this.totals.skipped++;
      if ((c.status === 'failure' || c.status === 'error') && this.cases.length < this.listUpTo) {
        this.cases.push({ suite: c.suite, name: c.name, kind: c.status, message: firstLines(c.message ?? c.text ?? '') });
      }
      this.current = undefined;
    } else if (!c && name === 'testsuite') {
      this.suites.pop();
    }
    this.depth--;
  }
}

/** The first MESSAGE_LINES non-blank lines, at most MESSAGE_CHARS characters, controls removed. */
export function firstLines(text: string): string {
  const lines = Array.from(text)
    .filter((c) => c === '\n' || c === '\r' || c === '\t' || !isControl(c))
    .join('')
    .split(/\r\n|\r|\n/)
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '')
    .slice(0, MESSAGE_LINES);
  return cut(lines.join('\n'), MESSAGE_CHARS);
}

function cut(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : text;
}

function firstLine(message: string): string {
  return cut(
    message
      .split('\n')
      .filter((l) => l.trim() !== '')
      .join('; '),
    200
  );
}

/** The description's "Failed tests" section (HTML, every text escaped). */
export function failedTestsHtml(r: TestResults): string {
  const failed = r.failures + r.errors;
  const head =
    `<hr><p><b>Failed tests</b><br>` +
    `Tests: ${r.tests}, failures: ${r.failures}, errors: ${r.errors}, skipped: ${r.skipped}` +
    ` (${r.reports} report${r.reports === 1 ? '' : 's'})</p>`;
  if (r.cases.length === 0) return head;
  const items = r.cases.map((c) => {
    const label = `${c.suite ? `${escapeHtml(c.suite)} › ` : ''}<b>${escapeHtml(c.name || '(unnamed)')}</b>${c.kind === 'error' ? ' (error)' : ''}`;
    const message = c.message ? `<br>${c.message.split('\n').map(escapeHtml).join('<br>')}` : '';
    return `<li>${label}${message}</li>`;
  });
  const more = failed > r.cases.length ? `<p>… and ${failed - r.cases.length} more failed or errored tests.</p>` : '';
  return `${head}\n<ul>${items.join('')}</ul>${more}`;
}
