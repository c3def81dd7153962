/**
 * The few cookies an Octane session needs (LWSSO_COOKIE_KEY, OCTANE_USER, and whatever a load
 * balancer adds for stickiness). The client only ever talks to one host, so a jar keyed by name
 * is enough: the newest value wins, attributes are ignored.
 */
export class CookieJar {
  private readonly values = new Map<string, string>();

  /** Takes the Set-Cookie header values of one answer; returns the [name, value] pairs that were set. */
  store(setCookieHeaders: readonly string[]): Array<[string, string]> {
    const seen: Array<[string, string]> = [];
    for (const header of setCookieHeaders) {
      const pair = header.split(';', 1)[0] ?? '';
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      let value = pair.slice(eq + 1).trim();
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      if (!name) continue;
      // An empty value or an expiry in the past is how a server deletes a cookie.
      if (value === '' || /;\s*max-age\s*=\s*(0|-\d+)\s*(;|$)/i.test(header)) {
        this.values.delete(name);
        continue;
      }
      this.values.set(name, value);
      seen.push([name, value]);
    }
    return seen;
  }

  get(name: string): string | undefined {
    return this.values.get(name);
  }

  /** The Cookie request header, or undefined when the jar is empty. */
  header(): string | undefined {
    if (this.values.size === 0) return undefined;
    return [...this.values].map(([n, v]) => `${n}=${v}`).join('; ');
  }

  clear(): void {
    this.values.clear();
  }
}
