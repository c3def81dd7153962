// An in-process OctaneApi for the gate's counting: a release, defect phases and severity nodes, and any number
// of defects held as buckets (phase, severity, how many) so that 100,000 of them cost nothing. Its answers to
// `GET defects` follow one reading of the undocumented `exceeds_total_count` flag. It knows only the query
// shapes the gate builds (`release|phase|severity EQ {id EQ n}` / `{id IN a,b}` joined with `;`), and fails a
// test loudly on anything else rather than answer something the gate did not ask.
import type { Collection, Entity, ListParams, OctaneApi, Page } from '../../src/octane/api.js';

/**
 * (a) never: the flag is always false; (b) when-paged: true whenever total_count > data.length;
 * (c) limit-above-total: true whenever limit > total_count; (d) capped: total_count = min(real, cap), the flag
 * true when real > cap (the rows themselves are still the real ones).
 */
export type Reading = 'never' | 'when-paged' | 'limit-above-total' | 'capped';
export const READINGS: readonly Reading[] = ['never', 'when-paged', 'limit-above-total', 'capped'];

export interface FakeNode {
  id: string;
  name: string;
  logical_name: string;
}

export interface Bucket {
  phase: string;
  /** A severity node id, or null for defects without a severity. */
  severity: string | null;
  count: number;
}

export interface FakeOctaneOptions {
  reading: Reading;
  cap?: number;
  phases: FakeNode[];
  severities: FakeNode[];
  buckets: Bucket[];
}

export const RELEASE = { id: '1001', name: 'R1' };

/** A bucket's defects have the consecutive ids first .. first + count - 1, buckets in order. */
interface Placed extends Bucket {
  first: number;
}

function idsIn(query: string, field: string): Set<string> | undefined {
  const m = new RegExp(`(?:^|;|\\()${field} EQ \\{id (?:EQ|IN) ([0-9,]+)\\}`).exec(query);
  return m ? new Set(m[1]!.split(',')) : undefined;
}

export class FakeOctane implements OctaneApi {
  /** Every list call, in order. */
  readonly calls: Array<{ collection: Collection; params: ListParams }> = [];
  private readonly placed: Placed[];

  constructor(private readonly options: FakeOctaneOptions) {
    let next = 5001;
    this.placed = options.buckets.map((b) => {
      const p = { ...b, first: next };
      next += b.count;
      return p;
    });
  }

  async list<T extends Entity = Entity>(collection: Collection, params: ListParams): Promise<Page<T>> {
    this.calls.push({ collection, params });
    const all = (data: Entity[]): Page<T> => ({ total_count: data.length, data: data as T[], exceeds_total_count: false });
    switch (collection) {
      case 'releases':
        return all([{ type: 'release', ...RELEASE }]);
      case 'phases':
        return all(this.options.phases.map((p) => ({ type: 'phase', entity: 'defect', ...p })));
      case 'list_nodes':
        if (!params.query?.includes('^list_node.severity^')) throw new Error(`fake: unexpected list_nodes query ${params.query}`);
        return all(this.options.severities.map((s) => ({ type: 'list_node', ...s })));
      case 'defects':
        return this.defects(params) as Page<T>;
      default:
        throw new Error(`fake: unexpected collection ${collection}`);
    }
  }

  private defects(params: ListParams): Page {
    const query = params.query ?? '';
    const release = idsIn(query, 'release');
    if (!release || !release.has(RELEASE.id)) throw new Error(`fake: gate query without the release: ${query}`);
    if (params.orderBy && params.orderBy.join(',') !== 'id') throw new Error(`fake: unexpected order ${params.orderBy.join(',')}`);
    const phases = idsIn(query, 'phase');
    const severities = idsIn(query, 'severity');
    const matching = this.placed.filter((b) => (!phases || phases.has(b.phase)) && (!severities || (b.severity !== null && severities.has(b.severity))));
    const real = matching.reduce((n, b) => n + b.count, 0);
    const limit = params.limit ?? 100;
    const offset = params.offset ?? 0;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000) throw new Error(`fake: limit ${limit} out of 1..1000`);

    // The rows at offset..offset+limit, in id order (buckets are placed in id order).
    const data: Entity[] = [];
    let skip = offset;
    for (const b of matching) {
      if (data.length >= limit) break;
      if (skip >= b.count) {
        skip -= b.count;
        continue;
      }
      for (let i = skip; i < b.count && data.length < limit; i++) data.push(this.row(b, b.first + i, params.fields));
      skip = 0;
    }

    const cap = this.options.cap ?? 2000;
    switch (this.options.reading) {
      case 'never':
        return { total_count: real, data, exceeds_total_count: false };
      case 'when-paged':
        return { total_count: real, data, exceeds_total_count: real > data.length };
      case 'limit-above-total':
        return { total_count: real, data, exceeds_total_count: limit > real };
      case 'capped':
        return { total_count: Math.min(real, cap), data, exceeds_total_count: real > cap };
    }
  }

  private row(b: Placed, id: number, fields: string[] | undefined): Entity {
    const e: Entity = { type: 'defect', id: String(id) };
    const f = new Set(fields ?? []);
    if (f.has('name')) e.name = `Defect ${id}`;
    if (f.has('phase')) e.phase = { type: 'phase', id: b.phase, name: this.options.phases.find((p) => p.id === b.phase)!.name };
    if (f.has('severity')) {
      const s = this.options.severities.find((n) => n.id === b.severity);
      e.severity = s ? { type: 'list_node', id: s.id, name: s.name } : null;
    }
    return e;
  }

  async create<T extends Entity = Entity>(): Promise<T> {
    throw new Error('fake: the gate never creates');
  }

  workItemUrl(id: string): string {
    return `https://octane.example/ui/entity-navigation?p=1001/1002&entityType=work_item&id=${id}`;
  }
}
