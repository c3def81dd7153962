// The octane-url input: an http(s) URL with a host, a path prefix kept (reverse proxies), no
// trailing slash, no credentials, no query or fragment (they would be glued onto every API path).
import type { ProblemReport } from './reader.js';
import { isLoopback } from '../octane/network.js';

const CREDENTIALS_IN_URL = 'must not contain a user name or password; put credentials in client-id/client-secret, not in the URL';

export function parseServerUrl(text: string, { report, warn, show }: ProblemReport): string | undefined {
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(text)) {
    // Do not echo what could be `user:password@host`.
    if (/^[^/?#]*@/.test(text)) {
      report(CREDENTIALS_IN_URL);
    } else {
      report(`must start with http:// or https://; got ${show(text)}`);
    }
    return undefined;
  }
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*@/.test(text)) {
      report(CREDENTIALS_IN_URL);
    } else {
      report(`is not a valid URL; got ${show(text)}`);
    }
    return undefined;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    report(`must start with http:// or https://; got ${show(text)}`);
    return undefined;
  }
  if (parsed.username !== '' || parsed.password !== '') {
    report(CREDENTIALS_IN_URL);
    return undefined;
  }
  if (parsed.hostname === '') {
    report(`must have a host name; got ${show(text)}`);
    return undefined;
  }
  if (parsed.search !== '' || parsed.hash !== '' || /[?#]/.test(text)) {
    // Show only what comes before the query: it may carry a token.
    const base = text.split(/[?#]/)[0] ?? '';
    report(`must not have a query string or fragment (the part from "?" or "#"); got ${show(base)} followed by one`);
    return undefined;
  }
  const prefix = parsed.pathname.replace(/\/+$/, '');
  // Copied from the browser's address bar: /ui is where Octane's web pages live, not its API.
  if (/\/ui$/i.test(prefix)) {
    warn(
      `octane-url ends in ${prefix.slice(-3)}, the path of Octane's web pages, not of its API; ` +
        `give the server's address without it (like ${parsed.protocol}//${parsed.host}${prefix.slice(0, -3)}).`
    );
  }
  // Loopback is a local try-out (the simulator); anywhere else the secret would cross the network in clear.
  if (parsed.protocol === 'http:' && !isLoopback(parsed.hostname)) {
    warn(
      `octane-url is a plain http:// address: the client secret and the session cookie go to ${parsed.host} unencrypted, ` +
        'readable by anyone on the way; use the https:// address of the site.'
    );
  }
  return `${parsed.protocol}//${parsed.host}${prefix}`;
}
