/**
 * POST .../attachments: a multipart/form-data upload with a part `entity` (JSON: name and
 * owner_work_item) and a part `content` (the file), one file per request, as OpenText's SDKs send
 * it. Sites allow-list file extensions; this one allows ATTACHMENT_EXTENSIONS and refuses others
 * with 400 in Octane's error format. The bytes are kept (`content`, not a field a GET can ask for)
 * so that tests can compare them with the file.
 */
import { OctaneError } from './errors.js';
import { boundaryOf, parseMultipart } from './multipart.js';
import { renderEntity, type RenderOptions } from './render.js';
import type { Store } from './store.js';

export const ATTACHMENT_EXTENSIONS = ['.txt', '.log', '.xml', '.json', '.html', '.png', '.jpg', '.jpeg', '.zip', '.gz'] as const;

function bad(code: string, description: string): never {
  throw new OctaneError(400, code, description);
}

export function createAttachment(store: Store, contentType: string | undefined, body: Buffer, options: RenderOptions): unknown {
  const boundary = boundaryOf(contentType);
  if (!boundary)
    throw new OctaneError(415, 'platform.unsupported_media_type', 'An attachment is uploaded as multipart/form-data with a boundary');
  const parts = parseMultipart(body, boundary);
  const entityPart = parts.find((p) => p.name === 'entity');
  const content = parts.find((p) => p.name === 'content');
  if (!entityPart || !content) bad('platform.invalid_request_body', "An attachment upload needs a part 'entity' and a part 'content'");
  let entity: { name?: unknown; owner_work_item?: unknown };
  try {
    entity = JSON.parse(entityPart.content.toString('utf8')) as typeof entity;
  } catch {
    bad('platform.json_parse_error', "The part 'entity' is not valid JSON");
  }
  const name = entity?.name;
  if (typeof name !== 'string' || name.trim() === '') bad('platform.missing_required_field', "Field 'name' of attachment is required");
  const owner = entity.owner_work_item as { type?: unknown; id?: unknown } | undefined;
  if (
    !owner ||
    typeof owner !== 'object' ||
    typeof owner.type !== 'string' ||
    (typeof owner.id !== 'string' && typeof owner.id !== 'number')
  ) {
    bad(
      'platform.missing_required_field',
      'Field \'owner_work_item\' of attachment is required as a reference {"type": "work_item", "id": "..."}'
    );
  }
  if (owner.type !== 'work_item' && owner.type !== 'defect')
    bad('platform.invalid_reference_type', `Field 'owner_work_item' must reference work_item, not '${owner.type}'`);
  const ownerRef = { type: 'work_item', id: String(owner.id) };
  if (!store.resolve(ownerRef))
    bad('platform.entity_not_found', `Field 'owner_work_item' references work_item ${ownerRef.id}, which does not exist`);
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? name.slice(dot).toLowerCase() : '';
  if (!(ATTACHMENT_EXTENSIONS as readonly string[]).includes(extension)) {
    bad(
      'platform.file_extension_not_allowed',
      `The file extension of '${name}' is not allowed on this site; allowed: ${ATTACHMENT_EXTENSIONS.join(' ')}`
    );
  }
  const stored = store.add('attachments', {
    name,
    size: content.content.length,
    owner_work_item: ownerRef,
    content: Buffer.from(content.content)
  });
  return { total_count: 1, data: [renderEntity(store, stored, ['name', 'size', 'owner_work_item'], undefined, options)] };
}
