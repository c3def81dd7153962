// Issue 4's features through the bundle, against the simulator: what a user sees (exit code,
// outputs, summary, annotations, log groups) and what reached or was stored in Octane.
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Simulator, SimEntity } from '../../simulator/index.js';
import {
  connectionInputs,
  defectsNamed,
  getsOf,
  postsTo,
  refId,
  uniqueName,
  useSimulator,
  workItemUrl,
  writes,
  filedByAction
} from '../helpers/e2e-simulator.js';
import { expectedGate, type ExpectedGate } from '../helpers/expected-gate.js';
import { runInProcess, type ActionRun, type RunOptions } from '../../test-support/run-in-process.js';

const sim = useSimulator();

/** What a runner sets for a push build of acme/shop, run 555, attempt 2. */
const RUNNER: RunOptions = {
  env: {
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_RUN_ID: '555',
    GITHUB_RUN_ATTEMPT: '2',
    GITHUB_SHA: 'abcdefabcdefabcdefabcdefabcdefabcdefabcd',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_ACTOR: 'octocat',
    GITHUB_EVENT_NAME: 'push',
    GITHUB_WORKFLOW: 'CI',
    GITHUB_JOB: 'build',
    GITHUB_SERVER_URL: 'https://github.com'
  },
  event: { ref: 'refs/heads/main' }
};
const RUN_URL = 'https://github.com/acme/shop/actions/runs/555/attempts/2';

const ref = (e: SimEntity): { type: string; id: string } => ({ type: e.type, id: e.id });
const signedIn = (s: Simulator = sim()): boolean => s.log.some((r) => r.path.endsWith('/authentication/sign_in') && r.status === 200);

function createInputs(name: string, more: Record<string, string> = {}): Record<string, string> {
  return {
    mode: 'create-defect',
    ...connectionInputs(sim()),
    'release-name': '2026.4',
    'defect-name': name,
    'defect-description': 'Build failed',
    ...more
  };
}

/** A defect placed directly in the store, as if filed earlier. */
function existingDefect(name: string, release: string, phaseLogicalName: string): SimEntity {
  const { store } = sim();
  return store.add('defects', {
    name,
    description: filedByAction(),
    release: ref(store.releaseByName(release)),
    phase: ref(store.byLogicalName(phaseLogicalName)),
    parent: ref(store.all('work_item_roots')[0] as SimEntity),
    severity: ref(store.byLogicalName('list_node.severity.high'))
  });
}

/** Log groups in order: the `::group::` title and the lines until `::endgroup::`. */
function groups(run: ActionRun): Array<{ title: string; lines: string[] }> {
  const out: Array<{ title: string; lines: string[] }> = [];
  let current: { title: string; lines: string[] } | undefined;
  for (const line of run.stdout.split('\n')) {
    if (line.startsWith('::group::')) {
      current = { title: line.slice('::group::'.length), lines: [] };
      out.push(current);
    } else if (line.startsWith('::endgroup::')) current = undefined;
    else current?.lines.push(line);
  }
  return out;
}

describe('create-defect: created and dedupe', () => {
  it('without dedupe: created=true and a new defect even when one of that name is open', async () => {
    const name = uniqueName('No dedupe');
    existingDefect(name, '2026.4', 'phase.defect.opened');

    const run = await runInProcess(createInputs(name), RUNNER);

    expect(run.code).toBe(0);
    expect(run.outputs.created).toBe('true');
    expect(defectsNamed(sim(), name)).toHaveLength(2);
    expect(run.outputs['defect-id']).toBe(
      defectsNamed(sim(), name)
        .map((d) => d.id)
        .sort((a, b) => Number(b) - Number(a))[0]
    );
  });

  it('dedupe with an open defect of that name in the release: comments on it with the run link, creates nothing', async () => {
    const name = uniqueName('Flaky login test');
    const open = existingDefect(name, '2026.4', 'phase.defect.opened');
    const commentsBefore = sim().store.all('comments').length;

    const run = await runInProcess(createInputs(name, { dedupe: 'true' }), RUNNER);

    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    expect(defectsNamed(sim(), name)).toHaveLength(1);
    expect(run.outputs).toMatchObject({ created: 'false', 'defect-id': open.id, 'defect-url': workItemUrl(sim(), open.id) });
    const comments = sim().store.all('comments');
    expect(comments).toHaveLength(commentsBefore + 1);
    const comment = comments.at(-1) as SimEntity;
    expect(refId(comment.owner_work_item)).toBe(open.id);
    expect(String(comment.text)).toContain(`href="${RUN_URL}"`);
    expect(postsTo(sim(), 'defects')).toHaveLength(0);
    expect(run.summary).toContain('reused an open one');
    expect(run.summary).toContain(open.id);
    expect(run.stdout).toContain(`Dedupe: open defect ${open.id} (phase "Opened")`);
  });

  it.each([
    ['closed', '2026.4', 'phase.defect.closed'],
    ['rejected', '2026.4', 'phase.defect.rejected'],
    ['duplicate', '2026.4', 'phase.defect.duplicate'],
    ['in a done metaphase (Proposed Close)', '2026.4', 'phase.defect.proposeclose'],
    ['open but in another release', '2026.5', 'phase.defect.new']
  ])('dedupe does not reuse a defect that is %s: files a new one, created=true', async (_what, release, phase) => {
    const name = uniqueName('Not reusable');
    const old = existingDefect(name, release, phase);
    const commentsBefore = sim().store.all('comments').length;

    const run = await runInProcess(createInputs(name, { dedupe: 'true' }), RUNNER);

    expect(run.code).toBe(0);
    expect(run.outputs.created).toBe('true');
    expect(defectsNamed(sim(), name)).toHaveLength(2);
    expect(run.outputs['defect-id']).not.toBe(old.id);
    const created = sim().store.get('defects', run.outputs['defect-id'] as string) as SimEntity;
    expect(refId(created.release)).toBe(sim().store.releaseByName('2026.4').id);
    expect(sim().store.all('comments')).toHaveLength(commentsBefore);
  });
});

describe('create-defect: severity', () => {
  it.each([
    ['by name, any case', 'very high', 'list_node.severity.very_high'],
    ['by logical name', 'list_node.severity.urgent', 'list_node.severity.urgent']
  ])('%s: sets the severity reference', async (_how, input, logical) => {
    const name = uniqueName('Severity');
    const node = sim().store.byLogicalName(logical);

    const run = await runInProcess(createInputs(name, { severity: input }));

    expect(run.code).toBe(0);
    const defect = sim().store.get('defects', run.outputs['defect-id'] as string) as SimEntity;
    expect(refId(defect.severity)).toBe(node.id);
    expect(run.summary).toContain(`| Severity | ${String(node.name)} |`);
  });

  it('an unknown severity fails naming it and the valid ones, and writes nothing', async () => {
    const name = uniqueName('Bad severity');

    const run = await runInProcess(createInputs(name, { severity: 'Blocker' }));

    expect(run.code).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toContain('"Blocker"');
    for (const valid of ['Low', 'Medium', 'High', 'Very High', 'Urgent']) expect(run.errors[0]).toContain(valid);
    // Not the priority list's nodes: severities only.
    expect(run.errors[0]).toContain('list_node.severity.');
    expect(run.errors[0]).not.toContain('list_node.priority');
    expect(writes(sim())).toBe(0);
    expect(defectsNamed(sim(), name)).toHaveLength(0);
    expect(run.outputs['defect-id']).toBeUndefined();
  });
});

describe('create-defect: extra-fields', () => {
  it('merges user-defined fields and priority into the new defect', async () => {
    const name = uniqueName('Extra fields');
    const priority = sim().store.byLogicalName('list_node.priority.high');
    const extra = JSON.stringify({ priority: { type: 'list_node', id: priority.id }, build_number_udf: '4711' });

    const run = await runInProcess(createInputs(name, { 'extra-fields': extra }));

    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    const defect = sim().store.get('defects', run.outputs['defect-id'] as string) as SimEntity;
    expect(refId(defect.priority)).toBe(priority.id);
    expect(defect.build_number_udf).toBe('4711');
    expect(defect.name).toBe(name);
  });

  it.each([
    ['invalid JSON', '{"priority": }', /extra-fields.*not valid JSON/],
    ['a JSON array', '[{"priority": 1}]', /extra-fields.*must be a JSON object/],
    ['a reserved key (name)', '{"name": "other"}', /extra-fields.*"name"/],
    ['a reserved key (release)', '{"release": {"type": "release", "id": "1002"}}', /extra-fields.*"release"/],
    ['a reserved key (parent)', '{"parent": {"type": "work_item_root", "id": "1"}}', /extra-fields.*"parent"/]
  ])('%s fails before any request, naming the input', async (_what, value, message) => {
    const run = await runInProcess(createInputs(uniqueName('Bad extra'), { 'extra-fields': value }));

    expect(run.code).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(message);
    expect(sim().log).toHaveLength(0);
  });
});

describe('create-defect: dry run', () => {
  it('signs in, resolves every name, prints the fields it would send, writes nothing', async () => {
    const name = uniqueName('Dry run');
    const release = sim().store.releaseByName('2026.4');
    const severity = sim().store.byLogicalName('list_node.severity.medium');
    const root = sim().store.all('work_item_roots')[0] as SimEntity;

    const run = await runInProcess(
      createInputs(name, { 'dry-run': 'true', severity: 'Medium', 'extra-fields': '{"team_udf": "payments"}' }),
      RUNNER
    );

    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    expect(signedIn()).toBe(true);
    expect(getsOf(sim(), 'releases').length).toBeGreaterThan(0);
    expect(getsOf(sim(), 'list_nodes').length).toBeGreaterThan(0);
    expect(writes(sim())).toBe(0);
    expect(defectsNamed(sim(), name)).toHaveLength(0);
    expect(run.outputs).toEqual({ created: 'false', 'defect-id': '', 'defect-url': '', attachments: '[]', 'failed-tests': '' });
    // Every field, with the resolved ids.
    for (const expected of [
      `"name": ${JSON.stringify(name)}`,
      `"id": "${release.id}"`,
      `"id": "${severity.id}"`,
      `"id": "${root.id}"`,
      '"team_udf": "payments"',
      RUN_URL
    ]) {
      expect(run.stdout).toContain(expected);
    }
    expect(run.stdout).not.toContain('is_draft');
    expect(run.summary).toContain('dry run, nothing written');
  });

  it('with dedupe and an open duplicate: says it would comment, and adds no comment', async () => {
    const name = uniqueName('Dry run dedupe');
    const open = existingDefect(name, '2026.4', 'phase.defect.new');
    const commentsBefore = sim().store.all('comments').length;

    const run = await runInProcess(createInputs(name, { 'dry-run': 'true', dedupe: 'true' }), RUNNER);

    expect(run.code).toBe(0);
    expect(writes(sim())).toBe(0);
    expect(sim().store.all('comments')).toHaveLength(commentsBefore);
    expect(run.outputs).toMatchObject({ created: 'false', 'defect-id': '' });
    expect(run.stdout).toContain(`would add a comment to open defect ${open.id}`);
  });
});

// ---------------------------------------------------------------------------------------------
// Gate on a release of its own, with more defects than one page, so counts from a page would show.

const GATE_RELEASE = 'Gate features';
const GATE_DATA: Array<[phase: string, severity: string | undefined, count: number]> = [
  ['phase.defect.new', 'list_node.severity.high', 150],
  ['phase.defect.opened', 'list_node.severity.low', 30],
  ['phase.defect.opened', 'list_node.severity.urgent', 2],
  ['phase.defect.deferred', undefined, 7],
  ['phase.defect.closed', 'list_node.severity.urgent', 5]
];
const OPEN = new Set(['phase.defect.new', 'phase.defect.opened', 'phase.defect.deferred']);

function seedGateRelease(s: Simulator): void {
  const release = s.store.add('releases', { name: GATE_RELEASE });
  for (const [phase, severity, count] of GATE_DATA) {
    s.store.addDefects(count, {
      release: ref(release),
      phase: ref(s.store.byLogicalName(phase)),
      ...(severity ? { severity: ref(s.store.byLogicalName(severity)) } : {}),
      name: (i: number) => `Gate defect ${phase} ${severity ?? 'none'} ${i}`
    });
  }
}

/** Complete counts of the seeded release's open defects, from the store. */
const expectedCounts = (s: Simulator): ExpectedGate => expectedGate(s.store, { release: GATE_RELEASE, phases: [...OPEN] });

function gateInputs(more: Record<string, string> = {}, s: Simulator = sim()): Record<string, string> {
  return { mode: 'gate', ...connectionInputs(s), 'release-name': GATE_RELEASE, ...more };
}

describe('gate: fail-on-gate, breakdown, summary', () => {
  beforeAll(() => seedGateRelease(sim()));

  const verdict = (total: number): string =>
    `Gate failed: ${total} defects (release ${GATE_RELEASE}, phases New/Opened/Deferred, every severity); allowed: <= 0`;

  it('fail-on-gate false: gate-result failed, exit 0, one warning with the verdict, no error', async () => {
    const { count: total } = expectedCounts(sim());

    const run = await runInProcess(gateInputs({ 'fail-on-gate': 'false' }));

    expect(run.code).toBe(0);
    expect(run.outputs['gate-result']).toBe('failed');
    expect(run.outputs['defect-count']).toBe(String(total));
    expect(run.errors).toEqual([]);
    expect(run.warnings).toHaveLength(1);
    expect(run.warnings[0]).toContain(verdict(total));
    expect(run.summary).toContain('Gate failed');
  });

  it('fail-on-gate true and failed: exit 1 and exactly one error annotation, the verdict', async () => {
    const { count: total } = expectedCounts(sim());

    const run = await runInProcess(gateInputs({ 'fail-on-gate': 'true' }));

    expect(run.code).toBe(1);
    expect(run.outputs['gate-result']).toBe('failed');
    expect(run.errors).toEqual([verdict(total)]);
    expect(run.warnings).toEqual([]);
  });

  it('counts by severity and phase are complete with list-limit 1, without paging', async () => {
    const expected = expectedCounts(sim());
    expect(expected.count).toBeGreaterThan(100); // more than one default page

    const run = await runInProcess(gateInputs({ 'list-limit': '1', 'fail-on-gate': 'false' }));

    expect(run.code).toBe(0);
    expect(run.outputs['defect-count']).toBe(String(expected.count));
    expect(JSON.parse(run.outputs['counts-by-severity'] ?? '{}')).toEqual(expected.bySeverity);
    expect(JSON.parse(run.outputs['counts-by-phase'] ?? '{}')).toEqual(expected.byPhase);
    expect(JSON.parse(run.outputs.defects ?? '[]')).toHaveLength(1);
    const gets = getsOf(sim(), 'defects');
    expect(gets.every((r) => r.query.offset === undefined || r.query.offset === '0')).toBe(true);
    expect(gets.every((r) => Number(r.query.limit ?? '100') <= 1)).toBe(true);
    // One list page (its total_count is the count) and the two groupings: no page-by-page walk, no count per part.
    expect(gets).toHaveLength(1);
    const grouped = sim().log.filter((r) => r.method === 'GET' && r.path.endsWith('/defects/groups'));
    expect(grouped.map((r) => r.query.group_by).sort()).toEqual(['phase', 'severity']);
  });

  it('the summary: verdict first, then the breakdown table and a Mermaid chart, then the defects, "and N more" when cut', async () => {
    const { count: total, bySeverity } = expectedCounts(sim());

    const run = await runInProcess(gateInputs({ 'list-limit': '3', 'fail-on-gate': 'false' }));

    const s = run.summary;
    const at = (text: string): number => {
      const i = s.indexOf(text);
      expect(i).toBeGreaterThanOrEqual(0);
      return i;
    };
    const firstLine = s.split('\n').find((l) => l.trim() !== '') ?? '';
    expect(firstLine).toContain('Gate failed');
    const breakdown = at('### Breakdown');
    expect(at('Gate failed')).toBeLessThan(breakdown);
    expect(at('| Severity | Defects |')).toBeGreaterThan(breakdown);
    expect(at('| Phase | Defects |')).toBeGreaterThan(breakdown);
    const mermaid = at('```mermaid');
    expect(mermaid).toBeGreaterThan(breakdown);
    const chart = s.slice(mermaid, s.indexOf('```', mermaid + 3) + 3);
    // The severity chart comes first, coloured by severity through Mermaid's theme variables.
    expect(chart).toMatch(/^```mermaid\n%%\{init: \{"themeVariables": \{"pie1": "#[0-9a-f]{6}".*\}%%\npie /);
    expect(chart).toContain(`"High" : ${bySeverity.High}`);
    const defects = at('### Defects');
    expect(defects).toBeGreaterThan(mermaid);
    expect(s).toMatch(new RegExp(`\\| High \\| ${bySeverity.High} \\|`));
    expect(at(`and ${total - 3} more`)).toBeGreaterThan(defects);
    // Three rows listed, linked to Octane.
    const listed = JSON.parse(run.outputs.defects ?? '[]') as Array<{ id: string }>;
    expect(listed).toHaveLength(3);
    for (const d of listed) expect(s.slice(defects)).toContain(`>${d.id}</a>`);
  });

  it('dry run: prints the query, counts nothing, exit 0', async () => {
    const release = sim().store.releaseByName(GATE_RELEASE);

    const run = await runInProcess(gateInputs({ 'dry-run': 'true' }));

    expect(run.code).toBe(0);
    expect(run.errors).toEqual([]);
    expect(signedIn()).toBe(true);
    expect(getsOf(sim(), 'defects')).toHaveLength(0);
    expect(writes(sim())).toBe(0);
    expect(run.outputs['gate-result']).toBeUndefined();
    expect(run.outputs['defect-count']).toBeUndefined();
    const filter = run.stdout.split('\n').find((l) => l.startsWith('Filter: ')) ?? '';
    expect(filter).toContain(`release EQ {id EQ ${release.id}}`);
    for (const p of OPEN) expect(filter).toContain(sim().store.byLogicalName(p).id);
    expect(run.summary).toContain('dry run');
  });
});

describe('gate: no extra sequential round trip for the breakdown', () => {
  // Every answer re-issues the session cookie, so each request carries the value set by the
  // latest answer before it was sent: requests sent together (one wave) carry the same value,
  // and a request sent after another answer carries a new one. Distinct values = waves.
  const wavesSim = useSimulator({ cookieReissueEvery: 1, latencyMs: 30 });
  beforeAll(() => seedGateRelease(wavesSim()));

  it('look-ups and every count in one wave: sign-in, then one round trip', async () => {
    const run = await runInProcess(gateInputs({ 'list-limit': '1', 'fail-on-gate': 'false' }, wavesSim()));

    expect(run.code).toBe(0);
    expect(JSON.parse(run.outputs['counts-by-phase'] ?? '{}')).toEqual(expectedCounts(wavesSim()).byPhase);
    const api = wavesSim().log.filter((r) => !r.path.includes('/authentication/'));
    const lookupWaves = new Set(api.filter((r) => !r.path.endsWith('/defects')).map((r) => r.lwsso));
    const countWaves = new Set(getsOf(wavesSim(), 'defects').map((r) => r.lwsso));
    expect(lookupWaves.size).toBe(1);
    expect(countWaves.size).toBe(1);
    expect(new Set(api.map((r) => r.lwsso)).size).toBe(1);
    // And by the clock: every API request arrived before the first API answer left.
    const firstAnswer = Math.min(...api.map((r) => r.answeredAt ?? Infinity));
    expect(api.every((r) => r.receivedAt < firstAnswer)).toBe(true);
    // Sign-in, the six of the wave, sign-out: eight requests.
    expect(
      wavesSim()
        .log.map((r) => r.path.replace(/^.*\/(authentication|workspaces\/\w+)\//, ''))
        .sort()
    ).toEqual(['defects', 'defects/groups', 'defects/groups', 'list_nodes', 'phases', 'releases', 'sign_in', 'sign_out']);
  });
});

describe('logs: a group per stage, with what was resolved', () => {
  it('gate: sign-in, look-ups (release, phase and severity ids), the query', async () => {
    const release = sim().store.releaseByName('2026.4');
    const high = sim().store.byLogicalName('list_node.severity.high');
    const urgent = sim().store.byLogicalName('list_node.severity.urgent');

    const run = await runInProcess({
      mode: 'gate',
      ...connectionInputs(sim()),
      'release-name': '2026.4',
      severities: 'High, Urgent',
      'fail-on-gate': 'false'
    });

    const g = groups(run);
    const titles = g.map((x) => x.title);
    expect(titles.indexOf('Sign in')).toBeGreaterThanOrEqual(0);
    expect(titles.indexOf('Look-ups')).toBeGreaterThan(titles.indexOf('Sign in'));
    expect(titles.indexOf('Gate query')).toBeGreaterThan(titles.indexOf('Look-ups'));
    const lookups = g.find((x) => x.title === 'Look-ups')?.lines.join('\n') ?? '';
    expect(lookups).toContain(`id ${release.id}`);
    for (const p of OPEN) expect(lookups).toContain(`(${sim().store.byLogicalName(p).id})`);
    expect(lookups).toContain(`High (${high.id})`);
    expect(lookups).toContain(`Urgent (${urgent.id})`);
    const query = g.find((x) => x.title === 'Gate query')?.lines.join('\n') ?? '';
    // The look-ups' own filters, confirmed by their answers, in place of ids.
    expect(query).toContain('Filter: release EQ {name EQ ^2026.4^};');
    expect(query).toContain('The look-ups confirmed every filter');
    expect(query).toContain('Gate failed');
  });

  it('create-defect: sign-in, look-ups (release, severity ids), the create', async () => {
    const release = sim().store.releaseByName('2026.4');
    const severity = sim().store.byLogicalName('list_node.severity.low');

    const run = await runInProcess(createInputs(uniqueName('Logs'), { severity: 'low' }));

    expect(run.code).toBe(0);
    const g = groups(run);
    const titles = g.map((x) => x.title);
    expect(titles.filter((t) => ['Sign in', 'Look-ups', 'Create defect'].includes(t))).toEqual(['Sign in', 'Look-ups', 'Create defect']);
    const lookups = g.find((x) => x.title === 'Look-ups')?.lines.join('\n') ?? '';
    expect(lookups).toContain(`Release "2026.4": id ${release.id}`);
    expect(lookups).toContain(`Severity "Low": id ${severity.id}`);
    const createLines = g.find((x) => x.title === 'Create defect')?.lines.join('\n') ?? '';
    expect(createLines).toContain(`Created defect ${run.outputs['defect-id']}`);
  });

  it('the inputs are a stage of their own, first, without the secret', async () => {
    const run = await runInProcess({ mode: 'gate', ...connectionInputs(sim()), 'release-name': '2026.4', 'fail-on-gate': 'false' });

    const g = groups(run);
    const inputs = g.find((x) => /input/i.test(x.title));
    expect(inputs).toBeDefined();
    expect(g.indexOf(inputs!)).toBe(0);
    const text = inputs!.lines.join('\n');
    expect(text).toContain('2026.4');
    expect(text).toContain('gate');
    expect(text).not.toContain(sim().credentials.clientSecret);
  });
});
