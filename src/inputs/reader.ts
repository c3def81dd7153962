// The generic input rules (required, defaults, ids, names, booleans, whole numbers, lists),
// applied one input at a time. Every problem is collected, each naming its input, so a user
// fixes a workflow in one round instead of one failed run per mistake.
import { INPUT_DEFAULTS, MAX_NAME_LENGTH, type InputName } from './catalogue.js';
import type { InputProblem } from './problems.js';
import { codePointName, isControl, showValue } from './shown.js';

/** Raw input value, '' when unset: name => core.getInput(name, { trimWhitespace: false }). */
export type InputReader = (name: string) => string;

/** What a parser of one input needs: where its problems go, and how to show a value in them. */
export interface ProblemReport {
  report(message: string): void;
  /** A likely mistake that does not stop the run; the message names the input itself. */
  warn(message: string): void;
  show(value: string): string;
}

const ID_INPUT = /^[0-9]{1,18}$/;
const WHOLE_NUMBER = /^[0-9]+$/;

export class Inputs {
  readonly problems: InputProblem[] = [];
  readonly warnings: string[] = [];
  /** The secret, raw and trimmed, longest first so the raw form is replaced whole. */
  private readonly hidden: string[];

  /**
   * `secret` is the raw client-secret: pasted into the wrong input, it must not come back in a
   * message, so it is hidden before a value is cut or escaped, and again in the finished message.
   */
  constructor(
    private readonly getInput: InputReader,
    secret: string
  ) {
    this.hidden = [secret, secret.trim()].filter((v) => v !== '').sort((a, b) => b.length - a.length);
  }

  /** A value as it may appear in a message, with the secret hidden. */
  show(value: string): string {
    return showValue(this.redact(value));
  }

  problem(input: InputName, message: string): void {
    this.problems.push({ input, message: this.redact(message) });
  }

  warn(message: string): void {
    this.warnings.push(message);
  }

  /** Reporting for one input, for the parsers of single inputs. */
  reportFor(input: InputName): ProblemReport {
    return {
      report: (message) => this.problem(input, message),
      warn: (message) => this.warn(message),
      show: (value) => this.show(value)
    };
  }

  /** Trimmed value; '' when unset or only whitespace. */
  value(name: InputName): string {
    return (this.getInput(name) ?? '').trim();
  }

  given(name: InputName): boolean {
    return this.value(name) !== '';
  }

  orDefault(name: InputName): string {
    return this.value(name) || (INPUT_DEFAULTS[name] ?? '');
  }

  required(name: InputName, hint = ''): string | undefined {
    const v = this.value(name);
    if (v === '') {
      this.problem(name, `is required${hint}`);
      return undefined;
    }
    return v;
  }

  /** An Octane id such as a shared space or workspace: required, digits only. */
  id(name: InputName): string | undefined {
    const v = this.required(name);
    if (v === undefined) return undefined;
    if (!ID_INPUT.test(v)) {
      this.problem(name, `must be a number of 1 to 18 digits (like 1001); got ${this.show(v)}`);
      return undefined;
    }
    return v;
  }

  /** A name (release, defect, severity): one line, at most MAX_NAME_LENGTH; undefined when empty. */
  name(name: InputName, isRequired: boolean): string | undefined {
    const v = isRequired ? this.required(name) : this.value(name);
    if (v === undefined || v === '') return undefined;
    return this.checked(name, v, MAX_NAME_LENGTH);
  }

  /** Free text, possibly empty, where line breaks and tabs are the only control characters allowed. */
  text(name: InputName, maxLength: number): string | undefined {
    return this.checked(name, this.value(name), maxLength, (c) => c === '\n' || c === '\r' || c === '\t');
  }

  boolean(name: InputName): boolean | undefined {
    const v = this.orDefault(name);
    if (v === 'true' || v === 'True' || v === 'TRUE') return true;
    if (v === 'false' || v === 'False' || v === 'FALSE') return false;
    this.problem(name, `must be true or false; got ${this.show(v)}`);
    return undefined;
  }

  /**
   * A whole number from min to max; without max, any size a number holds exactly. The message
   * then says "or more" rather than quoting 9007199254740991, which reads like a mistake.
   */
  wholeNumber(name: InputName, min: number, max?: number): number | undefined {
    const v = this.orDefault(name);
    const n = WHOLE_NUMBER.test(v) ? Number(v) : NaN;
    if (Number.isSafeInteger(n) && n >= min && n <= (max ?? Number.MAX_SAFE_INTEGER)) return n;
    if (max !== undefined) {
      this.problem(name, `must be a whole number from ${min} to ${max}; got ${this.show(v)}`);
    } else if (WHOLE_NUMBER.test(v) && n >= min) {
      this.problem(name, `is too large (at most ${Number.MAX_SAFE_INTEGER}); got ${this.show(v)}`);
    } else {
      this.problem(name, `must be a whole number of ${min} or more, like 0 or 5; got ${this.show(v)}`);
    }
    return undefined;
  }

  /** A list of names, entries separated by commas or newlines; see parseList. */
  /**
   * `matched` says how the entries are matched to Octane's names, so that two entries that would match the same
   * name are refused as one listed twice: `any-case` (phases, severities, defect types) or `exact` (names that
   * match case-sensitively, compared in Unicode NFC so that two spellings of one name still count as one).
   */
  list(name: InputName, matched: 'any-case' | 'exact' = 'any-case'): string[] | undefined {
    return this.parseList(name, this.orDefault(name), matched);
  }

  /**
   * Entries trimmed. Only whitespace means the default; commas with no name between them are a
   * mistake (a stray comma may have swallowed a name, and `", ,"` must not widen a gate to every
   * severity), so they are reported rather than skipped, as is an entry listed twice.
   */
  private parseList(name: InputName, text: string, matched: 'any-case' | 'exact'): string[] | undefined {
    if (text.trim() === '') {
      const fallback = INPUT_DEFAULTS[name] ?? '';
      return fallback === '' ? [] : this.parseList(name, fallback, matched);
    }
    if (text.replace(/[\s,]/g, '') === '') {
      this.problem(name, `names no entry, only separators; leave it empty for the default; got ${this.show(text)}`);
      return undefined;
    }
    // A separator at the very end (a YAML block's last newline, a trailing comma) is fine, and
    // a comma at the end of a line is one separator with that line break.
    const entries = text
      .replace(/[\s,]*$/, '')
      .split(/[ \t]*(?:,[ \t]*(?:\r\n|\r|\n)?|\r\n|\r|\n)/)
      .map((e) => e.trim());
    const seen = new Set<string>();
    let ok = true;
    entries.forEach((entry, i) => {
      if (entry === '') {
        this.problem(name, `entry ${i + 1} is empty; got ${this.show(text)}`);
        ok = false;
        return;
      }
      const p = this.lengthOrControlProblem(entry, MAX_NAME_LENGTH);
      if (p) {
        this.problem(name, `entry ${i + 1} ${p}`);
        ok = false;
        return;
      }
      const key = matched === 'exact' ? entry.normalize('NFC') : entry.toLowerCase();
      if (seen.has(key)) {
        this.problem(name, `${this.show(entry)} is listed twice${matched === 'exact' ? '' : ' (entries are matched in any case)'}`);
        ok = false;
        return;
      }
      seen.add(key);
    });
    return ok ? entries : undefined;
  }

  /** The value when it passes lengthOrControlProblem, else undefined with the problem recorded. */
  private checked(name: InputName, v: string, maxLength: number, allowed?: (c: string) => boolean): string | undefined {
    const p = this.lengthOrControlProblem(v, maxLength, allowed);
    if (p) {
      this.problem(name, p);
      return undefined;
    }
    return v;
  }

  /** Problem text for a name, list entry or text; undefined when it is fine. */
  private lengthOrControlProblem(value: string, maxLength: number, allowed: (c: string) => boolean = () => false): string | undefined {
    const chars = Array.from(value);
    if (chars.length > maxLength) return `must be at most ${maxLength} characters; got ${chars.length}`;
    const index = chars.findIndex((c) => isControl(c) && !allowed(c));
    if (index >= 0) {
      return `must not contain control characters; got ${codePointName(chars[index]!)} at character ${index + 1} of ${this.show(value)}`;
    }
    return undefined;
  }

  private redact(text: string): string {
    return this.hidden.reduce((t, secret) => t.split(secret).join('***'), text);
  }
}
