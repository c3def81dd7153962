// The simulator's attachments route, read with a multipart body as a standard client (Node's own
// fetch and FormData) writes it, so its parser is not only checked against the action's own writer.
import { describe, it, expect, beforeAll } from '@jest/globals';
import { ATTACHMENT_EXTENSIONS } from '../../simulator/attachments.js';
import { useSimulator } from '../helpers/e2e-simulator.js';
import { getJson, postJson, session, workspaceUrl, type Json } from './helpers.js';

const sim = useSimulator({ cookieReissueEvery: 0 }, { resetEachTest: false });
let cookie: string;
let defectId: string;

beforeAll(async () => {
  cookie = await session(sim());
  const root = sim().store.all('work_item_roots')[0]!;
  const created = await postJson(sim(), cookie, 'defects', {
    data: [{ name: 'Attachment owner', parent: { type: 'work_item_root', id: root.id } }]
  });
  defectId = String(created.body.data[0].id);
});

async function upload(
  fields: { entity?: unknown; content?: Buffer; fileName?: string },
  headers: Record<string, string> = {}
): Promise<{ status: number; body: Json }> {
  const form = new FormData();
  if (fields.entity !== undefined) form.append('entity', new Blob([JSON.stringify(fields.entity)], { type: 'application/json' }), 'blob');
  if (fields.content) form.append('content', new Blob([fields.content]), fields.fileName ?? 'file.txt');
  const res = await fetch(workspaceUrl(sim(), 'attachments'), {
    method: 'POST',
    headers: { cookie, accept: 'application/json', ...headers },
    body: form
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const owner = () => ({ type: 'work_item', id: defectId });

describe('POST attachments', () => {
  it('stores name, size, owner and the exact bytes (binary too), and answers the created attachment as a page', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0xfe, 0x0d, 0x0a, 0x2d, 0x2d]);
    const res = await upload({ entity: { name: 'screen.png', owner_work_item: owner() }, content: png, fileName: 'screen.png' });
    expect(res.status).toBe(201);
    expect(res.body.data[0]).toMatchObject({
      type: 'attachment',
      name: 'screen.png',
      size: png.length,
      owner_work_item: { type: 'defect', id: defectId }
    });
    const stored = sim().store.get('attachments', String(res.body.data[0].id))!;
    expect(Buffer.compare(stored.content as Buffer, png)).toBe(0);
  });

  it('lists attachments with GET, filterable by owner', async () => {
    const res = await getJson(
      sim(),
      cookie,
      `attachments?fields=name,size,owner_work_item&query=${encodeURIComponent(`"owner_work_item EQ {id EQ ${defectId}}"`)}`
    );
    expect(res.status).toBe(200);
    expect(res.body.data.map((a: Json) => a.name)).toEqual(['screen.png']);
  });

  it('refuses an extension the site does not allow with 400 in Octane error format, storing nothing', async () => {
    const before = sim().store.all('attachments').length;
    const res = await upload({ entity: { name: 'tool.exe', owner_work_item: owner() }, content: Buffer.from('MZ'), fileName: 'tool.exe' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error_code: 'platform.file_extension_not_allowed', business_error: true });
    expect(res.body.description).toContain("'tool.exe'");
    expect(typeof res.body.correlation_id).toBe('string');
    expect(sim().store.all('attachments')).toHaveLength(before);
    expect(ATTACHMENT_EXTENSIONS).not.toContain('.exe');
  });

  it.each([
    ['no entity part', { content: Buffer.from('x') }, 400],
    ['no content part', { entity: { name: 'a.txt', owner_work_item: { type: 'work_item', id: '1' } } }, 400],
    [
      'an owner that does not exist',
      { entity: { name: 'a.txt', owner_work_item: { type: 'work_item', id: '99999' } }, content: Buffer.from('x') },
      400
    ]
  ])('refuses an upload with %s', async (_label, fields, status) => {
    const res = await upload(fields as { entity?: unknown; content?: Buffer });
    expect(res.status).toBe(status);
    expect(typeof res.body.error_code).toBe('string');
  });

  it('refuses a JSON body (415): an attachment is multipart', async () => {
    const res = await postJson(sim(), cookie, 'attachments', { data: [{ name: 'a.txt' }] });
    expect(res.status).toBe(415);
  });
});
