/**
 * Attachments for create-defect: the files the `attachments` input names, within the limits
 * below, uploaded one by one to the defect once it exists (created, recovered or reused). Nothing
 * here can cost the defect: a file over a limit, a pattern that matches nothing, and an upload that
 * fails or is refused are warnings naming the file, and an upload whose answer was lost is never
 * sent again (it might be stored twice).
 */
import path from 'node:path';
import type { AttachmentApi } from '../octane/api.js';
import { OctaneError, OctaneNetworkError, OutcomeUnknownError, UnreadableAnswerError, isCancelled } from '../octane/errors.js';
import type { Log } from '../log.js';
import { findWorkspaceFiles, openListed, type FoundFile } from './workspace-files.js';

/** Per file; larger files are skipped with a warning. Octane documents no limit of its own. */
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
/** All files of one run together: the upload time adds to the job's. */
export const MAX_ATTACHMENTS_TOTAL_BYTES = 50 * 1024 * 1024;
/** Files per run. */
export const MAX_ATTACHMENTS = 20;

const MIB = 1024 * 1024;
const mib = (bytes: number): string => `${(bytes / MIB).toFixed(1)} MiB`;

export interface AttachmentPlan {
  files: FoundFile[];
  warnings: string[];
}

/** The files to attach, in pattern order, within the limits; every file left out is a warning. */
export async function planAttachments(patterns: string[], workspace: string): Promise<AttachmentPlan> {
  if (patterns.length === 0) return { files: [], warnings: [] };
  const found = await findWorkspaceFiles('attachments', patterns, workspace);
  const warnings = [...found.warnings];
  const files: FoundFile[] = [];
  let total = 0;
  const skippedForCount: string[] = [];
  for (const file of found.files) {
    if (file.size > MAX_ATTACHMENT_BYTES) {
      warnings.push(
        `attachments: ${JSON.stringify(file.shown)} is ${mib(file.size)}, over the ${mib(MAX_ATTACHMENT_BYTES)} a file may have; it was not attached`
      );
    } else if (files.length >= MAX_ATTACHMENTS) {
      skippedForCount.push(file.shown);
    } else if (total + file.size > MAX_ATTACHMENTS_TOTAL_BYTES) {
      warnings.push(
        `attachments: ${JSON.stringify(file.shown)} (${mib(file.size)}) would bring the attachments over ${mib(MAX_ATTACHMENTS_TOTAL_BYTES)} in all; it was not attached`
      );
    } else {
      files.push(file);
      total += file.size;
    }
  }
  if (skippedForCount.length > 0) {
    const named = skippedForCount
      .slice(0, 10)
      .map((s) => JSON.stringify(s))
      .join(', ');
    const more = skippedForCount.length > 10 ? ` and ${skippedForCount.length - 10} more` : '';
    warnings.push(`attachments: at most ${MAX_ATTACHMENTS} files are attached; not attached: ${named}${more}`);
  }
  return { files, warnings };
}

/** Content types by extension for the upload; Octane checks that the content fits the extension. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.txt': 'text/plain',
  '.log': 'text/plain',
  '.csv': 'text/csv',
  '.xml': 'application/xml',
  '.json': 'application/json',
  '.html': 'text/html',
  '.htm': 'text/html',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.pdf': 'application/pdf',
  '.zip': 'application/zip',
  '.gz': 'application/gzip'
};

export function contentTypeOf(fileName: string): string {
  return CONTENT_TYPES[path.extname(fileName).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Uploads each file to work item `ownerId`; returns the names uploaded. Never throws: the defect
 * exists by now, and its outputs must still be set.
 */
export async function uploadAttachments(api: Partial<AttachmentApi>, log: Log, ownerId: string, files: FoundFile[]): Promise<string[]> {
  const uploaded: string[] = [];
  for (const [i, file] of files.entries()) {
    const shown = JSON.stringify(file.shown);
    let content: Buffer;
    try {
      content = await readBounded(file);
    } catch (e) {
      log.warning(`attachments: ${shown} could not be read (${(e as Error).message}); it was not attached`);
      continue;
    }
    try {
      if (!api.attach) throw new Error('this Octane connection cannot upload files');
      const entity = await api.attach(ownerId, file.name, content, contentTypeOf(file.name));
      uploaded.push(file.name);
      log.info(`Attached ${shown} (${content.length} bytes) to defect ${ownerId}: attachment ${entity.id}`);
    } catch (e) {
      log.warning(uploadFailure(shown, ownerId, e));
      // A cancelled run or a spent time budget fails every later upload the same way: one warning names them all.
      if (isCancelled(e) || (e instanceof OctaneNetworkError && e.code === 'BUDGET')) {
        const rest = files.slice(i + 1).map((f) => JSON.stringify(f.shown));
        if (rest.length > 0) log.warning(`attachments: not attempted: ${rest.join(', ')}`);
        break;
      }
    }
  }
  return uploaded;
}

function uploadFailure(shown: string, ownerId: string, e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  if (e instanceof UnreadableAnswerError) {
    return `attachments: ${shown} may or may not have been attached to defect ${ownerId}: Octane accepted the upload but its answer could not be read (${message}); it was not sent again, so that it is not attached twice`;
  }
  if (e instanceof OutcomeUnknownError) {
    return `attachments: ${shown} may or may not have been attached to defect ${ownerId} (${message}); it was not sent again, so that it is not attached twice`;
  }
  if (e instanceof OctaneError && (e.status === 400 || e.status === 415 || e.status === 422)) {
    return (
      `attachments: Octane refused ${shown} for defect ${ownerId} (${message}). ` +
      "Octane sites accept only the file extensions their administrator allows, and the file's content must match its extension; " +
      'attach it under an allowed extension (such as .txt or .zip) or ask the site administrator'
    );
  }
  return `attachments: ${shown} could not be attached to defect ${ownerId} (${message}); the defect was filed without it`;
}

/** The file's bytes, refused when it grew past the per-file limit since it was listed. */
async function readBounded(file: FoundFile): Promise<Buffer> {
  const handle = await openListed(file);
  try {
    // As large as the file is now, and one byte more to notice that it grew: not the limit for every file.
    const { size } = await handle.stat();
    let buffer = Buffer.alloc(Math.min(size, MAX_ATTACHMENT_BYTES) + 1);
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        // It grew since: room for more, up to the limit and the one byte that shows it is over.
        const larger = Buffer.alloc(Math.min(buffer.length * 2, MAX_ATTACHMENT_BYTES + 1));
        buffer.copy(larger, 0, 0, length);
        buffer = larger;
      }
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > MAX_ATTACHMENT_BYTES) throw new Error(`it grew over ${mib(MAX_ATTACHMENT_BYTES)} since it was listed`);
    }
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}
