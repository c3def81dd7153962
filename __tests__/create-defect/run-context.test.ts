import { describe, it, expect } from '@jest/globals';
import { runContextFrom, type GithubContextLike } from '../../src/create-defect/run-context.js';

function ctx(
  over: Partial<Omit<GithubContextLike, 'repo'>> & { repo?: { owner: string; repo: string } | 'throws' } = {}
): GithubContextLike {
  const { repo = { owner: 'acme', repo: 'shop' }, ...rest } = over;
  return {
    serverUrl: 'https://github.com',
    get repo() {
      if (repo === 'throws') throw new Error("context.repo requires a GITHUB_REPOSITORY environment variable like 'owner/repo'");
      return repo;
    },
    workflow: 'CI',
    job: 'build',
    runId: 4242,
    runAttempt: 2,
    sha: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
    ref: 'refs/heads/main',
    actor: 'octocat',
    eventName: 'push',
    payload: {},
    ...rest
  };
}

describe('runContextFrom', () => {
  it('push: the pushed commit and ref, and a link to this attempt of the run', () => {
    const rc = runContextFrom(ctx());
    expect(rc).toEqual({
      repository: 'acme/shop',
      repositoryUrl: 'https://github.com/acme/shop',
      workflow: 'CI',
      job: 'build',
      runUrl: 'https://github.com/acme/shop/actions/runs/4242/attempts/2',
      runAttempt: 2,
      commit: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
      ref: 'refs/heads/main',
      actor: 'octocat',
      event: 'push'
    });
  });

  it('pull_request: the PR head commit and branch, not the merge commit', () => {
    const rc = runContextFrom(
      ctx({
        eventName: 'pull_request',
        sha: 'mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm',
        ref: 'refs/pull/17/merge',
        payload: {
          number: 17,
          pull_request: { number: 17, head: { sha: 'hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh', ref: 'feature/login' } }
        }
      })
    );
    expect(rc?.commit).toBe('hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh');
    expect(rc?.ref).toBe('feature/login');
    expect(rc?.prNumber).toBe(17);
    expect(rc?.event).toBe('pull_request');
  });

  it('pull_request_target: the base commit and ref the run checked out (GitHub runs it in the base context), and the PR', () => {
    // On pull_request_target GITHUB_SHA/GITHUB_REF are the base branch's head, which actions/checkout uses by default.
    const rc = runContextFrom(
      ctx({
        eventName: 'pull_request_target',
        sha: 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
        ref: 'refs/heads/main',
        payload: {
          number: 17,
          pull_request: { number: 17, head: { sha: 'hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh', ref: 'feature/login' } }
        }
      })
    );
    expect(rc?.commit).toBe('bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb');
    expect(rc?.ref).toBe('refs/heads/main');
    expect(rc?.prNumber).toBe(17);
    expect(rc?.event).toBe('pull_request_target');
  });

  it('schedule: the default branch commit and ref, no pull request', () => {
    const rc = runContextFrom(
      ctx({
        eventName: 'schedule',
        sha: 'cccccccccccccccccccccccccccccccccccccccc',
        ref: 'refs/heads/main',
        payload: { schedule: '0 3 * * *' }
      })
    );
    expect(rc).toMatchObject({ commit: 'cccccccccccccccccccccccccccccccccccccccc', ref: 'refs/heads/main', event: 'schedule' });
    expect(rc?.prNumber).toBeUndefined();
  });

  it('workflow_dispatch: the dispatched ref and its commit', () => {
    const rc = runContextFrom(
      ctx({
        eventName: 'workflow_dispatch',
        sha: 'dddddddddddddddddddddddddddddddddddddddd',
        ref: 'refs/heads/release/2026.4',
        payload: { inputs: {} }
      })
    );
    expect(rc?.commit).toBe('dddddddddddddddddddddddddddddddddddddddd');
    expect(rc?.ref).toBe('refs/heads/release/2026.4');
    expect(rc?.prNumber).toBeUndefined();
  });

  it('a GitHub Enterprise server URL is used as given (trailing slash dropped)', () => {
    const rc = runContextFrom(ctx({ serverUrl: 'https://ghe.example.com/', runAttempt: 1 }));
    expect(rc?.runUrl).toBe('https://ghe.example.com/acme/shop/actions/runs/4242/attempts/1');
  });

  it('a missing run attempt counts as the first', () => {
    expect(runContextFrom(ctx({ runAttempt: NaN }))?.runUrl).toMatch(/\/attempts\/1$/);
  });

  it('is undefined off a runner: no run id, or no repository', () => {
    expect(runContextFrom(ctx({ runId: NaN }))).toBeUndefined();
    expect(runContextFrom(ctx({ runId: undefined }))).toBeUndefined();
    expect(runContextFrom(ctx({ repo: 'throws' }))).toBeUndefined();
  });
});
