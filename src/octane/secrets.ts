/**
 * The secrets one client knows (client secret, cookie values, proxy credentials), so that no
 * text from a server or a library reaches the log with one in it.
 */
/** Shortest value handed to the runner as a mask. */
export const MIN_MASK_CHARS = 8;

export class Secrets {
  private readonly known = new Set<string>();

  /** `onSecret` hears every new form of a secret, so that the caller can mask it too. */
  constructor(private readonly onSecret: (value: string) => void = () => {}) {}

  add(value: string | undefined): void {
    if (!value) return;
    // An error that echoes a JSON request body shows a secret with `"` or `\` in escaped form.
    for (const form of new Set([value, JSON.stringify(value).slice(1, -1)])) {
      if (this.known.has(form)) continue;
      this.known.add(form);
      // The runner masks every occurrence of a mask: a cookie value such as "e" would turn every e
      // of the log into ***. Short values are only redacted here (from 4 characters on).
      if (form.length >= MIN_MASK_CHARS) this.onSecret(form);
    }
  }

  /** Replaces every known secret with ***. */
  redact(text: string): string {
    let out = text;
    // Longest first, so a secret that contains another is removed whole.
    for (const s of [...this.known].sort((a, b) => b.length - a.length)) {
      if (s.length >= 4) out = out.split(s).join('***');
    }
    return out;
  }
}
