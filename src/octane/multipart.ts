/**
 * A multipart/form-data body (RFC 7578) built in memory: the attachment upload has two small
 * parts and a file of at most a few MiB, so a Buffer that can be sent again on a safe retry is
 * simpler than a stream.
 */
import { randomBytes } from 'node:crypto';

export interface Part {
  name: string;
  fileName?: string;
  contentType: string;
  content: Buffer;
}

/**
 * Quoted-string values as browsers write them in Content-Disposition (the WHATWG HTML form
 * encoding): `"`, CR and LF percent-encoded, so a file name cannot end the header or add one.
 */
function quoted(value: string): string {
  return `"${value.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A')}"`;
}

export function multipartBody(parts: Part[]): { body: Buffer; contentType: string } {
  // 24 random bytes in hex: cannot occur by chance in a part, so no scan of the content is needed.
  const boundary = `----octane-action-${randomBytes(24).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition = `form-data; name=${quoted(part.name)}${part.fileName !== undefined ? `; filename=${quoted(part.fileName)}` : ''}`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\nContent-Type: ${part.contentType}\r\n\r\n`, 'utf8'));
    chunks.push(part.content, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}
