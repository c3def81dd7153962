/**
 * A certificate authority made for one test run with the openssl CLI, and a server
 * certificate it signed for the given host names and IP addresses (nothing else is added,
 * so that host-name checks stay real).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ThrowawayCa {
  dir: string;
  /** PEM of the CA certificate, and the path of the file that holds it. */
  caCert: string;
  caCertPath: string;
  /** The server's PEM key and certificate, for startSimulator({ tls }). */
  key: string;
  cert: string;
  cleanup(): void;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

export function makeThrowawayCa(hostNames: string[], ips: string[] = []): ThrowawayCa {
  const dir = mkdtempSync(join(tmpdir(), 'throwaway-ca-'));
  openssl(dir, [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-sha256',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-subj',
    '/CN=Throwaway Test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign'
  ]);
  openssl(dir, [
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    `/CN=${hostNames[0] ?? 'localhost'}`
  ]);
  const san = [...hostNames.map((h) => `DNS:${h}`), ...ips.map((ip) => `IP:${ip}`)].join(',');
  writeFileSync(
    join(dir, 'ext.cnf'),
    `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=${san}\n`
  );
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.crt',
    '-days',
    '2',
    '-sha256',
    '-extfile',
    'ext.cnf'
  ]);
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  return {
    dir,
    caCert: read('ca.crt'),
    caCertPath: join(dir, 'ca.crt'),
    key: read('server.key'),
    cert: read('server.crt'),
    cleanup: () => rmSync(dir, { recursive: true, force: true })
  };
}
