// A private certificate authority for one bench run, made with the openssl CLI: its certificate
// (what a self-hosted runner would put in NODE_EXTRA_CA_CERTS) and a server certificate it signed
// for the loopback address, so the HTTPS runs verify certificates exactly as in production.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface BenchCa {
  /** Path of the CA certificate (PEM), for NODE_EXTRA_CA_CERTS. */
  caFile: string;
  /** PEM key and certificate of the server, for startSimulator({ tls }). */
  serverKey: string;
  serverCert: string;
  remove(): void;
}

/** Signs a server certificate valid for `localhost` and 127.0.0.1; about a second of CPU for two RSA keys. */
export function makeBenchCa(): BenchCa {
  const dir = mkdtempSync(join(tmpdir(), 'octane-bench-ca-'));
  const run = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  };
  try {
    run('genrsa', '-out', 'root.key', '2048');
    run(
      'req',
      '-new',
      '-x509',
      '-key',
      'root.key',
      '-sha256',
      '-days',
      '1',
      '-subj',
      '/CN=octane-bench private CA',
      '-out',
      'root.pem',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign'
    );
    run('genrsa', '-out', 'leaf.key', '2048');
    run('req', '-new', '-key', 'leaf.key', '-subj', '/CN=localhost', '-out', 'leaf.csr');
    writeFileSync(
      join(dir, 'leaf.ext'),
      'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n'
    );
    run(
      'x509',
      '-req',
      '-in',
      'leaf.csr',
      '-CA',
      'root.pem',
      '-CAkey',
      'root.key',
      '-set_serial',
      '1',
      '-days',
      '1',
      '-sha256',
      '-extfile',
      'leaf.ext',
      '-out',
      'leaf.pem'
    );
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`openssl could not make the bench CA: ${(e as { stderr?: Buffer }).stderr?.toString() ?? String(e)}`, { cause: e });
  }
  return {
    caFile: join(dir, 'root.pem'),
    serverKey: readFileSync(join(dir, 'leaf.key'), 'utf8'),
    serverCert: readFileSync(join(dir, 'leaf.pem'), 'utf8'),
    remove: () => rmSync(dir, { recursive: true, force: true })
  };
}
