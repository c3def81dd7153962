/** The comment resolve-defect adds to a defect this action filed: the passing run, commit and ref. */
import { escapeHtml } from '../markup/html.js';
import { runLinkHtml, safeLink, tokenMarker } from '../create-defect/description.js';
import type { RunContext } from '../create-defect/run-context.js';

/**
 * HTML, every value escaped; the hidden token (the one the create uses) lets a comment whose
 * answer was lost be found before it is sent again.
 */
export function passedCommentHtml(ctx: RunContext | undefined, token: string): string {
  if (!ctx) return `<p>Passed again (not run on a GitHub runner, so no run link).</p>\n${tokenMarker(token)}`;
  const commitUrl = `${ctx.repositoryUrl}/commit/${encodeURIComponent(ctx.commit)}`;
  return (
    `<p>Passed: ${runLinkHtml(ctx)}<br>` +
    `Repository: ${escapeHtml(ctx.repository)}, job: ${escapeHtml(ctx.job)}, ` +
    `commit: ${ctx.commit ? safeLink(commitUrl, ctx.commit) : ''}, ref: ${escapeHtml(ctx.ref)}, ` +
    `actor: ${escapeHtml(ctx.actor)}, event: ${escapeHtml(ctx.event)}</p>\n${tokenMarker(token)}`
  );
}
