/**
 * What the modes need from Octane. The real implementation is OctaneClient (client.ts);
 * it knows HTTP, sessions, retries and Octane's error format, and nothing about GitHub.
 */
export type Collection =
  | 'defects'
  | 'releases'
  | 'phases'
  | 'list_nodes'
  | 'work_items'
  | 'work_item_roots'
  | 'comments'
  | 'metaphases'
  | 'teams'
  | 'sprints'
  | 'milestones'
  | 'product_areas'
  | 'user_tags'
  | 'workspace_users'
  | 'transitions'
  | 'attachments';

export interface Reference {
  type: string;
  id: string;
  name?: string;
  logical_name?: string;
}

/** An entity as Octane returns it: id and type always, other fields as asked for. */
export interface Entity {
  id: string;
  type: string;
  [field: string]: unknown;
}

export interface Page<T = Entity> {
  total_count: number;
  data: T[];
  /** Octane's flag that total_count is not exact (a capped count). */
  exceeds_total_count?: boolean;
}

export interface ListParams {
  /** A query expression built with query.ts, without the enclosing double quotes. */
  query?: string;
  fields?: string[];
  /** 1..1000 */
  limit?: number;
  offset?: number;
  /** e.g. ['id'] or ['-id'] */
  orderBy?: string[];
}

/** One group of a grouping answer: how many entities share the value (null: entities without one). */
export interface Group {
  count: number;
  value: Reference | null;
}

/** `.../{collection}/groups`: entities counted by the value of one reference field. */
export interface GroupsParams {
  query?: string;
  groupBy: string;
}

export interface CreateOptions {
  /**
   * Send `ALM-OCTANE-TECH-PREVIEW: true`: newer servers document some fields (is_draft) as
   * technical preview, which a client may send only with that header.
   */
  techPreview?: boolean;
}

export interface OctaneApi {
  /** GET a workspace collection. Retried on transient failures. */
  list<T extends Entity = Entity>(collection: Collection, params: ListParams): Promise<Page<T>>;
  /**
   * GET `.../{collection}/groups?group_by=...`: counts by one reference field. Not on the public admhelp
   * pages, so a server may lack it (404 or 400): callers fall back to counting each part. Optional so
   * that fakes need not answer it.
   */
  groups?(collection: Collection, params: GroupsParams): Promise<Group[]>;
  /**
   * POST one entity to a workspace collection and return what Octane answered for it.
   * Retried only where the server surely did not act (429, 503, connection refused);
   * an ambiguous failure (timeout, reset after sending, 502/504) throws OutcomeUnknownError.
   */
  create<T extends Entity = Entity>(collection: Collection, fields: Record<string, unknown>, options?: CreateOptions): Promise<T>;
  /** Link to an entity in the Octane UI. */
  workItemUrl(id: string): string;
}

/**
 * OctaneApi and updates (resolve-defect). Kept apart so that the read-and-create modes, and the test
 * doubles that stand in for them, need not implement a write they never make.
 */
export interface OctaneApiWithUpdate extends OctaneApi {
  /**
   * PUT changed fields of one entity (`{collection}/{id}`) and return what Octane answered for it.
   * Retried like create: only where the server surely did not act; an ambiguous failure throws
   * OutcomeUnknownError, and the caller reads the entity back before sending it again.
   */
  update<T extends Entity = Entity>(collection: Collection, id: string, fields: Record<string, unknown>): Promise<T>;
}

/** Uploads of files; apart from OctaneApi so that read-only stand-ins need not offer it. */
export interface AttachmentApi {
  /**
   * Uploads one file as an attachment of a work item (POST attachments, multipart/form-data) and
   * returns the attachment Octane created. Retried like create: only where the server surely did
   * not store it; an ambiguous failure throws OutcomeUnknownError and is never repeated.
   */
  attach(ownerId: string, fileName: string, content: Buffer, contentType?: string): Promise<Entity>;
}
