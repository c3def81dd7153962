/**
 * How a request reaches Octane: which proxy (if any), which certificate authorities to trust,
 * and one keep-alive agent per route so that the connection is reused within a run.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { getProxyForUrl } from 'proxy-from-env';
import type { HttpsProxyAgent } from 'https-proxy-agent';
import { TrustError } from './errors.js';

export type Env = Record<string, string | undefined>;

/** The variables the runner documents for proxies (proxy-from-env reads these names). */
const PROXY_VARIABLES = ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY', 'no_proxy', 'NO_PROXY'] as const;
/** Read by proxy-from-env as a fallback, but not documented by the runner: kept out. */
const IGNORED_VARIABLES = ['all_proxy', 'ALL_PROXY'] as const;

/** 127.0.0.0/8 and ::1; BlockList also matches IPv4-mapped IPv6 forms (::ffff:127.0.0.1, ::ffff:7f00:1). */
const LOOPBACK = new net.BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** localhost, 127.0.0.0/8 and ::1, in any spelling (the URL parser writes ::ffff:127.0.0.1 as ::ffff:7f00:1), never go through a proxy. */
export function isLoopback(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (net.isIPv4(h)) return LOOPBACK.check(h, 'ipv4');
  if (net.isIPv6(h)) return LOOPBACK.check(h, 'ipv6');
  return false;
}

/**
 * The proxy URL for a request to `url`, or '' for a direct connection, following the
 * https_proxy/http_proxy/no_proxy variables of `env` (lower case wins; no_proxy suffixes,
 * ports and `*`), as implemented by proxy-from-env, with bare names covering subdomains.
 *
 * proxy-from-env 2 reads only `process.env` and has no way to pass another object. The
 * action must use the environment it was handed (settings.ts owns process.env, and tests
 * hand over their own), so the proxy variables of `env` are put in place for the duration of
 * this one synchronous call and the previous values restored right after. Nothing else can
 * run in between (no await), so no other code observes the swap.
 */
export function proxyForUrl(url: URL, env: Env): string {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return '';
  if (isLoopback(url.hostname)) return '';
  // eslint-disable-next-line no-restricted-syntax -- the swap described above; env is restored below
  const live = process.env;
  const names = [...PROXY_VARIABLES, ...IGNORED_VARIABLES];
  const saved = names.map((name) => [name, live[name]] as const);
  try {
    for (const name of names) {
      let value = (PROXY_VARIABLES as readonly string[]).includes(name) ? env[name] : undefined;
      if (value !== undefined && /^no_proxy$/i.test(name)) value = withSubdomains(value);
      else if (value) value = withScheme(value);
      // process.env turns undefined into the string "undefined": delete instead.
      if (value === undefined) delete live[name];
      else live[name] = value;
    }
    return getProxyForUrl(url.href);
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete live[name];
      else live[name] = value;
    }
  }
}

/**
 * A proxy given without a scheme (`proxy.corp:8080`) is an http:// proxy, as for curl and the
 * runner's own HTTP client; proxy-from-env would give it the scheme of the request, and so speak
 * TLS to a plain proxy for every https request.
 */
function withScheme(proxy: string): string {
  const trimmed = proxy.trim();
  return trimmed === '' || trimmed.includes('://') ? proxy : `http://${trimmed}`;
}

/**
 * A bare no_proxy name (`corp.example`) also covers its subdomains, as in the runner's own HTTP
 * client; proxy-from-env matches it exactly, so each bare entry gets a `.corp.example` twin.
 */
export function withSubdomains(noProxy: string): string {
  return noProxy
    .split(/[,\s]+/)
    .filter((entry) => entry !== '')
    .flatMap((entry) => (/^[.*]/.test(entry) ? [entry] : [entry, `.${entry}`]))
    .join(',');
}

function parseProxy(value: string): URL | undefined {
  try {
    return new URL(value.includes('://') ? value : `http://${value}`);
  } catch {
    return undefined;
  }
}

/**
 * Values to mask: each proxy password (raw and decoded), the proxy URLs that hold credentials,
 * and the Basic token made from them.
 */
export function proxySecrets(env: Env): string[] {
  const out = new Set<string>();
  for (const name of ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY', 'all_proxy', 'ALL_PROXY']) {
    const value = env[name];
    if (!value) continue;
    const url = parseProxy(value.trim());
    if (!url || (!url.password && !url.username)) continue;
    out.add(value);
    out.add(value.trim());
    out.add(url.href);
    if (url.password) {
      out.add(url.password);
      out.add(safeDecode(url.password));
    }
    const token = Buffer.from(`${safeDecode(url.username)}:${safeDecode(url.password)}`).toString('base64');
    out.add(token);
  }
  return [...out].filter((s) => s.length > 0);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** "host:port" of a URL, with the scheme's default port spelled out. */
export function hostPort(url: URL): string {
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return `${url.hostname}:${port}`;
}

function pemCertificates(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

export interface TrustOptions {
  /** Extra CA certificates, PEM text (a file is the caller's to read). */
  caCertificate?: string;
  env: Env;
  /** Told when NODE_EXTRA_CA_CERTS names a file that cannot be read (Node only warns, too). */
  warn?: (line: string) => void;
}

/**
 * The `ca` list for TLS, or undefined for Node's defaults. Giving `ca` replaces Node's
 * built-in roots, so they are included; verification itself is never turned off.
 */
export function trustedCertificates(options: TrustOptions): string[] | undefined {
  const extra = extraCertificates(options);
  return extra.length === 0 ? undefined : [...tls.rootCertificates, ...extra];
}

/** The certificates to trust besides Node's roots (checked, so that a broken one is named now). */
function extraCertificates(options: TrustOptions): string[] {
  const extra: string[] = [];
  const given = options.caCertificate?.trim();
  if (given) {
    const certs = pemCertificates(given);
    if (certs.length === 0) {
      throw new TrustError(
        'The extra CA certificate holds no PEM certificate (expected -----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----)'
      );
    }
    // Node silently skips a `ca` entry it cannot parse, which would end in "certificate not trusted,
    // give a CA certificate" although one was given: name the broken one instead.
    certs.forEach((pem, i) => {
      const problem = unreadable(pem);
      if (problem) {
        throw new TrustError(
          `The extra CA certificate ${i + 1} of ${certs.length} cannot be read (${problem}); ` +
            'copy the whole PEM block of the CA certificate, with its BEGIN and END lines and no changed characters'
        );
      }
    });
    extra.push(...certs);
  }
  const nodeExtra = options.env.NODE_EXTRA_CA_CERTS?.trim();
  if (nodeExtra) {
    try {
      const certs = pemCertificates(readFileSync(nodeExtra, 'utf8'));
      const broken = certs.filter((pem) => unreadable(pem) !== undefined).length;
      if (broken > 0)
        options.warn?.(`NODE_EXTRA_CA_CERTS: ${broken} of ${certs.length} certificates in the file cannot be read; they are ignored`);
      extra.push(...certs);
    } catch (e) {
      options.warn?.(`NODE_EXTRA_CA_CERTS names a file that cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'}); ignoring it`);
    }
  }
  return extra;
}

/** Why a PEM certificate cannot be parsed, or undefined when it can. */
function unreadable(pem: string): string | undefined {
  try {
    new X509Certificate(pem);
    return undefined;
  } catch (e) {
    return (e as { code?: string }).code ?? 'not a certificate';
  }
}

/**
 * Idle keep-alive connections are closed after this long, below the usual 5 s server idle
 * timeout, so that a request is not sent on a connection the server is closing (which would
 * make a POST look ambiguous).
 */
const IDLE_SOCKET_MS = 4000;

type ConnectOptions = Parameters<HttpsProxyAgent<string>['connect']>[1];

interface ProxyAgents {
  HttpsProxyAgent: typeof import('https-proxy-agent').HttpsProxyAgent;
  HttpProxyAgent: typeof import('http-proxy-agent').HttpProxyAgent;
}

let proxyAgents: Promise<ProxyAgents> | undefined;

/**
 * The proxy agents (and `debug`, which they use) are loaded on the first request that goes
 * through a proxy, so that a run without one does not pay their start-up.
 */
function loadProxyAgents(): Promise<ProxyAgents> {
  proxyAgents ??= (async () => {
    // With DEBUG=* in a job's environment, the proxy agents' debug output would print the proxy
    // URL with its password and the raw request headers, cookies included, to stderr.
    const { default: debugLibrary } = await import('debug');
    debugLibrary.disable();
    // One after the other: jest's ESM loader fails on CommonJS modules imported in parallel.
    const { HttpsProxyAgent } = await import('https-proxy-agent');
    const { HttpProxyAgent } = await import('http-proxy-agent');
    return { HttpsProxyAgent, HttpProxyAgent };
  })();
  return proxyAgents;
}

/**
 * https-proxy-agent upgrades the tunnel to TLS with the options of the request only (its
 * connect() passes `opts` to tls.connect, not the agent's), so the shared context would be lost
 * behind a proxy: add it, and the certificate check, here.
 */
function trustingHttpsProxyAgent(agents: ProxyAgents, proxy: URL, secureContext: tls.SecureContext | undefined): http.Agent {
  const trust = { rejectUnauthorized: true, ...(secureContext ? { secureContext } : {}) };
  class TrustingHttpsProxyAgent extends agents.HttpsProxyAgent<string> {
    override connect(req: http.ClientRequest, opts: ConnectOptions) {
      return super.connect(req, { ...opts, ...trust } as ConnectOptions);
    }
  }
  // These options are also those of the TLS connection to an https:// proxy itself.
  return new TrustingHttpsProxyAgent(proxy, { keepAlive: true, timeout: IDLE_SOCKET_MS, ...trust });
}

/** Node sets `_agentKey` (the agent's name for host, port and TLS options) on the options of createConnection. */
type Keyed = { _agentKey?: string };

/**
 * Connections opened before the requests that will use them (see Network.warm). Each waits at
 * most IDLE_SOCKET_MS (the socket timeout the agent's options give it) and is then closed, like
 * an idle keep-alive connection; destroy() closes those never used.
 */
class WarmSockets {
  private readonly idle = new Map<string, Set<net.Socket>>();
  private readonly detach = new Map<net.Socket, () => void>();

  count(key: string): number {
    return this.idle.get(key)?.size ?? 0;
  }

  add(key: string, socket: net.Socket): void {
    const set = this.idle.get(key) ?? new Set<net.Socket>();
    this.idle.set(key, set);
    set.add(socket);
    // A failure here is not reported: the request that would have used the connection opens
    // its own and gets the error there, with its message.
    const drop = (): void => detach();
    const expire = (): void => {
      socket.destroy();
    };
    const detach = (): void => {
      set.delete(socket);
      this.detach.delete(socket);
      socket.off('error', drop).off('close', drop).off('timeout', expire);
    };
    socket.on('error', drop).on('close', drop).on('timeout', expire);
    this.detach.set(socket, detach);
  }

  /** A warm connection for `key`, handed over to the agent (it is no longer tracked here). */
  take(key: string | undefined): net.Socket | undefined {
    for (const socket of this.idle.get(key ?? '') ?? []) {
      this.detach.get(socket)?.();
      if (!socket.destroyed) return socket;
    }
    return undefined;
  }

  destroy(): void {
    for (const [socket, detach] of [...this.detach]) {
      detach();
      socket.destroy();
    }
  }
}

interface WarmAgent extends http.Agent {
  /** Node's agents keep the options they were made with (set by http.Agent, typed for https only). */
  readonly options: http.AgentOptions;
  readonly warmSockets: WarmSockets;
  /** Opens a connection the agent's way (TLS options, session cache) without a request. */
  open(options: http.ClientRequestArgs & Keyed): net.Socket;
}

/** Node's agents, taking a warm connection when there is one instead of opening a new one. */
class WarmHttpsAgent extends https.Agent implements WarmAgent {
  readonly warmSockets = new WarmSockets();

  override createConnection(options: https.RequestOptions & Keyed, callback?: (err: Error | null, stream: Duplex) => void) {
    return this.warmSockets.take(options._agentKey) ?? super.createConnection(options, callback);
  }

  open(options: https.RequestOptions & Keyed): net.Socket {
    return super.createConnection(options) as net.Socket;
  }

  override destroy(): void {
    this.warmSockets.destroy();
    super.destroy();
  }
}

class WarmHttpAgent extends http.Agent implements WarmAgent {
  declare readonly options: http.AgentOptions;
  readonly warmSockets = new WarmSockets();

  override createConnection(options: http.ClientRequestArgs & Keyed, callback?: (err: Error | null, stream: Duplex) => void) {
    return this.warmSockets.take(options._agentKey) ?? super.createConnection(options, callback);
  }

  open(options: http.ClientRequestArgs & Keyed): net.Socket {
    return super.createConnection(options) as net.Socket;
  }

  override destroy(): void {
    this.warmSockets.destroy();
    super.destroy();
  }
}

export interface Route {
  agent: http.Agent;
  /** The proxy in use, without credentials ("host:port"), for messages. */
  proxy?: string;
}

/** Agents per route (scheme + proxy), created on first use and kept alive within one client. */
export class Network {
  private readonly direct = new Map<string, WarmAgent>();
  private readonly proxied = new Map<string, Promise<Route>>();
  private readonly env: Env;
  /** Certificates trusted besides Node's roots; none means Node's own context. */
  private readonly extra: string[];
  private context: tls.SecureContext | undefined;

  /** `trust.env` also holds the proxy variables that choose each route. */
  constructor(trust: TrustOptions) {
    this.env = trust.env;
    this.extra = extraCertificates(trust);
    // Node turns certificate checks off when this is '0'; every TLS path here sets
    // rejectUnauthorized itself, so the variable has no effect on calls to Octane: say so once.
    if (trust.env.NODE_TLS_REJECT_UNAUTHORIZED === '0') {
      trust.warn?.(
        'NODE_TLS_REJECT_UNAUTHORIZED=0 is ignored: certificate checks for Octane stay on (a private CA is trusted with an extra CA certificate or NODE_EXTRA_CA_CERTS)'
      );
    }
  }

  /**
   * One TLS context for every connection of the run, built on first use from Node's roots and
   * the extra certificates. A `ca` option instead makes Node build a context from the whole list
   * on every connection (19 ms of CPU each on Node 20, BENCHMARKS.md).
   */
  private secureContext(): tls.SecureContext | undefined {
    if (this.extra.length === 0) return undefined;
    this.context ??= tls.createSecureContext({ ca: [...tls.rootCertificates, ...this.extra] });
    return this.context;
  }

  /** Explicit, because Node's default follows NODE_TLS_REJECT_UNAUTHORIZED (see the constructor). */
  private tlsOptions(): { rejectUnauthorized: true; secureContext?: tls.SecureContext } {
    const secureContext = this.secureContext();
    return { rejectUnauthorized: true, ...(secureContext ? { secureContext } : {}) };
  }

  async route(url: URL): Promise<Route> {
    const proxy = proxyForUrl(url, this.env);
    if (!proxy) return { agent: this.directAgent(url.protocol) };
    const key = `${url.protocol}|${proxy}`;
    let route = this.proxied.get(key);
    if (!route) {
      route = this.proxyRoute(url.protocol, proxy);
      this.proxied.set(key, route);
    }
    return route;
  }

  /**
   * Opens connections to the site of `url` until `count` are open or opening (those the agent
   * holds, busy or idle, included), so that the next requests find them ready; the agent hands
   * them to requests as they come (createConnection above). Only on direct routes: a proxy
   * tunnel is opened by its request. Never more than `count`, so warming opens no connection a
   * wave of `count` requests would not open anyway.
   */
  warm(url: URL, count: number): void {
    if (proxyForUrl(url, this.env)) return;
    const agent = this.directAgent(url.protocol);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
    // As Node's agent builds them for a request (agent options, then SNI from the host unless it is an IP).
    const options = { ...agent.options, host, port, servername: net.isIP(host) ? '' : host };
    const key = agent.getName(options);
    const open = (agent.sockets[key]?.length ?? 0) + (agent.freeSockets[key]?.length ?? 0) + agent.warmSockets.count(key);
    for (let i = open; i < count; i++) agent.warmSockets.add(key, agent.open({ ...options, _agentKey: key }));
  }

  private directAgent(protocol: string): WarmAgent {
    let agent = this.direct.get(protocol);
    if (!agent) {
      const keep = { keepAlive: true, timeout: IDLE_SOCKET_MS };
      agent = protocol === 'https:' ? new WarmHttpsAgent({ ...keep, ...this.tlsOptions() }) : new WarmHttpAgent(keep);
      this.direct.set(protocol, agent);
    }
    return agent;
  }

  private async proxyRoute(protocol: string, proxy: string): Promise<Route> {
    const proxyUrl = parseProxy(proxy);
    if (!proxyUrl) throw new Error('The proxy variable (https_proxy / http_proxy) is not a valid URL');
    const where = hostPort(proxyUrl);
    const agents = await loadProxyAgents();
    // The agents send the URL's user:password as Proxy-Authorization.
    const agent =
      protocol === 'https:'
        ? trustingHttpsProxyAgent(agents, proxyUrl, this.secureContext())
        : new agents.HttpProxyAgent(proxyUrl, {
            keepAlive: true,
            timeout: IDLE_SOCKET_MS,
            // TLS to an https:// proxy
            ...(proxyUrl.protocol === 'https:' ? this.tlsOptions() : { rejectUnauthorized: true })
          });
    return { agent, proxy: where };
  }

  /** Closes idle keep-alive connections and unused warm ones; new requests open new ones. */
  destroy(): void {
    for (const agent of this.direct.values()) agent.destroy();
    for (const route of this.proxied.values())
      route.then(
        ({ agent }) => agent.destroy(),
        () => {}
      );
    this.direct.clear();
    this.proxied.clear();
  }
}
