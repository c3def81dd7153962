// The bundled action, run as the runner runs it: what only the real process shows (the masks in its
// stdout before anything else). Outputs, summary and messages: __tests__/main/action.test.ts.
import { describe, expect, it } from '@jest/globals';
import { connectionInputs, useSimulator } from '../helpers/e2e-simulator.js';
import { runAction, visibleText } from '../../test-support/run-action.js';

const sim = useSimulator();

describe('secrets', () => {
  it('never prints the secret or the session cookies, also with RUNNER_DEBUG=1', async () => {
    const run = await runAction(
      { mode: 'gate', ...connectionInputs(sim()), 'release-name': '2026.4' },
      { env: { RUNNER_DEBUG: '1' } }
    );
    const printed = visibleText(run);
    expect(printed).toContain('::debug::');
    expect(printed).not.toContain(sim().credentials.clientSecret);
    const cookies = sim().log
      .flatMap((r) => (r.headers.cookie ?? '').split(/;\s*/))
      .filter((c) => c.startsWith('LWSSO_COOKIE_KEY='))
      .map((c) => c.slice('LWSSO_COOKIE_KEY='.length));
    expect(cookies.filter((v) => v.length > 4).length).toBeGreaterThan(0);
    for (const value of cookies.filter((v) => v.length > 4)) {
      expect(printed).not.toContain(value);
      expect(run.stdout).toContain(`::add-mask::${value}`);
    }
    expect(run.stdout).toContain(`::add-mask::${sim().credentials.clientSecret}`);
  });
});
