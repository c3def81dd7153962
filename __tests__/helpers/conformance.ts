// The conformance suite (issue 7, Part 1): every mode under every server profile of the simulator,
// each profile one plausible answer of a real Octane where public sources leave it open. Every
// expected count comes from the simulator's store. Written once, run by two files: the smoke cases
// (one per mode, and exactly-once) through the bundle (__tests__/e2e/profiles.test.ts), the rest
// through run() in-process (__tests__/main/profiles.test.ts).
// SIM_PROFILE=<name> runs one profile only (for a quick look); CI runs them all.
import { beforeAll, describe, expect, it as jestIt } from '@jest/globals';
import { PROFILE_NAMES, TRICKY_RELEASE, type ProfileName, type SimEntity } from '../../simulator/index.js';
import {
  connectionInputs,
  defectsNamed,
  filedByAction,
  postsTo,
  refId,
  uniqueName,
  useSimulator,
  workItemUrl,
  writes
} from './e2e-simulator.js';
import { expectedGate } from './expected-gate.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ActionRun, RunOptions } from '../../test-support/run-action.js';

function chosenProfiles(): ProfileName[] {
  const only = process.env.SIM_PROFILE;
  if (!only) return PROFILE_NAMES;
  if (!(PROFILE_NAMES as string[]).includes(only)) throw new Error(`SIM_PROFILE=${only} is not a profile (${PROFILE_NAMES.join(', ')})`);
  return [only as ProfileName];
}

const OPEN = ['phase.defect.new', 'phase.defect.opened', 'phase.defect.deferred'];
/** A release of its own for the creates, so they never change the gate's counts. */
const CREATE_RELEASE = 'Conformance';
/** A release with more matching defects than the capped profile counts. */
const BIG_RELEASE = 'Beyond the count cap';

/** A release of its own for the scoped gate: its defects differ by team, milestone and phase. */
const SCOPED_RELEASE = 'Scoped';
/** A team named with query metacharacters, and a decoy that a wildcard search for it also finds. */
const TRICKY_TEAM = 'Core ^*(QA)';
const DECOY_TEAM = 'Core ^x(QA)';

/** The cases that run through the bundle under every profile; the others run in-process. */
export const SMOKE_CASES = ['gate fail:', 'create-defect: files one defect', 'exactly once:', 'lifecycle:'];

type Runner = (inputs: Record<string, string>, options?: RunOptions) => Promise<ActionRun>;

/** Registers the suite for every chosen profile, with the cases `wanted` picks (by title), each run by `runAction`. */
export function describeProfiles(runAction: Runner, wanted: (title: string) => boolean): void {
  describe.each(chosenProfiles())('profile %s', (profile) => {
    const it = (title: string, fn: () => Promise<void>): void => {
      if (wanted(title)) jestIt(title, fn);
    };
    const sim = useSimulator({ profile });
    const ref = (e: SimEntity): { type: string; id: string } => ({ type: e.type, id: e.id });

    /** Defects of a release in the open phases, counted from the store. */
    const countInStore = (releaseName: string): number => expectedGate(sim().store, { release: releaseName, phases: OPEN }).count;

    beforeAll(() => {
      const { store } = sim();
      store.add('releases', { name: CREATE_RELEASE });
      // The trap's twin gets open defects of its own: a look-up that takes it for the tricky release counts them.
      const twin = store.releaseByName(`${TRICKY_RELEASE}-old`);
      store.addDefects(3, {
        release: twin,
        phase: store.byLogicalName('phase.defect.opened'),
        severity: store.byLogicalName('list_node.severity.high')
      });
      const big = store.add('releases', { name: BIG_RELEASE });
      store.addDefects(sim().profile.totalCountCap + 3, {
        release: big,
        phase: store.byLogicalName('phase.defect.new'),
        severity: store.byLogicalName('list_node.severity.low')
      });
    });

    beforeAll(() => {
      const { store } = sim();
      const scoped = store.add('releases', { name: SCOPED_RELEASE });
      const team = store.add('teams', { name: TRICKY_TEAM });
      const decoy = store.add('teams', { name: DECOY_TEAM });
      const beta = store.add('milestones', { name: 'Beta', release: ref(scoped) });
      // The same milestone name in another release: only the gate's release's counts.
      const otherBeta = store.add('milestones', { name: 'Beta', release: ref(store.releaseByName('2026.5')) });
      const open = {
        release: ref(scoped),
        phase: ref(store.byLogicalName('phase.defect.new')),
        severity: ref(store.byLogicalName('list_node.severity.high'))
      };
      store.addDefects(3, { ...open, team: ref(team), milestone: ref(beta) });
      store.addDefects(2, { ...open, team: ref(decoy), milestone: ref(beta) });
      store.addDefects(2, { ...open, team: ref(team) });
      store.addDefects(1, { ...open, team: ref(team), milestone: ref(beta), phase: ref(store.byLogicalName('phase.defect.closed')) });
      store.addDefects(1, { ...open, release: ref(store.releaseByName('2026.5')), team: ref(team), milestone: ref(otherBeta) });
      // The trap release gets a "Beta" too: a milestone look-up inside a release named with metacharacters.
      const trickyBeta = store.add('milestones', { name: 'Beta', release: ref(store.releaseByName(TRICKY_RELEASE)) });
      store.addDefects(2, { ...open, release: ref(store.releaseByName(TRICKY_RELEASE)), milestone: ref(trickyBeta) });
    });

    /** Open defects of 2026.4 by severity logical name, from the store. */
    const bySeverityInStore = (): Map<string, number> => {
      const { store } = sim();
      const release = store.releaseByName('2026.4');
      const phaseIds = new Set(OPEN.map((p) => store.byLogicalName(p).id));
      const out = new Map<string, number>();
      for (const d of store.all('defects')) {
        if (refId(d.release) !== release.id || !phaseIds.has(refId(d.phase) ?? '')) continue;
        const logical = String(store.get('list_nodes', refId(d.severity) ?? '')?.logical_name ?? 'none');
        out.set(logical, (out.get(logical) ?? 0) + 1);
      }
      return out;
    };

    const gate = (releaseName: string, more: Record<string, string> = {}) =>
      runAction({ mode: 'gate', ...connectionInputs(sim()), 'release-name': releaseName, ...more });
    const create = (name: string, more: Record<string, string> = {}, options?: RunOptions) =>
      runAction(
        {
          mode: 'create-defect',
          ...connectionInputs(sim()),
          'release-name': CREATE_RELEASE,
          'defect-name': name,
          'defect-description': 'Build failed',
          ...more
        },
        options
      );

    it('gate pass: a count within the threshold passes, with the count from the store', async () => {
      const expected = countInStore('2026.4');
      expect(expected).toBeGreaterThan(1);

      const run = await gate('2026.4', { threshold: String(expected), 'threshold-operator': '<=' });

      expect(run.errors).toEqual([]);
      expect(run.code).toBe(0);
      expect(run.outputs).toMatchObject({ 'gate-result': 'passed', 'defect-count': String(expected) });
      expect(JSON.parse(run.outputs.defects ?? '[]')).toHaveLength(expected);
    });

    it('gate fail: open defects fail the step, with count, per-phase counts and the list', async () => {
      const expected = countInStore('2026.4');

      const run = await gate('2026.4');

      expect(run.code).toBe(1);
      expect(run.outputs).toMatchObject({ 'gate-result': 'failed', 'defect-count': String(expected) });
      const byPhase = JSON.parse(run.outputs['counts-by-phase'] ?? '{}') as Record<string, number>;
      expect(Object.values(byPhase).reduce((a, b) => a + b, 0)).toBe(expected);
      const listed = JSON.parse(run.outputs.defects ?? '[]') as Array<{ id: string }>;
      expect(listed.map((d) => d.id).sort()).toEqual(expectedGate(sim().store, { release: '2026.4', phases: OPEN }).ids);
      expect(run.errors).toEqual([expect.stringContaining(`Gate failed: ${expected} defects`)]);
    });

    it('gate beyond the server count cap: never passes on a count that could be too low', async () => {
      const real = countInStore(BIG_RELEASE);
      const threshold = sim().profile.totalCountCap + 1;
      expect(real).toBeGreaterThan(threshold);

      // A capped total_count (the cap) would pass `<= cap + 1`; the real count fails it.
      const run = await gate(BIG_RELEASE, { threshold: String(threshold), 'threshold-operator': '<=' });

      expect(run.code).toBe(1);
      expect(run.outputs['gate-result']).not.toBe('passed');
      expect(run.errors.length).toBeGreaterThan(0);
      expect(run.outputs['gate-result']).toBe('failed');
      // A flagged total is only a lower bound to the action (it cannot tell a capped count from an exact
      // one that the server flags anyway), so the count is either exact or "N+" with N at most the real one.
      const shown = /^(\d+)(\+?)$/.exec(run.outputs['defect-count'] ?? '');
      expect(shown).not.toBeNull();
      if (shown![2] === '') expect(Number(shown![1])).toBe(real);
      else expect(Number(shown![1])).toBeLessThanOrEqual(real);
      if (sim().profile.exceedsTotalCount === 'never') expect(run.outputs['defect-count']).toBe(String(real));
    });

    it('create-defect: files one defect, outputs its id and link; origin set only where a GitHub node exists', async () => {
      const name = uniqueName(`${profile}: create`);

      const run = await create(name);

      expect(run.errors).toEqual([]);
      expect(run.code).toBe(0);
      const stored = defectsNamed(sim(), name);
      expect(stored).toHaveLength(1);
      expect(run.outputs).toMatchObject({ created: 'true', 'defect-id': stored[0]!.id, 'defect-url': workItemUrl(sim(), stored[0]!.id) });
      expect(refId(stored[0]!.release)).toBe(sim().store.releaseByName(CREATE_RELEASE).id);
      const github = sim().store.find(
        'list_nodes',
        (n) => n.name === 'GitHub Actions' && String(n.logical_name).startsWith('list_node.item_origin.')
      )[0];
      expect(refId(stored[0]!.item_origin)).toBe(github?.id);
    });

    it('create-defect with extra-fields {"is_draft": true}: a draft is filed', async () => {
      const name = uniqueName(`${profile}: is_draft`);

      const run = await create(name, { 'extra-fields': '{"is_draft": true}' });

      expect(run.errors).toEqual([]);
      expect(run.code).toBe(0);
      const stored = defectsNamed(sim(), name);
      expect(stored).toHaveLength(1);
      expect(stored[0]!.is_draft).toBe(true);
      expect(run.outputs['defect-id']).toBe(stored[0]!.id);
    });

    it('dedupe: an open defect of that name is reused, with a comment, and nothing is filed', async () => {
      const name = uniqueName(`${profile}: dedupe`);
      const { store } = sim();
      const open = store.add('defects', {
        name,
        description: filedByAction(),
        release: ref(store.releaseByName(CREATE_RELEASE)),
        phase: ref(store.byLogicalName('phase.defect.opened')),
        parent: ref(store.all('work_item_roots')[0]!)
      });
      const comments = store.all('comments').length;

      const run = await create(name, { dedupe: 'true' });

      expect(run.errors).toEqual([]);
      expect(run.code).toBe(0);
      expect(defectsNamed(sim(), name)).toHaveLength(1);
      expect(run.outputs).toMatchObject({ created: 'false', 'defect-id': open.id, 'defect-url': workItemUrl(sim(), open.id) });
      expect(store.all('comments')).toHaveLength(comments + 1);
      expect(refId(store.all('comments').at(-1)!.owner_work_item)).toBe(open.id);
    });

    it('exactly once: a 502 after the defect was stored leaves exactly one defect, and the id output is it', async () => {
      const name = uniqueName(`${profile}: exactly once`);
      sim().faults.add({ method: 'POST', path: '/defects', processThenStatus: 502 });

      const run = await create(name, { retries: '1' });

      expect(run.errors).toEqual([]);
      expect(run.code).toBe(0);
      const stored = defectsNamed(sim(), name);
      expect(stored).toHaveLength(1);
      expect(run.outputs).toMatchObject({ created: 'true', 'defect-id': stored[0]!.id });
      expect(postsTo(sim(), 'defects')).toHaveLength(1);
    });

    it('dry run: resolves everything and writes nothing', async () => {
      const name = uniqueName(`${profile}: dry run`);

      const run = await create(name, { 'dry-run': 'true' });

      expect(run.errors).toEqual([]);
      expect(run.code).toBe(0);
      expect(writes(sim())).toBe(0);
      expect(defectsNamed(sim(), name)).toHaveLength(0);
      expect(run.outputs.created).toBe('false');
    });

    it('gate conditions: each counted from the store, a failing warn condition warns and the step succeeds', async () => {
      const counts = bySeverityInStore();
      const n = (k: string): number => counts.get(`list_node.severity.${k}`) ?? 0;
      const total = [...counts.values()].reduce((a, b) => a + b, 0);
      const top = n('urgent') + n('very_high');
      expect(n('high')).toBeGreaterThan(0);

      const run = await gate('2026.4', {
        conditions: `list_node.severity.urgent, list_node.severity.very_high <= ${top}\nhigh >= ${n('high') + 1} warn\n# total\ntotal == ${total}`
      });

      expect(run.errors).toEqual([]);
      expect(run.code).toBe(0);
      expect(run.outputs).toMatchObject({ 'gate-result': 'warned', 'defect-count': String(total) });
      const conditions = JSON.parse(run.outputs.conditions ?? '[]') as Array<Record<string, unknown>>;
      expect(conditions.map((c) => [c.count, c.level, c.result])).toEqual([
        [top, 'fail', 'passed'],
        [n('high'), 'warn', 'failed'],
        [total, 'fail', 'passed']
      ]);
      expect(run.warnings.filter((w) => w.startsWith('Gate condition warns: '))).toEqual([
        `Gate condition warns: high >= ${n('high') + 1} (${n('high')} defect${n('high') === 1 ? '' : 's'})`
      ]);
      expect(run.summary.indexOf('### Conditions')).toBeLessThan(run.summary.indexOf('### Breakdown'));
    });

    it('gate scopes: a team named with metacharacters and a milestone of the release count only their defects', async () => {
      const run = await gate(SCOPED_RELEASE, { teams: TRICKY_TEAM, milestones: 'Beta' });

      expect(run.code).toBe(1);
      expect(run.outputs).toMatchObject({ 'gate-result': 'failed', 'defect-count': '3' });
      expect(run.errors).toHaveLength(1);
      expect(run.errors[0]).toContain(`team ${TRICKY_TEAM}, milestone Beta`);
      expect(run.summary).toContain('| Teams |');
      // An unknown name fails closed, naming the input and listing what exists.
      const unknown = await gate(SCOPED_RELEASE, { teams: 'Core ^*(Q)' });
      expect(unknown.code).toBe(1);
      expect(unknown.outputs).toEqual({});
      expect(unknown.errors[0]).toMatch(/^teams: No team named "Core \^\*\(Q\)"/);
      // Inside the trap release, whose name the server may refuse escaped: its own "Beta" only.
      const tricky = await gate(TRICKY_RELEASE, { milestones: 'Beta', 'fail-on-gate': 'false' });
      expect(tricky.errors).toEqual([]);
      expect(tricky.outputs['defect-count']).toBe('2');
    });

    it("lifecycle: a failed run files with fields by name, attachments and failed tests; the next comments; a green run comments and moves it to Fixed; a person's defect stays", async () => {
      const name = uniqueName(`${profile}: lifecycle`);
      const { store } = sim();
      const workspace = mkdtempSync(join(tmpdir(), 'conformance-'));
      try {
        writeFileSync(join(workspace, 'build.log'), 'npm ERR! build failed\n');
        writeFileSync(
          join(workspace, 'junit.xml'),
          '<testsuites><testsuite name="cart"><testcase classname="cart" name="adds an item"/>' +
            '<testcase classname="cart" name="totals the order"><failure message="expected 42, got 41">at cart.test.ts:9</failure></testcase>' +
            '</testsuite></testsuites>'
        );
        const team = store.all('teams')[0]!;
        const owner = store.find('workspace_users', (u) => u.is_api_key !== true && typeof u.email === 'string')[0]!;
        const tag = store.all('user_tags')[0]!;
        const env = { GITHUB_WORKSPACE: workspace };
        const failed = {
          dedupe: 'true',
          team: String(team.name),
          owner: String(owner.email),
          tags: String(tag.name),
          attachments: 'build.log',
          'test-results': 'junit.xml'
        };

        const first = await create(name, failed, { env });

        expect(first.errors).toEqual([]);
        expect(first.code).toBe(0);
        const [filed] = defectsNamed(sim(), name);
        expect(filed).toBeDefined();
        expect(first.outputs).toMatchObject({ created: 'true', 'defect-id': filed!.id, attachments: '["build.log"]', 'failed-tests': '1' });
        expect(refId(filed!.team)).toBe(team.id);
        expect(refId(filed!.owner)).toBe(owner.id);
        expect((filed!.user_tags as { data: Array<{ id: string }> }).data.map((t) => t.id)).toEqual([tag.id]);
        expect(String(filed!.description)).toContain('totals the order');
        expect(store.find('attachments', (a) => refId(a.owner_work_item) === filed!.id).map((a) => a.name)).toEqual(['build.log']);

        const comments = () => store.find('comments', (c) => refId(c.owner_work_item) === filed!.id).length;
        const attachmentsOn = (id: string) => store.find('attachments', (a) => refId(a.owner_work_item) === id).map((a) => a.name);
        // A person files a defect of the same name, newer than ours, which the action must never touch.
        const theirs = store.add('defects', {
          name,
          description: 'Filed by hand',
          release: ref(store.releaseByName(CREATE_RELEASE)),
          phase: ref(store.byLogicalName('phase.defect.opened')),
          parent: ref(store.all('work_item_roots')[0]!)
        });
        const second = await create(name, failed, { env });

        expect(second.errors).toEqual([]);
        expect(second.outputs).toMatchObject({ created: 'false', 'defect-id': filed!.id, attachments: '["build.log"]' });
        expect(defectsNamed(sim(), name)).toHaveLength(2);
        expect(comments()).toBe(1);
        expect(attachmentsOn(filed!.id)).toEqual(['build.log', 'build.log']);
        expect(store.find('comments', (c) => refId(c.owner_work_item) === theirs.id)).toHaveLength(0);
        expect(attachmentsOn(theirs.id)).toEqual([]);

        // A developer opens ours.
        filed!.phase = ref(store.byLogicalName('phase.defect.opened'));

        const green = await runAction(
          {
            mode: 'resolve-defect',
            ...connectionInputs(sim()),
            'release-name': CREATE_RELEASE,
            'defect-name': name,
            'resolve-phase': 'Fixed'
          },
          { env }
        );

        expect(green.errors).toEqual([]);
        expect(green.code).toBe(0);
        expect(green.outputs).toMatchObject({ 'resolved-count': '1', resolved: 'true', 'defect-id': filed!.id });
        expect(refId(store.get('defects', filed!.id)!.phase)).toBe(store.byLogicalName('phase.defect.fixed').id);
        expect(comments()).toBe(2);
        expect(refId(store.get('defects', theirs.id)!.phase)).toBe(store.byLogicalName('phase.defect.opened').id);
        expect(store.find('comments', (c) => refId(c.owner_work_item) === theirs.id)).toHaveLength(0);
        expect(attachmentsOn(theirs.id)).toEqual([]);
      } finally {
        rmSync(workspace, { recursive: true, force: true });
      }
    });

    it("trap release: the name made of query metacharacters counts only its own defects, not its '-old' twin's", async () => {
      const expected = countInStore(TRICKY_RELEASE);
      expect(expected).toBeGreaterThan(0);
      expect(countInStore(`${TRICKY_RELEASE}-old`)).toBeGreaterThan(0);

      const run = await gate(TRICKY_RELEASE, { threshold: String(expected), 'threshold-operator': '<=' });

      expect(run.errors).toEqual([]);
      expect(run.code).toBe(0);
      expect(run.outputs).toMatchObject({ 'gate-result': 'passed', 'defect-count': String(expected) });
    });
  });
}

/** True for the titles of SMOKE_CASES. */
export const isSmoke = (title: string): boolean => SMOKE_CASES.some((start) => title.startsWith(start));
