// Workspace files a hostile earlier step prepared, read through the bundle: a JUnit report built to
// exhaust memory, and a listed file swapped for a link or a named pipe before it is read. In each
// case the defect is still filed, the file is named in a warning, and the run signs out.
import { describe, expect, it, beforeAll, afterAll } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectionInputs, defectsNamed, postsTo, refId, signOuts, uniqueName, useSimulator } from '../helpers/e2e-simulator.js';
import { waitFor } from '../helpers/wait.js';
import { runAction } from '../../test-support/run-action.js';

const sim = useSimulator();
let ws: string;

beforeAll(() => {
  ws = mkdtempSync(join(tmpdir(), 'e2e-hostile-files-'));
  mkdirSync(join(ws, 'reports'));
  copyFileSync(fileURLToPath(new URL('../fixtures/junit/pytest.xml', import.meta.url)), join(ws, 'reports', 'pytest.xml'));
});
afterAll(() => rmSync(ws, { recursive: true, force: true }));

const inputs = (name: string, over: Record<string, string>): Record<string, string> => ({
  mode: 'create-defect',
  ...connectionInputs(sim()),
  'release-name': '2026.4',
  'defect-name': name,
  ...over
});
const attachmentsOf = (id: string) => sim().store.find('attachments', (a) => refId(a.owner_work_item) === id);

describe('a JUnit report built to exhaust memory', () => {
  it.each([
    // 90 MB of nested <a> took 5 GB and crashed the runner; 100,000 levels show the same refusal quickly.
    ['nested 100,000 deep', `<testsuites>${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}</testsuites>`, 'nest more than 64 deep'],
    [
      'with 10,000 attributes on one element',
      `<testsuites><testsuite ${Array.from({ length: 10_000 }, (_, i) => `a${i}="v"`).join(' ')}/></testsuites>`,
      'more than 100 attributes'
    ]
  ])(
    'a report %s is refused with a warning naming it; the defect is filed with the other reports',
    async (label, xml, reason) => {
      const file = `reports/hostile-${label.replace(/\W+/g, '-')}.xml`;
      writeFileSync(join(ws, file), xml);
      const name = uniqueName('Hostile report');
      const started = Date.now();
      const run = await runAction(inputs(name, { 'test-results': `reports/*.xml` }), { env: { GITHUB_WORKSPACE: ws }, timeoutMs: 30_000 });
      rmSync(join(ws, file));

      expect(run.code).toBe(0);
      expect(run.warnings).toHaveLength(1);
      expect(run.warnings[0]).toContain(`"${file}" is not a JUnit XML report that can be read`);
      expect(run.warnings[0]).toContain(reason);
      const [defect, ...others] = defectsNamed(sim(), name);
      expect(others).toEqual([]);
      // The good report still counts (pytest: 1 failure, 1 error).
      expect(run.outputs['failed-tests']).toBe('2');
      expect(String(defect!.description)).toContain('(1 report)');
      expect(signOuts(sim())).toHaveLength(1);
      // Refused at once, not after reading it all (no timing goal: far inside the run's timeout).
      expect(Date.now() - started).toBeLessThan(30_000);
    },
    60_000
  );
});

describe('a listed file swapped before it is read', () => {
  // The swap happens while the defect is being created, after the files were listed and before
  // the upload: a delayed create gives the test time to make it.
  async function swapDuringCreate(name: string, swap: () => void) {
    writeFileSync(join(ws, 'build.log'), 'harmless log\n');
    sim().faults.add({ method: 'POST', path: '/defects', delayMs: 1500 });
    const running = runAction(inputs(name, { attachments: 'build.log' }), { env: { GITHUB_WORKSPACE: ws }, timeoutMs: 30_000 });
    await waitFor('the create request', () => postsTo(sim(), 'defects').length > 0, 20_000);
    rmSync(join(ws, 'build.log'));
    swap();
    const run = await running;
    rmSync(join(ws, 'build.log'), { force: true });
    return run;
  }

  it('for a link to /etc/passwd: nothing of it is uploaded, a warning names the file', async () => {
    const name = uniqueName('Swapped for a link');
    const run = await swapDuringCreate(name, () => symlinkSync('/etc/passwd', join(ws, 'build.log')));
    expect(run.code).toBe(0);
    const [defect] = defectsNamed(sim(), name);
    expect(run.outputs['defect-id']).toBe(defect!.id);
    expect(attachmentsOf(defect!.id)).toEqual([]);
    expect(postsTo(sim(), 'attachments')).toEqual([]);
    expect(run.outputs.attachments).toBe('[]');
    expect(run.warnings).toEqual([
      expect.stringContaining('attachments: "build.log" could not be read (it was replaced by a symbolic link since it was listed)')
    ]);
    expect(signOuts(sim())).toHaveLength(1);
  }, 60_000);

  it('for a named pipe: the run does not block on it, a warning names the file', async () => {
    const name = uniqueName('Swapped for a pipe');
    const run = await swapDuringCreate(name, () => execFileSync('mkfifo', [join(ws, 'build.log')]));
    expect(run.code).toBe(0);
    const [defect] = defectsNamed(sim(), name);
    expect(attachmentsOf(defect!.id)).toEqual([]);
    expect(run.warnings).toEqual([expect.stringContaining('attachments: "build.log" could not be read (it is no longer a regular file)')]);
    expect(signOuts(sim())).toHaveLength(1);
  }, 60_000);

  it('for another file moved in its place: the one listed is the one read, or none', async () => {
    // The other file exists (another inode) while build.log is listed; a file created afresh may
    // reuse the freed inode, which no check of the identity can tell apart.
    writeFileSync(join(ws, 'other.log'), 'another file\n');
    const name = uniqueName('Swapped for another file');
    const run = await swapDuringCreate(name, () => renameSync(join(ws, 'other.log'), join(ws, 'build.log')));
    const [defect] = defectsNamed(sim(), name);
    expect(attachmentsOf(defect!.id)).toEqual([]);
    expect(run.warnings).toEqual([
      expect.stringContaining('attachments: "build.log" could not be read (it was replaced by another file since it was listed)')
    ]);
  }, 60_000);
});
