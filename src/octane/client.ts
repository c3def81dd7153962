/**
 * The Octane REST client: sign-in with an API access key, a cookie session that is renewed
 * once when it expires, and error messages a reader of the job log can act on. Retries with
 * backoff for transient failures (and only safe ones for POST) run in attempts.ts; secrets are
 * kept out of messages by secrets.ts.
 */
import { setTimeout as wait } from 'node:timers/promises';
import type { ConnectionSettings } from './connection.js';
import type {
  AttachmentApi,
  Collection,
  CreateOptions,
  Entity,
  Group,
  GroupsParams,
  ListParams,
  OctaneApiWithUpdate,
  Page,
  Reference
} from './api.js';
import { multipartBody } from './multipart.js';
import { CookieJar, type Unsent } from './cookies.js';
import {
  ClientClosedError,
  OctaneError,
  UnreadableAnswerError,
  idParts,
  looksLikeHtml,
  octaneErrorFrom,
  statusLine,
  withMessage
} from './errors.js';
import { Slots, exchange, sendOnly, type ExchangeResponse } from './http.js';
import { Network, proxySecrets, type Env } from './network.js';
import { CallBudget, runBudgetMs } from './retry.js';
import { Attempts } from './attempts.js';
import { Secrets } from './secrets.js';
import { idShape, readId, withCheckedIds } from './ids.js';
import { WORK_ITEM_ID } from './query.js';

export interface OctaneClientOptions {
  connection: ConnectionSettings;
  /** Proxy variables and NODE_EXTRA_CA_CERTS; the caller passes process.env. Default {}. */
  env?: Env;
  /** One line per retry (reason and wait) and per session renewal. */
  log?: (line: string) => void;
  /** Method and path of each request and its status; never headers, cookies or bodies. */
  debug?: (line: string) => void;
  /** Called with every cookie value as it arrives, so that the caller can mask it. */
  onSecret?: (value: string) => void;
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source, 0 <= x < 1. */
  random?: () => number;
  /**
   * Time for all calls of this client together, retries and waits included (sign-out aside), so
   * that a server that keeps failing fails the run within it. Default 60 s, or twice the
   * per-request timeout if that is more.
   */
  maxTotalMs?: number;
}

export const USER_AGENT = 'octane-release-action/1.0';
const SIGN_OUT_TIMEOUT_MS = 5000;
/**
 * How long the sign-out's answer is waited for once the request was written: the session ends
 * when Octane reads the request, so the answer only adds a round trip to every run.
 */
const SIGN_OUT_ANSWER_MS = 250;
const EXPIRED_CODES = new Set(['VALIDATION_TOKEN_EXPIRED_IDLE_TIME_OUT', 'VALIDATION_TOKEN_EXPIRED_GLOBAL_TIME_OUT']);

interface CallSpec {
  method: 'GET' | 'POST' | 'PUT';
  url: URL;
  what: string;
  body?: string | Buffer;
  /** Content-Type of the body when it is not JSON (an upload). */
  contentType?: string;
  /** Sign-in sends no cookies and keeps the ones it gets in a fresh jar. */
  signIn?: boolean;
  /** Adds ALM-OCTANE-TECH-PREVIEW: true (see CreateOptions). */
  techPreview?: boolean;
}

export class OctaneClient implements OctaneApiWithUpdate, AttachmentApi {
  readonly stats = { requests: 0, bytesReceived: 0 };

  private readonly connection: ConnectionSettings;
  private readonly base: string;
  private readonly network: Network;
  private readonly secrets: Secrets;
  private readonly log: (line: string) => void;
  private readonly debug: ((line: string) => void) | undefined;
  private readonly attempts: Attempts;
  /** One site, one limit on the requests in flight to it. */
  private readonly slots = new Slots();

  private jar = new CookieJar();
  private signedIn = false;
  /** Counts sign-ins, so that a call that got 401 knows whether someone already signed in again. */
  private generation = 0;
  private signingIn: Promise<void> | undefined;
  /** Set by close(): the run is over, so no call signs in again or retries any more. */
  private closed = false;
  /** Ends the waits between retries when the run is closed. */
  private readonly stop = new AbortController();
  /** Aborts the exchanges on the wire when the run is cancelled (cancel). */
  private readonly cancelled = new AbortController();
  private signingOut: Promise<void> | undefined;
  /** Calls not yet settled, so that close() can let them finish before signing out. */
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(options: OctaneClientOptions) {
    this.connection = options.connection;
    this.base = options.connection.url.replace(/\/+$/, '');
    const env = options.env ?? {};
    this.log = options.log ?? (() => {});
    this.debug = options.debug;
    this.secrets = new Secrets(options.onSecret);
    this.attempts = new Attempts({
      budget: new CallBudget(options.maxTotalMs ?? runBudgetMs(options.connection.timeoutMs)),
      retries: options.connection.retries,
      timeoutMs: options.connection.timeoutMs,
      log: this.log,
      sleep: options.sleep ?? ((ms) => wait(ms, undefined, { signal: this.stop.signal }).catch(() => undefined)),
      random: options.random ?? Math.random,
      failure: (response, what) => this.failure(response, what),
      redact: (text) => this.secrets.redact(text),
      closed: () => this.closed
    });
    this.secrets.add(options.connection.clientSecret);
    for (const s of proxySecrets(env)) this.secrets.add(s);
    this.network = new Network({ caCertificate: options.connection.caCertificate, env, warn: this.log });
  }

  // ---- public API -------------------------------------------------------------------------

  workItemUrl(id: string): string {
    const { sharedSpaceId, workspaceId } = this.connection;
    return `${this.base}/ui/entity-navigation?p=${sharedSpaceId}/${workspaceId}&entityType=work_item&id=${encodeURIComponent(id)}`;
  }

  /** Signs in (again); concurrent callers share one sign-in. */
  signIn(): Promise<void> {
    if (this.closed) return Promise.reject(new ClientClosedError('The run has ended; not signing in to Octane again'));
    if (!this.signingIn) {
      this.signingIn = this.doSignIn().finally(() => {
        this.signingIn = undefined;
      });
    }
    return this.signingIn;
  }

  /**
   * A hint that the next requests go out `requests` at once (e.g. the look-ups after sign-in):
   * that many connections, at most the cap on requests in flight, are opened now, while sign-in
   * is on the wire, so that the wave finds them ready instead of paying TCP and TLS handshakes.
   * It opens no connection the wave would not open itself.
   */
  warm(requests: number): void {
    if (this.closed) return;
    this.network.warm(this.url('/'), Math.min(requests, this.slots.size));
  }

  /**
   * Ends the run: calls still in flight (the rest of a parallel batch after one of them failed)
   * stop retrying and never sign in again, and the session is signed out. Never throws.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.stop.abort();
    // The rest of a parallel batch may still be on the wire: let it land before the sign-out,
    // so that nothing reaches Octane after it.
    await Promise.allSettled([...this.inFlight]);
    await this.signOut();
  }

  /**
   * A cancelled run: like close(), but the calls on the wire are aborted (they fail with code
   * CANCELLED) instead of awaited, and the sign-out gets at most `signOutMs`.
   */
  async cancel(signOutMs: number): Promise<void> {
    this.closed = true;
    this.stop.abort();
    this.cancelled.abort();
    await this.signOut(signOutMs);
  }

  /**
   * Ends the session, best effort: never throws, no retries, short timeout. A second call while one
   * is on the wire (cancel and close both sign out) waits for it rather than cutting it off.
   */
  signOut(timeoutMs = SIGN_OUT_TIMEOUT_MS): Promise<void> {
    this.signingOut ??= this.doSignOut(timeoutMs).finally(() => {
      this.signingOut = undefined;
    });
    return this.signingOut;
  }

  private async doSignOut(timeoutMs: number): Promise<void> {
    try {
      if (this.signingIn) await this.signingIn.catch(() => {});
      const signOutUrl = this.url('/authentication/sign_out');
      const cookie = this.jar.header(signOutUrl);
      if (!this.signedIn || !cookie) return;
      this.signedIn = false;
      await sendOnly(
        {
          method: 'POST',
          url: signOutUrl,
          headers: () => ({ ...this.baseHeaders(false), Cookie: cookie }),
          timeoutMs: Math.min(timeoutMs, this.connection.timeoutMs),
          what: 'sign-out'
        },
        this.context(this.jar),
        SIGN_OUT_ANSWER_MS
      ).catch((error: unknown) => {
        this.debug?.(`sign-out failed: ${error instanceof Error ? this.secrets.redact(error.message) : 'error'}`);
      });
    } finally {
      this.jar.clear();
      this.signedIn = false;
      this.network.destroy();
    }
  }

  async list<T extends Entity = Entity>(collection: Collection, params: ListParams): Promise<Page<T>> {
    const url = this.collectionUrl(collection);
    url.search = listQuery(params);
    const what = `GET ${collection}`;
    const response = await this.send({ method: 'GET', url, what });
    const json = this.parseJson(response, what);
    const page = json as { total_count?: unknown; data?: unknown; exceeds_total_count?: unknown };
    // The one place a page's shape is checked: everything after this trusts the Page type.
    if (!page || typeof page !== 'object' || !Array.isArray(page.data) || typeof page.total_count !== 'number') {
      throw new UnreadableAnswerError(`Octane answered ${what} with JSON that is not a page of entities (no data array or total_count)`, {
        status: response.status
      });
    }
    const total = page.total_count;
    if (!Number.isSafeInteger(total) || total < 0) {
      throw new UnreadableAnswerError(`Octane answered ${what} with a total_count that is not a count (${total}); it was not used`, {
        status: response.status
      });
    }
    if (!page.data.every((item: unknown) => item !== null && typeof item === 'object' && !Array.isArray(item))) {
      throw new UnreadableAnswerError(
        `Octane answered ${what} with a data list that holds something other than entities; it was not used`,
        {
          status: response.status
        }
      );
    }
    const exceeds = typeof page.exceeds_total_count === 'boolean' ? { exceeds_total_count: page.exceeds_total_count } : {};
    const data = page.data.map((item: object) => this.checkedIds<T>(item, response, what));
    return { total_count: total, data, ...exceeds };
  }

  /**
   * The grouping resource. `use_numeric_id=true` as OpenText's C# SDK sends it (its comment: the resource
   * answers logical names as ids by default). The one place its shape is checked: every group a
   * count that is a safe non-negative integer and a value that is null or a reference with a checked id.
   */
  async groups(collection: Collection, params: GroupsParams): Promise<Group[]> {
    const url = this.collectionUrl(collection);
    url.pathname += '/groups';
    const parts = [`group_by=${encodeURIComponent(params.groupBy)}`, 'use_numeric_id=true'];
    if (params.query) parts.push(`query=${encodeURIComponent(`"${params.query}"`)}`);
    url.search = `?${parts.join('&')}`;
    const what = `GET ${collection}/groups`;
    const response = await this.send({ method: 'GET', url, what });
    const json = this.parseJson(response, what) as { groups?: unknown } | null;
    const unreadable = (why: string) =>
      new UnreadableAnswerError(`Octane answered ${what} with ${why}; it was not used`, { status: response.status });
    if (!json || typeof json !== 'object' || !Array.isArray(json.groups))
      throw unreadable('JSON that is not a grouping answer (no groups array)');
    // groupsTotalCount is the number of groups: another number means groups are missing from the answer.
    const total = (json as { groupsTotalCount?: unknown }).groupsTotalCount;
    if (typeof total === 'number' && total !== json.groups.length)
      throw unreadable(`${json.groups.length} groups where groupsTotalCount says ${total}`);
    return json.groups.map((g: unknown) => {
      if (!g || typeof g !== 'object') throw unreadable('a group that is not an object');
      const { count, value } = g as { count?: unknown; value?: unknown };
      if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0) throw unreadable('a group count that is not a count');
      if (value === null || value === undefined) return { count, value: null };
      if (typeof value !== 'object' || Array.isArray(value)) throw unreadable('a group value that is not a reference');
      const v = value as Record<string, unknown>;
      const id = readId(v.id);
      if (id === null || id === undefined) throw unreadable(`a group value with an unreadable id (${idShape(v.id)})`);
      const text = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);
      const ref: Reference = { type: text(v.type) ?? '', id };
      const name = text(v.name);
      const logical = text(v.logical_name);
      if (name !== undefined) ref.name = name;
      if (logical !== undefined) ref.logical_name = logical;
      return { count, value: ref };
    });
  }

  async create<T extends Entity = Entity>(
    collection: Collection,
    fields: Record<string, unknown>,
    options: CreateOptions = {}
  ): Promise<T> {
    const url = this.collectionUrl(collection);
    const what = `POST ${collection}`;
    const response = await this.send({
      method: 'POST',
      url,
      what,
      body: JSON.stringify({ data: [fields] }),
      techPreview: options.techPreview
    });
    // Ids are opaque strings; a server that answers a number means the same entity.
    return this.writtenEntity<T>(response, what, 'the created entity in data[0]', false);
  }

  async update<T extends Entity = Entity>(collection: Collection, id: string, fields: Record<string, unknown>): Promise<T> {
    if (readId(id) !== id || !WORK_ITEM_ID.test(id))
      // Like assertId in query.ts: a guard before anything is sent, not an answer of Octane's.
      throw new Error(`Refusing to update ${collection} with an unexpected id (${idShape(id)})`);
    const url = this.collectionUrl(collection);
    url.pathname += `/${encodeURIComponent(id)}`;
    const what = `PUT ${collection}/${id}`;
    // The entity itself as the body, as OpenText's JS SDK sends a single update (octane.js, update).
    const response = await this.send({ method: 'PUT', url, what, body: JSON.stringify(fields) });
    // A single update answers the entity; a server that answers a page of one means the same.
    return this.writtenEntity<T>(response, what, 'the entity', true);
  }

  async attach(ownerId: string, fileName: string, content: Buffer, contentType = 'application/octet-stream'): Promise<Entity> {
    if (!WORK_ITEM_ID.test(ownerId))
      throw new Error(`Refusing to attach a file to a work item with an unexpected id (${idShape(ownerId)})`);
    const url = this.collectionUrl('attachments');
    const what = 'POST attachments';
    // The parts as OpenText's Java and C# SDKs send them: the entity as JSON, then the file.
    const entity = JSON.stringify({ name: fileName, owner_work_item: { type: 'work_item', id: ownerId } });
    const form = multipartBody([
      { name: 'entity', fileName: 'blob', contentType: 'application/json', content: Buffer.from(entity, 'utf8') },
      { name: 'content', fileName, contentType, content }
    ]);
    const response = await this.send({ method: 'POST', url, what, body: form.body, contentType: form.contentType });
    return this.writtenEntity<Entity>(response, what, 'the created attachment', true);
  }

  // ---- session ----------------------------------------------------------------------------

  private async doSignIn(): Promise<void> {
    const { clientId, clientSecret } = this.connection;
    const fresh = new CookieJar();
    const response = await this.withRetries(
      {
        method: 'POST',
        url: this.url('/authentication/sign_in'),
        what: 'sign-in',
        body: JSON.stringify({ client_id: clientId, client_secret: clientSecret }),
        signIn: true
      },
      fresh
    );
    if (response.status === 401) {
      const error = this.errorFrom(response, 'sign-in');
      throw withMessage(
        error,
        `Octane refused the client id and secret at sign-in (${statusLine(401)}${ids(error)}): ` +
          'they must be an API access key (not a user name and password), ' +
          `the key must be active, and it must belong to shared space ${this.connection.sharedSpaceId} of the workspace`,
        'credentials'
      );
    }
    if (response.status < 200 || response.status > 299) throw this.failure(response, 'sign-in');
    const unsent = fresh.unsent('LWSSO_COOKIE_KEY', this.collectionUrl('defects'));
    if (unsent) throw this.cookieNotSent(response.status, unsent);
    if (!fresh.get('LWSSO_COOKIE_KEY', this.collectionUrl('defects'))) {
      throw new OctaneError(
        `Octane answered ${statusLine(response.status)} to sign-in but set no session cookie (LWSSO_COOKIE_KEY); check that the server's address points at the Octane server`,
        { status: response.status, hint: 'server-url' }
      );
    }
    this.jar = fresh;
    this.signedIn = true;
    this.generation++;
  }

  /** A workspace call, tracked until it settles (see close). */
  private send(spec: CallSpec): Promise<ExchangeResponse> {
    const call = this.sendInSession(spec);
    this.inFlight.add(call);
    call.then(
      () => this.inFlight.delete(call),
      () => this.inFlight.delete(call)
    );
    return call;
  }

  /**
   * A workspace call with the session: signs in first if needed, and on a 401 signs in again
   * once (shared with other calls that got the same 401) and repeats the call once.
   */
  private async sendInSession(spec: CallSpec): Promise<ExchangeResponse> {
    for (let renewed = false; ; renewed = true) {
      if (this.signingIn) await this.signingIn;
      if (!this.signedIn) await this.signIn();
      const generation = this.generation;
      const response = await this.withRetries(spec, this.jar);
      if (response.status !== 401) {
        if (response.status >= 200 && response.status <= 299) return response;
        throw this.failure(response, spec.what);
      }
      const error = this.errorFrom(response, spec.what);
      if (renewed) {
        throw withMessage(
          error,
          `${error.message}; it still failed after signing in again, so the API access key may have lost its access`
        );
      }
      if (this.closed) throw error;
      const why = error.errorCode && EXPIRED_CODES.has(error.errorCode) ? `expired (${error.errorCode})` : 'was refused (401)';
      this.log(`The Octane session ${why}; signing in again and repeating ${spec.what}`);
      if (this.generation === generation) await this.signIn();
    }
  }

  // ---- retries ----------------------------------------------------------------------------

  /** One request through the retry loop; sign-in sends no cookies, other calls the jar's. */
  private withRetries(spec: CallSpec, jar: CookieJar): Promise<ExchangeResponse> {
    return this.attempts.run(spec, (timeoutMs) =>
      exchange(
        {
          method: spec.method,
          url: spec.url,
          what: spec.what,
          body: spec.body,
          timeoutMs,
          signal: this.cancelled.signal,
          headers: (url) => {
            const headers = this.baseHeaders(spec.body !== undefined);
            if (spec.techPreview) headers['ALM-OCTANE-TECH-PREVIEW'] = 'true';
            if (spec.contentType) headers['Content-Type'] = spec.contentType;
            const cookie = spec.signIn ? undefined : jar.header(url);
            return cookie ? { ...headers, Cookie: cookie } : headers;
          }
        },
        this.context(jar)
      )
    );
  }

  // ---- helpers ----------------------------------------------------------------------------

  private context(jar: CookieJar) {
    return {
      network: this.network,
      stats: this.stats,
      slots: this.slots,
      debug: this.debug,
      onSetCookie: (values: string[], url: URL) => {
        // OCTANE_USER only names the key's user (the client id, printed anyway); every other cookie
        // is a session or load-balancer token.
        for (const [name, value] of jar.store(values, url)) if (name !== 'OCTANE_USER') this.secrets.add(value);
      }
    };
  }

  private baseHeaders(withBody: boolean): Record<string, string> {
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': USER_AGENT };
    if (withBody) headers['Content-Type'] = 'application/json';
    return headers;
  }

  private url(path: string): URL {
    return new URL(`${this.base}${path}`);
  }

  private collectionUrl(collection: Collection): URL {
    const { sharedSpaceId, workspaceId } = this.connection;
    return this.url(`/api/shared_spaces/${encodeURIComponent(sharedSpaceId)}/workspaces/${encodeURIComponent(workspaceId)}/${collection}`);
  }

  /**
   * The entity a 2xx write answered: data[0], or (`bare`) the body itself. Without one the write
   * went through but its answer cannot be used: UnreadableAnswerError, so that callers look
   * whether it took effect instead of treating it as a refusal.
   */
  private writtenEntity<T>(response: ExchangeResponse, what: string, expected: string, bare: boolean): T {
    const json = this.parseJson(response, what) as { data?: unknown } | undefined;
    const entity = Array.isArray(json?.data) ? (json.data[0] as Entity | undefined) : bare ? (json as Entity | undefined) : undefined;
    if (!entity || typeof entity !== 'object' || readId(entity.id) === undefined) {
      throw new UnreadableAnswerError(`Octane answered ${statusLine(response.status)} to ${what} without ${expected}`, {
        status: response.status
      });
    }
    return this.checkedIds<T>(entity, response, what);
  }

  /** An entity with its ids (and its references' ids) as checked strings; any other id makes the answer unreadable. */
  private checkedIds<T>(entity: object, response: ExchangeResponse, what: string): T {
    return withCheckedIds<T>(entity as Record<string, unknown>, (field, id) => {
      return new UnreadableAnswerError(
        `Octane answered ${statusLine(response.status)} to ${what} with an unreadable ${field} (${idShape(id)}); it was not used`,
        {
          status: response.status
        }
      );
    });
  }

  /** A session cookie that the jar keeps but would never send back: every call would get 401. */
  private cookieNotSent(status: number, unsent: Unsent): OctaneError {
    const head = `Octane answered ${statusLine(status)} to sign-in with a session cookie (LWSSO_COOKIE_KEY)`;
    const api = this.collectionUrl('defects');
    const why =
      unsent.reason === 'secure'
        ? "marked Secure, which is only sent back over https, and the server's address uses http; use the site's https:// address"
        : unsent.reason === 'domain'
          ? `for the domain ${JSON.stringify(unsent.domain.slice(0, 100))}, which does not cover ${api.hostname}; use the site's host name in the server's address`
          : `for the path ${JSON.stringify(unsent.path.slice(0, 100))} only, which the API under ${JSON.stringify(api.pathname.slice(0, 200))} is not in; check the path of the server's address`;
    // Without the cookie every call would be refused (401) and the session could not be signed out.
    return new OctaneError(`${head} ${why}`, { status, hint: 'server-url' });
  }

  private errorFrom(response: ExchangeResponse, what: string): OctaneError {
    return octaneErrorFrom(response.status, response.body, response.contentType, what, (t) => this.secrets.redact(t));
  }

  /** The error for a non-2xx answer, with a hint for the statuses that have a usual cause. */
  private failure(response: ExchangeResponse, what: string): OctaneError {
    const error = this.errorFrom(response, what);
    switch (response.status) {
      case 403:
        // A 403 about a field (platform.modify_non_editable_field) is not about the key's role.
        if (error.errorCode && /field/i.test(error.errorCode)) {
          return withMessage(error, `${error.message}. Octane does not let this call set that field (it is read-only); leave it out`);
        }
        return withMessage(
          error,
          `${error.message}. The API access key's role lacks permission for this; give the key a role such as Team Member in the workspace`
        );
      case 404:
        return withMessage(
          error,
          what === 'sign-in'
            ? `${error.message}. The path of the server's address is wrong: give the server's address, with a path prefix only if Octane sits under one`
            : `${error.message}. The shared space, the workspace or the path of the server's address is wrong`,
          what === 'sign-in' ? 'server-url' : 'workspace'
        );
      case 407:
        return withMessage(
          error,
          `The proxy answered ${statusLine(407)} to ${what}: it wants credentials. Put them in the proxy variable (https_proxy=http://user:password@host:port)`
        );
      default:
        return error;
    }
  }

  private parseJson(response: ExchangeResponse, what: string): unknown {
    try {
      return JSON.parse(response.body);
    } catch {
      const kind = looksLikeHtml(response.body, response.contentType) ? 'an HTML page' : 'a body';
      throw new UnreadableAnswerError(
        `Octane answered ${statusLine(response.status)} to ${what} with ${kind} that is not JSON; check that the server's address points at the Octane server and not at a login page or proxy`,
        { status: response.status, hint: 'server-url' }
      );
    }
  }
}

function ids(error: OctaneError): string {
  const parts = idParts(error.errorCode, error.correlationId);
  return parts.length ? `, ${parts.join(', ')}` : '';
}

/** query="<expr>" (quoted, then URL-encoded), fields, limit, offset, order_by. */
export function listQuery(params: ListParams): string {
  const parts: string[] = [];
  if (params.query !== undefined && params.query !== '') parts.push(`query=${encodeURIComponent(`"${params.query}"`)}`);
  if (params.fields?.length) parts.push(`fields=${params.fields.map(encodeURIComponent).join(',')}`);
  if (params.limit !== undefined) parts.push(`limit=${params.limit}`);
  if (params.offset !== undefined) parts.push(`offset=${params.offset}`);
  if (params.orderBy?.length) parts.push(`order_by=${params.orderBy.map(encodeURIComponent).join(',')}`);
  return parts.length ? `?${parts.join('&')}` : '';
}
