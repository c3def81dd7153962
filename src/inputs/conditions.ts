// The gate's `conditions` input: one condition a line, `WHICH OPERATOR NUMBER [warn]`, where WHICH
// is `total` or a comma-separated list of severities. Parsed here, before any call to Octane; the
// severity names are resolved later, like the `severities` input.
import { parseOperator, type Operator } from '../gate/operators.js';
import { MAX_NAME_LENGTH } from './catalogue.js';
import { isControl } from './shown.js';

export type ConditionLevel = 'fail' | 'warn';

export interface ConditionSpec {
  /** The condition as written, spaces folded, without `warn`: how outputs and messages name it. */
  text: string;
  /** `total`, or severity names or logical names as written. */
  which: 'total' | string[];
  operator: Operator;
  threshold: number;
  level: ConditionLevel;
}

/** The most conditions one gate takes: each is a line a person reads in the summary. */
export const MAX_CONDITIONS = 50;

const SYMBOL = /^(.*?)\s*(<=|>=|==|!=|<|>)\s*(\S+)$/;
const WORD = /^(.*?)\s+(lt|le|eq|ne|ge|gt)\s+(\S+)$/i;
const WHOLE_NUMBER = /^[0-9]+$/;

/**
 * Every condition, or the problems, each naming its line. Blank lines and lines starting with `#`
 * are skipped. A line that does not parse is never guessed at: a misread condition could pass a gate.
 */
export function parseConditions(text: string): { conditions: ConditionSpec[]; problems: string[] } {
  const conditions: ConditionSpec[] = [];
  const problems: string[] = [];
  text.split(/\r\n|\r|\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const parsed = parseLine(line);
    if (typeof parsed === 'string') problems.push(`line ${i + 1}: ${parsed}`);
    else conditions.push(parsed);
  });
  if (problems.length === 0 && conditions.length === 0) problems.push('holds no condition, only blank lines or comments');
  if (conditions.length > MAX_CONDITIONS) problems.push(`holds ${conditions.length} conditions; at most ${MAX_CONDITIONS}`);
  return { conditions, problems };
}

/** A condition, or what is wrong with the line. */
function parseLine(line: string): ConditionSpec | string {
  const index = Array.from(line).findIndex(isControl);
  if (index >= 0) return `has a control character at character ${index + 1}`;
  let rest = line;
  let level: ConditionLevel = 'fail';
  const warn = /\s+warn$/i.exec(rest);
  if (warn) {
    level = 'warn';
    rest = rest.slice(0, warn.index);
  }
  const m = SYMBOL.exec(rest) ?? WORD.exec(rest);
  if (!m) return 'needs WHICH OPERATOR NUMBER, like `High <= 3` or `total == 0 warn` (operators < <= == != >= > or lt le eq ne ge gt)';
  const [, whichText = '', opText = '', numberText = ''] = m;
  const operator = parseOperator(opText);
  if (operator === undefined) return `${JSON.stringify(opText)} is not an operator`;
  if (!WHOLE_NUMBER.test(numberText) || !Number.isSafeInteger(Number(numberText))) {
    return `${JSON.stringify(numberText)} is not a whole number of 0 or more${/warn/i.test(numberText) ? ' (write warn after the number, with a space)' : ''}`;
  }
  // `=>`, `=<`, `<==` and the like are refused, not read as a name ending in `=` and another operator.
  if (/[=<>!]$/.test(whichText.trim())) return `${JSON.stringify(`${whichText.trim().slice(-1)}${opText}`)} is not an operator`;
  const parsed = parseWhich(whichText);
  if ('problem' in parsed) return parsed.problem;
  const { which } = parsed;
  const threshold = Number(numberText);
  const whichShown = which === 'total' ? 'total' : which.join(', ');
  return { text: `${whichShown} ${operator} ${threshold}`, which, operator, threshold, level };
}

function parseWhich(text: string): { which: 'total' | string[] } | { problem: string } {
  const problem = (message: string) => ({ problem: message });
  const t = text.trim();
  if (t === '') return problem('names nothing before the operator: write `total` or severities, like `Urgent, Very High`');
  if (t.toLowerCase() === 'total') return { which: 'total' };
  const names = t.split(',').map((n) => n.trim().replace(/\s+/g, ' '));
  if (names.some((n) => n === '')) return problem(`has an empty severity name in ${JSON.stringify(t)}`);
  if (names.some((n) => n.toLowerCase() === 'total')) return problem('`total` stands alone: it already counts every severity');
  if (names.some((n) => Array.from(n).length > MAX_NAME_LENGTH))
    return problem(`a severity name is longer than ${MAX_NAME_LENGTH} characters`);
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n.toLowerCase())) return problem(`names ${JSON.stringify(n)} twice`);
    seen.add(n.toLowerCase());
  }
  return { which: names };
}
