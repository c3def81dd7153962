/**
 * The workspace's defect phases, indexed once: a phase reference may carry the phase's id or its
 * logical name as its id (servers differ), so every comparison of phases (dedupe's "open",
 * resolve-defect's transitions and resolve-phase, the names in the log) goes through one index.
 */
import type { Entity } from '../octane/api.js';
import { refOf, stringOf } from '../octane/entities.js';

/** Phases that mean "not open" whatever the workspace's metaphases say. */
const CLOSED = new Set(['phase.defect.closed', 'phase.defect.rejected', 'phase.defect.duplicate']);
/** Phases that mean "someone said it is fixed": a failure that recurs there is worth a warning. */
const FIXED = new Set(['phase.defect.fixed', 'phase.defect.proposeclose']);

export interface PhaseOf {
  /** The phase's display name (or its logical name or id when the phase is not in the index). */
  name: string;
  logicalName?: string;
  open: boolean;
  /** Fixed or Proposed Close (by logical name), or in a done metaphase. */
  fixed: boolean;
}

export class PhaseIndex {
  private readonly byKey = new Map<string, Entity>();

  constructor(phases: Entity[]) {
    // Ids win over logical names, should a logical name ever equal another phase's id.
    for (const p of phases) {
      const logical = stringOf(p.logical_name);
      if (logical && !this.byKey.has(logical)) this.byKey.set(logical, p);
    }
    for (const p of phases) this.byKey.set(String(p.id), p);
  }

  /** The phase a reference id means: by id or by logical name. */
  find(id: string): Entity | undefined {
    return this.byKey.get(id);
  }

  /** One key per phase (its id), whichever form the reference carried; an unknown id stays as it is. */
  key(id: string): string {
    const p = this.find(id);
    return p ? String(p.id) : id;
  }

  same(a: string, b: string): boolean {
    return this.key(a) === this.key(b);
  }

  /** The display name for a phase id, the id itself when unknown. */
  name(id: string): string {
    return stringOf(this.find(id)?.name) ?? id;
  }

  /**
   * What a defect's phase field means. A phase that cannot be identified counts as not open:
   * creating a second defect is a smaller harm than hiding a failure in a comment on a closed one.
   * Undefined when the field holds no reference.
   */
  of(phaseField: unknown, doneMetaphases?: Set<string>): PhaseOf | undefined {
    const ref = refOf(phaseField);
    if (!ref) return undefined;
    const phase = this.find(ref.id);
    const logical = stringOf(phase?.logical_name) ?? stringOf(ref.logical_name) ?? (ref.id.startsWith('phase.') ? ref.id : undefined);
    const name = stringOf(phase?.name) ?? stringOf(ref.name) ?? logical ?? ref.id;
    const lower = logical?.toLowerCase();
    const meta = refOf(phase?.metaphase);
    const done = meta !== undefined && doneMetaphases?.has(meta.id) === true;
    const open = (phase !== undefined || logical !== undefined) && !(lower !== undefined && CLOSED.has(lower)) && !done;
    return { name, ...(logical ? { logicalName: logical } : {}), open, fixed: done || (lower !== undefined && FIXED.has(lower)) };
  }
}
