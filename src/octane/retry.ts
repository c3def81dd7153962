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
export const RETRYABLE_CODES: ReadonlySet<string> = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'TIMEOUT']);
/** Connection failures after which the request surely never reached the server. */
export const NOT_SENT_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'BUDGET']);

/**
 * Whether a request that failed with this code surely never reached the server: no connection
 * (refused, no such host) or a TLS handshake that failed before anything was sent. Any other
 * failure (a reset, a timeout, an answer cut short, a code we do not know) may have happened
 * after the server acted on the request, so a POST that failed so is ambiguous.
 */
export function surelyNotSent(code: string): boolean {
  return NOT_SENT_CODES.has(code) || /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_)/.test(code);
}

/**
 * The shortest wait before retry `retry` (from 0): 500 ms, doubling, up to half the cap. No
 * answer makes a wait shorter: a Retry-After of 0, a negative one or a date in the past would
 * otherwise retry in a tight loop (11 attempts in 58 ms).
 */
export function minWaitMs(retry: number): number {
  return Math.min(BACKOFF_CAP_MS / 2, BACKOFF_BASE_MS * 2 ** retry);
}

/**
 * "Equal jitter": a random wait between the floor and twice it (so at most the cap), so that
 * clients that failed together do not retry together, and no wait is near zero.
 */
export function backoffMs(retry: number, random: () => number): number {
  const floor = minWaitMs(retry);
  return Math.round(floor + random() * floor);
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

/** The run's time for Octane calls: at least this long, or twice the per-request timeout if that is more. */
export const MIN_RUN_BUDGET_MS = 60_000;

export function runBudgetMs(timeoutMs: number): number {
  return Math.max(MIN_RUN_BUDGET_MS, 2 * timeoutMs);
}

/**
 * Time spent on calls, shared by every call of one client, so that a server that keeps failing
 * (or answers only after long waits) fails the whole run within the budget, not each call.
 * Only busy time counts (at least one call in flight or waiting to retry): a client kept
 * between calls, as in tests, is not charged for idle time. A wait that an injected sleep
 * skipped still counts as waited, so tests see the same decisions as real runs.
 */
export class CallBudget {
  private active = 0;
  private busySince = 0;
  private busyMs = 0;
  private skippedMs = 0;

  constructor(
    readonly totalMs: number,
    private readonly now: () => number = Date.now
  ) {}

  /** Counts the time until the returned function is called. */
  enter(): () => void {
    if (this.active++ === 0) this.busySince = this.now();
    let left = false;
    return () => {
      if (left) return;
      left = true;
      if (--this.active === 0) this.busyMs += this.now() - this.busySince;
    };
  }

  spentMs(): number {
    return this.busyMs + (this.active > 0 ? this.now() - this.busySince : 0) + this.skippedMs;
  }

  remainingMs(): number {
    return this.totalMs - this.spentMs();
  }

  /** A wait of `plannedMs` that took `realMs` (less when a test's sleep skips it). */
  waited(plannedMs: number, realMs: number): void {
    this.skippedMs += Math.max(0, plannedMs - realMs);
  }
}
