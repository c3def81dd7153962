// run() in-process against the simulator: outputs, summary, messages and what reached Octane.
import { describe, expect, it } from '@jest/globals';
import type { SimEntity } from '../../simulator/index.js';
import { connectionInputs, refId, useSimulator, workItemUrl, writes } from '../helpers/e2e-simulator.js';
import { expectedGate } from '../helpers/expected-gate.js';
import { runInProcess, visibleText } from '../../test-support/run-in-process.js';

const sim = useSimulator();

const OPEN = ['phase.defect.new', 'phase.defect.opened', 'phase.defect.deferred'];

describe('gate', () => {
  it('fails the step on open defects, with the verdict, outputs and a summary', async () => {
    const expected = expectedGate(sim().store, { release: '2026.4', phases: OPEN }).count;
    expect(expected).toBeGreaterThan(0);

    const run = await runInProcess({ mode: 'gate', ...connectionInputs(sim()), 'release-name': '2026.4' });

    expect(run.code).toBe(1);
    expect(run.outputs['gate-result']).toBe('failed');
    expect(run.outputs['defect-count']).toBe(String(expected));
    const listed = JSON.parse(run.outputs.defects ?? '[]') as Array<{ id: string; url: string }>;
    expect(listed).toHaveLength(Math.min(expected, 100));
    expect(listed[0]?.url).toContain(
      `/ui/entity-navigation?p=${sim().sharedSpaceId}/${sim().workspaceId}&entityType=work_item&id=${listed[0]?.id}`
    );
    expect(run.errors).toEqual([
      `Gate failed: ${expected} defect${expected === 1 ? '' : 's'} (release 2026.4, phases New/Opened/Deferred, every severity); allowed: <= 0`
    ]);
    expect(run.summary).toContain('Gate failed');
    expect(run.summary).toContain(listed[0]?.id as string);
    expect(writes(sim())).toBe(0);
    expect(sim().log.at(-1)?.path).toMatch(/\/authentication\/sign_out$/);
  });

  it('passes when no defect of the chosen severities is open', async () => {
    const severities = ['list_node.severity.high', 'list_node.severity.very_high', 'list_node.severity.urgent'];
    expect(expectedGate(sim().store, { release: '2026.5', phases: OPEN, severities }).count).toBe(0);

    const run = await runInProcess({
      mode: 'gate',
      ...connectionInputs(sim()),
      'release-name': '2026.5',
      severities: 'high, Very High\nurgent'
    });

    expect(run.code).toBe(0);
    expect(run.outputs).toMatchObject({ 'gate-result': 'passed', 'defect-count': '0', defects: '[]' });
    expect(run.errors).toEqual([]);
    expect(run.summary).toContain('Gate passed');
  });

  it('fails closed on a misspelt severity, naming it and the valid ones', async () => {
    const run = await runInProcess({ mode: 'gate', ...connectionInputs(sim()), 'release-name': '2026.5', severities: 'Hihg' });

    expect(run.code).toBe(1);
    expect(run.outputs['gate-result']).toBeUndefined();
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toContain('"Hihg"');
    for (const name of ['Low', 'Medium', 'High', 'Very High', 'Urgent']) expect(run.errors[0]).toContain(name);
  });

  it('with fail-on-gate false, reports a failed check but lets the step succeed', async () => {
    const run = await runInProcess({ mode: 'gate', ...connectionInputs(sim()), 'release-name': '2026.4', 'fail-on-gate': 'false' });

    expect(run.code).toBe(0);
    expect(run.outputs['gate-result']).toBe('failed');
    expect(run.errors).toEqual([]);
    expect(run.warnings.join('\n')).toContain('Gate failed');
  });
});

describe('fail closed on what Octane answers', () => {
  it('a flagged count (exceeds_total_count) that its own rows contradict fails the gate, never passes', async () => {
    // Every defects answer claims 3 matches, flags the count, and lists none: the gate cannot settle it.
    sim().faults.add({ method: 'GET', path: '/defects', json: { total_count: 3, exceeds_total_count: true, data: [] }, times: 100 });

    const run = await runInProcess({ mode: 'gate', ...connectionInputs(sim()), 'release-name': '2026.4', threshold: '1000' });

    expect(run.code).toBe(1);
    expect(run.outputs['gate-result']).toBeUndefined();
    expect(run.errors).toEqual([expect.stringContaining('exceeds_total_count')]);
  });

  it('a sign-in address that is not Octane (404) points at the path of octane-url', async () => {
    const run = await runInProcess({
      mode: 'gate',
      ...connectionInputs(sim()),
      'octane-url': `${sim().url}/wrong`,
      'release-name': '2026.4'
    });

    expect(run.code).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toContain('404');
    expect(run.errors[0]).toContain("The path of the server's address is wrong");
    expect(run.errors[0]).toMatch(/Check octane-url\.$/);
    expect(run.errors[0]).not.toContain('workspace-id');
  });
});

describe('create-defect', () => {
  it('files a draft defect at the backlog root with the release, and outputs its id and link', async () => {
    const before = sim().store.all('defects').length;
    const run = await runInProcess({
      mode: 'create-defect',
      ...connectionInputs(sim()),
      'release-name': '2026.4',
      'defect-name': 'Build 42 broke <main>',
      'defect-description': 'First line\nSecond & last line'
    });

    expect(run.code).toBe(0);
    expect(sim().store.all('defects')).toHaveLength(before + 1);
    const id = run.outputs['defect-id'] as string;
    const defect = sim().store.get('defects', id) as SimEntity;
    expect(defect.name).toBe('Build 42 broke <main>');
    expect(refId(defect.parent)).toBe(sim().store.all('work_item_roots')[0]?.id);
    expect(refId(defect.release)).toBe(sim().store.releaseByName('2026.4').id);
    expect(defect.is_draft).not.toBe(false);
    expect(String(defect.description)).toContain('Second &amp; last line');
    expect(run.outputs['defect-url']).toBe(workItemUrl(sim(), id));
    expect(run.outputs.created).toBe('true');
    expect(run.summary).toContain('Build 42 broke &lt;main&gt;');
    expect(run.summary).toContain(run.outputs['defect-url']?.replace(/&/g, '&amp;') as string);
  });
});

describe('bad input', () => {
  it('lists every problem, each naming its input, and never calls Octane', async () => {
    const run = await runInProcess({
      mode: 'gate',
      'octane-url': 'octane.example.com',
      'client-id': '',
      'client-secret': 'top-secret-value',
      'shared-space-id': 'abc',
      'workspace-id': '1002',
      'release-name': '2026.4',
      threshold: '1.5'
    });

    expect(run.code).toBe(1);
    const message = run.errors.join('\n');
    for (const input of ['octane-url', 'client-id', 'shared-space-id', 'threshold']) expect(message).toContain(input);
    expect(run.stdout.split('\n')[0]).toBe('::add-mask::top-secret-value');
    expect(visibleText(run)).not.toContain('top-secret-value');
    expect(sim().log).toHaveLength(0);
  });

  it('still shows the hint about an input of the other mode when another input is wrong', async () => {
    const run = await runInProcess({
      mode: 'gate',
      ...connectionInputs(sim()),
      'release-name': '2026.4',
      severity: 'High',
      threshold: 'x'
    });

    expect(run.code).toBe(1);
    expect(run.warnings).toEqual([expect.stringContaining('Input severity is only used in mode create-defect')]);
    expect(run.errors).toEqual([expect.stringContaining('- threshold:')]);
    expect(sim().log).toHaveLength(0);
  });
});
