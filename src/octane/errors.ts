/**
 * The three ways a call to Octane can fail, as the modes and the reader of the log see them.
 * Messages are complete sentences meant for the job log: status, what was asked, what Octane
 * said, and what to check. They never contain headers, cookies or request bodies.
 */
import { STATUS_CODES } from 'node:http';

/**
 * What a person should check when a call fails, in the client's terms: the server's address, the
 * API access key, the shared space and workspace, the extra CA certificate, the call timeout. The
 * client's messages say what is wrong in Octane's words; whoever configured the client (the
 * action's composition root) maps a hint onto its own settings' names.
 */
export type Hint = 'server-url' | 'credentials' | 'workspace' | 'ca' | 'timeout';

/** The hint an error carries, if any. */
export function hintOf(error: unknown): Hint | undefined {
  return error instanceof Error ? (error as { hint?: Hint }).hint : undefined;
}

/** Octane (or something in front of it) answered, and the answer was an error. */
export class OctaneError extends Error {
  override name = 'OctaneError';
  readonly status: number;
  readonly errorCode?: string;
  readonly description?: string;
  readonly correlationId?: string;
  readonly hint?: Hint;

  constructor(message: string, details: { status: number; errorCode?: string; description?: string; correlationId?: string; hint?: Hint }) {
    super(message);
    this.status = details.status;
    this.errorCode = details.errorCode;
    this.description = details.description;
    this.correlationId = details.correlationId;
    this.hint = details.hint;
  }
}

/** No usable answer: the connection failed, timed out, or TLS verification failed. */
export class OctaneNetworkError extends Error {
  override name = 'OctaneNetworkError';
  /** ECONNREFUSED, ENOTFOUND, TIMEOUT, a TLS error code, ... */
  readonly code: string;
  /** host:port of the server that could not be reached. */
  readonly server: string;
  readonly hint?: Hint;

  constructor(message: string, details: { code: string; server: string; cause?: unknown; hint?: Hint }) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = details.code;
    this.server = details.server;
    this.hint = details.hint;
  }
}

/**
 * Octane answered 2xx, but with something the client cannot read: not JSON, not a page of
 * entities, no created entity, or an id that is not an id. The call went through, so after a
 * POST the entity may exist (exactly-once looks for it); nothing in the answer was used.
 */
export class UnreadableAnswerError extends Error {
  override name = 'UnreadableAnswerError';
  readonly status: number;
  readonly hint?: Hint;

  constructor(message: string, details: { status: number; hint?: Hint }) {
    super(message);
    this.status = details.status;
    this.hint = details.hint;
  }
}

/** The extra CA certificate cannot be used; nothing was sent. */
export class TrustError extends Error {
  override name = 'TrustError';
  readonly hint: Hint = 'ca';
}

/** A call after close() or cancel(): the run is over, so the client asks Octane nothing more. */
export class ClientClosedError extends Error {
  override name = 'ClientClosedError';
}

/**
 * A POST that may or may not have been processed (a timeout, a connection reset after the
 * request went out, a 502/504 from a proxy). The client does not retry it: only the caller
 * can find out whether the entity exists.
 */
export class OutcomeUnknownError extends Error {
  override name = 'OutcomeUnknownError';
  declare readonly cause: OctaneError | OctaneNetworkError;

  constructor(message: string, cause: OctaneError | OctaneNetworkError) {
    super(message, { cause });
  }
}

export function statusLine(status: number): string {
  const text = STATUS_CODES[status];
  return text ? `${status} ${text}` : `${status}`;
}

interface OctaneErrorBody {
  error_code?: unknown;
  correlation_id?: unknown;
  description?: unknown;
  description_translated?: unknown;
}

/** Longest description kept in a message; Octane sometimes puts whole stack traces there. */
const MAX_DESCRIPTION = 1000;

// Trims, unlike entities.ts's readers: error texts come padded, and nothing compares them.
function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/**
 * What an error_code or correlation_id may look like to be shown: Octane's are short tokens
 * (platform.unauthorized, a UUID). Anything else is left out, so that a server cannot put a secret
 * (which redaction would turn into ***, or which it might echo in a form not known) or megabytes
 * into a message through them.
 */
const ERROR_ID = /^[A-Za-z0-9_.:-]{1,100}$/;

function errorId(value: unknown, redact: (text: string) => string): string | undefined {
  const text = str(value);
  if (text === undefined || text.length > 100) return undefined;
  const redacted = redact(text);
  return ERROR_ID.test(redacted) ? redacted : undefined;
}

function oneError(
  e: OctaneErrorBody,
  redact: (text: string) => string
): { text: string; errorCode?: string; description?: string; correlationId?: string } {
  const errorCode = errorId(e.error_code, redact);
  const correlationId = errorId(e.correlation_id, redact);
  // Redact before cutting: a cut inside an echoed secret would leave a piece no redaction matches.
  let description = str(e.description_translated) ?? str(e.description);
  if (description) description = redact(description);
  if (description && description.length > MAX_DESCRIPTION) description = `${description.slice(0, MAX_DESCRIPTION)}…`;
  const ids = idParts(errorCode, correlationId);
  const text = [description ?? 'no description', ids.length ? `(${ids.join(', ')})` : ''].filter(Boolean).join(' ');
  return { text, errorCode, description, correlationId };
}

/** Octane's ids of an error as message parts ("error_code X", "correlation_id Y"), for support to trace it. */
export function idParts(errorCode: string | undefined, correlationId: string | undefined): string[] {
  return [errorCode && `error_code ${errorCode}`, correlationId && `correlation_id ${correlationId}`].filter((p): p is string => !!p);
}

export function looksLikeHtml(body: string, contentType: string | null): boolean {
  if (contentType && /html/i.test(contentType)) return true;
  return /^\s*<(!doctype|html|head|body|\?xml)/i.test(body);
}

/**
 * Turns an error answer into an OctaneError. `what` names the call, e.g. "GET defects".
 * `redact` removes secrets Octane may echo back (some servers quote the request in errors).
 */
export function octaneErrorFrom(
  status: number,
  body: string,
  contentType: string | null,
  what: string,
  redact: (text: string) => string = (t) => t
): OctaneError {
  const head = `Octane answered ${statusLine(status)} to ${what}`;
  if (body.trim() === '') return new OctaneError(`${head} with an empty body`, { status });
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    if (looksLikeHtml(body, contentType)) {
      return new OctaneError(
        `Octane answered ${statusLine(status)} with an HTML page, not JSON; ` +
          `a proxy or load balancer in front of Octane may be failing (${what})`,
        { status }
      );
    }
    return new OctaneError(
      `${head} with a body that is not JSON (${Buffer.byteLength(body)} bytes${contentType ? `, ${contentType}` : ''})`,
      {
        status
      }
    );
  }
  const list = errorList(unwrapped(parsed));
  if (list.length === 0) return new OctaneError(`${head} with JSON that is not an Octane error`, { status });
  // A few errors say what went wrong; a server listing thousands would only flood the log.
  const parts = list.slice(0, 10).map((e) => oneError(e, redact));
  const first = parts[0]!;
  const text = redact(parts.map((p) => p.text).join('; '));
  return new OctaneError(`${head}: ${text}`, {
    status,
    errorCode: first.errorCode,
    description: first.description,
    correlationId: first.correlationId
  });
}

function errorList(parsed: unknown): OctaneErrorBody[] {
  if (!parsed || typeof parsed !== 'object') return [];
  const errors = (parsed as { errors?: unknown }).errors;
  if (Array.isArray(errors)) return errors.filter((e) => e && typeof e === 'object') as OctaneErrorBody[];
  return [parsed as OctaneErrorBody];
}

const ENTITIES: Readonly<Record<string, string>> = { quot: '"', amp: '&', lt: '<', gt: '>', '#39': "'" };

/**
 * A servlet error page in front of Octane wraps the error as {"message": "<HTML-escaped JSON>"}
 * (the Java SDK reads it so: ModelParser.hasServletError / getErrorModelFromServletJson). The
 * inner error is used; a message that is not an Octane error becomes the description.
 */
function unwrapped(parsed: unknown): unknown {
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return parsed;
  const { message, error_code: errorCode, errors } = parsed as { message?: unknown; error_code?: unknown; errors?: unknown };
  if (typeof message !== 'string' || errorCode !== undefined || errors !== undefined) return parsed;
  // One pass, so that "&amp;quot;" becomes "&quot;" and not a quote.
  const text = message.replace(/&(quot|amp|lt|gt|#39);/g, (_, name: string) => ENTITIES[name]!);
  try {
    const inner: unknown = JSON.parse(text);
    if (inner && typeof inner === 'object' && !Array.isArray(inner)) return inner;
  } catch {
    // not JSON: the text itself is the description
  }
  return { description: text };
}

/** Same error, new message (keeps status, Octane's fields and the hint unless one is given). */
export function withMessage(error: OctaneError, message: string, hint: Hint | undefined = error.hint): OctaneError {
  return new OctaneError(message, {
    status: error.status,
    errorCode: error.errorCode,
    description: error.description,
    correlationId: error.correlationId,
    hint
  });
}

/** Same network error, new message (keeps code, server, cause and hint). */
export function withNetworkMessage(error: OctaneNetworkError, message: string): OctaneNetworkError {
  return new OctaneNetworkError(message, { code: error.code, server: error.server, cause: error.cause, hint: error.hint });
}

/**
 * Whether an error means the run was cancelled: a call stopped on the wire (CANCELLED), a POST so
 * stopped (an OutcomeUnknownError around it), or a call after cancel() (ClientClosedError). After
 * one, every later call fails the same way, so callers stop instead of reporting each.
 */
export function isCancelled(error: unknown): boolean {
  if (error instanceof ClientClosedError) return true;
  const cause = error instanceof OutcomeUnknownError ? error.cause : error;
  return cause instanceof OctaneNetworkError && cause.code === 'CANCELLED';
}
