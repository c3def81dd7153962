/**
 * Where a run happened, for the defect's description and the dedupe comment.
 * Read from the shape of @actions/github's `context`, passed in by main.ts, so this module
 * neither reads the environment nor imports the toolkit.
 */
export interface RunContext {
  /** owner/repo */
  repository: string;
  /** `${serverUrl}/${owner}/${repo}` */
  repositoryUrl: string;
  workflow: string;
  job: string;
  /** Link to this attempt of the run. */
  runUrl: string;
  runAttempt: number;
  /** The commit that was built: the PR head for pull_request events, not the merge commit. */
  commit: string;
  /** The ref that was built: the PR head branch for pull_request events. */
  ref: string;
  actor: string;
  event: string;
  /** The pull request, on pull_request and pull_request_target events. */
  prNumber?: number;
}

/** The parts of @actions/github's Context that are read here. */
export interface GithubContextLike {
  serverUrl?: string;
  /** A getter on the real Context that throws when GITHUB_REPOSITORY is not set. */
  readonly repo: { owner: string; repo: string };
  workflow?: string;
  job?: string;
  runId?: number;
  runAttempt?: number;
  sha?: string;
  ref?: string;
  actor?: string;
  eventName?: string;
  payload?: Record<string, unknown>;
}

// On pull_request, context.sha is a merge commit GitHub made for the run; the PR's head is the
// commit people know. On pull_request_target the run is in the context of the base branch
// (context.sha is the base's head, which actions/checkout checks out), so that commit and ref
// stay, and only the pull request is linked.
const PR_EVENTS = new Set(['pull_request', 'pull_request_target']);
const HEAD_IS_BUILT = new Set(['pull_request']);

/** The run's context, or undefined when not running on a GitHub runner (no run id). */
export function runContextFrom(ctx: GithubContextLike): RunContext | undefined {
  const runId = ctx.runId;
  if (typeof runId !== 'number' || !Number.isFinite(runId) || runId <= 0) return undefined;
  let owner: string;
  let repo: string;
  try {
    ({ owner, repo } = ctx.repo);
  } catch {
    return undefined; // the toolkit throws when it cannot tell the repository
  }
  if (!owner || !repo) return undefined;

  const serverUrl = (ctx.serverUrl || 'https://github.com').replace(/\/+$/, '');
  // GITHUB_RUN_ATTEMPT is parsed with parseInt; treat a missing one as the first attempt.
  const attempt = typeof ctx.runAttempt === 'number' && Number.isFinite(ctx.runAttempt) && ctx.runAttempt > 0 ? ctx.runAttempt : 1;
  const event = ctx.eventName ?? '';
  let commit = ctx.sha ?? '';
  let ref = ctx.ref ?? '';
  let prNumber: number | undefined;

  if (PR_EVENTS.has(event)) {
    const pr = asRecord(ctx.payload?.['pull_request']);
    const head = asRecord(pr?.['head']);
    if (HEAD_IS_BUILT.has(event)) {
      if (typeof head?.['sha'] === 'string') commit = head['sha'];
      if (typeof head?.['ref'] === 'string') ref = head['ref'];
    }
    const num = pr?.['number'] ?? ctx.payload?.['number'];
    if (typeof num === 'number' && Number.isInteger(num)) prNumber = num;
  }

  const repositoryUrl = `${serverUrl}/${owner}/${repo}`;
  return {
    repository: `${owner}/${repo}`,
    repositoryUrl,
    workflow: ctx.workflow ?? '',
    job: ctx.job ?? '',
    runUrl: `${repositoryUrl}/actions/runs/${runId}/attempts/${attempt}`,
    runAttempt: attempt,
    commit,
    ref,
    actor: ctx.actor ?? '',
    event,
    ...(prNumber !== undefined ? { prNumber } : {})
  };
}

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
}
