/**
 * The three ways a call to Octane can fail, as the modes and the reader of the log see them.
 * Messages are complete sentences meant for the job log: status, what was asked, what Octane
 * said, and what to check. They never contain headers, cookies or request bodies.
 */
import { STATUS_CODES } from 'node:http';

/** Octane (or something in front of it) answered, and the answer was an error. */
export class OctaneError extends Error {
  override name = 'OctaneError';
  readonly status: number;
  readonly errorCode?: string;
  readonly description?: string;
  readonly correlationId?: string;

  constructor(
    message: string,
    details: { status: number; errorCode?: string; description?: string; correlationId?: string }
  ) {
    super(message);
    this.status = details.status;
    this.errorCode = details.errorCode;
    this.description = details.description;
    this.correlationId = details.correlationId;
  }
}

/** No usable answer: the connection failed, timed out, or TLS verification failed. */
export class OctaneNetworkError extends Error {
  override name = 'OctaneNetworkError';
  /** ECONNREFUSED, ENOTFOUND, TIMEOUT, a TLS error code, ... */
  readonly code: string;
  /** host:port of the server that could not be reached. */
  readonly server: string;

  constructor(message: string, details: { code: string; server: string; cause?: unknown }) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = details.code;
    this.server = details.server;
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

  constructor(message: string, details: { status: number }) {
    super(message);
    this.status = details.status;
  }
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

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function oneError(
  e: OctaneErrorBody,
  redact: (text: string) => string
): { text: string; errorCode?: string; description?: string; correlationId?: string } {
  const errorCode = str(e.error_code);
  const correlationId = str(e.correlation_id);
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
    return new OctaneError(`${head} with a body that is not JSON (${Buffer.byteLength(body)} bytes${contentType ? `, ${contentType}` : ''})`, {
      status
    });
  }
  const list: OctaneErrorBody[] =
    parsed && typeof parsed === 'object' && Array.isArray((parsed as { errors?: unknown }).errors)
      ? ((parsed as { errors: unknown[] }).errors.filter((e) => e && typeof e === 'object') as OctaneErrorBody[])
      : parsed && typeof parsed === 'object'
        ? [parsed as OctaneErrorBody]
        : [];
  if (list.length === 0) return new OctaneError(`${head} with JSON that is not an Octane error`, { status });
  const parts = list.map((e) => oneError(e, redact));
  const first = parts[0]!;
  const text = redact(parts.map((p) => p.text).join('; '));
  return new OctaneError(`${head}: ${text}`, {
    status,
    errorCode: first.errorCode,
    description: first.description,
    correlationId: first.correlationId
  });
}

/** Same error, new message (keeps status and Octane's fields). */
export function withMessage(error: OctaneError, message: string): OctaneError {
  return new OctaneError(message, {
    status: error.status,
    errorCode: error.errorCode,
    description: error.description,
    correlationId: error.correlationId
  });
}
