/** Checks a parsed query against the fields of an entity type, the way Octane refuses bad filters with 400. */
import type { QueryNode } from './parser.js';
import { fieldDef, TYPE_FIELDS } from '../schema.js';
import { OctaneError } from '../errors.js';

export function checkQuery(node: QueryNode, type: string): void {
  switch (node.kind) {
    case 'and':
    case 'or':
      node.items.forEach((n) => checkQuery(n, type));
      return;
    case 'not':
      checkQuery(node.operand, type);
      return;
    case 'compare': {
      // Types without a schema here are not simulated: allow id and name.
      const def = TYPE_FIELDS[type]
        ? fieldDef(type, node.field)
        : ['id', 'name'].includes(node.field)
          ? { kind: 'string' as const }
          : undefined;
      if (!def) {
        throw new OctaneError(400, 'platform.query_field_not_exist', `Field '${node.field}' does not exist in entity '${type}'`);
      }
      const isRef = def.kind === 'ref' || def.kind === 'multiref';
      for (const value of node.values) {
        if (value.kind === 'cross') {
          if (!isRef)
            throw new OctaneError(
              400,
              'platform.query_cross_filter_on_non_reference',
              `Field '${node.field}' is not a reference; a cross filter {...} cannot be used on it`
            );
          checkQuery(value.query, def.target ?? 'unknown');
        } else if (isRef && value.kind !== 'null') {
          // Octane cannot compare a reference with a bare name or id: a cross filter is required.
          throw new OctaneError(
            400,
            'platform.query_invalid_reference_filter',
            `Reference field '${node.field}' must be filtered with a cross filter such as ${node.field} EQ {id EQ ...} or with null`
          );
        }
      }
      if (isRef && node.op !== 'EQ' && node.op !== 'IN') {
        throw new OctaneError(
          400,
          'platform.query_invalid_operator',
          `Operator ${node.op} cannot be used on reference field '${node.field}'`
        );
      }
      return;
    }
  }
}
