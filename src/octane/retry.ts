/**
 * When to retry and how long to wait. Pure functions, so the policy can be tested without a
 * server and without waiting.
 */

export const BACKOFF_BASE_MS = 500;
export const BACKOFF_CAP_MS = 10_000;
/** A server asking for a longer pause than this is not waited for longer than this. */
export const RETRY_AFTER_CAP_MS = 30_000;

/** Statuses that mean "try again later" for a request that has no side effects. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);
/** Statuses after which a POST surely did not happen: the server says it did not process it. */
export const POST_SAFE_STATUSES: ReadonlySet<number> = new Set([429, 503]);
/** Connection failures worth another attempt for a request without side effects. */
export const RETRYABLE_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'TIMEOUT'
]);
/** Connection failures after which the request surely never reached the server. */
export const NOT_SENT_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED']);

/** Full jitter: a random wait between 0 and min(cap, base * 2^retry). `retry` counts from 0. */
export function backoffMs(retry: number, random: () => number): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** retry);
  return Math.round(random() * ceiling);
}

/**
 * Retry-After as milliseconds: delta-seconds or an HTTP date. Undefined when absent or
 * unreadable (then the backoff applies). Capped at RETRY_AFTER_CAP_MS, never negative.
 */
export function retryAfterMs(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim();
  if (v === '') return undefined;
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(v)) ms = Number(v) * 1000;
  else {
    const date = Date.parse(v);
    if (Number.isNaN(date)) return undefined;
    ms = date - now;
  }
  return Math.max(0, Math.min(RETRY_AFTER_CAP_MS, Math.round(ms)));
}

/** "1.2 s", "0 s", "12 s" for the retry log line. */
export function seconds(ms: number): string {
  const s = ms / 1000;
  return `${s >= 10 ? Math.round(s) : Math.round(s * 10) / 10} s`;
}
