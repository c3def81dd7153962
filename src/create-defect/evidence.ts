/**
 * What a failed run brings to its defect besides the text: files to attach (attachments.ts) and
 * the failed tests of its JUnit reports (test-results.ts). Both are read from the workspace in the
 * look-up round, before anything is written; the uploads wait until the defect exists. Neither can
 * stop the defect from being filed: every problem is a warning naming its file.
 */
import type { AttachmentApi } from '../octane/api.js';
import type { Log } from '../log.js';
import type { CreateDefectSettings } from '../settings.js';
import { planAttachments, uploadAttachments } from './attachments.js';
import { failedTestsHtml, readTestReports, type TestResults } from './test-results.js';
import { findWorkspaceFiles, type FoundFile } from './workspace-files.js';

export interface Evidence {
  /** The files to attach, within the limits. */
  files: FoundFile[];
  /** Names of the files uploaded: [] until the defect exists, and in a dry run. */
  uploaded: string[];
  /** The reports' totals and first failed cases; undefined when test-results is empty or no report could be read. */
  tests?: TestResults;
  /** The description's "Failed tests" section. */
  html?: string;
}

/** Never rejects: a problem with a file is a warning, and an unexpected one costs only the evidence. */
export async function readEvidence(
  settings: Pick<CreateDefectSettings, 'attachments' | 'testResults'>,
  workspace: string,
  log: Log
): Promise<Evidence> {
  const [plan, tests] = await Promise.all([
    planAttachments(settings.attachments, workspace).catch((e: unknown) => ({
      files: [],
      warnings: [`attachments: the files could not be listed (${message(e)})`]
    })),
    readTests(settings.testResults, workspace).catch((e: unknown) => ({
      results: undefined,
      warnings: [`test-results: the reports could not be read (${message(e)})`]
    }))
  ]);
  for (const warning of [...plan.warnings, ...tests.warnings]) log.warning(warning);
  if (plan.files.length > 0) log.info(`Attachments: ${plan.files.map((f) => JSON.stringify(f.shown)).join(', ')}`);
  const r = tests.results;
  if (r)
    log.info(
      `Test results: ${r.tests} tests, ${r.failures} failures, ${r.errors} errors, ${r.skipped} skipped in ${r.reports} report${r.reports === 1 ? '' : 's'}`
    );
  return { files: plan.files, uploaded: [], ...(r ? { tests: r, html: failedTestsHtml(r) } : {}) };
}

async function readTests(patterns: string[], workspace: string) {
  if (patterns.length === 0) return { results: undefined, warnings: [] };
  const found = await findWorkspaceFiles('test-results', patterns, workspace);
  const read = await readTestReports(found.files);
  return { results: read.results, warnings: [...found.warnings, ...read.warnings] };
}

/** Uploads the files to the defect, which exists by now; never throws. */
export async function attachEvidence(api: Partial<AttachmentApi>, log: Log, defectId: string, evidence: Evidence): Promise<Evidence> {
  if (evidence.files.length === 0) return evidence;
  const uploaded = await uploadAttachments(api, log, defectId, evidence.files);
  return { ...evidence, uploaded };
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
