// Preloaded into a measured child process (NODE_OPTIONS=--import <this file>): on exit it writes
// the process's peak RSS, its CPU time, the bytes it read from every plain TCP client socket (HTTP
// headers and bodies as they came off the wire) and the time line of its HTTP requests (when each
// started, when its answer ended) to the file named by BENCH_PROBE_OUT. It never writes to stdout,
// which the runner parses.
import { subscribe } from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const out = process.env.BENCH_PROBE_OUT;
if (out) {
  const sockets = new Set();
  /** @type {Array<{ method: string; path: string; start: number; answered?: number }>} times in performance.now() ms of this process. */
  const requests = [];
  const byRequest = new Map();
  // Every outgoing TCP connection made through net.connect (http.Agent, node-fetch, axios); TLS
  // sockets connect another way and are not seen here.
  subscribe('net.client.socket', ({ socket }) => sockets.add(socket));
  // Every http(s).request, whatever library made it: the client's own view of its round trips.
  subscribe('http.client.request.start', ({ request }) => {
    // The path without its query string, so that no filter text is kept.
    const entry = { method: request.method, path: String(request.path).split('?')[0], start: performance.now() };
    requests.push(entry);
    byRequest.set(request, entry);
  });
  subscribe('http.client.response.finish', ({ request, response }) => {
    const entry = byRequest.get(request);
    if (!entry) return;
    // The channel fires on the headers; the answer is in once its body has ended.
    entry.answered = performance.now();
    const ended = () => (entry.answered = performance.now());
    response.once('end', ended);
  });
  process.on('exit', () => {
    let bytesRead = 0;
    for (const socket of sockets) bytesRead += socket.bytesRead;
    const cpu = process.cpuUsage();
    // maxRSS is in kilobytes.
    writeFileSync(
      out,
      JSON.stringify({
        maxRssKb: process.resourceUsage().maxRSS,
        bytesRead,
        sockets: sockets.size,
        cpuMs: (cpu.user + cpu.system) / 1000,
        requests
      })
    );
  });
}
