// The run context block at the end of a new defect's description, read from the runner's
// environment (GITHUB_* and the event file) by the bundle, for the events people file from.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { SimEntity } from '../../simulator/index.js';
import { connectionInputs, uniqueName, useSimulator } from '../helpers/e2e-simulator.js';
import { runInProcess, type ActionRun, type RunOptions } from '../../test-support/run-in-process.js';

const sim = useSimulator();

const MERGE_SHA = '1111111111111111111111111111111111111111';
const HEAD_SHA = '2222222222222222222222222222222222222222';
const PUSH_SHA = '3333333333333333333333333333333333333333';

/** What a runner sets for every job; `over` replaces or adds variables. */
function runnerEnv(over: Record<string, string> = {}): Record<string, string> {
  return {
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_REPOSITORY_OWNER: 'acme',
    GITHUB_RUN_ID: '987654321',
    GITHUB_RUN_NUMBER: '57',
    GITHUB_RUN_ATTEMPT: '3',
    GITHUB_SHA: PUSH_SHA,
    GITHUB_REF: 'refs/heads/main',
    GITHUB_ACTOR: 'octocat',
    GITHUB_EVENT_NAME: 'push',
    GITHUB_WORKFLOW: 'Nightly CI',
    GITHUB_JOB: 'integration',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'https://api.github.com',
    ...over
  };
}

async function create(options: RunOptions, inputs: Record<string, string> = {}): Promise<{ run: ActionRun; defect: SimEntity }> {
  const name = uniqueName('Run context');
  const run = await runInProcess(
    {
      mode: 'create-defect',
      ...connectionInputs(sim()),
      'release-name': '2026.4',
      'defect-name': name,
      'defect-description': 'Integration tests failed',
      ...inputs
    },
    options
  );
  expect(run.errors).toEqual([]);
  expect(run.code).toBe(0);
  const defect = sim().store.get('defects', run.outputs['defect-id'] as string) as SimEntity;
  expect(defect?.name).toBe(name);
  return { run, defect };
}

const RUN_LINK = 'href="https://github.com/acme/shop/actions/runs/987654321/attempts/3"';

describe('run context in the stored description', () => {
  it('push: repository, workflow and job, a link to this attempt, the pushed commit and ref, actor, event', async () => {
    const { defect } = await create({
      env: runnerEnv(),
      event: { ref: 'refs/heads/main', after: PUSH_SHA, repository: { full_name: 'acme/shop' } }
    });
    const text = String(defect.description);

    expect(text.startsWith('<p>Integration tests failed</p>')).toBe(true);
    expect(text).toContain('href="https://github.com/acme/shop"');
    expect(text).toContain('acme/shop');
    expect(text).toContain('Workflow: Nightly CI, job: integration');
    expect(text).toContain(RUN_LINK);
    expect(text).toContain('attempt 3');
    expect(text).toContain(`href="https://github.com/acme/shop/commit/${PUSH_SHA}"`);
    expect(text).toContain('Ref: refs/heads/main');
    expect(text).toContain('Actor: octocat');
    expect(text).toContain('Event: push');
    // The block comes after the user's text.
    expect(text.indexOf('Integration tests failed')).toBeLessThan(text.indexOf(RUN_LINK));
  });

  it('pull_request: the PR head commit and branch, not the merge commit the runner checks out', async () => {
    const { defect } = await create({
      env: runnerEnv({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_SHA: MERGE_SHA, GITHUB_REF: 'refs/pull/42/merge' }),
      event: {
        action: 'synchronize',
        number: 42,
        pull_request: {
          number: 42,
          head: { sha: HEAD_SHA, ref: 'feature/login' },
          base: { sha: '4444444444444444444444444444444444444444', ref: 'main' }
        }
      }
    });
    const text = String(defect.description);

    expect(text).toContain(`href="https://github.com/acme/shop/commit/${HEAD_SHA}"`);
    expect(text).not.toContain(MERGE_SHA);
    expect(text).toContain('Ref: feature/login');
    expect(text).not.toContain('refs/pull/42/merge');
    expect(text).toContain('href="https://github.com/acme/shop/pull/42"');
    expect(text).toContain('Event: pull_request');
    expect(text).toContain(RUN_LINK);
  });

  it('pull_request_target: the base commit and ref the run used (GitHub runs it in the base context), and the PR linked', async () => {
    const BASE_SHA = '4444444444444444444444444444444444444444';
    const { defect } = await create({
      env: runnerEnv({ GITHUB_EVENT_NAME: 'pull_request_target', GITHUB_SHA: BASE_SHA, GITHUB_REF: 'refs/heads/main' }),
      event: {
        action: 'opened',
        number: 42,
        pull_request: { number: 42, head: { sha: HEAD_SHA, ref: 'feature/login' }, base: { sha: BASE_SHA, ref: 'main' } }
      }
    });
    const text = String(defect.description);

    expect(text).toContain(`href="https://github.com/acme/shop/commit/${BASE_SHA}"`);
    expect(text).not.toContain(HEAD_SHA);
    expect(text).toContain('Ref: refs/heads/main');
    expect(text).toContain('href="https://github.com/acme/shop/pull/42"');
    expect(text).toContain('Event: pull_request_target');
  });

  it('workflow_dispatch: the dispatched ref and commit, and who dispatched it', async () => {
    const { defect } = await create({
      env: runnerEnv({ GITHUB_EVENT_NAME: 'workflow_dispatch', GITHUB_REF: 'refs/heads/release/2026.4', GITHUB_ACTOR: 'release-bot' }),
      event: { ref: 'refs/heads/release/2026.4', inputs: { reason: 'manual' }, sender: { login: 'release-bot' } }
    });
    const text = String(defect.description);

    expect(text).toContain(`href="https://github.com/acme/shop/commit/${PUSH_SHA}"`);
    expect(text).toContain('Ref: refs/heads/release/2026.4');
    expect(text).toContain('Actor: release-bot');
    expect(text).toContain('Event: workflow_dispatch');
    expect(text).toContain(RUN_LINK);
    expect(text).not.toContain('/pull/');
  });

  it('a GitHub Enterprise server: links point at GITHUB_SERVER_URL', async () => {
    const { defect } = await create({ env: runnerEnv({ GITHUB_SERVER_URL: 'https://github.example.com' }), event: {} });

    expect(String(defect.description)).toContain('href="https://github.example.com/acme/shop/actions/runs/987654321/attempts/3"');
  });

  it('names from the workflow are escaped, not stored as markup', async () => {
    const { defect } = await create({ env: runnerEnv({ GITHUB_WORKFLOW: 'CI <script>alert(1)</script>', GITHUB_JOB: 'a&b' }), event: {} });
    const text = String(defect.description);

    expect(text).not.toContain('<script>');
    expect(text).toContain('CI &lt;script&gt;');
    expect(text).toContain('job: a&amp;b');
  });

  it('add-run-context false: the description is the user text only (and the hidden creation token)', async () => {
    const { defect } = await create({ env: runnerEnv(), event: {} }, { 'add-run-context': 'false' });
    const text = String(defect.description);

    expect(text).toContain('Integration tests failed');
    expect(text).not.toContain('actions/runs');
    expect(text).not.toContain('octocat');
    expect(text).not.toContain('Nightly CI');
  });

  it('an unreadable event file: a warning, no block, and the defect is still filed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'event-'));
    const eventPath = join(dir, 'event.json');
    writeFileSync(eventPath, '{"pull_request": ');
    try {
      const { run, defect } = await create({ env: runnerEnv({ GITHUB_EVENT_PATH: eventPath }) });

      expect(run.warnings).toEqual([
        expect.stringMatching(/^The run's context could not be read \(.*JSON.*\); the description goes without it\.$/)
      ]);
      expect(String(defect.description)).not.toContain('actions/runs');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('outside a runner (no GITHUB_RUN_ID): no block, and the defect is still filed', async () => {
    const { defect } = await create({});
    const text = String(defect.description);

    expect(text).toContain('Integration tests failed');
    expect(text).not.toContain('actions/runs');
    expect(text).not.toContain('GitHub Actions run');
  });
});
