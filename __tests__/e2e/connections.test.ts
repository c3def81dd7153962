// What Octane sees of one run of the bundled action: how many connections, and no session left open.
import { describe, expect, it } from '@jest/globals';
import { connectionInputs, signOuts, useSimulator } from '../helpers/e2e-simulator.js';
import { countingRelay } from '../helpers/counting-relay.js';
import { runAction } from '../../test-support/run-action.js';
import { waitFor } from '../helpers/wait.js';

describe('connections and sessions of a run', () => {
  const sim = useSimulator();

  it('the gate opens no more connections than its widest wave (9 before issue 9) and ends its session', async () => {
    const relay = await countingRelay(sim().url);
    try {
      const before = sim().openSessions();
      const run = await runAction({ ...connectionInputs(sim()), 'octane-url': relay.url, mode: 'gate', 'release-name': '2026.4' });
      expect(run.code).toBe(1); // the sample's 2026.4 fails the default gate
      expect(run.stdout).toContain('Gate failed');
      expect(relay.accepted()).toBeGreaterThan(0);
      expect(relay.accepted()).toBeLessThanOrEqual(9);
      expect(sim().openSessions()).toBe(before);
    } finally {
      await relay.close();
    }
  });

  it('a sign-out answered 8 s late: the run does not wait for it, and the session still ends', async () => {
    sim().faults.add({ method: 'POST', path: '/authentication/sign_out', delayMs: 8000 });
    const before = sim().openSessions();
    const started = Date.now();
    const run = await runAction({ ...connectionInputs(sim()), mode: 'gate', 'release-name': '2026.5', severities: 'Urgent' });
    const took = Date.now() - started;
    expect(run.code).toBe(0);
    // Well below the 8 s the answer takes, so a slow start of node on a busy machine does not matter.
    expect(took).toBeLessThan(6000);
    expect(signOuts(sim())).toHaveLength(1);
    await waitFor('the run session to be signed out', () => sim().openSessions() === before, 12_000);
    expect(sim().openSessions()).toBe(before);
  }, 30_000);
});
