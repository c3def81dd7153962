// Names with query metacharacters under the three readings of a backslash inside ^...^ that
// real servers may have (Octane documents none): each is found, and a look-alike never is.
import { describe, expect, it } from '@jest/globals';
import type { Escaping } from '../simulator/query/parser.js';
import type { EntityLike } from '../simulator/query/evaluate.js';
import type { Collection } from '../src/octane/api.js';
import { findRelease, LookupError } from '../src/lookups.js';
import { runCreateDefect } from '../src/create-defect/run.js';
import type { CreateDefectSettings } from '../src/settings.js';
import { fakeOctane, recordingLog } from './helpers/fake-octane.js';
import { filedByAction } from './helpers/e2e-simulator.js';

const MODES: Escaping[] = ['any', 'ci-sdk', 'none'];
const META = /[\\^'"()*;|,{}]/g;

/** Every metacharacter of the brief, alone and in company; and names that try to end the string. */
const NAMES = [
  `R1 ^x' "(y)" \\ *`,
  'a^b',
  'x^',
  '^',
  '***',
  '\\',
  'end\\',
  'fix (\\*) ; a|b, {c}',
  `it's "quoted"`,
  'r^;name EQ ^2026.4',
  'q^||name EQ ^2026.4'
];

/** Names a careless query would also match: suffixes, and what a wildcard or a literal backslash reading finds. */
function traps(name: string): string[] {
  return [
    ...new Set([
      `${name}-old`,
      `old ${name}`,
      name.replace(META, 'Z'),
      name.replace(META, ''),
      name.replace(META, (c) => `\\${c}`),
      name.replace(META, (c) => `\\${c}Q`),
      '2026.4'
    ])
  ].filter((t) => t !== name);
}

let ids = 5000;
const nextId = (): string => String(++ids);
const ref = (e: EntityLike): { type: string; id: string } => ({ type: e.type, id: e.id });

function releases(names: string[]): EntityLike[] {
  return names.map((name) => ({ id: nextId(), type: 'release', name }));
}

describe.each(MODES)("findRelease when the server's escaping is '%s'", (escaping) => {
  it.each(NAMES)('finds %j and none of its look-alikes', async (name) => {
    // The look-alikes get both lower and higher ids than the release.
    const before = releases(traps(name));
    const [target] = releases([name]);
    const after = releases(traps(name).map((t) => `${t} `));
    const api = fakeOctane({ releases: [...before, target!, ...after] }, escaping);
    expect(await findRelease(api, name)).toEqual({ id: target!.id, name });
  });

  it.each(NAMES)('fails on %j when only look-alikes exist, naming it', async (name) => {
    const api = fakeOctane({ releases: releases(traps(name)) }, escaping);
    const error = await findRelease(api, name).then(
      () => undefined,
      (e: unknown) => e
    );
    expect(error).toBeInstanceOf(LookupError);
    expect((error as LookupError).message).toContain(`No release named ${JSON.stringify(name)}`);
  });

  it('asks once for a name without metacharacters, as before', async () => {
    const api = fakeOctane({ releases: releases(['2026.4', '2026.4-old', '2026.5']) }, escaping);
    expect((await findRelease(api, '2026.4')).name).toBe('2026.4');
    expect(api.lists.map((c) => c.params.query)).toEqual(['name EQ ^2026.4^']);
  });

  it('fails closed when a wildcard search matches more releases than it reads', async () => {
    // '***' becomes the pattern '*': every release; 5,000 are read, 6,000 are there.
    const many = Array.from({ length: 6000 }, (_, i) => ({ id: String(100000 + i), type: 'release', name: `R${i}` }));
    const api = fakeOctane({ releases: many }, escaping);
    const error = await findRelease(api, '***').then(
      () => undefined,
      (e: unknown) => e
    );
    // Whatever the reading, the escaped query finds no release of that name, so the wildcard walk
    // reads its 5 pages and, not having read them all, does not claim the name is absent.
    expect((error as LookupError).problems.map((p) => p.input)).toEqual(['release-name']);
    expect((error as Error).message).toContain('No release named exactly "***" among the first 5000 of 6000');
    expect(api.lists.filter((c) => c.params.query === 'name EQ ^*^')).toHaveLength(5);
  });
});

describe('the escaped query is kept where it works', () => {
  it('costs one request for a name with metacharacters on a server that escapes any character', async () => {
    const api = fakeOctane({ releases: releases([NAMES[0]!, ...traps(NAMES[0]!)]) }, 'any');
    await findRelease(api, NAMES[0]!);
    expect(api.lists).toHaveLength(1);
  });

  it("under 'ci-sdk' the escaped name is refused (400) and the wildcard search finds it", async () => {
    const api = fakeOctane({ releases: releases(['a^b', 'a-b']) }, 'ci-sdk');
    expect((await findRelease(api, 'a^b')).name).toBe('a^b');
    expect(api.lists.map((c) => [c.status, c.params.query])).toEqual([
      [400, 'name EQ ^a\\^b^'],
      [200, 'name EQ ^a*b^']
    ]);
  });
});

// ---- create-defect: dedupe and the recovery after a lost answer, through the mode --------------

function workspace(): Partial<Record<Collection, EntityLike[]>> {
  const itemOrigin = { id: '2001', type: 'list_node', name: 'Item origin', logical_name: 'list_node.item_origin', list_root: null };
  const open = { id: '4001', type: 'metaphase', name: 'New', logical_name: 'metaphase.work_item.new' };
  const done = { id: '4003', type: 'metaphase', name: 'Done', logical_name: 'metaphase.work_item.done' };
  return {
    work_item_roots: [{ id: '1001', type: 'work_item_root' }],
    list_nodes: [
      itemOrigin,
      { id: '2002', type: 'list_node', name: 'GitHub Actions', logical_name: 'list_node.item_origin.gha', list_root: ref(itemOrigin) }
    ],
    metaphases: [open, done],
    phases: [
      { id: '3001', type: 'phase', name: 'New', logical_name: 'phase.defect.new', entity: 'defect', metaphase: ref(open) },
      { id: '3005', type: 'phase', name: 'Closed', logical_name: 'phase.defect.closed', entity: 'defect', metaphase: ref(done) }
    ],
    releases: [],
    defects: [],
    comments: []
  };
}

function settings(defectName: string, releaseName: string, dedupe: boolean): CreateDefectSettings {
  return {
    mode: 'create-defect',
    // The fake api never connects: the modes do not read the connection.
    connection: {} as CreateDefectSettings['connection'],
    releaseName,
    dryRun: false,
    defectName,
    defectDescription: '',
    extraFields: {},
    dedupe,
    addRunContext: false,
    attachments: [],
    testResults: []
  };
}

const PAIRS: Array<[string, string]> = [
  [`R1 ^x' "(y)" \\ *`, `R1 ^x' "(y)" \\ *`],
  ['fix (\\*) ; a|b, {c}', '2026.4'],
  ['Build failed', 'a^b'],
  ['x^', '^'],
  ['r^;name EQ ^2026.4', 'q^||name EQ ^2026.4']
];

describe.each(MODES)("create-defect when the server's escaping is '%s'", (escaping) => {
  it.each(PAIRS)('dedupe reuses the open defect %j in release %j, never a look-alike', async (name, releaseName) => {
    const ws = workspace();
    const [release] = releases([releaseName]);
    const twinReleases = releases(traps(releaseName));
    ws.releases = [release!, ...twinReleases];
    const phaseNew = ref(ws.phases![0]!);
    const phaseClosed = ref(ws.phases![1]!);
    const defect = (n: string, r: EntityLike, phase: { type: string; id: string }): EntityLike => ({
      id: nextId(),
      type: 'defect',
      name: n,
      description: filedByAction(),
      release: ref(r),
      phase
    });
    const target = defect(name, release!, phaseNew);
    // Newer than the target, so a look-alike would be chosen first if it were taken.
    const lookAlikes = [
      ...traps(name).map((t) => defect(t, release!, phaseNew)),
      ...twinReleases.map((r) => defect(name, r, phaseNew)),
      defect(name, release!, phaseClosed)
    ];
    ws.defects = [target, ...lookAlikes];
    const api = fakeOctane(ws, escaping);
    const result = await runCreateDefect(settings(name, releaseName, true), api, recordingLog(), { newToken: () => 'tok-1' });
    expect(result.reused?.id).toBe(target.id);
    expect(result.created).toBe(false);
    expect(api.posts.map((p) => [p.collection, (p.fields.owner_work_item as { id?: string } | undefined)?.id])).toEqual([
      ['comments', target.id]
    ]);
  });

  it.each(PAIRS)('dedupe creates a new defect %j in %j when only look-alikes are open', async (name, releaseName) => {
    const ws = workspace();
    const [release] = releases([releaseName]);
    const twinReleases = releases(traps(releaseName));
    ws.releases = [release!, ...twinReleases];
    const phaseNew = ref(ws.phases![0]!);
    ws.defects = [
      ...traps(name).map((t) => ({
        id: nextId(),
        type: 'defect',
        name: t,
        description: filedByAction(),
        release: ref(release!),
        phase: phaseNew
      })),
      ...twinReleases.map((r) => ({ id: nextId(), type: 'defect', name, description: filedByAction(), release: ref(r), phase: phaseNew }))
    ];
    const api = fakeOctane(ws, escaping);
    const result = await runCreateDefect(settings(name, releaseName, true), api, recordingLog(), { newToken: () => 'tok-2' });
    expect(result.created).toBe(true);
    expect(result.reused).toBeUndefined();
    expect(api.posts.map((p) => p.collection)).toEqual(['defects']);
    expect(api.posts[0]!.fields.release).toEqual({ type: 'release', id: release!.id });
  });

  it.each(PAIRS)('a lost create of %j in %j is recovered by its token, not sent twice', async (name, releaseName) => {
    const ws = workspace();
    ws.releases = [...releases([releaseName]), ...releases(traps(releaseName))];
    const api = fakeOctane(ws, escaping);
    api.loseNextCreateAnswers = 1;
    const result = await runCreateDefect(settings(name, releaseName, false), api, recordingLog(), {
      newToken: () => 'tok-3',
      sleep: async () => {}
    });
    expect(result.recovered).toBe(true);
    expect(ws.defects).toHaveLength(1);
    expect(result.id).toBe(ws.defects![0]!.id);
    expect(api.posts).toHaveLength(1);
  });

  it.each(PAIRS)('a create of %j in %j that did not happen is looked for, then sent again once', async (name, releaseName) => {
    const ws = workspace();
    ws.releases = [...releases([releaseName]), ...releases(traps(releaseName))];
    const api = fakeOctane(ws, escaping);
    api.dropNextCreates = 1;
    const result = await runCreateDefect(settings(name, releaseName, false), api, recordingLog(), {
      newToken: () => 'tok-4',
      sleep: async () => {}
    });
    expect(result.created).toBe(true);
    expect(result.recovered).toBeUndefined();
    expect(ws.defects).toHaveLength(1);
    expect(api.posts).toHaveLength(2);
    // Every search by name that reached the server was read (no 400 left the defect's fate unknown).
    expect(api.lists.filter((c) => c.collection === 'defects').every((c) => c.status === 200)).toBe(true);
  });

  it('dedupe of names without metacharacters sends the same one candidate search as before', async () => {
    const ws = workspace();
    ws.releases = releases(['2026.4']);
    const api = fakeOctane(ws, escaping);
    await runCreateDefect(settings('Build failed', '2026.4', true), api, recordingLog(), { newToken: () => 'tok-5' });
    expect(api.lists.filter((c) => c.collection === 'defects').map((c) => c.params.query)).toEqual([
      'name EQ ^Build failed^;release EQ {name EQ ^2026.4^}'
    ]);
  });
});
