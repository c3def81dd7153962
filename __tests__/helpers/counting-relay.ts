// A TCP relay on loopback that counts the connections a client opens (tests of connection reuse).
import net, { type AddressInfo } from 'node:net';

/** A TCP relay in front of `target` that counts the connections it accepted and those still open. */
export async function countingRelay(
  target: string
): Promise<{ url: string; accepted: () => number; open: () => number; close(): Promise<void> }> {
  const to = new URL(target);
  let accepted = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    accepted++;
    sockets.add(client);
    const upstream = net.connect(Number(to.port), to.hostname);
    client.pipe(upstream).pipe(client);
    const end = (): void => {
      sockets.delete(client);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${to.protocol}//127.0.0.1:${port}`,
    accepted: () => accepted,
    open: () => sockets.size,
    close: () =>
      new Promise<void>((ok) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => ok());
      })
  };
}
