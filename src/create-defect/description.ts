/**
 * The HTML that Octane stores as a defect's description, and the dedupe comment.
 *
 * The creation token (exactly-once creation) is written as text inside a hidden span:
 *   <span style="display:none">octane-action-request:TOKEN</span>
 * Text, not an HTML comment or an attribute, because Octane may sanitise rich text: a
 * comment or attribute could be stripped and the token lost, while text survives any
 * sanitiser (at worst it becomes visible). hasToken() therefore looks for the text only,
 * whatever markup is left around it.
 */
import { escapeHtml, httpUrl } from '../markup/html.js';
import type { RunContext } from './run-context.js';

const TOKEN_PREFIX = 'octane-action-request:';

export interface DescriptionInput {
  /** The user's plain text. */
  text: string;
  /** Appended as a block unless undefined (not on a runner, or add-run-context: false). */
  runContext?: RunContext;
  /** Creation token (a random UUID). */
  token: string;
  /** Sections built elsewhere (failed tests), already HTML with every text escaped. */
  extraHtml?: string;
}

export function buildDescription(input: DescriptionInput): string {
  const parts: string[] = [];
  const text = plainTextToHtml(input.text);
  if (text) parts.push(text);
  if (input.extraHtml) parts.push(input.extraHtml);
  if (input.runContext) parts.push(runContextHtml(input.runContext));
  parts.push(tokenMarker(input.token));
  return parts.join('\n');
}

/** The marker text that goes into the description (also what hasToken looks for). */
export function tokenText(token: string): string {
  return `${TOKEN_PREFIX}${token}`;
}

export function tokenMarker(token: string): string {
  return `<span style="display:none">${escapeHtml(tokenText(token))}</span>`;
}

/** Whether a description Octane returned carries this creation token. */
export function hasToken(description: unknown, token: string): boolean {
  if (typeof description !== 'string' || token === '') return false;
  return description.includes(escapeHtml(tokenText(token)));
}

/**
 * Whether a description carries a creation marker, whoever's token it is: the defect was filed by
 * this action (resolve-defect touches no other). The token is a UUID (randomUUID), so the marker's
 * shape is exact and a person's text that merely mentions the prefix does not count.
 */
export function carriesCreationMarker(description: unknown): boolean {
  return typeof description === 'string' && CREATION_MARKER.test(description);
}

const CREATION_MARKER = new RegExp(`${escapeHtml(TOKEN_PREFIX)}[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`, 'i');

/** Plain text as HTML: escaped, blank lines start paragraphs, other line breaks become <br>. */
export function plainTextToHtml(text: string): string {
  const normalized = text.replace(/\r\n?/g, '\n');
  if (normalized.trim() === '') return '';
  return normalized
    .split(/\n[ \t]*\n+/)
    .map((p) => p.replace(/^\n+|\n+$/g, ''))
    .filter((p) => p.trim() !== '')
    .map((p) => `<p>${p.split('\n').map(escapeHtml).join('<br>')}</p>`)
    .join('\n');
}

/** A link when the URL is http(s), escaped plain text otherwise (never a javascript: link). */
export function safeLink(url: string, label: string): string {
  if (!httpUrl(url)) return escapeHtml(label);
  return `<a href="${escapeHtml(url)}">${escapeHtml(label)}</a>`;
}

export function runLinkHtml(ctx: RunContext): string {
  return safeLink(ctx.runUrl, `${ctx.workflow || 'workflow'} run (attempt ${ctx.runAttempt})`);
}

function runContextHtml(ctx: RunContext): string {
  const lines: string[] = [];
  lines.push(`Repository: ${safeLink(ctx.repositoryUrl, ctx.repository)}`);
  lines.push(`Workflow: ${escapeHtml(ctx.workflow)}, job: ${escapeHtml(ctx.job)}`);
  lines.push(`Run: ${runLinkHtml(ctx)}`);
  const commitUrl = `${ctx.repositoryUrl}/commit/${encodeURIComponent(ctx.commit)}`;
  lines.push(`Commit: ${ctx.commit ? safeLink(commitUrl, ctx.commit) : ''}`);
  const pr =
    ctx.prNumber !== undefined ? ` (${safeLink(`${ctx.repositoryUrl}/pull/${ctx.prNumber}`, `pull request #${ctx.prNumber}`)})` : '';
  lines.push(`Ref: ${escapeHtml(ctx.ref)}${pr}`);
  lines.push(`Actor: ${escapeHtml(ctx.actor)}`);
  lines.push(`Event: ${escapeHtml(ctx.event)}`);
  return `<hr><p><b>GitHub Actions run</b><br>${lines.join('<br>')}</p>`;
}

/** The comment added to an open duplicate when dedupe finds one; the hidden token finds it again after a lost answer. */
export function failedAgainCommentHtml(ctx: RunContext | undefined, token: string): string {
  if (!ctx) return `<p>Failed again (not run on a GitHub runner, so no run link).</p>\n${tokenMarker(token)}`;
  return (
    `<p>Failed again: ${runLinkHtml(ctx)}<br>` +
    `Repository: ${escapeHtml(ctx.repository)}, job: ${escapeHtml(ctx.job)}, ` +
    `commit: ${escapeHtml(ctx.commit)}, ref: ${escapeHtml(ctx.ref)}, ` +
    `actor: ${escapeHtml(ctx.actor)}, event: ${escapeHtml(ctx.event)}</p>\n${tokenMarker(token)}`
  );
}
