/**
 * The retry loop: one request, sent again after transient failures within the run's time
 * budget. When to retry and how long to wait is decided in retry.ts; this runs it.
 */
import { OctaneError, OctaneNetworkError, OutcomeUnknownError, statusLine, withMessage, withNetworkMessage } from './errors.js';
import type { ExchangeResponse } from './http.js';
import { hostPort } from './network.js';
import {
  type CallBudget,
  POST_SAFE_STATUSES,
  RETRYABLE_CODES,
  RETRYABLE_STATUSES,
  backoffMs,
  minWaitMs,
  retryAfterMs,
  seconds,
  surelyNotSent
} from './retry.js';

/** An attempt with less time than this left in the budget is not started. */
const MIN_ATTEMPT_MS = 1000;

/** What the loop needs to know of a request; sending it is the caller's. */
export interface RetriedCall {
  method: 'GET' | 'POST' | 'PUT';
  url: URL;
  what: string;
  signIn?: boolean;
}

export interface AttemptsOptions {
  budget: CallBudget;
  retries: number;
  /** Per attempt; less when the budget has less left. */
  timeoutMs: number;
  /** One line per retry: reason and wait. */
  log: (line: string) => void;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  /** The error for an answer that is not a success, hint included. */
  failure: (response: ExchangeResponse, what: string) => OctaneError;
  redact: (text: string) => string;
  /** True once the run has ended: a call still in flight then fails quietly instead of retrying. */
  closed: () => boolean;
}

export class Attempts {
  constructor(private readonly o: AttemptsOptions) {}

  /**
   * Runs one request with retries for transient failures, and returns the first answer that
   * is not retried (any status). GET and sign-in are retried on 429/502/503/504, connection
   * failures and timeouts; a POST only where the server surely did not act on it.
   */
  async run(spec: RetriedCall, send: (timeoutMs: number) => Promise<ExchangeResponse>): Promise<ExchangeResponse> {
    const leave = this.o.budget.enter();
    try {
      return await this.attempts(spec, send);
    } finally {
      leave();
    }
  }

  private async attempts(spec: RetriedCall, send: (timeoutMs: number) => Promise<ExchangeResponse>): Promise<ExchangeResponse> {
    const { budget } = this.o;
    const idempotent = spec.method === 'GET' || spec.signIn === true;
    const retries = Math.max(0, this.o.retries);
    const spentBefore = budget.spentMs();

    for (let attempt = 0; ; attempt++) {
      const left = budget.remainingMs();
      if (left < MIN_ATTEMPT_MS) throw this.budgetSpent(spec);
      const timeoutMs = Math.min(this.o.timeoutMs, left);
      let error: OctaneError | OctaneNetworkError;
      let reason: string;
      let wait: number | undefined;
      try {
        const response = await send(timeoutMs);
        if (!RETRYABLE_STATUSES.has(response.status)) return response;
        error = this.o.failure(response, spec.what);
        if (!idempotent && !POST_SAFE_STATUSES.has(response.status)) throw outcomeUnknown(spec, error);
        reason = `Octane answered ${statusLine(response.status)} to ${spec.what}`;
        wait = retryAfterMs(response.retryAfter);
      } catch (caught) {
        if (!(caught instanceof OctaneNetworkError)) throw caught;
        // Library messages (proxy agents, sockets) are not ours: never let one show a secret.
        error = this.redactedNetworkError(caught);
        if (!idempotent && !surelyNotSent(error.code)) throw outcomeUnknown(spec, error);
        if (!RETRYABLE_CODES.has(error.code)) throw error;
        reason =
          error.code === 'TIMEOUT'
            ? `No answer from Octane at ${error.server} within ${seconds(timeoutMs)} to ${spec.what}`
            : `${spec.what} to ${error.server} failed (${error.code})`;
      }
      // A longer Retry-After is honoured (within the budget, checked below); a shorter one is not.
      const delay = Math.max(minWaitMs(attempt), wait ?? backoffMs(attempt, this.o.random));
      const spent = budget.spentMs() - spentBefore;
      if (this.o.closed()) throw error;
      if (attempt >= retries) throw gaveUp(error, attempt + 1, spent);
      if (budget.remainingMs() - delay < MIN_ATTEMPT_MS) {
        throw gaveUp(
          error,
          attempt + 1,
          spent,
          `another attempt would not fit in the ${seconds(budget.totalMs)} the run has for calls to Octane`
        );
      }
      this.o.log(`${reason}; retry ${attempt + 1} of ${retries} in ${seconds(delay)}`);
      const before = Date.now();
      await this.o.sleep(delay);
      budget.waited(delay, Date.now() - before);
      if (this.o.closed()) throw error;
    }
  }

  /** A call not even started: earlier calls of the run used all the time it has for Octane. */
  private budgetSpent(spec: RetriedCall): OctaneNetworkError {
    const server = hostPort(spec.url);
    return new OctaneNetworkError(
      `Gave up before ${spec.what}: the calls to Octane at ${server} in this run have taken ${seconds(this.o.budget.spentMs())}, ` +
        `the most allowed (${seconds(this.o.budget.totalMs)}; it is 60 s, or twice the call timeout if that is more); the failures logged above say why`,
      { code: 'BUDGET', server, hint: 'timeout' }
    );
  }

  private redactedNetworkError(error: OctaneNetworkError): OctaneNetworkError {
    const message = this.o.redact(error.message);
    if (message === error.message) return error;
    // The cause is dropped: it holds the unredacted text.
    return new OctaneNetworkError(message, { code: error.code, server: error.server, hint: error.hint });
  }
}

function outcomeUnknown(spec: RetriedCall, cause: OctaneError | OctaneNetworkError): OutcomeUnknownError {
  return new OutcomeUnknownError(
    `Octane may or may not have processed ${spec.what}: ${cause.message}. ` +
      `It was not repeated, because repeating it could ${spec.method === 'PUT' ? 'apply the change twice' : 'create the entity twice'}`,
    cause
  );
}

function gaveUp<E extends OctaneError | OctaneNetworkError>(error: E, attempts: number, elapsedMs: number, why?: string): E {
  if (attempts <= 1 && !why) return error;
  const suffix = ` (gave up after ${attempts} attempt${attempts === 1 ? '' : 's'} in ${seconds(elapsedMs)}${why ? `: ${why}` : ''})`;
  if (error instanceof OctaneError) return withMessage(error, `${error.message}${suffix}`) as E;
  return withNetworkMessage(error, `${error.message}${suffix}`) as E;
}
