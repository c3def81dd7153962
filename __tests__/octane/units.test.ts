import { describe, it, expect } from '@jest/globals';
import { CookieJar } from '../../src/octane/cookies.js';
import { octaneErrorFrom } from '../../src/octane/errors.js';
import { backoffMs, minWaitMs, retryAfterMs, BACKOFF_CAP_MS, RETRY_AFTER_CAP_MS } from '../../src/octane/retry.js';
import { isLoopback, proxyForUrl, proxySecrets } from '../../src/octane/network.js';
import { listQuery } from '../../src/octane/client.js';

describe('CookieJar (RFC 6265)', () => {
  const site = new URL('https://octane.example.test/authentication/sign_in');
  const api = new URL('https://octane.example.test/api/shared_spaces/1/workspaces/2/defects');

  it('keeps name=value per path, newest wins, and returns every value that came for masking', () => {
    const jar = new CookieJar();
    const seen = jar.store(
      ['LWSSO_COOKIE_KEY=abc123; Path=/; HttpOnly; Secure; Expires=Wed, 01 Jan 2099 00:00:00 GMT', 'OCTANE_USER=sa; Path=/'],
      site
    );
    expect(seen).toEqual([
      ['LWSSO_COOKIE_KEY', 'abc123'],
      ['OCTANE_USER', 'sa']
    ]);
    jar.store(['LWSSO_COOKIE_KEY=def456; Path=/; HttpOnly'], api);
    expect(jar.header(api)).toBe('LWSSO_COOKIE_KEY=def456; OCTANE_USER=sa');
  });

  it('keeps values that contain = and drops cookies deleted with Max-Age=0 or a past Expires', () => {
    const jar = new CookieJar();
    jar.store(['A=x=y==; Path=/', 'B=1; Path=/', 'C=2; Path=/'], site);
    expect(jar.get('A', api)).toBe('x=y==');
    jar.store(['B=; Max-Age=0; Path=/', 'C=gone; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT'], api);
    expect(jar.header(api)).toBe('A=x=y==');
  });

  it('deleting a twin on another path leaves the session cookie in place', () => {
    const jar = new CookieJar();
    jar.store(
      [
        'LWSSO_COOKIE_KEY=live; Path=/; HttpOnly',
        'LWSSO_COOKIE_KEY=; Path=/authentication; Max-Age=0',
        'LWSSO_COOKIE_KEY=old; Path=/ui; Expires=Thu, 01 Jan 1970 00:00:00 GMT'
      ],
      site
    );
    expect(jar.get('LWSSO_COOKIE_KEY', api)).toBe('live');
    expect(jar.header(api)).toBe('LWSSO_COOKIE_KEY=live');
  });

  it('sends a cookie only under its Path, the longer path first', () => {
    const jar = new CookieJar();
    jar.store(['S=root; Path=/', 'S=api; Path=/api'], site);
    expect(jar.header(api)).toBe('S=api; S=root');
    expect(jar.header(new URL('https://octane.example.test/authentication/sign_out'))).toBe('S=root');
    // Without Path the default path is the directory of the answering URL (/authentication).
    jar.store(['N=1'], site);
    expect(jar.get('N', api)).toBeUndefined();
    expect(jar.unsent('N', api)).toEqual({ reason: 'path', path: '/authentication' });
  });

  it('keeps Domain to the host and its subdomains, and drops a cookie for another domain', () => {
    const jar = new CookieJar();
    jar.store(['D=1; Path=/; Domain=example.test', 'E=2; Path=/; Domain=elsewhere.test'], site);
    expect(jar.header(api)).toBe('D=1');
    expect(jar.header(new URL('https://other.example.test/api'))).toBe('D=1');
    expect(jar.unsent('E', api)).toEqual({ reason: 'domain', domain: 'elsewhere.test' });
  });

  it('never sends a Secure cookie over plain http, loopback included, and says why', () => {
    const jar = new CookieJar();
    const plain = new URL('http://127.0.0.1:8080/api/x');
    jar.store(['LWSSO_COOKIE_KEY=s; Path=/; Secure', 'OCTANE_USER=u; Path=/'], new URL('http://127.0.0.1:8080/authentication/sign_in'));
    expect(jar.header(plain)).toBe('OCTANE_USER=u');
    expect(jar.unsent('LWSSO_COOKIE_KEY', plain)).toEqual({ reason: 'secure' });
    expect(jar.unsent('OCTANE_USER', plain)).toBeUndefined();
  });
});

describe('octaneErrorFrom', () => {
  it('formats an Octane error with code and correlation id', () => {
    const e = octaneErrorFrom(
      400,
      JSON.stringify({ error_code: 'platform.field_validation', correlation_id: 'c-1', description: 'name is required' }),
      'application/json',
      'POST defects'
    );
    expect(e.message).toBe(
      'Octane answered 400 Bad Request to POST defects: name is required (error_code platform.field_validation, correlation_id c-1)'
    );
    expect(e).toMatchObject({ status: 400, errorCode: 'platform.field_validation', correlationId: 'c-1', description: 'name is required' });
  });
  it('shows every error of {"errors":[...]}', () => {
    const e = octaneErrorFrom(
      409,
      JSON.stringify({
        errors: [
          { error_code: 'A', description: 'first' },
          { error_code: 'B', description: 'second' }
        ]
      }),
      'application/json',
      'POST defects'
    );
    expect(e.message).toContain('first (error_code A)');
    expect(e.message).toContain('second (error_code B)');
  });
  it('says "HTML page" instead of a JSON parse error', () => {
    const e = octaneErrorFrom(502, '<html><body><h1>502 Bad Gateway</h1></body></html>', 'text/html', 'GET defects');
    expect(e.message).toMatch(/^Octane answered 502 Bad Gateway with an HTML page, not JSON; a proxy or load balancer/);
    expect(e.message).not.toMatch(/Unexpected token|JSON\.parse|position/);
  });
  it('redacts secrets that Octane echoes back', () => {
    const e = octaneErrorFrom(
      400,
      JSON.stringify({ description: 'bad request Cookie: LWSSO_COOKIE_KEY=s3cr3tvalue' }),
      null,
      'GET x',
      (t) => t.split('s3cr3tvalue').join('***')
    );
    expect(e.message).not.toContain('s3cr3tvalue');
    expect(e.description).not.toContain('s3cr3tvalue');
  });
});

describe('retry timing', () => {
  it('grows exponentially with jitter above a floor, and a cap', () => {
    expect(backoffMs(0, () => 0)).toBe(500);
    expect(backoffMs(0, () => 0.999)).toBeLessThanOrEqual(1000);
    expect(backoffMs(3, () => 0.5)).toBe(6000);
    expect(backoffMs(20, () => 0.999)).toBeLessThanOrEqual(BACKOFF_CAP_MS);
    for (let retry = 0; retry < 12; retry++) expect(backoffMs(retry, () => 0)).toBe(minWaitMs(retry));
    expect([0, 1, 2, 3, 4, 8].map(minWaitMs)).toEqual([500, 1000, 2000, 4000, 5000, 5000]);
  });
  it('reads Retry-After as seconds or as an HTTP date, capped', () => {
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs('3600')).toBe(RETRY_AFTER_CAP_MS);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(retryAfterMs('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(null)).toBeUndefined();
  });
});

describe('proxy choice', () => {
  const env = { https_proxy: 'http://lower:3128', HTTPS_PROXY: 'http://upper:3128', http_proxy: 'http://plain:8080' };
  it('lower case wins', () => {
    expect(proxyForUrl(new URL('https://octane.example.test/'), env)).toBe('http://lower:3128');
    expect(proxyForUrl(new URL('https://octane.example.test/'), { HTTPS_PROXY: 'http://upper:3128' })).toBe('http://upper:3128');
    expect(proxyForUrl(new URL('http://octane.example.test/'), env)).toBe('http://plain:8080');
  });
  it('no_proxy suffixes, ports and *', () => {
    const url = new URL('https://octane.corp.example:8443/');
    expect(proxyForUrl(url, { ...env, no_proxy: '.corp.example' })).toBe('');
    expect(proxyForUrl(url, { ...env, NO_PROXY: '*.corp.example' })).toBe('');
    expect(proxyForUrl(url, { ...env, NO_PROXY: 'octane.corp.example' })).toBe('');
    // A bare name covers its subdomains too, as in the runner's own HTTP client, but not look-alikes.
    expect(proxyForUrl(url, { ...env, NO_PROXY: 'corp.example' })).toBe('');
    expect(proxyForUrl(url, { ...env, no_proxy: 'other.example,corp.example:8443' })).toBe('');
    expect(proxyForUrl(url, { ...env, no_proxy: 'p.corp.example' })).toBe('http://lower:3128');
    expect(proxyForUrl(new URL('https://evilcorp.example/'), { ...env, no_proxy: 'corp.example' })).toBe('http://lower:3128');
    // lower case no_proxy wins over NO_PROXY
    expect(proxyForUrl(url, { ...env, no_proxy: 'other.example', NO_PROXY: '*' })).toBe('http://lower:3128');
    expect(proxyForUrl(url, { ...env, no_proxy: 'octane.corp.example:9999' })).toBe('http://lower:3128');
    expect(proxyForUrl(url, { ...env, no_proxy: 'octane.corp.example:8443' })).toBe('');
    expect(proxyForUrl(url, { ...env, no_proxy: '*' })).toBe('');
    expect(proxyForUrl(url, { ...env, no_proxy: 'other.example' })).toBe('http://lower:3128');
  });
  it('a proxy without a scheme is an http:// proxy, for https requests too', () => {
    expect(proxyForUrl(new URL('https://octane.example.test/'), { https_proxy: 'proxy.corp:8080' })).toBe('http://proxy.corp:8080');
    expect(proxyForUrl(new URL('http://octane.example.test/'), { HTTP_PROXY: 'proxy.corp:8080' })).toBe('http://proxy.corp:8080');
    expect(proxyForUrl(new URL('https://octane.example.test/'), { https_proxy: 'https://proxy.corp:8443' })).toBe(
      'https://proxy.corp:8443'
    );
  });
  it('never proxies loopback', () => {
    // IPv4-mapped forms: the URL parser writes [::ffff:127.0.0.1] as [::ffff:7f00:1].
    for (const host of [
      'localhost',
      '127.0.0.1',
      '127.1.2.3',
      '[::1]',
      '[0:0:0:0:0:0:0:1]',
      '[::ffff:127.0.0.1]',
      '[::ffff:127.9.8.7]',
      '[0:0:0:0:0:ffff:7f00:1]'
    ]) {
      expect(isLoopback(new URL(`http://${host}:1/`).hostname)).toBe(true);
      expect(proxyForUrl(new URL(`http://${host}:1/`), env)).toBe('');
    }
    for (const host of ['128.0.0.1', '[::ffff:8.8.8.8]', '[::2]', 'octane.example.test', '127.0.0.1.example.test']) {
      expect(isLoopback(new URL(`http://${host}:1/`).hostname)).toBe(false);
      expect(proxyForUrl(new URL(`http://${host}:1/`), env)).not.toBe('');
    }
  });
  it('uses the env it is given, not the process environment, and leaves the latter as it was', () => {
    const before = { ...process.env };
    expect(proxyForUrl(new URL('https://octane.example.test/'), {})).toBe('');
    expect(process.env).toEqual(before);
  });
  it('lists proxy credentials for masking', () => {
    const secrets = proxySecrets({ https_proxy: 'http://bob:p%40ss@proxy:3128', HTTP_PROXY: 'http://proxy:3128' });
    expect(secrets).toContain('p%40ss');
    expect(secrets).toContain('p@ss');
    expect(secrets).toContain('http://bob:p%40ss@proxy:3128');
    expect(secrets.some((s) => s.includes('proxy:3128') && !s.includes('@'))).toBe(false);
  });
});

describe('listQuery', () => {
  it('quotes and encodes the query, joins fields and order_by', () => {
    const q = listQuery({ query: 'name EQ ^a b^;release EQ {id EQ 1}', fields: ['id', 'name'], limit: 1, offset: 0, orderBy: ['-id'] });
    expect(q).toBe(`?query=${encodeURIComponent('"name EQ ^a b^;release EQ {id EQ 1}"')}&fields=id,name&limit=1&offset=0&order_by=-id`);
    expect(new URLSearchParams(q).get('query')).toBe('"name EQ ^a b^;release EQ {id EQ 1}"');
  });
  it('is empty without parameters', () => {
    expect(listQuery({})).toBe('');
  });
});
