// Preloaded into a measured child process (NODE_OPTIONS=--import <this file>): on exit it writes
// the process's peak RSS and the bytes it read from every client socket (HTTP headers and bodies as
// they came off the wire) to the file named by BENCH_PROBE_OUT. It never writes to stdout, which
// the runner parses.
import { subscribe } from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';

const out = process.env.BENCH_PROBE_OUT;
if (out) {
  const sockets = new Set();
  // Every outgoing TCP connection made through net.connect (http.Agent, node-fetch, axios).
  subscribe('net.client.socket', ({ socket }) => sockets.add(socket));
  process.on('exit', () => {
    let bytesRead = 0;
    for (const socket of sockets) bytesRead += socket.bytesRead;
    // maxRSS is in kilobytes.
    writeFileSync(out, JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS, bytesRead, sockets: sockets.size }));
  });
}
