// The ca-certificate input: PEM text, or the path of a PEM file. The file is read through the
// function passed in, so tests need no files.
import type { ProblemReport } from './reader.js';

const PEM_BEGIN = '-----BEGIN CERTIFICATE-----';
const PEM_END = '-----END CERTIFICATE-----';

/** The PEM text; undefined when the input is empty or has a problem (reported). */
export function readCaCertificate(text: string, readFile: (path: string) => string, { report, show }: ProblemReport): string | undefined {
  if (text === '') return undefined;
  if (text.includes(PEM_BEGIN)) {
    if (!text.includes(PEM_END)) {
      report(`looks like PEM text but has no "${PEM_END}" line`);
      return undefined;
    }
    return text;
  }
  // Text that cannot be a path is never echoed: it may be a private key pasted by mistake.
  const otherPem = /-----BEGIN ([A-Z0-9 ]{1,40})-----/.exec(text);
  if (otherPem) {
    report(`holds a PEM block "${otherPem[1]}", not a certificate; give the CA's certificate ("${PEM_BEGIN}" ... "${PEM_END}")`);
    return undefined;
  }
  if (/[\r\n]/.test(text)) {
    report(
      `is neither PEM text (it has no "${PEM_BEGIN}" line) nor a file path (it has line breaks); give PEM text or the path of a PEM file`
    );
    return undefined;
  }
  let content: string;
  try {
    content = readFile(text);
  } catch (error) {
    report(`cannot read the file ${show(text)}: ${fileErrorReason(error)}; give PEM text or the path of a PEM file`);
    return undefined;
  }
  if (!content.includes(PEM_BEGIN) || !content.includes(PEM_END)) {
    report(`the file ${show(text)} does not contain a PEM certificate ("${PEM_BEGIN}" ... "${PEM_END}")`);
    return undefined;
  }
  return content;
}

/** Short words for the usual errors, the error code otherwise. */
function fileErrorReason(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
  }
  return typeof code === 'string' ? code : 'unreadable';
}
