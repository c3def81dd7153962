// Error answers built to leak the client secret or flood the log through Octane's error ids
// (error_code, correlation_id), read through the bundle.
import { describe, expect, it } from '@jest/globals';
import { connectionInputs, signOuts, useSimulator } from '../helpers/e2e-simulator.js';
import { runAction, visibleText } from '../../test-support/run-action.js';

const SECRET = 'S3cr&t+/=<ab>"c\'d';
const sim = useSimulator({ credentials: [{ clientId: 'sim-client', clientSecret: SECRET }] });
const gate = () => ({ ...connectionInputs(sim()), mode: 'gate', 'release-name': '2026.4' });

describe("Octane's error ids", () => {
  it('an error_code or correlation_id that carries the client secret is left out of the sign-in error', async () => {
    sim().faults.add({
      method: 'POST',
      path: '/authentication/sign_in',
      status: 401,
      json: { error_code: `AUTH_FAILED ${SECRET}`, correlation_id: `cid-${encodeURIComponent(SECRET)}`, description: 'bad key' }
    });
    const run = await runAction(gate(), { env: { RUNNER_DEBUG: '1' } });
    expect(run.code).toBe(1);
    expect(run.errors.join('\n')).toContain('Octane refused the client id and secret at sign-in');
    const seen = visibleText(run);
    for (const form of [SECRET, encodeURIComponent(SECRET), 'S3cr']) expect(seen).not.toContain(form);
    expect(seen).not.toContain('AUTH_FAILED');
  });

  it('megabytes of error_code and correlation_id do not reach the log; a well-formed id still does', async () => {
    sim().faults.add({
      method: 'GET',
      path: '/releases',
      status: 400,
      json: { error_code: 'E'.repeat(5_000_000), correlation_id: 'C'.repeat(3_000_000), description: 'x' }
    });
    const big = await runAction(gate());
    expect(big.code).toBe(1);
    expect(Math.max(...big.stdout.split('\n').map((l) => l.length))).toBeLessThan(5_000);
    expect(signOuts(sim())).toHaveLength(1);

    sim().faults.add({
      method: 'GET',
      path: '/releases',
      status: 400,
      json: { error_code: 'platform.bad_query', correlation_id: '1f2e-77aa', description: 'x' }
    });
    const small = await runAction(gate());
    expect(small.errors.join('\n')).toContain('error_code platform.bad_query, correlation_id 1f2e-77aa');
  });
});

describe('the size of the summary', () => {
  it("a dry run with a 100,000-character description of ' stays far under GitHub's 1 MiB, with the value cut and said so", async () => {
    const run = await runAction({
      ...connectionInputs(sim()),
      mode: 'create-defect',
      'release-name': '2026.4',
      'defect-name': 'Long description',
      'dry-run': 'true',
      'defect-description': "'".repeat(100_000)
    });
    expect(run.code).toBe(0);
    expect(Buffer.byteLength(run.summary)).toBeLessThan(512 * 1024);
    // code() writes the parentheses as &#40; &#41;.
    expect(run.summary).toMatch(/… &#40;\d+ more characters&#41;/);
    expect(run.summary).toContain('A real run would create the defect');
  });
});
