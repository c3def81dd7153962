// The size budget of a job summary, shared by every mode.

/**
 * The step summary is kept under this many bytes. GitHub drops a summary file over 1 MiB with only an
 * error (actions/runner src/Runner.Worker/FileCommandManager.cs, CreateStepSummaryCommand,
 * AttachmentSizeLimit); half of it leaves room for whatever else the step's file holds, and a table
 * of that size is still one a browser shows without stalling.
 */
export const SUMMARY_BUDGET_BYTES = 512 * 1024;

const CUT_NOTE = `\n\n*The rest of this summary was cut to keep it under ${SUMMARY_BUDGET_BYTES / 1024} KiB; the step's log and outputs have it in full.*\n`;

/**
 * The summary as it is when within the budget; else its whole lines that fit, and a note saying it
 * was cut. The modes keep their own summaries small (the gate cuts its list); this is the last check
 * for any text that grew past what they foresaw.
 */
export function withinSummaryBudget(markdown: string): string {
  if (Buffer.byteLength(markdown) <= SUMMARY_BUDGET_BYTES) return markdown;
  const room = SUMMARY_BUDGET_BYTES - Buffer.byteLength(CUT_NOTE);
  // Cut on bytes, then back to a character and a line boundary.
  let kept = Buffer.from(markdown).subarray(0, room).toString('utf8');
  if (kept.endsWith('\uFFFD')) kept = kept.slice(0, -1);
  const lastLine = kept.lastIndexOf('\n');
  if (lastLine > 0) kept = kept.slice(0, lastLine);
  return `${kept}${CUT_NOTE}`;
}
