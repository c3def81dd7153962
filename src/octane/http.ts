/**
 * One HTTP exchange with Octane: a timeout over the whole exchange (redirects and body
 * included), redirects followed only where cookies cannot leak, the body read as text and
 * counted (at most MAX_ANSWER_BYTES after decompression), and every transport failure turned
 * into an OctaneNetworkError that says what happened and where. Retrying and sessions are the
 * client's job.
 */
import http from 'node:http';
import https from 'node:https';
import fetch, { type Response } from 'node-fetch';
import { type Hint, OctaneError, OctaneNetworkError, statusLine } from './errors.js';
import { hostPort, type Network } from './network.js';
import { seconds } from './retry.js';

export interface ExchangeRequest {
  method: 'GET' | 'POST' | 'PUT';
  url: URL;
  /** Called per hop with its URL, so cookies set by a redirect answer are sent on the next hop. */
  headers: (url: URL) => Record<string, string>;
  /** A Buffer for uploads (multipart); sent again as it is on a retry. */
  body?: string | Buffer;
  timeoutMs: number;
  /** Names the call in messages, e.g. "GET defects". */
  what: string;
  /** Aborts the exchange at once (a cancelled run); it then fails with code CANCELLED. */
  signal?: AbortSignal;
}

export interface ExchangeResponse {
  status: number;
  contentType: string | null;
  retryAfter: string | null;
  body: string;
  url: URL;
}

export interface ExchangeContext {
  network: Network;
  stats: { requests: number; bytesReceived: number };
  /** Limits the exchanges in flight to the site; each exchange (its redirects included) holds one slot. */
  slots?: Slots;
  /** Set-Cookie values of every answer (redirects included) and the URL that answered. */
  onSetCookie: (values: string[], url: URL) => void;
  debug?: (line: string) => void;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
export const MAX_REDIRECTS = 3;

/**
 * The most bytes read of one answer, after decompression. The largest answer the action asks
 * for is a page of 1000 entities with a few fields (id, name, phase, severity): about 1 MB even
 * with 255-character names and long references. 64 MiB leaves a wide margin for servers that add
 * fields, while an endless body or a gzip bomb stops long before the runner runs out of memory.
 */
export const MAX_ANSWER_BYTES = 64 * 1024 * 1024;
const MAX_ANSWER_TEXT = '64 MiB';

/**
 * The most requests in flight to the Octane site at once. Browsers allow 6 connections per
 * host over HTTP/1.1; the gate's usual second wave is 9 requests (the whole filter, 5
 * severities, 3 phases), so 10 lets it go out at once, adding no round trip, while a gate with
 * 500 phases sends 10 at a time instead of 500 together.
 */
export const MAX_IN_FLIGHT = 10;

/** A FIFO counting semaphore: at most `size` tasks run, the others wait in arrival order. */
export class Slots {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly size: number = MAX_IN_FLIGHT) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await task();
    } finally {
      // The slot passes straight to the next waiter (running stays the same), else it is freed.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

/** Certificate problems that a trusted CA would fix. */
const UNTRUSTED_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE'
]);

/** The path and query of a URL for debug lines; never credentials (the URL has none anyway). */
function shown(url: URL): string {
  return `${url.pathname}${url.search}`;
}

export function exchange(request: ExchangeRequest, ctx: ExchangeContext): Promise<ExchangeResponse> {
  // The timeout starts once a slot is free: waiting in the queue is not the server's slowness.
  return ctx.slots ? ctx.slots.run(() => exchangeNow(request, ctx)) : exchangeNow(request, ctx);
}

async function exchangeNow(request: ExchangeRequest, ctx: ExchangeContext): Promise<ExchangeResponse> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, request.timeoutMs);
  const cancel = (): void => controller.abort();
  request.signal?.addEventListener('abort', cancel, { once: true });
  if (request.signal?.aborted) controller.abort();
  let url = request.url;
  let proxy: string | undefined;
  try {
    for (let hop = 0; ; hop++) {
      const route = await ctx.network.route(url);
      proxy = route.proxy;
      const started = Date.now();
      ctx.debug?.(`${request.method} ${shown(url)}${proxy ? ` (through proxy ${proxy})` : ''}`);
      ctx.stats.requests++;
      const response = await fetch(url.href, {
        method: request.method,
        headers: request.headers(url),
        body: request.body,
        redirect: 'manual',
        agent: route.agent,
        signal: controller.signal,
        // node-fetch counts the decompressed bytes and ends the read with a 'max-size' error.
        size: MAX_ANSWER_BYTES
      });
      const setCookie = response.headers.raw()['set-cookie'];
      if (setCookie?.length) ctx.onSetCookie(setCookie, url);
      const body = await readBody(response, ctx.stats, request.what);
      ctx.debug?.(`${request.method} ${shown(url)} -> ${response.status} (${Buffer.byteLength(body)} bytes, ${Date.now() - started} ms)`);
      if (REDIRECTS.has(response.status) && response.headers.get('location') !== null) {
        url = redirectTarget(request, url, response, hop);
        continue;
      }
      return {
        status: response.status,
        contentType: response.headers.get('content-type'),
        retryAfter: response.headers.get('retry-after'),
        body,
        url
      };
    }
  } catch (error) {
    if (error instanceof OctaneError) throw error;
    if (request.signal?.aborted && !timedOut) {
      throw new OctaneNetworkError(`${request.what} was stopped: the run was cancelled`, {
        code: 'CANCELLED',
        server: hostPort(url),
        cause: error
      });
    }
    throw networkError(error, { url, proxy, timedOut, timeoutMs: request.timeoutMs, what: request.what });
  } finally {
    clearTimeout(timer);
    request.signal?.removeEventListener('abort', cancel);
  }
}

/**
 * A request whose answer is not needed (the sign-out): settles with the answer's status once the
 * request has been written to the connection and either its answer ended or `answerWaitMs` passed
 * since the write, whichever comes first (then undefined, and the connection is closed: the
 * request has left, and a server that has read it acts on it). The timeout bounds the whole;
 * no redirects, no retries. Rejects with the transport error if the request could not be sent.
 */
export async function sendOnly(request: ExchangeRequest, ctx: ExchangeContext, answerWaitMs: number): Promise<number | undefined> {
  const { url, method } = request;
  const route = await ctx.network.route(url);
  ctx.debug?.(`${method} ${shown(url)}${route.proxy ? ` (through proxy ${route.proxy})` : ''}, not waiting long for the answer`);
  ctx.stats.requests++;
  const started = Date.now();
  const headers = {
    ...request.headers(url),
    ...(request.body !== undefined ? { 'Content-Length': String(Buffer.byteLength(request.body)) } : {})
  };
  const status = await new Promise<number | undefined>((resolve, reject) => {
    const req = (url.protocol === 'https:' ? https : http).request(url, { method, headers, agent: route.agent });
    let answerWait: ReturnType<typeof setTimeout> | undefined;
    const settle = (outcome: () => void): void => {
      clearTimeout(timer);
      clearTimeout(answerWait);
      outcome();
    };
    const timer = setTimeout(() => {
      req.destroy();
      settle(() =>
        reject(
          new OctaneNetworkError(`${request.what} was not sent within ${seconds(request.timeoutMs)} (timeout)`, {
            code: 'TIMEOUT',
            server: hostPort(url)
          })
        )
      );
    }, request.timeoutMs);
    req.once('finish', () => {
      answerWait = setTimeout(() => {
        req.destroy();
        settle(() => resolve(undefined));
      }, answerWaitMs);
    });
    req.once('response', (res) => {
      res.resume();
      res.once('end', () => settle(() => resolve(res.statusCode)));
    });
    // Also after settling: a destroyed request may still report its closed socket.
    req.on('error', (error) => settle(() => reject(error)));
    req.end(request.body);
  });
  ctx.debug?.(`${method} ${shown(url)} -> ${status ?? 'no answer waited for'} (${Date.now() - started} ms)`);
  return status;
}

async function readBody(response: Response, stats: { bytesReceived: number }, what: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = Buffer.from(await response.arrayBuffer());
  } catch (error) {
    throw unreadableBody(error, response, what) ?? error;
  }
  stats.bytesReceived += bytes.length;
  return bytes.toString('utf8');
}

/** Encodings node-fetch decodes; another value is not echoed (it came from the server). */
const ENCODINGS = new Set(['gzip', 'x-gzip', 'deflate', 'br']);

/**
 * An answer that arrived but cannot be read: too large, or not decompressible. Octane was
 * reached, so these are OctaneErrors with the answer's status (not "could not reach"), and are
 * not retried. Undefined for transport failures (resets, timeouts), which stay network errors.
 */
function unreadableBody(error: unknown, response: Response, what: string): OctaneError | undefined {
  const e = error as { type?: string; code?: string };
  const head = `Octane answered ${statusLine(response.status)} to ${what}`;
  if (e.type === 'max-size') {
    return new OctaneError(
      `${head} with a body larger than ${MAX_ANSWER_TEXT} (after decompression), the most the action reads of one answer; it was not read further`,
      { status: response.status }
    );
  }
  const code = e.code ?? '';
  // zlib's codes (Z_DATA_ERROR, Z_BUF_ERROR) and brotli's (ERR__ERROR_FORMAT_*, ERR_BROTLI_*).
  if (e.type === 'system' && /^(Z_|ERR__ERROR|ERR_BROTLI)/.test(code)) {
    const encoding = (response.headers.get('content-encoding') ?? '').trim().toLowerCase();
    const named = ENCODINGS.has(encoding) ? `Content-Encoding: ${encoding}, ` : '';
    return new OctaneError(`${head} with a body that could not be decompressed (${named}${code}); a proxy in between may have altered it`, {
      status: response.status
    });
  }
  return undefined;
}

/**
 * Where a redirect may go: the same host and port, never from https to http, at most
 * MAX_REDIRECTS hops; a POST only with 307/308 (which keep method and body). Anything else
 * would send the session cookies or the credentials somewhere else, so it is refused.
 */
function redirectTarget(request: ExchangeRequest, from: URL, response: Response, hop: number): URL {
  const location = response.headers.get('location') ?? '';
  const head = `Octane answered ${statusLine(response.status)} to ${request.what}`;
  let target: URL;
  try {
    target = new URL(location, from);
  } catch {
    throw new OctaneError(`${head} with a redirect to an invalid address`, { status: response.status, hint: 'server-url' });
  }
  const fail = (why: string): never => {
    throw new OctaneError(
      `${head} with a redirect to ${target.protocol}//${hostPort(target)} that was not followed: ${why}. ` +
        "Check the server's address (scheme, host, port and path prefix); a redirect to a login page means the site wants SSO, which needs an API access key",
      { status: response.status, hint: 'server-url' }
    );
  };
  if (from.protocol === 'https:' && target.protocol !== 'https:') fail('it would leave https');
  if (target.protocol !== 'https:' && target.protocol !== 'http:') fail('it is not http(s)');
  if (hostPort(target) !== hostPort(from)) {
    fail("session cookies and credentials are only sent to the server's own host");
  }
  if (request.method !== 'GET' && response.status !== 307 && response.status !== 308) {
    fail(`a ${request.method} is only re-sent on 307/308`);
  }
  if (hop + 1 > MAX_REDIRECTS) fail(`more than ${MAX_REDIRECTS} redirects`);
  return target;
}

interface FailureContext {
  url: URL;
  proxy?: string;
  timedOut: boolean;
  timeoutMs: number;
  what: string;
}

function networkError(error: unknown, f: FailureContext): OctaneNetworkError {
  const server = hostPort(f.url);
  const via = f.proxy ? ` through the proxy at ${f.proxy}` : '';
  if (f.timedOut) {
    return new OctaneNetworkError(`Octane at ${server}${via} gave no answer within ${seconds(f.timeoutMs)} to ${f.what} (timeout)`, {
      code: 'TIMEOUT',
      server,
      cause: error
    });
  }
  const e = error as { code?: string; message?: string };
  const reason = (e.message ?? String(error)).replace(/^request to .* failed, reason: /, '');
  let code = e.code ?? 'ERROR';
  if (/socket hang up/i.test(reason)) code = 'ECONNRESET';
  let message: string;
  let hint: Hint | undefined;
  if (code === 'ECONNREFUSED') {
    if (!f.proxy) hint = 'server-url';
    message = f.proxy
      ? `Could not connect to the proxy at ${f.proxy} (ECONNREFUSED: connection refused) for ${f.what} to Octane at ${server}; check https_proxy/http_proxy`
      : `Could not connect to Octane at ${server} (ECONNREFUSED: connection refused) for ${f.what}; check the server's address and that the server is up`;
  } else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    if (!f.proxy) hint = 'server-url';
    message = f.proxy
      ? `The proxy host ${f.proxy} does not resolve (${code}); check https_proxy/http_proxy`
      : `The host name ${f.url.hostname} of Octane (${server}) does not resolve (${code}) for ${f.what}; check the server's address, DNS, and whether a proxy (https_proxy, no_proxy) is needed`;
  } else if (UNTRUSTED_CODES.has(code)) {
    hint = 'ca';
    message =
      `The TLS certificate of Octane at ${server} is not trusted (${code}). If the site uses a private certificate authority, ` +
      'give its PEM certificate as an extra CA certificate or point NODE_EXTRA_CA_CERTS at a file that holds it; certificate checks are never turned off';
  } else if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    hint = 'server-url';
    message = `The TLS certificate of Octane at ${server} is not issued for ${f.url.hostname} (${code}); use the host name the certificate names in the server's address`;
  } else if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    message = `The TLS certificate of Octane at ${server} is not valid now (${code}); the site's certificate must be renewed`;
  } else if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ERR_STREAM_PREMATURE_CLOSE') {
    message = `The connection to Octane at ${server}${via} was closed before a complete answer to ${f.what} (${code}: ${reason})`;
  } else {
    message = `Could not reach Octane at ${server}${via} for ${f.what} (${code}: ${reason})`;
  }
  return new OctaneNetworkError(message, { code, server, cause: error, hint });
}
