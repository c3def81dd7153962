// create-defect with fields by name against the simulator: the stored references, the round trips
// (no more sequential ones than without them), failures before any write, the dry run's report.
import { describe, it, expect } from '@jest/globals';
import { runCreateDefect } from '../../src/create-defect/run.js';
import { createSummary } from '../../src/create-defect/render.js';
import { LookupError } from '../../src/lookups.js';
import type { FieldNames } from '../../src/inputs/field-names.js';
import { defectsNamed, postsTo, refId } from '../helpers/e2e-simulator.js';
import { recordingLog, useSignedInClient, waves } from '../helpers/octane-client.js';
import { settingsFor } from './helpers.js';

const { sim, client } = useSignedInClient();

const ALL: FieldNames = {
  team: 'payments',
  owner: 'Ben Okafor',
  milestone: '2026.5 code freeze',
  sprint: 'Sprint 2',
  applicationModules: ['Export', 'Checkout'],
  tags: ['regression', 'flaky'],
  priority: 'list_node.priority.urgent',
  feature: 'Reporting'
};

const one = (collection: string, pred: (e: Record<string, unknown>) => boolean): string => {
  const found = sim().store.find(collection, pred);
  expect(found).toHaveLength(1);
  return found[0]!.id;
};

describe('create-defect with fields by name', () => {
  it('stores every field as a reference to the entity named, the sprint and milestone of the release, under the feature', async () => {
    const settings = settingsFor(sim(), { releaseName: '2026.5', fieldNames: ALL });
    const r = await runCreateDefect(settings, client(), recordingLog().log, {});
    const d = sim().store.get('defects', r.id!)!;
    const release = sim().store.releaseByName('2026.5').id;
    expect(refId(d.team)).toBe(one('teams', (t) => t.name === 'Payments'));
    expect(refId(d.owner)).toBe(one('workspace_users', (u) => u.full_name === 'Ben Okafor'));
    expect(refId(d.milestone)).toBe(one('milestones', (m) => m.name === '2026.5 code freeze'));
    // "Sprint 2" exists in both releases: the one of 2026.5.
    expect(refId(d.sprint)).toBe(one('sprints', (s) => s.name === 'Sprint 2' && refId(s.release) === release));
    expect((d.product_areas as { data: unknown[] }).data.map(refId)).toEqual([
      one('product_areas', (p) => p.name === 'Export'),
      one('product_areas', (p) => p.name === 'Checkout')
    ]);
    expect((d.user_tags as { data: unknown[] }).data.map(refId)).toEqual([
      one('user_tags', (t) => t.name === 'regression'),
      one('user_tags', (t) => t.name === 'flaky')
    ]);
    expect(refId(d.priority)).toBe(sim().store.byLogicalName('list_node.priority.urgent').id);
    expect(d.parent).toEqual({ type: 'feature', id: one('features', (f) => f.name === 'Reporting') });
    expect(refId(d.release)).toBe(release);
  });

  it('adds no sequential round trip: the look-ups are one wave, as without fields by name', async () => {
    const plain = waves(client());
    await runCreateDefect(settingsFor(sim(), { dryRun: true }), plain.api, recordingLog().log, {});
    const named = waves(client());
    await runCreateDefect(settingsFor(sim(), { dryRun: true, fieldNames: ALL, releaseName: '2026.5' }), named.api, recordingLog().log, {});
    expect(named.waves).toHaveLength(plain.waves.length);
    expect(named.waves[0]!.map((c) => c.collection)).toEqual(
      expect.arrayContaining(['teams', 'workspace_users', 'sprints', 'milestones', 'product_areas', 'user_tags', 'work_items'])
    );
  });

  it('unknown names fail before any write, every input named, valid values listed', async () => {
    const before = postsTo(sim(), 'defects').length;
    const settings = settingsFor(sim(), {
      fieldNames: {
        team: 'Platfrom',
        owner: 'nobody@example.com',
        sprint: 'Sprint 9',
        milestone: '2026.5 code freeze',
        applicationModules: [],
        tags: ['nope'],
        priority: 'Hgih',
        feature: 'Nope'
      }
    });
    const err = await runCreateDefect(settings, client(), recordingLog().log, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LookupError);
    const byInput = new Map((err as LookupError).problems.map((p) => [p.input, p.message]));
    expect([...byInput.keys()].sort()).toEqual(['feature', 'milestone', 'owner', 'priority', 'sprint', 'tags', 'team']);
    expect(byInput.get('team')).toMatch(/Unknown team "Platfrom"; teams there: .*"Platform"/);
    expect(byInput.get('owner')).toContain('Ana Lima <ana.lima@example.com>');
    // The milestone exists, but in another release.
    expect(byInput.get('milestone')).toContain('"2026.4 code freeze"');
    expect(byInput.get('sprint')).toContain('"Sprint 1"');
    expect(byInput.get('feature')).toContain('"Checkout flow"');
    expect(postsTo(sim(), 'defects').length).toBe(before);
    expect(defectsNamed(sim(), settings.defectName)).toHaveLength(0);
  });

  it('the API key is not an owner', async () => {
    const err = await runCreateDefect(
      settingsFor(sim(), { fieldNames: { owner: 'CI key', applicationModules: [], tags: [] } }),
      client(),
      recordingLog().log,
      {}
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LookupError);
    expect((err as LookupError).message).toContain('Unknown owner "CI key"');
  });

  it('a dry run writes nothing and shows each resolved field, name and id, in the log and the summary', async () => {
    const before = sim().log.filter((q) => q.method === 'POST' && !q.path.includes('/authentication/')).length;
    const { log, lines } = recordingLog();
    const r = await runCreateDefect(settingsFor(sim(), { dryRun: true, releaseName: '2026.5', fieldNames: ALL }), client(), log, {});
    const team = one('teams', (t) => t.name === 'Payments');
    const feature = one('features', (f) => f.name === 'Reporting');
    expect(lines.join('\n')).toContain(`team: "Payments" (id ${team})`);
    expect(lines.join('\n')).toContain(`owner: "Ben Okafor <ben.okafor@example.com>" (id `);
    expect(lines.join('\n')).toContain(`feature: "Reporting" (id ${feature})`);
    const summary = createSummary(r);
    expect(summary).toContain(`| <code>team</code> | <code>team</code> | Payments | <code>${team}</code> |`);
    expect(summary).toContain(`| <code>feature</code> | <code>parent</code> | Reporting | <code>${feature}</code> |`);
    expect(summary).toMatch(new RegExp(`<code>parent</code> \\| <code>.*feature.*${feature}.*</code>`));
    expect(sim().log.filter((q) => q.method === 'POST' && !q.path.includes('/authentication/')).length).toBe(before);
  });
});
