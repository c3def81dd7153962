// Outputs and job summary of resolve-defect. Every text from the user or Octane goes through
// markdown.ts's escaping; links are made only from the client's http(s) URLs.
import type { DefectOutcome, ResolveDefectResult } from './run.js';
import { escapeCell, escapeText, link, table } from '../markup/markdown.js';

export interface ResolveOutputs {
  'resolved-count': string;
  'defect-id': string;
  'defect-url': string;
  resolved: 'true' | 'false';
}

/**
 * resolved-count: defects commented on; defect-id and defect-url: the newest of them; resolved: at
 * least one moved to resolve-phase (or, without it, commented on). A dry run writes nothing: 0, empty, false.
 */
export function resolveOutputs(r: ResolveDefectResult): ResolveOutputs {
  const commented = r.dryRun ? [] : r.defects.filter((d) => d.commented);
  const newest = commented[0];
  const resolved = r.resolvePhase ? commented.some((d) => d.moved) : commented.length > 0;
  return {
    'resolved-count': String(commented.length),
    'defect-id': newest?.id ?? '',
    'defect-url': newest?.url ?? '',
    resolved: resolved ? 'true' : 'false'
  };
}

export function resolveSummary(r: ResolveDefectResult): string {
  const out: string[] = [];
  const release = escapeText(r.release.name);
  const name = `**${escapeText(r.name)}**`;
  const phase = r.resolvePhase ? escapeText(r.resolvePhase.name) : undefined;
  if (r.defects.length === 0) {
    out.push('## Octane defects: nothing to resolve');
    out.push(`No open defect named ${name} that this action filed${phase ? `, outside phase ${phase},` : ''} is in release ${release}.`);
  } else {
    out.push(r.dryRun ? '## Octane defects: dry run, nothing written' : '## Octane defects: resolved');
    out.push(
      `${r.dryRun ? 'A real run would handle' : 'Handled'} the open defects named ${name} in release ${release} that this action filed` +
        `${phase ? `; resolve phase ${phase}` : ''}:`
    );
    out.push(
      table(
        ['Defect', 'Phase', r.dryRun ? 'Would do' : 'Done'],
        r.defects.map((d) => [link(d.id, d.url), escapeCell(d.phase), escapeCell(action(d, r))])
      )
    );
  }
  const notes: string[] = [];
  if (r.alreadyThere.length) notes.push(`Already in phase ${phase ?? ''}, left alone: ${r.alreadyThere.map(escapeText).join(', ')}.`);
  if (r.notOurs.length) notes.push(`Filed by a person (no creation marker), never touched: ${r.notOurs.map(escapeText).join(', ')}.`);
  out.push(...notes);
  return out.join('\n\n') + '\n';
}

function action(d: DefectOutcome, r: ResolveDefectResult): string {
  const target = r.resolvePhase?.name;
  const allowed = d.allowed?.length ? `; it can move to ${d.allowed.join(', ')}` : '';
  if (r.dryRun) {
    if (!target) return 'comment';
    return d.notMoved ? `comment; no move (${d.notMoved}${allowed})` : `comment, move to ${target}`;
  }
  const commented = d.commented ? 'commented' : 'not commented';
  if (d.failed !== undefined) return `${commented}; failed: ${d.failed}`;
  if (!target) return commented;
  return d.moved ? `${commented}, moved to ${target}` : `${commented}, not moved (${d.notMoved ?? 'not attempted'}${allowed})`;
}

/** The step's failure message when a defect's write failed (each named, with why); undefined when none did. */
export function resolveFailures(r: ResolveDefectResult): string | undefined {
  const failed = r.defects.filter((d) => d.failed !== undefined);
  if (failed.length === 0) return undefined;
  const done = r.defects.length - failed.length;
  return [
    `${failed.length} of ${r.defects.length} defect${r.defects.length === 1 ? '' : 's'} could not be resolved${done > 0 ? ` (${done === 1 ? 'the other was' : 'the others were'})` : ''}:`,
    ...failed.map((d) => `- defect ${d.id}: ${d.failed}`)
  ].join('\n');
}
