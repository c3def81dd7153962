// The attachments and test-results inputs: paths or glob patterns, one per line. Lines, not
// commas, separate them, since a file name may hold a comma; blank lines are skipped.
import type { ProblemReport } from './reader.js';
import { codePointName, isControl } from './shown.js';

/** The most patterns one input takes; a workflow that needs more can use a wider pattern. */
export const MAX_PATTERNS = 50;
const MAX_PATTERN_LENGTH = 1000;

export function readFilePatterns(text: string, { report, show }: ProblemReport): string[] | undefined {
  const lines = text
    .split(/\r\n|\r|\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  if (lines.length > MAX_PATTERNS) {
    report(`takes at most ${MAX_PATTERNS} patterns, one per line; got ${lines.length}`);
    return undefined;
  }
  let ok = true;
  lines.forEach((line, i) => {
    const chars = Array.from(line);
    const control = chars.find((c) => isControl(c) && c !== '\t');
    if (chars.length > MAX_PATTERN_LENGTH) {
      report(`line ${i + 1} must be at most ${MAX_PATTERN_LENGTH} characters; got ${chars.length}`);
      ok = false;
    } else if (control !== undefined) {
      report(`line ${i + 1} must not contain control characters; got ${codePointName(control)} in ${show(line)}`);
      ok = false;
    } else if (line.startsWith('!') && line.slice(1).trim() === '') {
      report(`line ${i + 1} is a "!" with no pattern to exclude`);
      ok = false;
    }
  });
  return ok ? lines : undefined;
}
