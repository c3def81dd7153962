/**
 * Exactly-once creation of a defect. Every create carries a unique creation token in its
 * description; after a POST whose outcome is unknown, the token is looked for before anything
 * is sent again, so a lost answer never becomes a second defect.
 */
import { setTimeout as wait } from 'node:timers/promises';
import type { Entity, OctaneApi } from '../octane/api.js';
import { OutcomeUnknownError, UnreadableAnswerError, isCancelled } from '../octane/errors.js';
import { and, idEq, like } from '../octane/query.js';
import type { Log } from '../log.js';
import type { Resolved } from '../lookups.js';
import { hasToken, tokenText } from './description.js';
import { compareIds } from '../octane/entities.js';

/** POSTs of one defect at most, when each one's outcome is unknown and the defect is not found. */
export const MAX_CREATE_POSTS = 3;

const RECOVERY_LIMIT = 50;
/**
 * After a create whose answer was lost and a search that found nothing, look once more this
 * much later before sending it again: a server still busy with the request when the answer was
 * lost (a timeout) may store the defect a little after the first search. Only that rare path waits.
 */
export const LATE_WRITE_WAIT_MS = 2000;

/** What identifies the defect being created: the token, and where a search finds it. */
export interface Identity {
  name: string;
  release: Resolved;
  token: string;
}

/**
 * POSTs the defect; after a POST whose outcome is unknown, looks for the creation token
 * before POSTing again (same fields, same token), so at most one defect is ever created.
 * A 2xx whose body cannot be read means the defect exists: it is looked for, never sent again.
 * The policy is writeOnce's; only the words (and the check for a late copy) are the create's.
 */
export async function createExactlyOnce(
  api: OctaneApi,
  log: Log,
  fields: Record<string, unknown>,
  who: Identity,
  sleep: (ms: number) => Promise<void> = wait
): Promise<{ entity: Entity; recovered: boolean }> {
  const where = `release ${JSON.stringify(who.release.name)}`;
  const { value, recovered } = await writeOnce(
    log,
    {
      what: 'the defect',
      // is_draft is technical preview on newer servers: only with the header (sent only when the user gave it).
      send: () => api.create('defects', fields, 'is_draft' in fields ? { techPreview: true } : undefined),
      find: async () => (await findByToken(api, log, who))[0],
      afterResend: (entity) => warnIfStoredTwice(api, log, who, entity.id),
      words: {
        looking: (unreadable, e) =>
          unreadable
            ? `Creating the defect: Octane accepted it but its answer could not be read (${e.message}); looking for it`
            : `Creating the defect: outcome unknown (${e.message}); looking for it before trying again`,
        lookingLate: `No defect carries the creation token yet; looking once more in ${LATE_WRITE_WAIT_MS / 1000} s in case Octane stores it late`,
        recovered: (entity) =>
          `Recovered: defect ${entity.id} was created by that request (found by its creation token); not creating another`,
        resending: (next, most) => `Not found: the request did not create it; sending it again (attempt ${next} of ${most})`,
        // A cancelled run asks Octane nothing more, so the user is told where to look.
        cancelled: () =>
          `A defect may have been created: the run was cancelled while Octane was creating it. ` +
          `Before running again, look in ${where} for a defect named ${JSON.stringify(who.name)} ` +
          `whose description contains ${tokenText(who.token)}.`,
        notMade: (sent, e) =>
          e instanceof UnreadableAnswerError
            ? `A defect may have been created: Octane answered ${e.status} to the create, but its answer could not be read (${e.message}), ` +
              `and no defect carrying ${tokenText(who.token)} was found in ${where}. ` +
              `Look there for a defect named ${JSON.stringify(who.name)} before running again; the create was not sent again.`
            : `Could not create the defect: ${sent} attempts got no clear answer from Octane (last: ${e.message}), ` +
              `and no defect carrying creation token ${tokenText(who.token)} was found afterwards.`
      }
    },
    sleep
  );
  return { entity: value, recovered };
}

/**
 * After a POST that followed a lost one succeeded: if the lost one was stored even later than the
 * second search, two defects now carry the token. That cannot be undone here, but it is said
 * plainly, naming both. A failure to look is only a debug line: the defect was created.
 */
async function warnIfStoredTwice(api: OctaneApi, log: Log, who: Identity, createdId: string): Promise<void> {
  try {
    const ids = [...new Set([createdId, ...(await findByToken(api, log, who, 1)).map((d) => String(d.id))])];
    if (ids.length > 1) {
      log.warning(
        `Defects ${ids.join(', ')} all carry this run's creation token: an earlier request that got no answer was stored late. ` +
          `Defect ${createdId} is reported; close the other as a duplicate.`
      );
    }
  } catch (e) {
    log.debug(`Could not check for a late copy of the defect (${(e as Error).message})`);
  }
}

/**
 * Every defect carrying the token, newest first. Two searches in parallel, and the token is
 * matched in code (it is unique, so the name is not compared): by name in the release, and the
 * release's newest defects, so the defect is found even if the server stored the name normalised.
 * The name is a wildcard pattern (`like`: `*` for each run of query metacharacters, the same as an
 * exact `eq` for other names), which every server reads alike whatever it does with backslashes:
 * an escaped name could be refused (400) or mean another name, and on this path a second search
 * costs time the run may not have. Both must answer before "not there" is believed;
 * `attempts` searches at most, then a clear error.
 */
async function findByToken(api: OctaneApi, log: Log, who: Identity, attempts = 2): Promise<Entity[]> {
  const fields = ['id', 'name', 'description'];
  const searches = [
    { query: and(like('name', who.name), idEq('release', who.release.id)), fields, orderBy: ['-id'], limit: RECOVERY_LIMIT },
    { query: idEq('release', who.release.id), fields, orderBy: ['-id'], limit: RECOVERY_LIMIT }
  ];
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const answers = await Promise.allSettled(searches.map((params) => api.list('defects', params)));
    const found = new Map<string, Entity>();
    for (const a of answers) {
      if (a.status !== 'fulfilled') continue;
      for (const d of a.value.data) if (hasToken(d.description, who.token)) found.set(String(d.id), d);
    }
    if (found.size > 0) return [...found.values()].sort((a, b) => compareIds(b.id, a.id));
    const failed = answers.find((a): a is PromiseRejectedResult => a.status === 'rejected');
    if (!failed) return [];
    lastError = failed.reason;
    // The last failure is not logged here: the error thrown below carries it.
    if (attempt < attempts) log.warning(`Looking for the defect failed (${(lastError as Error).message}); trying once more`);
  }
  throw new Error(
    `A defect may have been created, but Octane could not be asked whether it was (${(lastError as Error).message}). ` +
      `Before running again, look in release ${JSON.stringify(who.release.name)} for a defect named ${JSON.stringify(who.name)} ` +
      `whose description contains ${tokenText(who.token)}.`,
    { cause: lastError }
  );
}

/** One write (a create, a comment, a phase change), and how to tell whether it took effect. */
export interface OnceWrite<T> {
  /** For the log, e.g. "the comment on defect 1234". */
  what: string;
  send: () => Promise<T>;
  /** What an earlier send left behind, or undefined when it did not take effect. Read errors propagate. */
  find: () => Promise<T | undefined>;
  /** After a send that followed a lost one succeeded: the lost one may have been stored late. */
  afterResend?: (value: T) => Promise<void>;
  /** The caller's words for the log and the errors; the policy stays the same. */
  words?: Partial<OnceWords<T>>;
}

export interface OnceWords<T> {
  looking: (unreadable: boolean, error: Error) => string;
  /** Logged before the second look; nothing when absent. */
  lookingLate?: string;
  recovered: (value: T) => string;
  resending: (next: number, most: number) => string;
  cancelled: () => string;
  notMade: (sent: number, error: Error) => string;
}

function defaultWords<T>(what: string): OnceWords<T> {
  return {
    looking: (unreadable, error) =>
      `Sending ${what}: ${unreadable ? 'Octane accepted it but its answer could not be read' : 'outcome unknown'} (${error.message}); looking whether it took effect`,
    recovered: () => `Recovered: ${what} was made by that request; not sending it again`,
    resending: (next, most) => `It did not take effect; sending it again (attempt ${next} of ${most})`,
    cancelled: () => `The run was cancelled while sending ${what}; it may or may not have been made.`,
    notMade: (sent, error) =>
      `Could not make ${what}: ${sent} attempt${sent === 1 ? '' : 's'} got no clear answer from Octane (last: ${error.message}), and it had not taken effect afterwards.`
  };
}

/**
 * The rule for every write: after an outcome-unknown answer (or a 2xx that cannot be read), look
 * whether it took effect, now and once more after LATE_WRITE_WAIT_MS, before sending it again; at
 * most MAX_CREATE_POSTS sends, and none after an unreadable 2xx (it went through). A cancelled run
 * asks nothing more. A readable refusal is the caller's to handle.
 */
export async function writeOnce<T>(
  log: Log,
  write: OnceWrite<T>,
  sleep: (ms: number) => Promise<void> = wait
): Promise<{ value: T; recovered: boolean }> {
  const words: OnceWords<T> = { ...defaultWords<T>(write.what), ...write.words };
  for (let sent = 1; ; sent++) {
    let value: T;
    try {
      value = await write.send();
    } catch (e) {
      // A POST stopped on the wire by a cancel (a call refused after it sent nothing: it propagates as it is).
      if (e instanceof OutcomeUnknownError && isCancelled(e)) throw new Error(words.cancelled(), { cause: e });
      const unreadable = e instanceof UnreadableAnswerError;
      if (!unreadable && !(e instanceof OutcomeUnknownError)) throw e;
      const error = e as Error;
      log.warning(words.looking(unreadable, error));
      let found: T | undefined;
      try {
        found = (await write.find()) ?? (await findLate(log, write, words, sleep));
      } catch (lookError) {
        // Cancelled while looking: the write's outcome stays unknown, and the user is told so, not "closed".
        if (isCancelled(lookError)) throw new Error(words.cancelled(), { cause: lookError });
        throw lookError;
      }
      if (found !== undefined) {
        log.info(words.recovered(found));
        return { value: found, recovered: true };
      }
      if (unreadable || sent >= MAX_CREATE_POSTS) throw new Error(words.notMade(sent, error), { cause: e });
      log.info(words.resending(sent + 1, MAX_CREATE_POSTS));
      continue;
    }
    if (sent > 1) await write.afterResend?.(value);
    return { value, recovered: false };
  }
}

async function findLate<T>(
  log: Log,
  write: OnceWrite<T>,
  words: OnceWords<T>,
  sleep: (ms: number) => Promise<void>
): Promise<T | undefined> {
  if (words.lookingLate) log.info(words.lookingLate);
  await sleep(LATE_WRITE_WAIT_MS);
  return write.find();
}
