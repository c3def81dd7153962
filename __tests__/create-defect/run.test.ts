import { describe, it, expect, afterAll, beforeAll } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCreateDefect } from '../../src/create-defect/run.js';
import { createOutputs } from '../../src/create-defect/render.js';
import { LookupError } from '../../src/lookups.js';
import { runContextFrom, type GithubContextLike } from '../../src/create-defect/run-context.js';
import { defectsNamed, filedByAction, postsTo, refId, uniqueName, workItemUrl } from '../helpers/e2e-simulator.js';
import { recordingLog, useSignedInClient } from '../helpers/octane-client.js';
import { settingsFor } from './helpers.js';

const { sim, client } = useSignedInClient();

function githubContext(over: Partial<GithubContextLike> = {}): GithubContextLike {
  return {
    serverUrl: 'https://github.com',
    repo: { owner: 'acme', repo: 'shop' },
    workflow: 'CI',
    job: 'test',
    runId: 555,
    runAttempt: 3,
    sha: '1111111111111111111111111111111111111111',
    ref: 'refs/heads/main',
    actor: 'octocat',
    eventName: 'push',
    payload: {},
    ...over
  };
}

describe('create-defect against the simulator', () => {
  it('files a draft at the backlog root, in the release, with the GitHub Actions origin and an escaped description', async () => {
    const { log, lines } = recordingLog();
    const settings = settingsFor(sim(), { defectDescription: 'Step <build> failed & stopped\nsee "log"\n\nsecond paragraph' });
    const r = await runCreateDefect(settings, client(), log, { runContext: runContextFrom(githubContext()) });

    const stored = defectsNamed(sim(), settings.defectName);
    expect(stored).toHaveLength(1);
    const d = stored[0]!;
    expect(r).toMatchObject({ dryRun: false, created: true, id: d.id, name: settings.defectName });
    expect(r.url).toBe(workItemUrl(sim(), d.id));
    expect(createOutputs(r)).toEqual({ 'defect-id': d.id, 'defect-url': r.url, created: 'true', attachments: '[]', 'failed-tests': '' });

    expect(refId(d.parent)).toBe(sim().store.all('work_item_roots')[0]!.id);
    // A draft because is_draft was left out (it is tech preview on newer servers), not sent.
    expect(d.is_draft).toBe(true);
    const post = sim()
      .log.filter((q) => q.method === 'POST' && q.path.endsWith('/defects'))
      .at(-1)!;
    expect(JSON.parse(post.body).data[0]).not.toHaveProperty('is_draft');
    expect(post.headers).not.toHaveProperty('alm-octane-tech-preview');
    expect(refId(d.release)).toBe(sim().store.releaseByName('2026.4').id);
    expect(refId(d.item_origin)).toBe(sim().store.byLogicalName('list_node.item_origin.github_actions').id);
    expect(d.severity ?? null).toBeNull();
    const html = String(d.description);
    expect(html).toContain('Step &lt;build&gt; failed &amp; stopped<br>see &quot;log&quot;');
    expect(html).toContain('<p>second paragraph</p>');
    expect(html).not.toContain('<build>');
    expect(postsTo(sim(), 'defects').length).toBeGreaterThanOrEqual(1);
    // The log says what resolved, by id.
    expect(lines.join('\n')).toContain(`Release "2026.4": id ${sim().store.releaseByName('2026.4').id}`);
    expect(lines.join('\n')).toContain(`Backlog root: id ${sim().store.all('work_item_roots')[0]!.id}`);
  });

  it('works with a release whose name is full of query metacharacters', async () => {
    const releaseName = `R1 ^x' "(y)" \\ *`;
    const settings = settingsFor(sim(), { releaseName });
    const r = await runCreateDefect(settings, client(), recordingLog().log, {});
    expect(refId(sim().store.get('defects', r.id!)!.release)).toBe(sim().store.releaseByName(releaseName).id);
  });

  it.each([
    ['High', 'list_node.severity.high'],
    ['very high', 'list_node.severity.very_high'],
    ['list_node.severity.urgent', 'list_node.severity.urgent']
  ])('sets severity %s (by name or logical name, any case) to the severity list node', async (given, logical) => {
    const settings = settingsFor(sim(), { severity: given });
    const r = await runCreateDefect(settings, client(), recordingLog().log, {});
    const node = sim().store.byLogicalName(logical);
    expect(refId(sim().store.get('defects', r.id!)!.severity)).toBe(node.id);
    expect(r.severity?.id).toBe(node.id);
  });

  it('an unknown severity fails before any write, naming the input and the valid ones', async () => {
    const before = postsTo(sim(), 'defects').length;
    const settings = settingsFor(sim(), { severity: 'Hgih' });
    const err = await runCreateDefect(settings, client(), recordingLog().log, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LookupError);
    expect((err as LookupError).problems.map((p) => p.input)).toEqual(['severity']);
    expect((err as Error).message).toContain('Hgih');
    expect((err as Error).message).toContain('Urgent');
    expect(postsTo(sim(), 'defects').length).toBe(before);
    expect(defectsNamed(sim(), settings.defectName)).toHaveLength(0);
  });

  it('merges extra fields (list values, user-defined fields, is_draft) but keeps name, parent and release', async () => {
    const priorityHigh = sim().store.byLogicalName('list_node.priority.high');
    const phaseNew = sim().store.byLogicalName('phase.defect.new');
    // A non-draft defect must satisfy the required-field rules: phase and severity.
    const settings = settingsFor(sim(), {
      severity: 'Low',
      extraFields: {
        priority: { type: 'list_node', id: priorityHigh.id },
        phase: { type: 'phase', id: phaseNew.id },
        build_number_udf: '42',
        is_draft: false
      }
    });
    const r = await runCreateDefect(settings, client(), recordingLog().log, {});
    const d = sim().store.get('defects', r.id!)!;
    expect(refId(d.priority)).toBe(priorityHigh.id);
    expect(d.build_number_udf).toBe('42');
    expect(d.is_draft).toBe(false);
    // is_draft given by the user: sent, with the tech-preview header newer servers ask for.
    const post = sim()
      .log.filter((q) => q.method === 'POST' && q.path.endsWith('/defects'))
      .at(-1)!;
    expect(post.headers['alm-octane-tech-preview']).toBe('true');
    expect(refId(d.phase)).toBe(phaseNew.id);
    expect(d.name).toBe(settings.defectName);
    expect(r.fields).toMatchObject({ build_number_udf: '42', name: settings.defectName });
  });

  describe('run context', () => {
    it('push: repository, workflow and job, run link with attempt, commit, ref, actor, event', async () => {
      const settings = settingsFor(sim());
      const r = await runCreateDefect(settings, client(), recordingLog().log, { runContext: runContextFrom(githubContext()) });
      const html = String(sim().store.get('defects', r.id!)!.description);
      expect(html).toContain('acme/shop');
      expect(html).toContain('Workflow: CI, job: test');
      expect(html).toContain('href="https://github.com/acme/shop/actions/runs/555/attempts/3"');
      expect(html).toContain('1111111111111111111111111111111111111111');
      expect(html).toContain('Ref: refs/heads/main');
      expect(html).toContain('Actor: octocat');
      expect(html).toContain('Event: push');
    });

    it('pull_request: the PR head commit and branch, not the merge commit', async () => {
      const ctx = githubContext({
        eventName: 'pull_request',
        sha: 'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee',
        ref: 'refs/pull/9/merge',
        payload: { number: 9, pull_request: { number: 9, head: { sha: '2222222222222222222222222222222222222222', ref: 'fix/cart' } } }
      });
      const r = await runCreateDefect(settingsFor(sim()), client(), recordingLog().log, { runContext: runContextFrom(ctx) });
      const html = String(sim().store.get('defects', r.id!)!.description);
      expect(html).toContain('2222222222222222222222222222222222222222');
      expect(html).not.toContain('eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee');
      expect(html).toContain('Ref: fix/cart');
      expect(html).toContain('pull request #9');
      expect(html).toContain('Event: pull_request');
    });

    it('workflow_dispatch: the dispatched ref', async () => {
      const ctx = githubContext({
        eventName: 'workflow_dispatch',
        ref: 'refs/heads/release/2026.4',
        sha: '3333333333333333333333333333333333333333'
      });
      const r = await runCreateDefect(settingsFor(sim()), client(), recordingLog().log, { runContext: runContextFrom(ctx) });
      const html = String(sim().store.get('defects', r.id!)!.description);
      expect(html).toContain('Ref: refs/heads/release/2026.4');
      expect(html).toContain('3333333333333333333333333333333333333333');
      expect(html).toContain('Event: workflow_dispatch');
    });

    it('add-run-context: false leaves the block out', async () => {
      const settings = settingsFor(sim(), { addRunContext: false, defectDescription: 'only this' });
      const r = await runCreateDefect(settings, client(), recordingLog().log, { runContext: runContextFrom(githubContext()) });
      const html = String(sim().store.get('defects', r.id!)!.description);
      expect(html).toContain('only this');
      expect(html).not.toContain('actions/runs');
      expect(html).not.toContain('octocat');
    });
  });

  describe('dedupe', () => {
    const commentsOn = (id: string) => sim().store.find('comments', (c) => refId(c.owner_work_item) === id);
    const attachmentsOf = (id: string) =>
      sim()
        .store.find('attachments', (a) => refId(a.owner_work_item) === id)
        .map((a) => a.name);
    let evidence: string | undefined;
    /** A workspace with a build.log to attach. */
    const evidenceDir = (): string => {
      if (!evidence) {
        evidence = mkdtempSync(join(tmpdir(), 'dedupe-evidence-'));
        writeFileSync(join(evidence, 'build.log'), 'npm ERR! build failed\n');
      }
      return evidence;
    };
    afterAll(() => {
      if (evidence) rmSync(evidence, { recursive: true, force: true });
    });
    /** A defect of `name` as this action files one (with its creation marker), or as a person does (`by: 'person'`). */
    function seedDefect(name: string, phase: string, release = '2026.4', by: 'action' | 'person' = 'action') {
      return sim().store.add('defects', {
        name,
        description: by === 'action' ? filedByAction() : '<p>Seen by QA in the nightly</p>',
        release: sim().store.releaseByName(release),
        phase: sim().store.byLogicalName(phase),
        parent: sim().store.all('work_item_roots')[0]!
      });
    }

    it('an open defect of the same name in the release gets a comment with the run link instead of a new defect', async () => {
      const name = uniqueName('Nightly failed');
      const existing = seedDefect(name, 'phase.defect.opened');
      const { log, lines } = recordingLog();
      const r = await runCreateDefect(settingsFor(sim(), { defectName: name, dedupe: true }), client(), log, {
        runContext: runContextFrom(githubContext({ runId: 777 }))
      });
      expect(defectsNamed(sim(), name)).toHaveLength(1);
      expect(r).toMatchObject({ created: false, id: existing.id, reused: { id: existing.id, commentAdded: true, phase: 'Opened' } });
      expect(createOutputs(r)).toEqual({
        'defect-id': existing.id,
        'defect-url': client().workItemUrl(existing.id),
        created: 'false',
        attachments: '[]',
        'failed-tests': ''
      });
      const comments = sim().store.find('comments', (c) => refId(c.owner_work_item) === existing.id);
      expect(comments).toHaveLength(1);
      expect(String(comments[0]!.text)).toContain('Failed again');
      expect(String(comments[0]!.text)).toContain('href="https://github.com/acme/shop/actions/runs/777/attempts/3"');
      expect(lines.join('\n')).toContain(`open defect ${existing.id}`);
    });

    it.each(['phase.defect.closed', 'phase.defect.rejected', 'phase.defect.duplicate', 'phase.defect.proposeclose'])(
      'a defect in %s is not reused: a new one is created',
      async (phase) => {
        const name = uniqueName('Flaky');
        const old = seedDefect(name, phase);
        const r = await runCreateDefect(settingsFor(sim(), { defectName: name, dedupe: true }), client(), recordingLog().log, {});
        expect(r.created).toBe(true);
        expect(r.id).not.toBe(old.id);
        expect(defectsNamed(sim(), name)).toHaveLength(2);
        expect(sim().store.find('comments', (c) => refId(c.owner_work_item) === old.id)).toHaveLength(0);
      }
    );

    it("another release's open defect is not reused, nor one whose name only differs in case", async () => {
      const name = uniqueName('Smoke failed');
      seedDefect(name, 'phase.defect.new', '2026.5');
      seedDefect(name.toUpperCase(), 'phase.defect.new');
      const r = await runCreateDefect(settingsFor(sim(), { defectName: name, dedupe: true }), client(), recordingLog().log, {});
      expect(r.created).toBe(true);
      expect(defectsNamed(sim(), name)).toHaveLength(2);
    });

    it('the open one is found when more than a page of defects share the name in other releases and newer', async () => {
      const name = uniqueName('Recurring failure');
      const open = seedDefect(name, 'phase.defect.opened');
      // Newer defects of the same name elsewhere: a name-only search cut at 100 never reached the open one.
      sim().store.addDefects(150, {
        name,
        release: sim().store.releaseByName('2026.5'),
        phase: sim().store.byLogicalName('phase.defect.closed'),
        parent: sim().store.all('work_item_roots')[0]!
      });
      const r = await runCreateDefect(settingsFor(sim(), { defectName: name, dedupe: true }), client(), recordingLog().log, {});
      expect(r).toMatchObject({ created: false, id: open.id });
      expect(defectsNamed(sim(), name).filter((d) => refId(d.release) === sim().store.releaseByName('2026.4').id)).toHaveLength(1);
    });

    it('finds the open one in a release whose name is full of query metacharacters, and names with them', async () => {
      const releaseName = `R1 ^x' "(y)" \\ *`;
      const name = uniqueName(`Broke (again) ^*; || 'q' "d" \\`);
      const open = seedDefect(name, 'phase.defect.new', releaseName);
      const r = await runCreateDefect(
        settingsFor(sim(), { defectName: name, releaseName, dedupe: true }),
        client(),
        recordingLog().log,
        {}
      );
      expect(r).toMatchObject({ created: false, id: open.id });
      expect(defectsNamed(sim(), name)).toHaveLength(1);
    });

    it('a comment whose answer is lost is found by its token and not sent again', async () => {
      const name = uniqueName('Comment unclear');
      const existing = seedDefect(name, 'phase.defect.opened');
      sim().faults.add({ method: 'POST', path: '/comments', processThenStatus: 502 });
      const { log, lines } = recordingLog();
      const before = postsTo(sim(), 'comments').length;
      const r = await runCreateDefect(settingsFor(sim(), { defectName: name, dedupe: true }), client(), log, {});
      sim().faults.clear();
      expect(r).toMatchObject({ created: false, id: existing.id, reused: { commentAdded: true } });
      expect(sim().store.find('comments', (c) => refId(c.owner_work_item) === existing.id)).toHaveLength(1);
      expect(postsTo(sim(), 'comments').length - before).toBe(1);
      expect(lines.join('\n')).toContain(`Recovered: the comment on defect ${existing.id} was made by that request`);
      expect(defectsNamed(sim(), name)).toHaveLength(1);
    });

    it('a comment that cannot be confirmed either way: the reuse stands, and the step says it may be missing', async () => {
      const name = uniqueName('Comment lost');
      const existing = seedDefect(name, 'phase.defect.opened');
      // Never stored, always unclear: three sends, each looked for, none found.
      sim().faults.add({ method: 'POST', path: '/comments', status: 502, times: 3 });
      const { log, warnings } = recordingLog();
      const r = await runCreateDefect(settingsFor(sim(), { defectName: name, dedupe: true }), client(), log, { sleep: async () => {} });
      sim().faults.clear();
      expect(r).toMatchObject({ created: false, id: existing.id, reused: { commentAdded: false } });
      expect(sim().store.find('comments', (c) => refId(c.owner_work_item) === existing.id)).toHaveLength(0);
      expect(warnings.join('\n')).toMatch(/may or may not have been added \(Could not make the comment on defect \d+: 3 attempts/);
      expect(defectsNamed(sim(), name)).toHaveLength(1);
    });

    it("a person's newer open defect of the name is left alone: ours gets the comment and the attachment", async () => {
      const name = uniqueName('Ours and theirs');
      const ours = seedDefect(name, 'phase.defect.opened');
      const theirs = seedDefect(name, 'phase.defect.opened', '2026.4', 'person');
      const { log, lines } = recordingLog();
      const r = await runCreateDefect(settingsFor(sim(), { defectName: name, dedupe: true, attachments: ['build.log'] }), client(), log, {
        workspace: evidenceDir()
      });
      expect(r).toMatchObject({ created: false, id: ours.id, reused: { id: ours.id, commentAdded: true } });
      expect(commentsOn(ours.id)).toHaveLength(1);
      expect(attachmentsOf(ours.id)).toEqual(['build.log']);
      expect(commentsOn(theirs.id)).toHaveLength(0);
      expect(attachmentsOf(theirs.id)).toEqual([]);
      expect(lines.join('\n')).toContain(
        `open defect ${theirs.id} of this name was not filed by this action (no creation marker); left alone`
      );
    });

    it("only a person's defect of the name is open: a new defect is filed and theirs is not touched", async () => {
      const name = uniqueName('Only theirs');
      const theirs = seedDefect(name, 'phase.defect.opened', '2026.4', 'person');
      const r = await runCreateDefect(
        settingsFor(sim(), { defectName: name, dedupe: true, attachments: ['build.log'] }),
        client(),
        recordingLog().log,
        { workspace: evidenceDir() }
      );
      expect(r.created).toBe(true);
      expect(r.id).not.toBe(theirs.id);
      expect(defectsNamed(sim(), name)).toHaveLength(2);
      expect(attachmentsOf(r.id!)).toEqual(['build.log']);
      expect(commentsOn(theirs.id)).toHaveLength(0);
      expect(attachmentsOf(theirs.id)).toEqual([]);
    });

    it('a failure that recurs in a defect of ours marked Fixed: the comment, and a warning naming the phase', async () => {
      const name = uniqueName('Regressed');
      const fixed = seedDefect(name, 'phase.defect.fixed');
      const { log, warnings } = recordingLog();
      const r = await runCreateDefect(settingsFor(sim(), { defectName: name, dedupe: true }), client(), log, {});
      expect(r).toMatchObject({ created: false, id: fixed.id, reused: { phase: 'Fixed', commentAdded: true } });
      expect(warnings).toEqual([
        expect.stringContaining(`Defect ${fixed.id} is marked fixed (phase "Fixed", phase.defect.fixed) and the failure recurred`)
      ]);
    });

    it('an open defect of ours in an open phase is reused without that warning', async () => {
      const name = uniqueName('Still open');
      seedDefect(name, 'phase.defect.opened');
      const { log, warnings } = recordingLog();
      await runCreateDefect(settingsFor(sim(), { defectName: name, dedupe: true }), client(), log, {});
      expect(warnings).toEqual([]);
    });

    it('a comment whose 2xx answer cannot be read (and is not found): a warning; the attachments and outputs still go', async () => {
      const name = uniqueName('Comment unreadable');
      const existing = seedDefect(name, 'phase.defect.opened');
      sim().faults.add({ method: 'POST', path: '/comments', status: 201, json: { note: 'stored, maybe' } });
      const before = postsTo(sim(), 'comments').length;
      const { log, warnings } = recordingLog();
      const r = await runCreateDefect(settingsFor(sim(), { defectName: name, dedupe: true, attachments: ['build.log'] }), client(), log, {
        workspace: evidenceDir(),
        sleep: async () => {}
      });
      sim().faults.clear();
      expect(r).toMatchObject({ created: false, id: existing.id, reused: { commentAdded: false } });
      expect(createOutputs(r)).toMatchObject({ 'defect-id': existing.id, created: 'false', attachments: '["build.log"]' });
      expect(attachmentsOf(existing.id)).toEqual(['build.log']);
      expect(warnings.join('\n')).toMatch(new RegExp(`The comment on defect ${existing.id} may or may not have been added`));
      // Never sent again: an unreadable 2xx went through.
      expect(postsTo(sim(), 'comments').length - before).toBe(1);
    });

    it('dedupe off: a second defect of the same name is created', async () => {
      const name = uniqueName('Always new');
      seedDefect(name, 'phase.defect.opened');
      const r = await runCreateDefect(settingsFor(sim(), { defectName: name }), client(), recordingLog().log, {});
      expect(r.created).toBe(true);
      expect(defectsNamed(sim(), name)).toHaveLength(2);
    });
  });

  describe('dry run', () => {
    it('resolves everything, reports every field it would send, and writes nothing', async () => {
      const settings = settingsFor(sim(), { dryRun: true, severity: 'High', defectDescription: 'a <b>' });
      const before = sim().log.length;
      const { log, lines } = recordingLog();
      const r = await runCreateDefect(settings, client(), log, { runContext: runContextFrom(githubContext()) });
      const requests = sim().log.slice(before);
      expect(requests.filter((q) => q.method === 'POST')).toHaveLength(0);
      expect(requests.some((q) => q.path.endsWith('/releases'))).toBe(true);
      expect(defectsNamed(sim(), settings.defectName)).toHaveLength(0);
      expect(r).toMatchObject({ dryRun: true, created: false });
      expect(r.id).toBeUndefined();
      expect(createOutputs(r)).toEqual({ 'defect-id': '', 'defect-url': '', created: 'false', attachments: '[]', 'failed-tests': '' });
      expect(r.fields).toMatchObject({
        name: settings.defectName,
        release: { type: 'release', id: sim().store.releaseByName('2026.4').id },
        parent: { type: 'work_item_root', id: sim().store.all('work_item_roots')[0]!.id },
        severity: { type: 'list_node', id: sim().store.byLogicalName('list_node.severity.high').id },
        item_origin: { type: 'list_node', id: sim().store.byLogicalName('list_node.item_origin.github_actions').id }
      });
      expect(r.fields).not.toHaveProperty('is_draft');
      expect(String(r.fields.description)).toContain('a &lt;b&gt;');
      expect(lines.join('\n')).toContain(JSON.stringify(settings.defectName));
      expect(lines.join('\n')).toMatch(/nothing was written/);
    });

    it('fails where the real create would: a referenced id in extra-fields that does not exist', async () => {
      const priority = sim().store.byLogicalName('list_node.priority.high');
      const extraFields = {
        priority: { type: 'list_node', id: '987654' },
        phase: { type: 'phase', id: sim().store.byLogicalName('phase.defect.opened').id },
        team_udf: 'core'
      };
      const dry = settingsFor(sim(), { dryRun: true, extraFields });
      const before = sim().log.length;
      const error = await runCreateDefect(dry, client(), recordingLog().log, {}).then(
        () => undefined,
        (e: unknown) => e
      );
      expect(error).toBeInstanceOf(LookupError);
      expect((error as LookupError).problems.map((p) => p.input)).toEqual(['extra-fields']);
      expect((error as LookupError).message).toContain('"priority" (list_node "987654") does not exist');
      expect((error as LookupError).message).not.toContain('"phase"');
      expect(
        sim()
          .log.slice(before)
          .filter((q) => q.method === 'POST')
      ).toHaveLength(0);

      // The real create with the same fields is indeed refused, and with an existing id it is not.
      const real = settingsFor(sim(), { extraFields });
      await expect(runCreateDefect(real, client(), recordingLog().log, {})).rejects.toThrow(/400/);
      expect(defectsNamed(sim(), real.defectName)).toHaveLength(0);
      const good = { ...extraFields, priority: { type: 'list_node', id: priority.id } };
      const { log, lines } = recordingLog();
      await expect(runCreateDefect(settingsFor(sim(), { dryRun: true, extraFields: good }), client(), log, {})).resolves.toMatchObject({
        dryRun: true
      });
      expect(lines.join('\n')).toContain('all 2 references exist');
    });

    it('checks each element of a multi-reference, refuses a malformed id, and names the types it cannot check', async () => {
      const high = sim().store.byLogicalName('list_node.priority.high').id;
      const extraFields = {
        labels_udf: {
          data: [
            { type: 'list_node', id: high },
            { type: 'list_node', id: '555555' }
          ]
        },
        owner: { type: 'workspace_user', id: '1009' },
        team: { type: 'team', id: '1 OR 1' },
        item_origin: { type: 'list_node', id: 'a b' }
      };
      const { log, lines } = recordingLog();
      const error = await runCreateDefect(settingsFor(sim(), { dryRun: true, extraFields }), client(), log, {}).then(
        () => undefined,
        (e: unknown) => e
      );
      const message = (error as LookupError).message;
      expect(message).toContain('"labels_udf" (list_node "555555") does not exist');
      expect(message).not.toContain(`"${high}"`);
      expect(message).toContain('"item_origin" (list_node "a b") is not an Octane id');
      expect(lines.join('\n')).toMatch(/not checked, no collection known for "owner" \(workspace_user "1009"\), "team" \(team "1 OR 1"\)/);
    });

    it('with dedupe, names the open defect it would comment on and writes nothing', async () => {
      const name = uniqueName('Dry dedupe');
      const existing = sim().store.add('defects', {
        name,
        description: filedByAction(),
        release: sim().store.releaseByName('2026.4'),
        phase: sim().store.byLogicalName('phase.defect.new'),
        parent: sim().store.all('work_item_roots')[0]!
      });
      const before = sim().log.length;
      const r = await runCreateDefect(
        settingsFor(sim(), { defectName: name, dedupe: true, dryRun: true }),
        client(),
        recordingLog().log,
        {}
      );
      expect(
        sim()
          .log.slice(before)
          .filter((q) => q.method === 'POST')
      ).toHaveLength(0);
      expect(r.reused).toMatchObject({ id: existing.id, commentAdded: false });
      expect(createOutputs(r)['defect-id']).toBe('');
      expect(sim().store.find('comments', (c) => refId(c.owner_work_item) === existing.id)).toHaveLength(0);
    });
  });
});

describe('create-defect in a workspace without a GitHub Actions origin', () => {
  const { sim: bare, client: bareClient } = useSignedInClient();
  beforeAll(() => {
    const nodes = bare().store.all('list_nodes');
    nodes.splice(nodes.indexOf(bare().store.byLogicalName('list_node.item_origin.github_actions')), 1);
  });

  it('leaves the origin unset and says so', async () => {
    const { log, lines } = recordingLog();
    const settings = settingsFor(bare());
    const r = await runCreateDefect(settings, bareClient(), log, {});
    const d = bare().store.get('defects', r.id!)!;
    expect(d.item_origin ?? null).toBeNull();
    expect(r.origin).toBeUndefined();
    expect('item_origin' in r.fields).toBe(false);
    expect(lines.join('\n')).toMatch(/origin is left unset/);
  });
});

describe('dedupe on a server whose phase ids are logical names', () => {
  const { sim: logical, client: logicalClient } = useSignedInClient({ phaseIds: 'logical' });

  it.each([
    ['phase.defect.deferred', false],
    ['phase.defect.closed', true]
  ])('a defect in %s: created anew = %s', async (phase, createdAnew) => {
    const name = uniqueName('Logical ids');
    const old = logical().store.add('defects', {
      name,
      description: filedByAction(),
      release: logical().store.releaseByName('2026.4'),
      phase: logical().store.byLogicalName(phase),
      parent: logical().store.all('work_item_roots')[0]!
    });
    const r = await runCreateDefect(settingsFor(logical(), { defectName: name, dedupe: true }), logicalClient(), recordingLog().log, {});
    expect(r.created).toBe(createdAnew);
    expect(defectsNamed(logical(), name)).toHaveLength(createdAnew ? 2 : 1);
    if (!createdAnew) expect(r.id).toBe(old.id);
  });
});
