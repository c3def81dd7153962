// An in-process OctaneApi for the gate's counting: a release, defect phases and severity nodes, and any number
// of defects held as buckets (phase, severity, how many) so that 100,000 of them cost nothing. Its answers to
// `GET defects` follow one reading of the undocumented `exceeds_total_count` flag. It knows only the query
// shapes the gate builds (`release|phase|severity EQ {id EQ n}` / `{id IN a,b}`, or the look-ups' own name
// filters `{name EQ ^x^||logical_name EQ ^x^}` inside the braces, joined with `;`), and fails a test loudly on
// anything else rather than answer something the gate did not ask. It answers the grouping resource too
// (`groups: false` leaves it out, as a server without it), with counts capped like total_count under 'capped'.
import { OctaneError } from '../../src/octane/errors.js';
import type { Collection, Entity, Group, GroupsParams, ListParams, OctaneApi, Page } from '../../src/octane/api.js';

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
  /** Default true: answer .../defects/groups. */
  groups?: boolean;
}

export const RELEASE = { id: '1001', name: 'R1' };

/** A bucket's defects have the consecutive ids first .. first + count - 1, buckets in order. */
interface Placed extends Bucket {
  first: number;
}

/** The text inside `field EQ {...}` at the top of the query, braces balanced. */
function crossBody(query: string, field: string): string | undefined {
  const m = new RegExp(`(?:^|;|\\()${field} EQ \\{`).exec(query);
  if (!m) return undefined;
  let depth = 1;
  let i = m.index + m[0].length;
  const start = i;
  for (; i < query.length && depth > 0; i++) {
    if (query[i] === '\\') i++;
    else if (query[i] === '{') depth++;
    else if (query[i] === '}') depth--;
  }
  return query.slice(start, i - 1);
}

/** Names asked for with `name EQ ^x^` or `logical_name EQ ^x^` (backslash escapes undone). */
function namesIn(text: string): string[] {
  return [...text.matchAll(/(?:^|[;|(])(?:name|logical_name) EQ \^((?:\\.|[^^\\])*)\^/g)].map((m) =>
    m[1]!.replace(/\\(.)/g, '$1').toLowerCase()
  );
}

/** Ids of `nodes` that a filter body selects: by id, or by name or logical name (any case, as the simulator reads them). */
function selected(body: string, nodes: Array<{ id: string; name: string; logical_name?: string }>): Set<string> {
  const ids = /^id (?:EQ|IN) ([0-9,]+)$/.exec(body);
  if (ids) return new Set(ids[1]!.split(','));
  const wanted = namesIn(body);
  if (wanted.length === 0) throw new Error(`fake: unexpected filter {${body}}`);
  return new Set(
    nodes.filter((n) => wanted.includes(n.name.toLowerCase()) || wanted.includes((n.logical_name ?? '').toLowerCase())).map((n) => n.id)
  );
}

function idsIn(query: string, field: string, nodes: Array<{ id: string; name: string; logical_name?: string }>): Set<string> | undefined {
  const body = crossBody(query, field);
  return body === undefined ? undefined : selected(body, nodes);
}

export class FakeOctane implements OctaneApi {
  /** Every list call, in order. */
  readonly calls: Array<{ collection: Collection; params: ListParams; groupBy?: string }> = [];
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
        return all([{ type: 'release', ...RELEASE }].filter((r) => !params.query || selected(params.query, [r]).has(r.id)));
      case 'phases': {
        const named =
          params.query && params.query !== 'entity EQ ^defect^'
            ? selected(params.query.replace(/^entity EQ \^defect\^;/, ''), this.options.phases)
            : undefined;
        return all(this.options.phases.filter((p) => !named || named.has(p.id)).map((p) => ({ type: 'phase', entity: 'defect', ...p })));
      }
      case 'list_nodes': {
        if (!params.query?.includes('^list_node.severity^')) throw new Error(`fake: unexpected list_nodes query ${params.query}`);
        const rest = params.query.replace(/^list_root EQ \{logical_name EQ \^list_node\.severity\^\};?/, '');
        const named = rest ? selected(rest, this.options.severities) : undefined;
        return all(this.options.severities.filter((n) => !named || named.has(n.id)).map((n) => ({ type: 'list_node', ...n })));
      }
      case 'defects':
        return this.defects(params) as Page<T>;
      default:
        throw new Error(`fake: unexpected collection ${collection}`);
    }
  }

  /** The buckets a gate query selects. */
  private matching(query: string): Placed[] {
    const release = idsIn(query, 'release', [RELEASE]);
    if (!release || !release.has(RELEASE.id)) throw new Error(`fake: gate query without the release: ${query}`);
    const phases = idsIn(query, 'phase', this.options.phases);
    const severities = idsIn(query, 'severity', this.options.severities);
    return this.placed.filter(
      (b) => (!phases || phases.has(b.phase)) && (!severities || (b.severity !== null && severities.has(b.severity)))
    );
  }

  async groups(collection: Collection, params: GroupsParams): Promise<Group[]> {
    this.calls.push({ collection, params: { query: params.query }, groupBy: params.groupBy });
    if (this.options.groups === false) throw Object.assign(new OctaneError('fake: no grouping resource', { status: 404 }));
    const counts = new Map<string | null, number>();
    for (const b of this.matching(params.query ?? '')) {
      const key = params.groupBy === 'phase' ? b.phase : b.severity;
      counts.set(key, (counts.get(key) ?? 0) + b.count);
    }
    const cap = this.options.reading === 'capped' ? (this.options.cap ?? 2000) : Infinity;
    const nodes = params.groupBy === 'phase' ? this.options.phases : this.options.severities;
    return [...counts]
      .filter(([, n]) => n > 0)
      .map(([id, n]) => {
        const node = nodes.find((x) => x.id === id);
        return {
          count: Math.min(n, cap),
          value: node
            ? { type: params.groupBy === 'phase' ? 'phase' : 'list_node', id: node.id, name: node.name, logical_name: node.logical_name }
            : null
        };
      });
  }

  private defects(params: ListParams): Page {
    const query = params.query ?? '';
    const order = params.orderBy?.join(',');
    if (order !== undefined && order !== 'id' && order !== '-severity,id') throw new Error(`fake: unexpected order ${order}`);
    let matching = this.matching(query);
    // Ordered by severity as a server that sorts a list field by its nodes' order would (options.severities is
    // most severe first), no severity last; buckets stay in id order within a severity.
    const rank = (b: Placed): number => (b.severity === null ? Infinity : this.options.severities.findIndex((n) => n.id === b.severity));
    if (order === '-severity,id') matching = [...matching].sort((a, b) => rank(a) - rank(b));
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
