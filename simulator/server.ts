/** HTTP plumbing: reads a request, logs it, applies latency and faults, routes it, writes the answer. */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { Store } from './store.js';
import { seedStore } from './seed.js';
import { Sessions, parseCookies } from './auth.js';
import { Faults } from './faults.js';
import { OctaneError, errorBody, htmlErrorPage, defaultErrorCode, reason } from './errors.js';
import { route, type Answer, type RouteContext } from './routes.js';
import { resolveProfile } from './profiles.js';
import type { Fault, LoggedRequest, SessionExpiryCode, Simulator, SimulatorOptions } from './types.js';

const SHARED_SPACE_ID = '1001';
const WORKSPACE_ID = '1002';

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

function errorAnswer(
  status: number,
  code: string,
  description: string,
  businessError = status < 500,
  extra: Record<string, string> = {}
): Answer {
  return {
    status,
    headers: { 'content-type': 'application/json;charset=UTF-8', ...extra },
    body: JSON.stringify(errorBody(code, description, businessError))
  };
}

function faultAnswer(fault: Fault, status: number, entry: LoggedRequest): Answer {
  const extra: Record<string, string> = fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {};
  if (fault.json !== undefined)
    return { status, headers: { 'content-type': 'application/json', ...extra }, body: JSON.stringify(fault.json) };
  if (fault.html) return { status, headers: { 'content-type': 'text/html', ...extra }, body: htmlErrorPage(status) };
  const description = fault.echoRequest
    ? // Some servers and proxies echo the request in their error; clients must never print it.
      `Request rejected: ${entry.method} ${entry.path} headers=${JSON.stringify(entry.headers)} body=${entry.body}`
    : `${reason(status)} (injected by the simulator)`;
  return errorAnswer(status, defaultErrorCode(status), description, false, extra);
}

function normalisePrefix(prefix: string | undefined): string {
  if (!prefix || prefix === '/') return '';
  return `/${prefix.replace(/^\/+|\/+$/g, '')}`;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const prefix = normalisePrefix(options.pathPrefix);
  const credentials = options.credentials?.length ? options.credentials : [{ clientId: 'sim-client', clientSecret: 'sim-secret' }];
  const profile = resolveProfile(options.profile);
  // The older `phaseIds` option wins over the profile's, so existing callers keep what they asked for.
  if (options.phaseIds) profile.phaseIds = options.phaseIds;
  const store = new Store();
  seedStore(store, {
    seed: options.seed ?? 'sample',
    urgentName: options.urgentName ?? 'Urgent',
    phaseIds: profile.phaseIds,
    stockWorkspace: profile.stockWorkspace
  });
  const sessions = new Sessions(credentials, Boolean(options.tls), options.cookieReissueEvery ?? 3);
  const faults = new Faults();
  const log: LoggedRequest[] = [];
  const ctx: RouteContext = { store, sessions, sharedSpaceId: SHARED_SPACE_ID, workspaceId: WORKSPACE_ID, profile };

  const send = (res: http.ServerResponse, answer: Answer, entry: LoggedRequest): void => {
    entry.status = answer.status;
    res.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
    res.end(answer.body);
    entry.answeredAt = performance.now();
  };

  const processRequest = (entry: LoggedRequest, params: URLSearchParams, rawBody: Buffer): Answer => {
    if (prefix && entry.path !== prefix && !entry.path.startsWith(`${prefix}/`)) {
      return errorAnswer(404, 'platform.not_found', `No resource at ${entry.path}`);
    }
    try {
      const answer = route(ctx, {
        method: entry.method,
        path: entry.path.slice(prefix.length),
        params,
        headers: entry.headers,
        body: entry.body,
        rawBody
      });
      if (answer.setLwsso) entry.setLwsso = answer.setLwsso;
      return answer;
    } catch (e) {
      if (e instanceof OctaneError) return errorAnswer(e.status, e.errorCode, e.description, e.businessError);
      return errorAnswer(500, 'platform.internal_server_error', `Unexpected error: ${(e as Error).message}`, false);
    }
  };

  const handler = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    // Timestamps let the benchmark tell sequential round trips from parallel ones.
    const receivedAt = performance.now();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://simulator');
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
    }
    const rawBody = Buffer.concat(chunks);
    const entry: LoggedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      body: rawBody.toString('utf8'),
      status: 0,
      receivedAt
    };
    const lwsso = parseCookies(headers['cookie']).get('LWSSO_COOKIE_KEY');
    if (lwsso !== undefined) entry.lwsso = lwsso;
    log.push(entry);

    const fault = faults.take(entry.method, entry.path);
    if (fault) entry.faulted = true;
    await sleep(simulator.latencyMs + (fault?.delayMs ?? 0));

    if (fault?.drop === 'before') {
      req.socket.destroy();
      entry.answeredAt = performance.now();
      return;
    }
    // html/echoRequest alone mean an error instead of processing (500 unless a status is given).
    const afterProcessing = fault && (fault.processThenStatus !== undefined || fault.drop === 'after' || fault.hangAfterProcessing);
    const injected =
      fault?.status ??
      (fault && !afterProcessing ? (fault.json !== undefined ? 200 : fault.html || fault.echoRequest ? 500 : undefined) : undefined);
    if (fault && injected !== undefined) {
      send(res, faultAnswer(fault, injected, entry), entry);
      return;
    }
    const answer = processRequest(entry, url.searchParams, rawBody);
    entry.processedStatus = answer.status;
    if (fault?.drop === 'after') {
      req.socket.destroy();
      entry.answeredAt = performance.now();
      return;
    }
    if (fault?.hangAfterProcessing) return; // never answer; close() ends the connection
    if (fault?.processThenStatus !== undefined) {
      send(res, faultAnswer(fault, fault.processThenStatus, entry), entry);
      return;
    }
    send(res, answer, entry);
  };

  const listener = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    handler(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  };
  const server = options.tls ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, listener) : http.createServer(listener);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostInUrl = host.includes(':') ? `[${host}]` : host;

  const simulator: Simulator = {
    url: `${options.tls ? 'https' : 'http'}://${hostInUrl}:${port}${prefix}`,
    sharedSpaceId: SHARED_SPACE_ID,
    workspaceId: WORKSPACE_ID,
    credentials: credentials[0]!,
    store,
    faults: { add: (f) => faults.add(f), clear: () => faults.clear() },
    latencyMs: options.latencyMs ?? 0,
    log,
    profile,
    openSessions: () => sessions.openCount(),
    expireSessions: (code: SessionExpiryCode = 'VALIDATION_TOKEN_EXPIRED_IDLE_TIME_OUT') => sessions.expireAll(code),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Also ends keep-alive and hanging connections, so tests never wait on them.
        server.closeAllConnections();
      })
  };
  return simulator;
}
