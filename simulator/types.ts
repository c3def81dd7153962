/** Public types of the simulator; other suites code against these names, so only add, never rename. */

export interface SimulatorOptions {
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
  /** e.g. '/octane': every route lives under it (a reverse proxy in front of Octane). */
  pathPrefix?: string;
  /** Serve HTTPS with this PEM key and certificate. */
  tls?: { key: string; cert: string };
  /** Default 'sample'. */
  seed?: 'sample' | 'empty';
  /** Default [{clientId:'sim-client', clientSecret:'sim-secret'}]. */
  credentials?: Array<{ clientId: string; clientSecret: string }>;
  /** Display name of list_node.severity.urgent; default 'Urgent' (some sites say 'Critical'). */
  urgentName?: string;
  /** Ids of phases and list nodes: numbers-as-strings (default) or their logical names. */
  phaseIds?: 'numeric' | 'logical';
  /** Added: every Nth authenticated answer of a session re-issues LWSSO_COOKIE_KEY; default 3, 0 = never. */
  cookieReissueEvery?: number;
  /** Added: initial latency in ms (same as setting simulator.latencyMs). */
  latencyMs?: number;
  /**
   * Added: how the server behaves where real servers may differ (see PROFILES in profiles.ts); a name or the
   * settings themselves. Default 'default'. `phaseIds` given here as an option wins over the profile's.
   */
  profile?: ProfileName | ServerProfile;
}

/** Server behaviours that public sources leave open; each named profile picks one plausible answer. */
export interface ServerProfile {
  /** 'accept' (default): is_draft accepted. 'needs-tech-preview': a body with is_draft and without the header
   *  `ALM-OCTANE-TECH-PREVIEW: true` answers 400. */
  isDraft?: 'accept' | 'needs-tech-preview';
  /** exceeds_total_count on GET pages: 'never' (default) always false; 'when-paged' true whenever total_count >
   *  data.length; 'limit-above-total' true whenever limit > total_count; 'capped' total_count = min(real,
   *  totalCountCap), true when real > cap (the page's rows are still the real ones at offset..offset+limit). */
  exceedsTotalCount?: 'never' | 'when-paged' | 'limit-above-total' | 'capped';
  /** Default 2000. */
  totalCountCap?: number;
  /** Backslashes inside ^...^ / '...': 'any' (default) escapes any character; 'ci-sdk' only \ " ' ( ), before
   *  anything else it is a literal backslash; 'none' a backslash is an ordinary character. */
  escaping?: 'any' | 'ci-sdk' | 'none';
  /** Ids of phases, list nodes and metaphases: 'numeric' (default) or their logical names. */
  phaseIds?: 'numeric' | 'logical';
  /** Ids in answers (entities, references, created items) as JSON numbers, not strings. Default false. */
  numericIds?: boolean;
  /** Default true: the grouping resource .../defects/groups exists (issue 9); false: it answers 404. */
  groups?: boolean;
  /** Added: seed a stock workspace's names: phase "Proposed Closed", item-origin nodes ALM, AGM, Jira,
   *  XL Release, Service Anywhere and no GitHub node. Default false (the simulator's own sample names). */
  stockWorkspace?: boolean;
}

export type ProfileName =
  | 'default'
  | 'stock-workspace'
  | 'is-draft-tech-preview'
  | 'exceeds-never'
  | 'exceeds-when-paged'
  | 'exceeds-limit-above-total'
  | 'exceeds-capped'
  | 'escape-any'
  | 'escape-ci-sdk'
  | 'escape-none'
  | 'logical-ids'
  | 'numeric-json-ids'
  | 'no-groups';

export type SimEntity = { id: string; type: string; [field: string]: unknown };

export interface SimStore {
  /** Live entities of a collection ('defects', 'releases', 'phases', 'list_nodes', 'work_item_roots', 'comments', 'metaphases',
   *  'work_items', 'teams', 'sprints', 'milestones', 'product_areas', 'user_tags', 'workspace_users', 'transitions'). */
  all(collection: string): SimEntity[];
  get(collection: string, id: string): SimEntity | undefined;
  /** Assigns id (unless given) and type; references are stored as {type, id}. */
  add(collection: string, fields: Record<string, unknown>): SimEntity;
  /**
   * Bulk-adds defects sharing `fields` (references may be given as entities or {type,id}).
   * `name` may be a string (used as is) or a function of the index; default 'Generated defect N'.
   */
  addDefects(count: number, fields: Record<string, unknown>): void;
  find(collection: string, predicate: (e: SimEntity) => boolean): SimEntity[];
  /** A phase or list node; throws if absent. */
  byLogicalName(logicalName: string): SimEntity;
  /** Exact (case-sensitive) name; throws if absent. */
  releaseByName(name: string): SimEntity;
}

export interface Fault {
  /** 'GET' | 'POST' ...; default any. */
  method?: string;
  /** A string is a substring of the request path (without query, with any prefix); default any. */
  path?: string | RegExp;
  /** How many matching requests it hits; default 1. */
  times?: number;
  /** Answer with this status instead of processing. */
  status?: number;
  /** Retry-After header value. */
  retryAfter?: string;
  /** The body is an HTML page (like a proxy), not Octane's JSON error. */
  html?: boolean;
  /** Answer with this body as JSON (with `status`, default 200): an answer a real server might give. */
  json?: unknown;
  /** The JSON error's description echoes the request (headers incl. cookies, and body). */
  echoRequest?: boolean;
  /** Extra latency for this request. */
  delayMs?: number;
  /** Destroy the connection before processing, or after processing (write done, no answer). */
  drop?: 'before' | 'after';
  /** Process (write done), then answer this status (e.g. 502 after storing). */
  processThenStatus?: number;
  /** Process, then never answer (a client timeout after the write happened). */
  hangAfterProcessing?: boolean;
}

export interface LoggedRequest {
  method: string;
  /** Path as received, with any prefix, without the query string. */
  path: string;
  /** Decoded query parameters. */
  query: Record<string, string>;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  body: string;
  /** Status sent; 0 when no answer was sent (dropped or hanging). */
  status: number;
  /** Added: status the processing produced, when the request was processed (also under drop/hang faults). */
  processedStatus?: number;
  /** Added: true when a fault hit this request. */
  faulted?: boolean;
  /** Added: LWSSO_COOKIE_KEY value the request carried, if any. */
  lwsso?: string;
  /** Added: LWSSO_COOKIE_KEY value this answer set (sign-in or re-issue), if any. */
  setLwsso?: string;
  /** Added: when the request arrived (before its body was read), ms from performance.now() in the simulator's process. */
  receivedAt: number;
  /** Added: when the answer was written or the connection dropped (same clock); absent while no answer was sent (hang). */
  answeredAt?: number;
}

export type SessionExpiryCode = 'VALIDATION_TOKEN_EXPIRED_IDLE_TIME_OUT' | 'VALIDATION_TOKEN_EXPIRED_GLOBAL_TIME_OUT';

export interface Simulator {
  /** e.g. 'http://127.0.0.1:40123' or with the prefix; no trailing slash. */
  url: string;
  sharedSpaceId: string;
  workspaceId: string;
  /** The first credential pair. */
  credentials: { clientId: string; clientSecret: string };
  store: SimStore;
  faults: { add(fault: Fault): void; clear(): void };
  /** Added before every answer; settable. */
  latencyMs: number;
  /** Every request in order. */
  log: LoggedRequest[];
  /** Every live session answers 401 with this error_code from now on (default the idle one). */
  expireSessions(code?: SessionExpiryCode): void;
  /** Added: the profile in force, every setting filled in. */
  profile: Required<ServerProfile>;
  /** Added: sessions signed in and neither signed out nor expired (a run that ended leaves none). */
  openSessions(): number;
  close(): Promise<void>;
}
