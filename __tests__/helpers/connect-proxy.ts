/**
 * A small forward proxy for tests: CONNECT tunnels (for https targets) and plain-HTTP
 * forwarding (absolute-URI requests), on 127.0.0.1 and a free port, with optional Basic auth.
 * `hosts` maps a name such as octane.example.test to a loopback address, so the client never
 * resolves that name itself and the loopback bypass does not apply.
 */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface ProxyOptions {
  /** Require these credentials (407 without them). */
  auth?: { user: string; password: string };
  /** host name -> "127.0.0.1:port" */
  hosts?: Record<string, string>;
}

export interface TestProxy {
  url: string;
  /** The URL with the user and password in it (percent-encoded), as a runner's proxy variable carries them; `url` when none are wanted. */
  authUrl: string;
  port: number;
  /** CONNECT targets as asked for ("host:port"), in order, including refused ones. */
  connects: string[];
  /** Absolute URLs of plain-HTTP requests forwarded. */
  forwarded: string[];
  /** How many requests were refused with 407. */
  refused: number;
  close(): Promise<void>;
}

export async function startProxy(options: ProxyOptions = {}): Promise<TestProxy> {
  const sockets = new Set<net.Socket>();
  const state = { connects: [] as string[], forwarded: [] as string[], refused: 0 };

  const expected = options.auth ? `Basic ${Buffer.from(`${options.auth.user}:${options.auth.password}`).toString('base64')}` : undefined;
  const authorized = (req: http.IncomingMessage) => !expected || req.headers['proxy-authorization'] === expected;

  const resolve = (host: string, port: string): { host: string; port: number } => {
    const mapped = options.hosts?.[host];
    if (mapped) {
      const [h, p] = mapped.split(':');
      return { host: h!, port: Number(p) };
    }
    return { host, port: Number(port) };
  };

  const server = http.createServer((req, res) => {
    // Plain-HTTP forwarding: the request line holds an absolute URL.
    if (!authorized(req)) {
      state.refused++;
      res.writeHead(407, { 'Proxy-Authenticate': 'Basic realm="test"', 'Content-Type': 'text/html' });
      res.end('<html><body>407 Proxy Authentication Required</body></html>');
      return;
    }
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end();
      return;
    }
    state.forwarded.push(target.href);
    const { host, port } = resolve(target.hostname, target.port || '80');
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = http.request({ host, port, method: req.method, path: `${target.pathname}${target.search}`, headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/html' });
      res.end('<html><body>502 Bad Gateway</body></html>');
    });
    req.pipe(upstream);
  });

  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => {});
    const asked = req.url ?? '';
    state.connects.push(asked);
    if (!authorized(req)) {
      state.refused++;
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const colon = asked.lastIndexOf(':');
    const { host, port } = resolve(asked.slice(0, colon), asked.slice(colon + 1));
    const upstream = net.connect(port, host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => {
      client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
    });
  });
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as AddressInfo).port;
  const userInfo = options.auth ? `${options.auth.user}:${encodeURIComponent(options.auth.password)}@` : '';
  return {
    url: `http://127.0.0.1:${port}`,
    authUrl: `http://${userInfo}127.0.0.1:${port}`,
    port,
    get connects() {
      return state.connects;
    },
    get forwarded() {
      return state.forwarded;
    },
    get refused() {
      return state.refused;
    },
    close: () =>
      new Promise<void>((ok) => {
        for (const s of sockets) s.destroy();
        server.close(() => ok());
      })
  };
}

/** A `hosts` value: the loopback address and port of the server at `url`. */
export const loopbackOf = (url: string): string => `127.0.0.1:${new URL(url).port}`;
