// Reference shapes a real server may answer, through the bundle: ids as JSON numbers, phases and
// list nodes with logical names for ids, references as {type, id, name} (phases also index) with no
// logical_name, a work item reference with its concrete type. Dedupe must read each the same way.
import { describe, expect, it } from '@jest/globals';
import type { Simulator, SimEntity } from '../../simulator/index.js';
import { connectionInputs, refId, uniqueName, useSimulator, workItemUrl, filedByAction } from '../helpers/e2e-simulator.js';
import { runInProcess } from '../../test-support/run-in-process.js';

const ref = (e: SimEntity): { type: string; id: string } => ({ type: e.type, id: e.id });

function existingDefect(sim: Simulator, name: string, phaseLogicalName: string): SimEntity {
  const { store } = sim;
  return store.add('defects', {
    name,
    description: filedByAction(),
    release: ref(store.releaseByName('2026.4')),
    phase: ref(store.byLogicalName(phaseLogicalName)),
    parent: ref(store.all('work_item_roots')[0] as SimEntity),
    severity: ref(store.byLogicalName('list_node.severity.high'))
  });
}

function createInputs(sim: Simulator, name: string): Record<string, string> {
  return { mode: 'create-defect', ...connectionInputs(sim), 'release-name': '2026.4', 'defect-name': name, dedupe: 'true' };
}

/** A JSON number for a numeric id, the id as it is otherwise (a logical name). */
const asAnswered = (id: string): number | string => (/^\d+$/.test(id) ? Number(id) : id);

/** Serves the dedupe look-ups the way a server with numeric JSON ids and bare references answers them. */
function answerWithNumericIds(sim: Simulator, defect: SimEntity, phaseName: string): void {
  const { store } = sim;
  const release = store.get('releases', refId(defect.release)!)!;
  const phase = store.get('phases', refId(defect.phase)!)!;
  sim.faults.add({
    method: 'GET',
    path: /\/defects$/,
    json: {
      total_count: 1,
      exceeds_total_count: false,
      data: [
        {
          type: 'defect',
          id: asAnswered(defect.id),
          name: defect.name,
          release: { type: 'release', id: asAnswered(release.id), name: release.name },
          phase: { type: 'phase', id: asAnswered(phase.id), name: phaseName, index: 1 }
        }
      ]
    }
  });
  const phases = store.find('phases', (p) => p.entity === 'defect');
  sim.faults.add({
    method: 'GET',
    path: /\/phases$/,
    json: {
      total_count: phases.length,
      data: phases.map((p) => {
        const meta = store.get('metaphases', refId(p.metaphase)!)!;
        return {
          type: 'phase',
          id: asAnswered(p.id),
          name: p.name,
          logical_name: p.logical_name,
          metaphase: { type: 'metaphase', id: asAnswered(meta.id), name: meta.name }
        };
      })
    }
  });
  const metaphases = store.all('metaphases');
  sim.faults.add({
    method: 'GET',
    path: /\/metaphases$/,
    json: {
      total_count: metaphases.length,
      data: metaphases.map((m) => ({ type: 'metaphase', id: asAnswered(m.id), name: m.name, logical_name: m.logical_name }))
    }
  });
}

describe('numeric JSON ids in answers', () => {
  const sim = useSimulator();

  it('dedupe reuses the open defect and renders the summary (once: text.replace is not a function)', async () => {
    const name = uniqueName('Numeric ids');
    const open = existingDefect(sim(), name, 'phase.defect.opened');
    answerWithNumericIds(sim(), open, 'Opened');

    const run = await runInProcess(createInputs(sim(), name));

    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.outputs).toMatchObject({ created: 'false', 'defect-id': open.id, 'defect-url': workItemUrl(sim(), open.id) });
    expect(run.summary).toContain('reused an open one');
    expect(run.summary).toContain(`id ${open.id}`);
    const comment = sim().store.all('comments').at(-1) as SimEntity;
    expect(refId(comment.owner_work_item)).toBe(open.id);
  });

  it('a closed phase known only by its numeric id is still closed: a new defect is filed', async () => {
    const name = uniqueName('Numeric closed');
    const closed = existingDefect(sim(), name, 'phase.defect.closed');
    answerWithNumericIds(sim(), closed, 'Closed');

    const run = await runInProcess(createInputs(sim(), name));

    expect(run.code).toBe(0);
    expect(run.outputs.created).toBe('true');
    expect(run.outputs['defect-id']).not.toBe(closed.id);
  });

  it('a phase in a done metaphase (Proposed Close), its reference bare, is not open', async () => {
    const name = uniqueName('Numeric proposeclose');
    const done = existingDefect(sim(), name, 'phase.defect.proposeclose');
    answerWithNumericIds(sim(), done, 'Proposed Close');

    const run = await runInProcess(createInputs(sim(), name));

    expect(run.code).toBe(0);
    expect(run.outputs.created).toBe('true');
  });
});

describe('phases and list nodes whose ids are logical names', () => {
  const sim = useSimulator({ phaseIds: 'logical' });

  it.each([
    ['phase.defect.opened', 'false'],
    ['phase.defect.closed', 'true'],
    ['phase.defect.proposeclose', 'true']
  ])('dedupe with a defect in %s: created=%s, from references without logical_name', async (phase, created) => {
    const name = uniqueName('Logical ids');
    const existing = existingDefect(sim(), name, phase);
    answerWithNumericIds(sim(), existing, 'whatever the server calls it');

    const run = await runInProcess(createInputs(sim(), name));

    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.outputs.created).toBe(created);
    if (created === 'false') expect(run.outputs['defect-id']).toBe(existing.id);
  });
});
