// The gate's comparison: `count OP threshold` must hold for the gate to pass.
export type Operator = '<' | '<=' | '==' | '!=' | '>=' | '>';

export const OPERATORS: readonly Operator[] = ['<', '<=', '==', '!=', '>=', '>'];

/** Letter forms, as shells and YAML make `<` and `>` awkward to write. */
const WORDS: Readonly<Record<string, Operator>> = {
  lt: '<',
  le: '<=',
  eq: '==',
  ne: '!=',
  ge: '>=',
  gt: '>'
};

/** What a user may write, for messages. */
export const VALID_OPERATORS_TEXT = '< <= == != >= > (or lt le eq ne ge gt, any case)';

/**
 * Parses an operator as written in the `threshold-operator` input (already trimmed).
 * Only the forms in the spec: `=`, `<>`, `=<` and the like are refused rather than guessed,
 * because a misread operator could make a gate pass that should fail.
 */
export function parseOperator(text: string): Operator | undefined {
  if ((OPERATORS as readonly string[]).includes(text)) return text as Operator;
  return Object.prototype.hasOwnProperty.call(WORDS, text.toLowerCase()) ? WORDS[text.toLowerCase()] : undefined;
}

export function compare(count: number, op: Operator, threshold: number): boolean {
  switch (op) {
    case '<':
      return count < threshold;
    case '<=':
      return count <= threshold;
    case '==':
      return count === threshold;
    case '!=':
      return count !== threshold;
    case '>=':
      return count >= threshold;
    case '>':
      return count > threshold;
  }
}

/** Words for messages, e.g. "at most 0" for `<= 0`. */
export function describeOperator(op: Operator): string {
  switch (op) {
    case '<':
      return 'fewer than';
    case '<=':
      return 'at most';
    case '==':
      return 'exactly';
    case '!=':
      return 'other than';
    case '>=':
      return 'at least';
    case '>':
      return 'more than';
  }
}
