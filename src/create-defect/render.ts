// Outputs and job summary of create-defect. Every text from the user or Octane goes through
// markdown.ts's escaping; links are made only from the client's http(s) URLs.
import type { CreateDefectResult } from './run.js';
import { code, escapeCell, escapeText, link, table } from '../markup/markdown.js';

export interface CreateOutputs {
  'defect-id': string;
  'defect-url': string;
  created: 'true' | 'false';
  /** JSON array of the names of the files uploaded. */
  attachments: string;
  /** Failed and errored test cases in the reports; empty when none was given or none could be read. */
  'failed-tests': string;
}

/** In a dry run nothing exists yet: id and URL stay empty, created is false, nothing is attached. */
export function createOutputs(r: CreateDefectResult): CreateOutputs {
  const tests = r.evidence?.tests;
  const evidence = {
    attachments: JSON.stringify(r.evidence?.uploaded ?? []),
    'failed-tests': tests ? String(tests.failures + tests.errors) : ''
  };
  if (r.dryRun) return { 'defect-id': '', 'defect-url': '', created: 'false', ...evidence };
  return { 'defect-id': r.id ?? '', 'defect-url': r.url ?? '', created: r.created ? 'true' : 'false', ...evidence };
}

/** Lines on the attachments and the failed tests, when there are any. */
function evidenceLines(r: CreateDefectResult): string[] {
  const out: string[] = [];
  const e = r.evidence;
  const t = e?.tests;
  if (t) out.push(`Tests: ${t.tests}, failures: ${t.failures}, errors: ${t.errors}, skipped: ${t.skipped}.`);
  if (e && e.files.length > 0) {
    const names = (r.dryRun ? e.files.map((f) => f.name) : e.uploaded).map((n) => code(n)).join(', ');
    out.push(r.dryRun ? `Would attach: ${names}` : `Attached ${e.uploaded.length} of ${e.files.length} files${names ? `: ${names}` : ''}.`);
  }
  return out;
}

export function createSummary(r: CreateDefectResult): string {
  const out: string[] = [];
  const release = escapeText(r.release.name);
  if (r.dryRun) {
    out.push('## Octane defect: dry run, nothing written');
    if (r.reused) {
      out.push(
        `An open defect with this name exists in release ${release}: ${link(`${r.reused.id} ${r.name}`, r.reused.url)} ` +
          `(${escapeText(r.reused.phase)}). A real run would add a comment with the run's link to it and create nothing.`
      );
    } else {
      out.push(`A real run would create the defect **${escapeText(r.name)}** in release ${release} with these fields:`);
    }
    if (r.named?.length) out.push(namedTable(r));
    out.push(...evidenceLines(r));
    out.push(fieldsTable(r.fields));
    return out.join('\n\n') + '\n';
  }

  const title = link(r.name, r.url ?? '');
  if (r.reused) {
    out.push('## Octane defect: reused an open one');
    out.push(`${title} (id ${escapeText(r.reused.id)}, ${escapeText(r.reused.phase)}) in release ${release}`);
    out.push(
      r.reused.commentAdded
        ? "An open defect with this name already existed, so none was created; a comment with this run's link was added to it."
        : "An open defect with this name already existed, so none was created; the comment with this run's link may not have been added (Octane gave no clear answer)."
    );
  } else {
    out.push('## Octane defect: created');
    out.push(`${title} (id ${escapeText(r.id ?? '')}) in release ${release}`);
    if (r.recovered) {
      out.push(
        'Octane gave no clear answer to the create request; the defect was found by its creation token afterwards, so it was not created twice.'
      );
    }
  }
  const facts: string[][] = [];
  if (r.severity) facts.push(['Severity', escapeCell(r.severity.name)]);
  if (r.origin) facts.push(['Origin', escapeCell(r.origin.name)]);
  for (const f of r.named ?? []) facts.push([escapeCell(f.input), escapeCell(f.values.map((v) => v.name).join(', '))]);
  if (facts.length > 0 && !r.reused) out.push(table(['Field', 'Value'], facts));
  out.push(...evidenceLines(r));
  return out.join('\n\n') + '\n';
}

/** Each input given by name, what it resolved to, and the ids sent. */
function namedTable(r: CreateDefectResult): string {
  const rows = (r.named ?? []).map((f) => [
    code(f.input),
    code(f.field),
    escapeCell(f.values.map((v) => v.name).join(', ')),
    code(f.values.map((v) => v.id).join(', '))
  ]);
  return table(['Input', 'Field', 'Resolved to', 'Id'], rows);
}

/** Field -> value as sent; the description's HTML is shown as code, not rendered. */
function fieldsTable(fields: Record<string, unknown>): string {
  const rows = Object.entries(fields).map(([k, v]) => [code(k), code(shortened(typeof v === 'string' ? v : JSON.stringify(v)))]);
  return table(['Field', 'Value'], rows);
}

/** Characters of a field's value shown in the dry run's table; a description may be any length. */
const FIELD_VALUE_CHARS = 500;

function shortened(value: string): string {
  const chars = Array.from(value);
  return chars.length > FIELD_VALUE_CHARS
    ? `${chars.slice(0, FIELD_VALUE_CHARS).join('')}… (${chars.length - FIELD_VALUE_CHARS} more characters)`
    : value;
}
