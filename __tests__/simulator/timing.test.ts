/**
 * The request log's timestamps (receivedAt, answeredAt; performance.now() of the simulator's process),
 * which the benchmark reads to count sequential round trips: overlapping requests overlap in the log,
 * a request sent after an answer starts after it, and a request never answered has no answeredAt.
 */
import { describe, it, expect, beforeAll } from '@jest/globals';
import type { LoggedRequest } from '../../simulator/index.js';
import { useSimulator } from '../helpers/e2e-simulator.js';
import { session } from './helpers.js';

const LATENCY_MS = 60;
const sim = useSimulator({}, { resetEachTest: false });
let cookie: string;

beforeAll(async () => {
  cookie = await session(sim());
});

function get(collection: string, signal?: AbortSignal): Promise<Response> {
  return fetch(`${sim().url}/api/shared_spaces/${sim().sharedSpaceId}/workspaces/${sim().workspaceId}/${collection}`, {
    headers: { cookie },
    signal
  });
}

/** Runs `act` with `latency` on every answer; returns only the log entries it produced. */
async function logged(latency: number, act: () => Promise<unknown>): Promise<LoggedRequest[]> {
  sim().latencyMs = latency;
  const before = sim().log.length;
  try {
    await act();
  } finally {
    sim().latencyMs = 0;
  }
  return sim().log.slice(before);
}

describe('request log timestamps', () => {
  it('stamps every request when it arrived and when it was answered, latency in between', async () => {
    const [entry] = await logged(LATENCY_MS, async () => (await get('releases')).text());
    expect(entry).toBeDefined();
    expect(entry!.status).toBe(200);
    expect(typeof entry!.receivedAt).toBe('number');
    expect(typeof entry!.answeredAt).toBe('number');
    // The latency is added between arrival and answer, so the answer cannot come sooner
    // (1 ms of slack for timer rounding).
    expect(entry!.answeredAt! - entry!.receivedAt).toBeGreaterThanOrEqual(LATENCY_MS - 1);
  });

  it('shows a request sent after an answer as starting after it', async () => {
    const entries = await logged(LATENCY_MS, async () => {
      await (await get('releases')).text();
      await (await get('phases')).text();
    });
    expect(entries.map((e) => e.path.split('/').pop())).toEqual(['releases', 'phases']);
    expect(entries[1]!.receivedAt).toBeGreaterThanOrEqual(entries[0]!.answeredAt!);
  });

  it('shows parallel requests as overlapping', async () => {
    const entries = await logged(LATENCY_MS * 2, () =>
      Promise.all(['releases', 'phases', 'list_nodes'].map(async (c) => (await get(c)).text()))
    );
    expect(entries).toHaveLength(3);
    const firstAnswer = Math.min(...entries.map((e) => e.answeredAt!));
    for (const entry of entries) expect(entry.receivedAt).toBeLessThan(firstAnswer);
  });

  it('stamps a dropped connection when it was dropped, and leaves a hanging request unanswered', async () => {
    sim().faults.add({ path: '/releases', drop: 'before' });
    const [dropped] = await logged(0, () =>
      get('releases').then(
        () => undefined,
        () => undefined
      )
    );
    expect(dropped!.status).toBe(0);
    expect(dropped!.answeredAt).toBeGreaterThanOrEqual(dropped!.receivedAt);

    sim().faults.add({ path: '/phases', hangAfterProcessing: true });
    const [hanging] = await logged(0, () =>
      get('phases', AbortSignal.timeout(200)).then(
        () => undefined,
        () => undefined
      )
    );
    expect(hanging!.processedStatus).toBe(200);
    expect(hanging!.answeredAt).toBeUndefined();
  });
});
