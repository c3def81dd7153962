/**
 * Evaluates parsed queries against entities.
 * `matches` is the plain recursive form; `compileQuery` builds a predicate that caches the outcome
 * of each cross filter per referenced entity, so a filter over 100,000 defects stays fast.
 */
import type { QueryNode, QueryValue } from './parser.js';

export interface EntityLike {
  id: string;
  type: string;
  [field: string]: unknown;
}

export type RefResolver = (ref: { type: string; id: string }) => EntityLike | undefined;

type Ref = { type: string; id: string };

function isRef(v: unknown): v is Ref {
  return typeof v === 'object' && v !== null && 'id' in v && 'type' in v && !('data' in v);
}

function refsOf(v: unknown): Ref[] | undefined {
  if (isRef(v)) return [v];
  if (typeof v === 'object' && v !== null && Array.isArray((v as { data?: unknown }).data)) return (v as { data: Ref[] }).data;
  return undefined;
}

function isNullish(v: unknown): boolean {
  if (v === null || v === undefined || v === '') return true;
  const refs = refsOf(v);
  return refs !== undefined && !isRef(v) && refs.length === 0;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A test of a scalar field value against one query value (cross filters are handled by the caller). */
type ScalarTest = (v: unknown) => boolean;

function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  return undefined;
}

function equalityTest(value: QueryValue): ScalarTest {
  switch (value.kind) {
    case 'null':
      return isNullish;
    case 'boolean':
      return (v) => v === value.value || v === String(value.value);
    case 'number':
      return (v) => toNumber(v) === value.value;
    case 'string': {
      // Octane's text comparison ignores case; '*' matches any run of characters.
      if (value.segments.length === 1) {
        const wanted = value.value.toLowerCase();
        return (v) => (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') && String(v).toLowerCase() === wanted;
      }
      const re = new RegExp(`^${value.segments.map(escapeRegExp).join('[\\s\\S]*')}$`, 'i');
      return (v) => (typeof v === 'string' || typeof v === 'number') && re.test(String(v));
    }
    case 'cross':
      throw new Error('cross filter handled by the caller');
  }
}

/** -1/0/1, or undefined when the two cannot be ordered. Numbers numerically, text as text. */
function order(v: unknown, value: QueryValue): number | undefined {
  if (v === null || v === undefined || isRef(v)) return undefined;
  if (value.kind === 'number') {
    const n = toNumber(v);
    return n === undefined ? undefined : Math.sign(n - value.value);
  }
  if (value.kind === 'string') {
    const s = String(v);
    return s < value.value ? -1 : s > value.value ? 1 : 0;
  }
  return undefined;
}

function compareTest(op: 'LT' | 'GT' | 'LE' | 'GE', value: QueryValue): ScalarTest {
  return (v) => {
    const o = order(v, value);
    if (o === undefined) return false;
    return op === 'LT' ? o < 0 : op === 'GT' ? o > 0 : op === 'LE' ? o <= 0 : o >= 0;
  };
}

type Predicate = (e: EntityLike) => boolean;

function compileNode(node: QueryNode, resolve: RefResolver): Predicate {
  switch (node.kind) {
    case 'and': {
      const items = node.items.map((n) => compileNode(n, resolve));
      return (e) => items.every((p) => p(e));
    }
    case 'or': {
      const items = node.items.map((n) => compileNode(n, resolve));
      return (e) => items.some((p) => p(e));
    }
    case 'not': {
      const inner = compileNode(node.operand, resolve);
      return (e) => !inner(e);
    }
    case 'compare': {
      const field = node.field;
      const tests: Array<(v: unknown) => boolean> = [];
      const values = node.op === 'BTW' ? [] : node.values;
      for (const value of values) {
        if (value.kind === 'cross') {
          const sub = compileNode(value.query, resolve);
          // Cache per referenced entity: a gate over 100,000 defects references only a few releases and phases.
          // Bulk-added defects share their reference objects, so the identity cache answers most lookups.
          const cache = new Map<string, boolean>();
          const byObject = new WeakMap<Ref, boolean>();
          const refMatches = (r: Ref): boolean => {
            let hit = byObject.get(r);
            if (hit !== undefined) return hit;
            const key = `${r.type}:${r.id}`;
            hit = cache.get(key);
            if (hit === undefined) {
              const target = resolve(r);
              hit = target !== undefined && sub(target);
              cache.set(key, hit);
            }
            byObject.set(r, hit);
            return hit;
          };
          tests.push((v) => {
            if (isRef(v)) return refMatches(v);
            const refs = refsOf(v);
            return refs !== undefined && refs.some(refMatches);
          });
        } else if (node.op === 'EQ' || node.op === 'IN') {
          tests.push(equalityTest(value));
        } else {
          tests.push(compareTest(node.op as 'LT' | 'GT' | 'LE' | 'GE', value));
        }
      }
      if (node.op === 'BTW') {
        const low = compareTest('GE', node.values[0]!);
        const high = compareTest('LE', node.values[1]!);
        return (e) => low(e[field]) && high(e[field]);
      }
      if (tests.length === 1) {
        const only = tests[0]!;
        return (e) => only(e[field]);
      }
      return (e) => {
        const v = e[field];
        return tests.some((t) => t(v));
      };
    }
  }
}

/** A reusable predicate for one query; build it once per request. */
export function compileQuery(node: QueryNode, resolveRef: RefResolver): Predicate {
  return compileNode(node, resolveRef);
}

/** Does `entity` match the query? `resolveRef` finds the entity a reference points at (for cross filters). */
export function matches(node: QueryNode, entity: EntityLike, resolveRef: RefResolver): boolean {
  return compileNode(node, resolveRef)(entity);
}
