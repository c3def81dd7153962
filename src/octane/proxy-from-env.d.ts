// proxy-from-env 2 ships no type declarations; this is the one function it exports.
declare module 'proxy-from-env' {
  /** The proxy URL for `url` from the *_proxy / NO_PROXY variables of process.env, or '' for none. */
  export function getProxyForUrl(url: string | URL): string;
}
