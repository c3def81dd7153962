// A site's network as the network suites need it: the simulator over HTTPS with a certificate from a
// CA made for this run, for a host name that nothing resolves, reached only through CONNECT proxies on
// loopback that map that name to it (one open, one that wants credentials).
import { startSimulator, type Simulator } from '../../simulator/index.js';
import { loopbackOf, startProxy, type TestProxy } from './connect-proxy.js';
import { makeThrowawayCa, type ThrowawayCa } from './throwaway-ca.js';

export interface PrivateNetworkOptions {
  /** The name in the certificate and in the proxies' host map. */
  host: string;
  /** What the second proxy wants. */
  proxyAuth: { user: string; password: string };
  /** IP addresses the certificate also names. */
  caIps?: string[];
  /** Further names the proxies map (name -> "127.0.0.1:port"). */
  moreHosts?: Record<string, string>;
}

export interface PrivateNetwork {
  ca: ThrowawayCa;
  sim: Simulator;
  /** The simulator's port. */
  port: number;
  proxy: TestProxy;
  authProxy: TestProxy;
  /** Closes the simulator and both proxies and removes the CA's files. */
  close(): Promise<void>;
}

export async function startPrivateNetwork(options: PrivateNetworkOptions): Promise<PrivateNetwork> {
  const ca = makeThrowawayCa([options.host], options.caIps);
  // What is up so far, closed again if a later step fails (jest would otherwise wait on open servers).
  const started: Array<{ close(): Promise<void> }> = [];
  const close = async (): Promise<void> => {
    await Promise.all(started.map((s) => s.close()));
    ca.cleanup();
  };
  try {
    const sim = await startSimulator({ tls: { key: ca.key, cert: ca.cert } });
    started.push(sim);
    const hosts = { [options.host]: loopbackOf(sim.url), ...options.moreHosts };
    const proxy = await startProxy({ hosts });
    started.push(proxy);
    const authProxy = await startProxy({ hosts, auth: options.proxyAuth });
    started.push(authProxy);
    return { ca, sim, port: Number(new URL(sim.url).port), proxy, authProxy, close };
  } catch (error) {
    await close();
    throw error;
  }
}
