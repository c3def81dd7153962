// CPU time per TLS connection, measured in its own Node process (run by scripts/bench.ts with or
// without NODE_EXTRA_CA_CERTS): opens CONNECTIONS connections one after another to TARGET_PORT on
// 127.0.0.1 (a server whose certificate the CA in CA_FILE signed), each a full handshake with
// certificate checks, and prints `RESULT {"cpuMsPerConnection":..,"contextMs":..}`.
//   TRUST=default       no ca option: Node's own defaults (NODE_EXTRA_CA_CERTS, when set, trusts the CA);
//   TRUST=per-connection ca: [Node's roots + the CA] on every connection, as an agent given `ca` does;
//   TRUST=shared        one secure context with the same list, built once (contextMs) and shared.
import { readFileSync } from 'node:fs';
import tls from 'node:tls';

const env = process.env;
const n = Number(env.CONNECTIONS ?? '20');
const ca = [...tls.rootCertificates, readFileSync(env.CA_FILE, 'utf8')];
let contextMs = 0;
let shared;
if (env.TRUST === 'shared') {
  const before = process.cpuUsage();
  shared = tls.createSecureContext({ ca });
  const used = process.cpuUsage(before);
  contextMs = (used.user + used.system) / 1000;
}
const options = () => (env.TRUST === 'shared' ? { secureContext: shared } : env.TRUST === 'per-connection' ? { ca } : {});

function connectOnce() {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port: Number(env.TARGET_PORT), ...options() }, () => {
      socket.destroy();
      resolve();
    });
    socket.on('error', reject);
  });
}

// Two connections first, so that loading and compiling the TLS code is not counted.
await connectOnce();
await connectOnce();
const before = process.cpuUsage();
for (let i = 0; i < n; i++) await connectOnce();
const used = process.cpuUsage(before);
console.log(`RESULT ${JSON.stringify({ cpuMsPerConnection: (used.user + used.system) / 1000 / n, contextMs })}`);
