// The network floor the action is compared with: the least a client must do over HTTPS, written
// with plain node:https, run by scripts/bench.ts as its own Node process like the action.
//   FLOOR_MODE=gate:   sign in, then one defect query (release and phases in cross filters, so no
//                      look-ups), on one keep-alive connection.
//   FLOOR_MODE=create: sign in, the look-ups create-defect needs (release, backlog root, origin
//                      list) all at once, then the POST. The two extra connections the look-ups use
//                      are opened while the sign-in is in flight, so they cost no wait of their own.
// Both end with a sign-out that is sent but not waited for. One TLS context (Node's roots plus
// the file in NODE_EXTRA_CA_CERTS) serves every connection. Certificates are verified as usual.
// Prints one line `RESULT {...}` at the end.
import { readFileSync } from 'node:fs';
import https from 'node:https';
import tls from 'node:tls';

const env = process.env;
const base = new URL(env.OCTANE_URL);
const api = `${base.pathname.replace(/\/$/, '')}/api/shared_spaces/${env.SHARED_SPACE_ID}/workspaces/${env.WORKSPACE_ID}`;
const extra = env.NODE_EXTRA_CA_CERTS ? [readFileSync(env.NODE_EXTRA_CA_CERTS, 'utf8')] : [];
const secureContext = tls.createSecureContext({ ca: [...tls.rootCertificates, ...extra] });
const connectOptions = {
  host: base.hostname,
  port: Number(base.port || 443),
  servername: base.hostname === '127.0.0.1' ? undefined : base.hostname,
  secureContext
};

/** Connections opened ahead of need; the agent takes them before opening new ones. */
class WarmAgent extends https.Agent {
  warm = [];
  createConnection(options, callback) {
    const socket = this.warm.shift();
    return socket && !socket.destroyed ? socket : super.createConnection(options, callback);
  }
  openAhead(n) {
    for (let i = 0; i < n; i++) this.warm.push(tls.connect(connectOptions));
  }
}
const agent = new WarmAgent({ keepAlive: true, secureContext });
const cookies = new Map();

function request(method, path, body, { wait = true } = {}) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = https.request({
      ...connectOptions,
      agent,
      method,
      path,
      headers: {
        accept: 'application/json',
        ...(payload !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
        ...(cookies.size ? { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {})
      }
    });
    req.on('error', reject);
    if (!wait) {
      // Sent is enough: resolve once the request has been handed to the socket.
      req.on('finish', () => resolve(undefined));
    } else {
      req.on('response', (res) => {
        for (const line of res.headers['set-cookie'] ?? []) {
          const [pair] = line.split(';');
          const at = pair.indexOf('=');
          cookies.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
        }
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode >= 300) reject(new Error(`${method} ${path}: ${res.statusCode} ${text.slice(0, 300)}`));
          else resolve(text ? JSON.parse(text) : undefined);
        });
      });
    }
    req.end(payload);
  });
}

const q = (text) => `query=${encodeURIComponent(`"${text}"`)}`;
const signIn = () =>
  request('POST', `${base.pathname.replace(/\/$/, '')}/authentication/sign_in`, {
    client_id: env.CLIENT_ID,
    client_secret: env.CLIENT_SECRET
  });
const signOut = () => request('POST', `${base.pathname.replace(/\/$/, '')}/authentication/sign_out`, undefined, { wait: false });
let result;

if (env.FLOOR_MODE === 'create') {
  const signingIn = signIn();
  agent.openAhead(2);
  await signingIn;
  const [releases, roots, origins] = await Promise.all([
    request('GET', `${api}/releases?${q(`name EQ ^${env.RELEASE_NAME}^`)}&fields=id,name`),
    request('GET', `${api}/work_item_roots?fields=id&limit=2`),
    request('GET', `${api}/list_nodes?${q('list_root EQ {logical_name EQ ^list_node.item_origin^}')}&fields=id,name,logical_name`)
  ]);
  const release = releases.data.find((r) => r.name === env.RELEASE_NAME);
  const origin = origins.data.find((n) => n.logical_name === 'list_node.item_origin.github_actions');
  const created = await request('POST', `${api}/defects`, {
    data: [
      {
        name: env.DEFECT_NAME,
        parent: { type: 'work_item_root', id: roots.data[0].id },
        release: { type: 'release', id: release.id },
        ...(origin ? { item_origin: { type: 'list_node', id: origin.id } } : {})
      }
    ]
  });
  result = { id: created.data[0].id };
} else {
  await signIn();
  const phases = env.PHASE_LOGICAL_NAMES.split(',')
    .map((p) => `^${p}^`)
    .join(',');
  const filter = `release EQ {name EQ ^${env.RELEASE_NAME}^};phase EQ {logical_name IN ${phases}}`;
  const page = await request('GET', `${api}/defects?${q(filter)}&fields=id,name,phase,severity&limit=100&order_by=id`);
  result = { count: page.total_count };
}
await signOut();
console.log(`RESULT ${JSON.stringify(result)}`);
// Nothing is awaited beyond the sign-out leaving: idle keep-alive sockets must not hold the process.
process.exit(0);
