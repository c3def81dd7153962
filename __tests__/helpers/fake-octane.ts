// An in-process OctaneApi over entity arrays: queries are parsed with the simulator's parser under
// a chosen reading of backslashes and evaluated with its evaluator, as the simulator's routes do
// (a QuerySyntaxError is a 400). For tests that need many server readings without an HTTP server.
import { parseQuery, QuerySyntaxError, type Escaping } from '../../simulator/query/parser.js';
import { compileQuery, type EntityLike } from '../../simulator/query/evaluate.js';
import { COLLECTION_TYPE } from '../../simulator/schema.js';
import type { Collection, Entity, ListParams, OctaneApi, Page } from '../../src/octane/api.js';
import { OctaneError, OctaneNetworkError, OutcomeUnknownError } from '../../src/octane/errors.js';
import type { Log } from '../../src/log.js';

type Ref = { type: string; id: string };

// The entity type of each collection, as the simulator has it (one table for both stand-ins).
const typeOf = (collection: Collection): string => {
  const type = COLLECTION_TYPE[collection];
  if (type === undefined) throw new Error(`the fake knows no entity type for ${collection}`);
  return type;
};

export interface FakeCall {
  collection: Collection;
  params: ListParams;
  /** 200, or 400 for a query the reading could not parse. */
  status: number;
}

export interface FakeOctane extends OctaneApi {
  readonly store: Partial<Record<Collection, EntityLike[]>>;
  readonly lists: FakeCall[];
  readonly posts: Array<{ collection: Collection; fields: Record<string, unknown> }>;
  /** Entities whose POST answer is to be lost: stored, then OutcomeUnknownError (once per call). */
  loseNextCreateAnswers: number;
  /** POSTs that fail with OutcomeUnknownError without storing anything. */
  dropNextCreates: number;
}

function isRef(v: unknown): v is Ref {
  return typeof v === 'object' && v !== null && 'id' in v && 'type' in v && !('data' in v);
}

function idOrder(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  return Number.isFinite(na) && Number.isFinite(nb) ? na - nb : a.localeCompare(b);
}

export function fakeOctane(store: Partial<Record<Collection, EntityLike[]>>, escaping: Escaping): FakeOctane {
  const all = (): EntityLike[] => Object.values(store).flat();
  const resolve = (ref: Ref): EntityLike | undefined => all().find((e) => e.type === ref.type && String(e.id) === String(ref.id));
  const renderRef = (ref: Ref) => ({ type: ref.type, id: ref.id, name: resolve(ref)?.name ?? null });
  const render = (e: EntityLike, fields: string[] = []): Entity => {
    const out: Entity = { type: e.type, id: e.id };
    for (const f of fields) {
      const v = e[f];
      if (f === 'id' || f === 'type') continue;
      out[f] = isRef(v) ? renderRef(v) : v === undefined ? null : v;
    }
    return out;
  };
  let nextId =
    Math.max(
      1000,
      ...all()
        .map((e) => Number(e.id))
        .filter(Number.isFinite)
    ) + 1;

  const fake: FakeOctane = {
    store,
    lists: [],
    posts: [],
    loseNextCreateAnswers: 0,
    dropNextCreates: 0,
    async list<T extends Entity = Entity>(collection: Collection, params: ListParams): Promise<Page<T>> {
      let rows = store[collection] ?? [];
      if (params.query !== undefined) {
        let node;
        try {
          node = parseQuery(params.query, { escaping });
        } catch (e) {
          if (!(e instanceof QuerySyntaxError)) throw e;
          fake.lists.push({ collection, params, status: 400 });
          throw new OctaneError(`Octane refused GET ${collection} (400 Bad Request): ${e.message}`, {
            status: 400,
            errorCode: 'platform.query_parse_error'
          });
        }
        rows = rows.filter(compileQuery(node, resolve));
      }
      fake.lists.push({ collection, params, status: 200 });
      const order = params.orderBy ?? [];
      if (order.length > 1 || (order.length === 1 && !['id', '-id'].includes(order[0]!)))
        throw new Error(`fake: cannot order by ${order.join(',')}`);
      rows = [...rows].sort((a, b) => idOrder(String(a.id), String(b.id)));
      if (order[0] === '-id') rows.reverse();
      const offset = params.offset ?? 0;
      const page = rows.slice(offset, offset + (params.limit ?? 100));
      return { total_count: rows.length, data: page.map((e) => render(e, params.fields)) as T[] };
    },
    async create<T extends Entity = Entity>(collection: Collection, fields: Record<string, unknown>): Promise<T> {
      fake.posts.push({ collection, fields });
      if (fake.dropNextCreates > 0) {
        fake.dropNextCreates--;
        throw new OutcomeUnknownError('POST timed out (fake)', new OctaneNetworkError('timeout', { code: 'TIMEOUT', server: 'fake' }));
      }
      const entity: EntityLike = { ...fields, type: typeOf(collection), id: String(nextId++) };
      (store[collection] ??= []).push(entity);
      if (fake.loseNextCreateAnswers > 0) {
        fake.loseNextCreateAnswers--;
        throw new OutcomeUnknownError('POST answer lost (fake)', new OctaneNetworkError('reset', { code: 'ECONNRESET', server: 'fake' }));
      }
      return render(entity, Object.keys(fields)) as T;
    },
    workItemUrl(id: string): string {
      return `https://octane.example/ui/entity-navigation?p=1001/1002&entityType=work_item&id=${encodeURIComponent(id)}`;
    }
  };
  return fake;
}

/** A Log that keeps every line, for assertions on what the reader of the job log would see. */
export function recordingLog(): Log & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => void lines.push(`info: ${m}`),
    warning: (m) => void lines.push(`warning: ${m}`),
    debug: (m) => void lines.push(`debug: ${m}`),
    group: (_name, fn) => fn()
  };
}
