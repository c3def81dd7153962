/**
 * A small multipart/form-data reader (RFC 7578) for the attachments route: the whole body is in
 * memory already, so the parts are found by their boundary lines. Enough for what clients send
 * to Octane (named parts, an optional filename, a Content-Type); anything it cannot read is a 400.
 */
import { OctaneError } from './errors.js';

export interface FormPart {
  name: string;
  fileName?: string;
  contentType?: string;
  content: Buffer;
}

function bad(description: string): never {
  throw new OctaneError(400, 'platform.invalid_request_body', description);
}

/** The boundary of a `multipart/form-data; boundary=...` content type, quoted or not. */
export function boundaryOf(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/form-data\b/i.test(contentType)) return undefined;
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(contentType);
  return m ? (m[1] ?? m[2]) : undefined;
}

function param(header: string, name: string): string | undefined {
  const m = new RegExp(`;\\s*${name}="([^"]*)"`, 'i').exec(header) ?? new RegExp(`;\\s*${name}=([^\\s;]+)`, 'i').exec(header);
  return m?.[1];
}

export function parseMultipart(body: Buffer, boundary: string): FormPart[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: FormPart[] = [];
  let at = body.indexOf(delimiter);
  if (at < 0) bad('The multipart body has no part with the boundary of its Content-Type');
  for (;;) {
    at += delimiter.length;
    if (body.subarray(at, at + 2).toString() === '--') return parts;
    if (body.subarray(at, at + 2).toString() !== '\r\n') bad('A multipart boundary line is not followed by CRLF');
    const headerEnd = body.indexOf('\r\n\r\n', at);
    if (headerEnd < 0) bad('A multipart part has no end of its headers');
    const headers = new Map<string, string>();
    for (const line of body
      .subarray(at + 2, headerEnd)
      .toString('utf8')
      .split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headerEnd + 4);
    if (next < 0) bad('The multipart body ends without its closing boundary');
    const disposition = headers.get('content-disposition') ?? '';
    const name = param(disposition, 'name');
    if (!/^form-data\b/i.test(disposition) || name === undefined) bad('A multipart part has no Content-Disposition: form-data with a name');
    const fileName = param(disposition, 'filename');
    const contentType = headers.get('content-type');
    parts.push({
      name,
      ...(fileName !== undefined ? { fileName } : {}),
      ...(contentType ? { contentType } : {}),
      content: body.subarray(headerEnd + 4, next)
    });
    at = next + 2;
  }
}
