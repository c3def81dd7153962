// Which files get attached (patterns, workspace boundary, limits) and what an upload does when
// Octane refuses it or its answer is lost: always a warning naming the file, never a throw.
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  MAX_ATTACHMENTS,
  MAX_ATTACHMENT_BYTES,
  MAX_ATTACHMENTS_TOTAL_BYTES,
  planAttachments,
  uploadAttachments
} from '../../src/create-defect/attachments.js';
import { recordingLog, signedInClient, useSignedInClient } from '../helpers/octane-client.js';
import type { AttachmentApi } from '../../src/octane/api.js';
import type { FoundFile } from '../../src/create-defect/workspace-files.js';
import { listedFile } from '../helpers/listed-file.js';

let base: string;
let ws: string;
beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'attach-'));
  ws = join(base, 'workspace');
  mkdirSync(join(ws, 'logs', 'deep'), { recursive: true });
  writeFileSync(join(ws, 'build.log'), 'build output\n');
  writeFileSync(join(ws, 'logs', 'a.txt'), 'a');
  writeFileSync(join(ws, 'logs', 'debug-1.txt'), 'debug');
  writeFileSync(join(ws, 'logs', 'deep', 'b.txt'), 'bb');
  writeFileSync(join(base, 'secret.txt'), 'outside the workspace');
  symlinkSync(join(base, 'secret.txt'), join(ws, 'logs', 'link-out.txt'));
  symlinkSync(join(ws, 'build.log'), join(ws, 'logs', 'link-in.log'));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

const names = (files: FoundFile[]) => files.map((f) => f.shown).sort();

describe('choosing the files', () => {
  it('matches paths and globs relative to the workspace, with ! exclusions, each file once', async () => {
    const plan = await planAttachments(['build.log', 'logs/**/*.txt', '!logs/**/debug-*.txt', 'logs/a.txt'], ws);
    expect(names(plan.files)).toEqual(['build.log', 'logs/a.txt', 'logs/deep/b.txt']);
    // The link out of the workspace matched the glob and was refused by name.
    expect(plan.warnings).toEqual([expect.stringContaining('"logs/link-out.txt" is a symbolic link to a file outside the workspace')]);
  });

  it('keeps a symbolic link whose target is inside the workspace', async () => {
    const plan = await planAttachments(['logs/link-in.log'], ws);
    expect(plan.files.map((f) => [f.shown, f.name, f.size])).toEqual([['logs/link-in.log', 'link-in.log', 13]]);
    expect(plan.warnings).toEqual([]);
  });

  it('refuses patterns that lead outside the workspace, by .. or an absolute path', async () => {
    const plan = await planAttachments(['../secret.txt', 'logs/../../secret.txt', join(base, 'secret.txt'), '../*'], ws);
    expect(plan.files).toEqual([]);
    expect(plan.warnings).toHaveLength(4);
    for (const w of plan.warnings) expect(w).toContain('leads outside the workspace');
    expect(plan.warnings[0]).toContain('"../secret.txt"');
  });

  it('warns, naming the pattern, when a pattern matches nothing', async () => {
    const plan = await planAttachments(['build.log', 'reports/*.html'], ws);
    expect(names(plan.files)).toEqual(['build.log']);
    expect(plan.warnings).toEqual([expect.stringContaining('no file matches "reports/*.html" in the workspace')]);
  });

  it('accepts an absolute path inside the workspace', async () => {
    const plan = await planAttachments([join(ws, 'build.log')], ws);
    expect(names(plan.files)).toEqual(['build.log']);
  });
});

describe('limits', () => {
  let lim: string;
  beforeAll(() => {
    lim = join(base, 'limits');
    mkdirSync(lim);
    // Sparse files: the sizes count, not the disk.
    const sized = (name: string, bytes: number) => {
      writeFileSync(join(lim, name), '');
      truncateSync(join(lim, name), bytes);
    };
    sized('too-big.log', MAX_ATTACHMENT_BYTES + 1);
    sized('just-fits.log', MAX_ATTACHMENT_BYTES);
    for (let i = 0; i < 6; i++) sized(`nine-${i}.log`, 9 * 1024 * 1024);
    for (let i = 0; i < MAX_ATTACHMENTS + 3; i++) writeFileSync(join(lim, `small-${String(i).padStart(2, '0')}.txt`), 'x');
  });

  it('leaves out a file over 10 MiB, naming it, and keeps one of exactly 10 MiB', async () => {
    const plan = await planAttachments(['too-big.log', 'just-fits.log'], lim);
    expect(names(plan.files)).toEqual(['just-fits.log']);
    expect(plan.warnings).toEqual([expect.stringMatching(/^attachments: "too-big\.log" is 10\.0 MiB, over the 10\.0 MiB a file may have/)]);
  });

  it('stops at 50 MiB in all, naming the files left out', async () => {
    const plan = await planAttachments(['nine-*.log'], lim);
    const total = plan.files.reduce((n, f) => n + f.size, 0);
    expect(total).toBeLessThanOrEqual(MAX_ATTACHMENTS_TOTAL_BYTES);
    expect(plan.files).toHaveLength(5);
    expect(plan.warnings).toEqual([expect.stringContaining('would bring the attachments over 50.0 MiB in all')]);
  });

  it('attaches at most 20 files and names the others', async () => {
    const plan = await planAttachments(['small-*.txt'], lim);
    expect(plan.files).toHaveLength(MAX_ATTACHMENTS);
    expect(plan.warnings).toHaveLength(1);
    expect(plan.warnings[0]).toContain(`at most ${MAX_ATTACHMENTS} files are attached; not attached:`);
    expect(plan.warnings[0]).toContain('small-22.txt');
  });
});

describe('uploading through the client', () => {
  const { sim, client } = useSignedInClient({ cookieReissueEvery: 0 });
  let owner: string;
  let files: string;
  beforeAll(() => {
    const root = sim().store.all('work_item_roots')[0]!;
    owner = sim().store.add('defects', { name: 'Owner of attachments', parent: { type: 'work_item_root', id: root.id } }).id;
    files = join(base, 'uploads');
    mkdirSync(files);
    writeFileSync(join(files, 'shot.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 0xff, 0x0d, 0x0a]));
    writeFileSync(join(files, 'tool.exe'), 'MZ');
    writeFileSync(join(files, 'a "quoted"\nname.txt'), 'odd name');
  });
  const file = (name: string): FoundFile => listedFile(join(files, name), name, name);
  const attachmentsOf = (id: string) => sim().store.find('attachments', (a) => (a.owner_work_item as { id: string }).id === id);

  it('uploads each file with its name and exact bytes; a refused extension is a warning naming the file', async () => {
    const { log, warnings } = recordingLog();
    const uploaded = await uploadAttachments(client(), log, owner, [file('shot.png'), file('tool.exe'), file('a "quoted"\nname.txt')]);
    expect(uploaded).toEqual(['shot.png', 'a "quoted"\nname.txt']);
    const stored = attachmentsOf(owner);
    expect(stored.map((a) => a.name)).toEqual(['shot.png', 'a "quoted"\nname.txt']);
    expect(Buffer.compare(stored[0]!.content as Buffer, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 0xff, 0x0d, 0x0a]))).toBe(0);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('Octane refused "tool.exe"');
    expect(warnings[0]).toContain('file extensions');
  });

  it('does not send again an upload whose answer was lost (502 after storing): a warning, one POST', async () => {
    sim().faults.add({ method: 'POST', path: '/attachments', processThenStatus: 502 });
    const before = sim().log.length;
    const { log, warnings } = recordingLog();
    const uploaded = await uploadAttachments(client(), log, owner, [file('shot.png')]);
    expect(uploaded).toEqual([]);
    expect(warnings).toEqual([expect.stringContaining('"shot.png" may or may not have been attached')]);
    expect(
      sim()
        .log.slice(before)
        .filter((r) => r.method === 'POST' && r.path.endsWith('/attachments'))
    ).toHaveLength(1);
  });

  it('sends again where the server surely did not store it (503)', async () => {
    sim().faults.add({ method: 'POST', path: '/attachments', status: 503 });
    const count = attachmentsOf(owner).length;
    const { log, warnings } = recordingLog();
    expect(await uploadAttachments(client(), log, owner, [file('shot.png')])).toEqual(['shot.png']);
    expect(warnings).toEqual([]);
    expect(attachmentsOf(owner)).toHaveLength(count + 1);
  });

  it('a 2xx answer that cannot be read: the file may or may not have been attached, and it is not sent again', async () => {
    sim().faults.add({ method: 'POST', path: '/attachments', status: 201, json: { note: 'stored' } });
    const before = sim().log.length;
    const { log, warnings } = recordingLog();
    expect(await uploadAttachments(client(), log, owner, [file('shot.png')])).toEqual([]);
    expect(warnings).toEqual([expect.stringContaining('"shot.png" may or may not have been attached')]);
    expect(
      sim()
        .log.slice(before)
        .filter((r) => r.method === 'POST' && r.path.endsWith('/attachments'))
    ).toHaveLength(1);
  });

  it('a run cancelled during an upload: one warning for that file, one naming the files not attempted', async () => {
    const own = await signedInClient(sim());
    sim().faults.add({ method: 'POST', path: '/attachments', delayMs: 3000 });
    let calls = 0;
    // The run is cancelled while the first upload is on the wire.
    const api: AttachmentApi = {
      attach: (...args) => {
        const upload = own.attach(...args);
        if (calls++ === 0) setTimeout(() => void own.cancel(200), 300);
        return upload;
      }
    };
    const { log, warnings } = recordingLog();
    const uploaded = await uploadAttachments(api, log, owner, [file('shot.png'), file('a "quoted"\nname.txt'), file('shot.png')]);
    expect(uploaded).toEqual([]);
    expect(calls).toBe(1);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain('"shot.png" may or may not have been attached');
    expect(warnings[1]).toBe('attachments: not attempted: "a \\"quoted\\"\\nname.txt", "shot.png"');
  });

  it('a file that vanished before its upload is a warning, and the others still go', async () => {
    const { log, warnings } = recordingLog();
    writeFileSync(join(files, 'gone.txt'), 'listed, then removed');
    const gone = file('gone.txt');
    rmSync(join(files, 'gone.txt'));
    const uploaded = await uploadAttachments(client(), log, owner, [gone, file('shot.png')]);
    expect(uploaded).toEqual(['shot.png']);
    expect(warnings).toEqual([expect.stringContaining('"gone.txt" could not be read')]);
  });
});
