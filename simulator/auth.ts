/** Sessions: sign-in with API keys, the two cookies, re-issued session cookies, expiry and sign-out. */
import { randomBytes } from 'node:crypto';
import { OctaneError } from './errors.js';
import type { SessionExpiryCode } from './types.js';

interface Session {
  user: string;
  expiredCode?: SessionExpiryCode;
  ended: boolean;
  answers: number;
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    // The first occurrence wins: a cookie jar sends the most specific path first.
    if (!cookies.has(name)) cookies.set(name, part.slice(eq + 1).trim());
  }
  return cookies;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export class Sessions {
  /** Every LWSSO value ever issued -> its session (re-issued values share the session). */
  private readonly tokens = new Map<string, Session>();

  constructor(
    private readonly credentials: Array<{ clientId: string; clientSecret: string }>,
    private readonly secure: boolean,
    private readonly reissueEvery: number
  ) {}

  private cookie(name: string, value: string): string {
    return `${name}=${value}; Path=/; HttpOnly${this.secure ? '; Secure' : ''}`;
  }

  private newToken(session: Session): string {
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, session);
    return token;
  }

  private live(token: string | undefined): Session | undefined {
    const session = token === undefined ? undefined : this.tokens.get(token);
    return session && !session.ended && !session.expiredCode ? session : undefined;
  }

  /** Signs in; returns the Set-Cookie lines and the new LWSSO value. Throws OctaneError 400/401. */
  signIn(body: unknown, cookies: Map<string, string>): { setCookie: string[]; token: string } {
    if (this.live(cookies.get('LWSSO_COOKIE_KEY'))) {
      // Real Octane can refuse a sign-in that carries the cookie of a live session.
      throw new OctaneError(
        401,
        'AUTHENTICATION_FAILED',
        'Sign-in refused: the request carries the LWSSO_COOKIE_KEY of a live session; sign in without old session cookies'
      );
    }
    const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const id = b.client_id ?? b.user;
    const secret = b.client_secret ?? b.password;
    if (typeof id !== 'string' || typeof secret !== 'string') {
      throw new OctaneError(
        400,
        'platform.authentication_bad_request',
        'Sign-in needs {"client_id","client_secret"} or {"user","password"}'
      );
    }
    if (!this.credentials.some((c) => c.clientId === id && c.clientSecret === secret)) {
      throw new OctaneError(401, 'AUTHENTICATION_FAILED', 'Authentication failed: invalid user name or password');
    }
    const session: Session = { user: id, ended: false, answers: 0 };
    const token = this.newToken(session);
    return { setCookie: [this.cookie('LWSSO_COOKIE_KEY', token), this.cookie('OCTANE_USER', encodeURIComponent(id))], token };
  }

  /** Ends the session the cookies name (if any); answers clear both cookies. */
  signOut(cookies: Map<string, string>): string[] {
    const session = this.tokens.get(cookies.get('LWSSO_COOKIE_KEY') ?? '');
    if (session) session.ended = true;
    const gone = '; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly' + (this.secure ? '; Secure' : '');
    return [`LWSSO_COOKIE_KEY=${gone}`, `OCTANE_USER=${gone}`];
  }

  /**
   * Checks the cookies of an API call. Returns a re-issued LWSSO value to set on the answer (or undefined).
   * Throws OctaneError 401 when there is no live session.
   */
  authorize(cookies: Map<string, string>): { reissued?: { setCookie: string; token: string } } {
    const token = cookies.get('LWSSO_COOKIE_KEY');
    const user = cookies.get('OCTANE_USER');
    if (!token || !user) {
      throw new OctaneError(
        401,
        'VALIDATION_TOKEN_MISSING',
        'Authentication required: the LWSSO_COOKIE_KEY and OCTANE_USER cookies of a session must be sent'
      );
    }
    const session = this.tokens.get(token);
    if (!session || session.ended) {
      throw new OctaneError(401, 'VALIDATION_TOKEN_INVALID', 'The session token is not valid; sign in again');
    }
    if (session.expiredCode) {
      throw new OctaneError(401, session.expiredCode, 'The session has expired; sign in again');
    }
    if (safeDecode(user) !== session.user) {
      throw new OctaneError(401, 'VALIDATION_TOKEN_INVALID', 'The OCTANE_USER cookie does not belong to this session');
    }
    session.answers++;
    if (this.reissueEvery > 0 && session.answers % this.reissueEvery === 0) {
      const fresh = this.newToken(session);
      return { reissued: { setCookie: this.cookie('LWSSO_COOKIE_KEY', fresh), token: fresh } };
    }
    return {};
  }

  /** Sessions signed in and neither signed out nor expired. */
  openCount(): number {
    return new Set([...this.tokens.values()].filter((s) => !s.ended && !s.expiredCode)).size;
  }

  expireAll(code: SessionExpiryCode): void {
    for (const session of this.tokens.values()) {
      if (!session.ended) session.expiredCode ??= code;
    }
  }
}
