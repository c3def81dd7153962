// A TCP relay on loopback that charges a network round trip: every chunk of data, and every end of
// a stream, is passed on RTT/2 after it arrived, in each direction. The TCP handshake happens in
// the kernel, where a user-space relay cannot delay it, so the relay charges it instead: what a
// client sends on a new connection leaves no earlier than one RTT after the connection was
// accepted (when its SYN-ACK would have come back). A TLS handshake on top pays its own round
// trip(s) through the delayed data. Counts accepted connections and bytes in each direction.
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface RelayCounts {
  connections: number;
  /** Bytes from the clients to the server, and back (TLS records: handshakes included). */
  bytesUp: number;
  bytesDown: number;
  /** performance.now() of the first accepted connection. */
  firstAcceptAt?: number;
}

export interface Relay {
  port: number;
  rttMs: number;
  counts: RelayCounts;
  /** Zeroes the counts, between runs. */
  reset(): void;
  /**
   * Resolves once every connection has closed on both sides (a request sent just before its client
   * exited has then reached the server), or after `timeoutMs`; true when idle.
   */
  idle(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

type Item = { at: number; chunk?: Buffer; end?: true; destroy?: true };

/** One direction of one connection: items leave in order, each at its own time. */
class DelayedPipe {
  private readonly queue: Item[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly to: net.Socket,
    private readonly onWrite: (bytes: number) => void
  ) {}

  push(item: Item): void {
    this.queue.push(item);
    if (this.queue.length === 1) this.arm();
  }

  private arm(): void {
    const head = this.queue[0];
    if (!head || this.timer) return;
    this.timer = setTimeout(() => this.flush(), Math.max(0, head.at - performance.now()));
  }

  private flush(): void {
    this.timer = undefined;
    const now = performance.now();
    while (this.queue.length > 0 && this.queue[0]!.at <= now + 0.5) {
      const item = this.queue.shift()!;
      if (this.to.destroyed) continue;
      if (item.chunk) {
        this.to.write(item.chunk);
        this.onWrite(item.chunk.length);
      } else if (item.end) this.to.end();
      else if (item.destroy) this.to.destroy();
    }
    this.arm();
  }

  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.queue.length = 0;
  }
}

export async function startRelay(target: { host: string; port: number }, rttMs: number): Promise<Relay> {
  const half = rttMs / 2;
  const counts: RelayCounts = { connections: 0, bytesUp: 0, bytesDown: 0 };
  const open = new Set<net.Socket>();
  const pipes = new Set<DelayedPipe>();
  const idleWaiters: Array<() => void> = [];

  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
    const acceptedAt = performance.now();
    counts.connections++;
    counts.firstAcceptAt ??= acceptedAt;
    const upstream = net.connect({ host: target.host, port: target.port, allowHalfOpen: true, noDelay: true });
    open.add(client).add(upstream);
    const up = new DelayedPipe(upstream, (n) => (counts.bytesUp += n));
    const down = new DelayedPipe(client, (n) => (counts.bytesDown += n));
    pipes.add(up).add(down);
    // Client to server: not before the TCP handshake would have completed, then half a round trip.
    const upAt = (): number => Math.max(performance.now(), acceptedAt + rttMs) + half;
    const downAt = (): number => performance.now() + half;
    client.on('data', (chunk: Buffer) => up.push({ at: upAt(), chunk }));
    client.on('end', () => up.push({ at: upAt(), end: true }));
    // A process that exits closes its sockets: what it sent still arrives, then the end (a FIN);
    // only a reset cuts the other side at once.
    client.on('close', (hadError) => up.push({ at: upAt(), ...(hadError ? { destroy: true } : { end: true }) }));
    upstream.on('data', (chunk: Buffer) => down.push({ at: downAt(), chunk }));
    upstream.on('end', () => down.push({ at: downAt(), end: true }));
    upstream.on('close', (hadError) => down.push({ at: downAt(), ...(hadError ? { destroy: true } : { end: true }) }));
    const forget = (): void => {
      if (client.destroyed && upstream.destroyed) {
        open.delete(client);
        open.delete(upstream);
        pipes.delete(up);
        pipes.delete(down);
        if (open.size === 0) for (const wake of idleWaiters.splice(0)) wake();
      }
    };
    // A reset on one side reaches the other as a close (above); errors themselves are expected.
    for (const socket of [client, upstream]) {
      socket.on('error', () => undefined);
      socket.on('close', forget);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    rttMs,
    counts,
    reset: () => {
      counts.connections = 0;
      counts.bytesUp = 0;
      counts.bytesDown = 0;
      delete counts.firstAcceptAt;
    },
    idle: (timeoutMs) =>
      new Promise<boolean>((resolve) => {
        if (open.size === 0) return resolve(true);
        const timer = setTimeout(() => resolve(false), timeoutMs);
        idleWaiters.push(() => {
          clearTimeout(timer);
          resolve(true);
        });
      }),
    close: async () => {
      for (const pipe of pipes) pipe.clear();
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  };
}
