/**
 * The cookies an Octane session needs (LWSSO_COOKIE_KEY, OCTANE_USER, and whatever a load
 * balancer adds for stickiness), kept by RFC 6265's rules (tough-cookie): Path, Domain, Expires,
 * Max-Age and Secure decide what is stored and what is sent where. So a sign-in answer that also
 * deletes a twin of the session cookie on another path leaves the session cookie in place.
 */
import { Cookie, CookieJar as RfcJar, domainMatch } from 'tough-cookie';

/** Why a stored cookie would not be sent to a URL. */
export type Unsent = { reason: 'secure' } | { reason: 'path'; path: string } | { reason: 'domain'; domain: string };

export class CookieJar {
  private jar = CookieJar.empty();
  /** Cookies the RFC made the jar drop (Secure over plain http, another Domain), by name: for messages. */
  private dropped = new Map<string, Unsent>();

  private static empty(): RfcJar {
    // Loopback over http is not a secure context here: a real site over http must behave the
    // same as the simulator on 127.0.0.1, so a Secure cookie is never sent over plain http.
    return new RfcJar(undefined, { allowSecureOnLocal: false, rejectPublicSuffixes: true });
  }

  /**
   * Takes the Set-Cookie header values of one answer from `url`; returns every [name, value]
   * pair that came (stored or not), so that the caller can mask each value.
   */
  store(setCookieHeaders: readonly string[], url: URL): Array<[string, string]> {
    const seen: Array<[string, string]> = [];
    for (const header of setCookieHeaders) {
      const parsed = Cookie.parse(header);
      if (parsed?.key && parsed.value) seen.push([parsed.key, parsed.value]);
      if (parsed?.secure && url.protocol !== 'https:') this.dropped.set(parsed.key, { reason: 'secure' });
      else if (parsed?.domain && !domainMatch(url.hostname, parsed.domain))
        this.dropped.set(parsed.key, { reason: 'domain', domain: parsed.domain });
      // A cookie for another domain (or otherwise refused by the RFC) is dropped, not an error.
      this.jar.setCookieSync(header, url.href, { ignoreError: true });
    }
    return seen;
  }

  /** The value of cookie `name` that a request to `url` would carry. */
  get(name: string, url: URL): string | undefined {
    return this.jar.getCookiesSync(url.href).find((c) => c.key === name)?.value;
  }

  /** Why cookie `name`, stored for this host, is not sent to `url`; undefined when it is sent or absent. */
  unsent(name: string, url: URL): Unsent | undefined {
    if (this.get(name, url) !== undefined) return undefined;
    const dropped = this.dropped.get(name);
    if (dropped) return dropped;
    // Cookies ignore ports and schemes except for Secure: ask as if over https, on every path.
    const anyway = new URL(url.href);
    anyway.protocol = 'https:';
    const stored = this.jar.getCookiesSync(anyway.href, { allPaths: true }).find((c) => c.key === name);
    if (!stored) return undefined;
    if (stored.secure && url.protocol !== 'https:') return { reason: 'secure' };
    return { reason: 'path', path: stored.path ?? '/' };
  }

  /** The Cookie request header for `url`, or undefined when no cookie applies. */
  header(url: URL): string | undefined {
    const value = this.jar.getCookieStringSync(url.href);
    return value === '' ? undefined : value;
  }

  clear(): void {
    this.jar = CookieJar.empty();
    this.dropped.clear();
  }
}
