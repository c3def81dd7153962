/**
 * How to reach Octane: everything the client needs, in the client's own words. The action's
 * settings (src/settings.ts) build it from the inputs; nothing here knows their names.
 */
export interface ConnectionSettings {
  /** Server URL, scheme + host + optional port + optional path prefix, no trailing slash, no query. */
  url: string;
  sharedSpaceId: string;
  workspaceId: string;
  clientId: string;
  clientSecret: string;
  /** Per-request timeout. */
  timeoutMs: number;
  /** Retries after the first attempt for retryable failures. */
  retries: number;
  /** Extra trusted CA certificates, PEM text (already read from a file, if it came from one). */
  caCertificate?: string;
}
