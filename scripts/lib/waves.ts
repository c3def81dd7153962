// Sequential round trips, read from the simulator's request log: a request received after every
// earlier request had been answered had to wait for them, so it starts a new wave. The number of
// waves is the number of round trips a run pays for when the network is slow.
import type { LoggedRequest } from '../../simulator/index.js';

export type Wave = LoggedRequest[];

export function toWaves(log: readonly LoggedRequest[]): Wave[] {
  const timed = log.filter((r) => r.receivedAt !== undefined);
  if (timed.length !== log.length) throw new Error('the simulator log has no receivedAt/answeredAt timestamps');
  const sorted = [...timed].sort((a, b) => a.receivedAt! - b.receivedAt!);
  const waves: Wave[] = [];
  // The latest answer so far; a request that never got one holds every later request in its wave.
  let answeredBy = -Infinity;
  for (const request of sorted) {
    if (waves.length === 0 || request.receivedAt! >= answeredBy) waves.push([]);
    waves[waves.length - 1]!.push(request);
    answeredBy = Math.max(answeredBy, request.answeredAt ?? Infinity);
  }
  return waves;
}

/** 'sign_in', 'releases', 'POST defects', 'defects/groups', 'defects/{id}' ... */
export function requestLabel(request: Pick<LoggedRequest, 'method' | 'path'>): string {
  const auth = /\/authentication\/(\w+)$/.exec(request.path);
  if (auth) return auth[1]!;
  const api = /\/workspaces\/[^/]+\/(\w+)(\/[^/]+)?$/.exec(request.path);
  const name = api ? `${api[1]}${api[2] ? (api[2] === '/groups' ? '/groups' : '/{id}') : ''}` : request.path;
  return request.method === 'GET' ? name : `${request.method} ${name}`;
}

/** e.g. `1: sign_in  2: releases, phases, list_nodes  3: defects x9  4: sign_out` */
export function describeWaves(waves: ReadonlyArray<ReadonlyArray<Pick<LoggedRequest, 'method' | 'path'>>>): string {
  return waves
    .map((wave, i) => {
      const counts = new Map<string, number>();
      for (const request of wave) counts.set(requestLabel(request), (counts.get(requestLabel(request)) ?? 0) + 1);
      const parts = [...counts].map(([label, n]) => (n > 1 ? `${label} x${n}` : label));
      return `${i + 1}: ${parts.join(', ')}`;
    })
    .join('  ');
}

/**
 * The same rule from the client's side (the probe's time line): a request started after every
 * earlier request's answer had ended starts a new wave. Over a slow link with handshakes this is
 * the one that holds: requests sent together stay one wave even when some wait for a new
 * connection, which the server's log would show as later arrivals.
 */
export function clientWaves<T extends { start: number; answered?: number }>(requests: readonly T[]): T[][] {
  const sorted = [...requests].sort((a, b) => a.start - b.start);
  const waves: T[][] = [];
  let answeredBy = -Infinity;
  for (const request of sorted) {
    if (waves.length === 0 || request.start >= answeredBy) waves.push([]);
    waves[waves.length - 1]!.push(request);
    answeredBy = Math.max(answeredBy, request.answered ?? Infinity);
  }
  return waves;
}
