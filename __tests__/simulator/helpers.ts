/** Small fetch helpers for the simulator's own tests (not a test file). */
import type { Simulator } from '../../simulator/index.js';

// Answers are free-form JSON; tests index into them directly.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export function cookiesOf(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
}

export async function signIn(sim: Simulator, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${sim.url}/authentication/sign_in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body ?? { client_id: sim.credentials.clientId, client_secret: sim.credentials.clientSecret })
  });
}

export async function session(sim: Simulator): Promise<string> {
  const res = await signIn(sim);
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status}`);
  return cookiesOf(res);
}

export function workspaceUrl(sim: Simulator, rest: string): string {
  return `${sim.url}/api/shared_spaces/${sim.sharedSpaceId}/workspaces/${sim.workspaceId}/${rest}`;
}

export function q(expression: string): string {
  return encodeURIComponent(`"${expression}"`);
}

export async function getJson(sim: Simulator, cookie: string, rest: string): Promise<{ status: number; body: Json }> {
  const res = await fetch(workspaceUrl(sim, rest), { headers: { cookie, accept: 'application/json' } });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

export async function postJson(sim: Simulator, cookie: string, rest: string, body: unknown): Promise<{ status: number; body: Json }> {
  const res = await fetch(workspaceUrl(sim, rest), {
    method: 'POST',
    headers: { cookie, accept: 'application/json', 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body)
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}
