/** Octane's routes: sign-in/out and the workspace collections. Pure: a request in, an Answer out. */
import type { Store } from './store.js';
import type { Sessions } from './auth.js';
import { parseCookies } from './auth.js';
import { OctaneError } from './errors.js';
import { COLLECTION_TYPE, fieldDef } from './schema.js';
import { parseQueryParameter, QuerySyntaxError } from './query/parser.js';
import { checkQuery } from './query/check.js';
import { compileQuery } from './query/evaluate.js';
import { renderEntity } from './render.js';
import { bodyItems, validateComment, validateDefect, validateDefectUpdate } from './create.js';
import { createAttachment } from './attachments.js';
import type { ServerProfile, SimEntity } from './types.js';

export interface RouteRequest {
  method: string;
  /** Path without the prefix and without the query string. */
  path: string;
  params: URLSearchParams;
  headers: Record<string, string>;
  body: string;
  /** The body's bytes (an upload's file may be binary, which `body` as text would garble). */
  rawBody?: Buffer;
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[]>;
  body: string;
  /** LWSSO value the answer set, for the request log. */
  setLwsso?: string;
}

export interface RouteContext {
  store: Store;
  sessions: Sessions;
  sharedSpaceId: string;
  workspaceId: string;
  profile: Required<ServerProfile>;
}

const JSON_TYPE = 'application/json;charset=UTF-8';
export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

function json(status: number, value: unknown, headers: Record<string, string | string[]> = {}): Answer {
  return { status, headers: { 'content-type': JSON_TYPE, ...headers }, body: JSON.stringify(value) };
}

function methodNotAllowed(method: string): never {
  throw new OctaneError(405, 'platform.method_not_allowed', `Method ${method} is not supported on this resource`);
}

function requireJsonBody(req: RouteRequest): void {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
    throw new OctaneError(415, 'platform.unsupported_media_type', 'Content-Type must be application/json');
  }
}

function checkAccept(req: RouteRequest): void {
  const accept = req.headers['accept'];
  if (accept && !/application\/json|\*\/\*|application\/\*/i.test(accept)) {
    throw new OctaneError(406, 'platform.not_acceptable', 'This resource answers application/json only');
  }
}

const API_PATH = /^\/api\/shared_spaces\/([^/]+)\/workspaces\/([^/]+)\/([^/]+)(?:\/([^/]+))?\/?$/;

export function route(ctx: RouteContext, req: RouteRequest): Answer {
  const cookies = parseCookies(req.headers['cookie']);
  if (req.path === '/authentication/sign_in') {
    if (req.method !== 'POST') methodNotAllowed(req.method);
    requireJsonBody(req);
    let body: unknown;
    try {
      body = JSON.parse(req.body);
    } catch {
      throw new OctaneError(400, 'platform.json_parse_error', 'The request body is not valid JSON');
    }
    const { setCookie, token } = ctx.sessions.signIn(body, cookies);
    // Octane documents no body for a successful sign-in.
    return { status: 200, headers: { 'set-cookie': setCookie }, body: '', setLwsso: token };
  }
  if (req.path === '/authentication/sign_out') {
    if (req.method !== 'POST') methodNotAllowed(req.method);
    return { status: 200, headers: { 'set-cookie': ctx.sessions.signOut(cookies) }, body: '' };
  }
  const m = API_PATH.exec(req.path);
  if (!m) throw new OctaneError(404, 'platform.not_found', `No resource at ${req.path}`);
  const [, space, workspace, collection, id] = m as unknown as [string, string, string, string, string | undefined];

  // Octane checks the session before anything else about an API call.
  const { reissued } = ctx.sessions.authorize(cookies);
  const answer = api(ctx, req, space, workspace, collection, id);
  if (reissued) {
    answer.headers['set-cookie'] = reissued.setCookie;
    answer.setLwsso = reissued.token;
  }
  return answer;
}

function api(ctx: RouteContext, req: RouteRequest, space: string, workspace: string, collection: string, id: string | undefined): Answer {
  if (space !== ctx.sharedSpaceId) throw new OctaneError(404, 'platform.shared_space_not_found', `Shared space ${space} does not exist`);
  if (workspace !== ctx.workspaceId)
    throw new OctaneError(404, 'platform.workspace_not_found', `Workspace ${workspace} does not exist in shared space ${space}`);
  const type = COLLECTION_TYPE[collection];
  if (!type) throw new OctaneError(404, 'platform.entity_type_not_found', `No entity collection named '${collection}'`);
  checkAccept(req);

  if (req.method === 'GET' && id === 'groups' && (collection === 'defects' || collection === 'work_items'))
    return groups(ctx, collection, type, req.params);
  if (req.method === 'GET') return id === undefined ? list(ctx, collection, type, req.params) : one(ctx, collection, type, id, req.params);
  if (req.method === 'POST' && id === undefined && collection === 'attachments') {
    return json(
      201,
      createAttachment(ctx.store, req.headers['content-type'], req.rawBody ?? Buffer.from(req.body, 'utf8'), renderOptions(ctx))
    );
  }
  if (req.method === 'POST' && id === undefined && (collection === 'defects' || collection === 'comments')) {
    requireJsonBody(req);
    return create(ctx, collection, type, req);
  }
  if (req.method === 'PUT' && collection === 'defects') {
    requireJsonBody(req);
    return update(ctx, collection, type, id, req);
  }
  methodNotAllowed(req.method);
}

function fieldsParam(type: string, params: URLSearchParams): string[] {
  const raw = params.get('fields');
  if (raw === null) return [];
  const fields = raw
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '');
  for (const f of fields) {
    if (f !== 'type' && !fieldDef(type, f))
      throw new OctaneError(400, 'platform.unknown_field', `Field '${f}' does not exist in entity '${type}'`);
  }
  return fields;
}

function intParam(params: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const raw = params.get(name);
  if (raw === null) return fallback;
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= min && n <= max)) {
    throw new OctaneError(
      400,
      'platform.invalid_parameter_value',
      `Parameter '${name}' must be a whole number from ${min} to ${max}, not '${raw}'`
    );
  }
  return n;
}

function sortValue(v: unknown): number | string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'object' && 'id' in (v as object)) v = (v as { id: unknown }).id;
  if (typeof v === 'number') return v;
  const s = String(v);
  return /^-?\d+(\.\d+)?$/.test(s) ? Number(s) : s.toLowerCase();
}

function compareKeys(va: number | string | undefined, vb: number | string | undefined): number {
  if (va === undefined || vb === undefined) return va === vb ? 0 : va === undefined ? -1 : 1;
  if (typeof va === 'number' && typeof vb === 'number') return va - vb;
  const sa = String(va);
  const sb = String(vb);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** Sorts by the keys; each entity's sort values are computed once (100,000 defects sort in tens of ms). */
function sortEntities(entities: SimEntity[], keys: Array<{ field: string; desc: boolean }>): SimEntity[] {
  const decorated = entities.map((e) => ({ e, v: keys.map((k) => sortValue(e[k.field])) }));
  decorated.sort((a, b) => {
    for (let i = 0; i < keys.length; i++) {
      const c = compareKeys(a.v[i], b.v[i]);
      if (c !== 0) return keys[i]!.desc ? -c : c;
    }
    return 0;
  });
  return decorated.map((d) => d.e);
}

/** The query parameter's matches (400 on a query the parser or checker refuses). */
function matching(ctx: RouteContext, collection: string, type: string, params: URLSearchParams): SimEntity[] {
  const entities = ctx.store.all(collection);
  const rawQuery = params.get('query');
  if (rawQuery === null) return entities;
  let node;
  try {
    node = parseQueryParameter(rawQuery, { escaping: ctx.profile.escaping });
  } catch (e) {
    if (e instanceof QuerySyntaxError) throw new OctaneError(400, 'platform.query_parse_error', `Invalid query: ${e.message}`);
    throw e;
  }
  checkQuery(node, type);
  const predicate = compileQuery(node, (ref) => ctx.store.resolve(ref));
  return entities.filter(predicate);
}

/**
 * `.../defects/groups?group_by=<reference field>&query="..."` (issue 9): the shape PPM's Octane connector quotes
 * from a real server, `{groups: [{count, value: {type, logical_name, name, index, id}, groups: null}], groupsTotalCount}`;
 * entities without a value make a group with `value: null` (no source shows that case). Under the 'capped' reading
 * of exceeds_total_count each count is capped too. A profile without the resource answers 404.
 */
function groups(ctx: RouteContext, collection: string, type: string, params: URLSearchParams): Answer {
  if (!ctx.profile.groups) throw new OctaneError(404, 'platform.not_found', `No resource at ${collection}/groups`);
  const by = params.get('group_by') ?? '';
  const def = fieldDef(type, by);
  if (!def || def.kind !== 'ref' || !def.target)
    throw new OctaneError(400, 'platform.invalid_parameter_value', `Cannot group by '${by}': not a reference field of entity '${type}'`);
  const counts = new Map<string, number>();
  let none = 0;
  for (const e of matching(ctx, collection, type, params)) {
    const ref = e[by] as { id?: string } | null | undefined;
    if (ref && typeof ref.id === 'string') counts.set(ref.id, (counts.get(ref.id) ?? 0) + 1);
    else none++;
  }
  const cap = (n: number): number => (ctx.profile.exceedsTotalCount === 'capped' ? Math.min(n, ctx.profile.totalCountCap) : n);
  const numeric = ctx.profile.numericIds && params.get('use_numeric_id') === 'true';
  const out: unknown[] = [];
  for (const [id, n] of counts) {
    const target = ctx.store.resolve({ type: def.target!, id }) as SimEntity | undefined;
    const value: Record<string, unknown> = {
      type: def.target,
      logical_name: target?.logical_name ?? null,
      name: target?.name ?? null,
      id: numeric && /^\d{1,15}$/.test(id) ? Number(id) : id
    };
    if (typeof target?.index === 'number') value.index = target.index;
    out.push({ count: cap(n), value, groups: null });
  }
  if (none > 0) out.push({ count: cap(none), value: null, groups: null });
  return json(200, { groups: out, groupsTotalCount: out.length });
}

function list(ctx: RouteContext, collection: string, type: string, params: URLSearchParams): Answer {
  const fields = fieldsParam(type, params);
  const limit = intParam(params, 'limit', DEFAULT_LIMIT, 1, MAX_LIMIT);
  const offset = intParam(params, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
  const orderKeys = (params.get('order_by') ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '')
    .map((k) => {
      const desc = k.startsWith('-');
      const field = desc ? k.slice(1) : k;
      if (!fieldDef(type, field))
        throw new OctaneError(400, 'platform.unknown_field', `Cannot order by '${field}': no such field in entity '${type}'`);
      return { field, desc };
    });

  let entities = matching(ctx, collection, type, params);
  // Entities are kept in id order, so only another order needs a sort.
  const onlyId = orderKeys.length === 1 && orderKeys[0]!.field === 'id';
  if (onlyId && orderKeys[0]!.desc) {
    entities = [...entities].reverse();
  } else if (orderKeys.length && !onlyId) {
    entities = sortEntities(entities, [...orderKeys, { field: 'id', desc: false }]);
  }
  const viewType = collection === 'work_items' ? 'work_item' : undefined;
  const page = entities.slice(offset, offset + limit).map((e) => renderEntity(ctx.store, e, fields, viewType, renderOptions(ctx)));
  return json(200, { ...totals(ctx.profile, entities.length, page.length, limit), data: page });
}

/** total_count and exceeds_total_count as the profile's reading of the flag has them (issue 7, Part 1.2). */
function totals(
  profile: Required<ServerProfile>,
  real: number,
  returned: number,
  limit: number
): { total_count: number; exceeds_total_count: boolean } {
  switch (profile.exceedsTotalCount) {
    case 'when-paged':
      return { total_count: real, exceeds_total_count: real > returned };
    case 'limit-above-total':
      return { total_count: real, exceeds_total_count: limit > real };
    case 'capped':
      return { total_count: Math.min(real, profile.totalCountCap), exceeds_total_count: real > profile.totalCountCap };
    case 'never':
      return { total_count: real, exceeds_total_count: false };
  }
}

function renderOptions(ctx: RouteContext): { numericIds: boolean } {
  return { numericIds: ctx.profile.numericIds };
}

function one(ctx: RouteContext, collection: string, type: string, id: string, params: URLSearchParams): Answer {
  const fields = fieldsParam(type, params);
  const entity = ctx.store.get(collection, id);
  if (!entity) throw new OctaneError(404, 'platform.entity_not_found', `No ${type} with id ${id}`);
  return json(200, renderEntity(ctx.store, entity, fields, collection === 'work_items' ? 'work_item' : undefined, renderOptions(ctx)));
}

function create(ctx: RouteContext, collection: string, type: string, req: RouteRequest): Answer {
  const items = bodyItems(req.body);
  if (
    ctx.profile.isDraft === 'needs-tech-preview' &&
    items.some((i) => 'is_draft' in i) &&
    !/^\s*true\s*$/i.test(req.headers['alm-octane-tech-preview'] ?? '')
  ) {
    // Newer servers document is_draft as technical preview (the ValueEdge REST docs): without the header they refuse it.
    throw new OctaneError(
      400,
      'platform.tech_preview_header_required',
      "Field 'is_draft' is a technical preview: send the header ALM-OCTANE-TECH-PREVIEW: true to use it"
    );
  }
  // Validate every item first: a bad item means nothing is written.
  const validated = items.map((item) => (collection === 'defects' ? validateDefect(ctx.store, item) : validateComment(ctx.store, item)));
  const fields = fieldsParam(type, req.params);
  const shown = [...new Set([collection === 'defects' ? 'name' : 'text', ...fields])];
  const created = validated.map((f) => ctx.store.add(collection, f));
  return json(201, {
    total_count: created.length,
    data: created.map((e) => renderEntity(ctx.store, e, shown, undefined, renderOptions(ctx)))
  });
}

/**
 * PUT `defects/{id}` with the entity itself (as the JS SDK's update sends it), or PUT `defects` with
 * `{"data":[{id, ...}]}` (its updateBulk). Every item is validated before any is changed.
 */
function update(ctx: RouteContext, collection: string, type: string, id: string | undefined, req: RouteRequest): Answer {
  let items: Array<Record<string, unknown>>;
  if (id === undefined) {
    items = bodyItems(req.body);
  } else {
    let parsed: unknown;
    try {
      parsed = JSON.parse(req.body);
    } catch {
      throw new OctaneError(400, 'platform.json_parse_error', 'The request body is not valid JSON');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new OctaneError(400, 'platform.invalid_request_body', "The request body must be the entity's fields as a JSON object");
    }
    items = [{ ...(parsed as Record<string, unknown>), id }];
  }
  const changes = items.map((item) => {
    if (item.id === undefined || item.id === null)
      throw new OctaneError(400, 'platform.missing_required_field', "Every item of an update needs its 'id'");
    const current = ctx.store.get(collection, String(item.id));
    if (!current) throw new OctaneError(404, 'platform.entity_not_found', `No ${type} with id ${String(item.id)}`);
    return { current, fields: validateDefectUpdate(ctx.store, current, item) };
  });
  const now = new Date().toISOString();
  for (const { current, fields } of changes) Object.assign(current, fields, { last_modified: now });
  const shown = [...new Set(['name', ...changes.flatMap((c) => Object.keys(c.fields)), ...fieldsParam(type, req.params)])];
  const rendered = changes.map((c) => renderEntity(ctx.store, c.current, shown, undefined, renderOptions(ctx)));
  return id === undefined ? json(200, { total_count: rendered.length, data: rendered }) : json(200, rendered[0]);
}
