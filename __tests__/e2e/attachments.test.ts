// Attachments and failed tests through the bundle, as a failed job's step would use them: the files
// and JUnit reports live in the workspace (GITHUB_WORKSPACE), the defect is filed once whatever
// happens to the uploads.
import { describe, expect, it, beforeAll, afterAll } from '@jest/globals';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectionInputs, refId, useSimulator, writes } from '../helpers/e2e-simulator.js';
import { runAction } from '../../test-support/run-action.js';

const sim = useSimulator();
let ws: string;

beforeAll(() => {
  ws = mkdtempSync(join(tmpdir(), 'e2e-attach-'));
  mkdirSync(join(ws, 'logs'));
  mkdirSync(join(ws, 'reports'));
  writeFileSync(join(ws, 'build.log'), 'npm ERR! build failed\n');
  writeFileSync(join(ws, 'logs', 'screen.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff]));
  writeFileSync(join(ws, 'logs', 'tool.exe'), 'MZ not allowed');
  const fixtures = fileURLToPath(new URL('../fixtures/junit/', import.meta.url));
  copyFileSync(join(fixtures, 'pytest.xml'), join(ws, 'reports', 'pytest.xml'));
  copyFileSync(join(fixtures, 'surefire.xml'), join(ws, 'reports', 'TEST-InvoiceTest.xml'));
});
afterAll(() => rmSync(ws, { recursive: true, force: true }));

const defectsNamed = (name: string) => sim().store.find('defects', (d) => d.name === name);
const attachmentsOf = (id: string) => sim().store.find('attachments', (a) => refId(a.owner_work_item) === id);

function inputs(name: string, over: Record<string, string> = {}): Record<string, string> {
  return { mode: 'create-defect', ...connectionInputs(sim()), 'release-name': '2026.4', 'defect-name': name, ...over };
}

describe('attachments and failed tests', () => {
  it('files one defect with two attachments and its failed tests in the description', async () => {
    const name = `Build broke with evidence ${Date.now()}`;
    const run = await runAction(inputs(name, { attachments: 'build.log\nlogs/*.png', 'test-results': 'reports/*.xml' }), {
      env: { GITHUB_WORKSPACE: ws }
    });

    expect(run.code).toBe(0);
    expect(run.warnings).toEqual([]);
    const [defect, ...others] = defectsNamed(name);
    expect(others).toEqual([]);
    expect(run.outputs['defect-id']).toBe(defect!.id);
    expect(JSON.parse(run.outputs.attachments!)).toEqual(['build.log', 'screen.png']);
    // pytest: 1 failure + 1 error; Surefire: 1 failure + 1 error.
    expect(run.outputs['failed-tests']).toBe('4');

    const stored = attachmentsOf(defect!.id);
    expect(stored.map((a) => [a.name, a.size])).toEqual([
      ['build.log', 22],
      ['screen.png', 10]
    ]);
    expect((stored[1]!.content as Buffer).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff]))).toBe(true);

    const description = String(defect!.description);
    expect(description).toContain('<b>Failed tests</b>');
    expect(description).toContain('Tests: 9, failures: 2, errors: 2, skipped: 1 (2 reports)');
    expect(description).toContain('tests.test_parse › <b>test_quoted_comma</b>');
    expect(description).toContain('com.example.billing.InvoiceTest › <b>totalIncludesVat</b>');
    // Escaped as text: the report's <119.00> is not markup.
    expect(description).toContain('expected: &lt;119.00&gt; but was: &lt;100.00&gt;');
    // The uploads came after the create.
    const posts = sim()
      .log.filter((r) => r.method === 'POST' && !r.path.includes('/authentication/'))
      .map((r) => r.path.split('/').at(-1));
    expect(posts).toEqual(['defects', 'attachments', 'attachments']);
    expect(run.summary).toContain('Attached 2 of 2 files');
  });

  it('warns about a pattern that matches nothing and a refused extension, and still files the defect once', async () => {
    const name = `Build broke, partly attached ${Date.now()}`;
    const run = await runAction(
      inputs(name, { attachments: 'build.log\nlogs/tool.exe\nmissing/*.log', 'test-results': 'reports/none-*.xml' }),
      {
        env: { GITHUB_WORKSPACE: ws }
      }
    );

    expect(run.code).toBe(0);
    const defects = defectsNamed(name);
    expect(defects).toHaveLength(1);
    expect(run.outputs['defect-id']).toBe(defects[0]!.id);
    expect(JSON.parse(run.outputs.attachments!)).toEqual(['build.log']);
    expect(run.outputs['failed-tests']).toBe('');
    expect(String(defects[0]!.description)).not.toContain('Failed tests');
    expect(run.warnings).toHaveLength(3);
    expect(run.warnings).toEqual(
      expect.arrayContaining([
        expect.stringContaining('attachments: no file matches "missing/*.log"'),
        expect.stringContaining('test-results: no file matches "reports/none-*.xml"'),
        expect.stringContaining('attachments: Octane refused "logs/tool.exe"')
      ])
    );
    expect(attachmentsOf(defects[0]!.id).map((a) => a.name)).toEqual(['build.log']);
  });

  it('with dedupe, attaches to the reused defect beside its comment, and creates none', async () => {
    const name = `Recurring failure with evidence ${Date.now()}`;
    const first = await runAction(inputs(name, { dedupe: 'true' }), { env: { GITHUB_WORKSPACE: ws } });
    expect(first.outputs.created).toBe('true');
    const id = first.outputs['defect-id']!;
    sim().log.length = 0;

    const again = await runAction(inputs(name, { dedupe: 'true', attachments: 'build.log', 'test-results': 'reports/pytest.xml' }), {
      env: { GITHUB_WORKSPACE: ws }
    });

    expect(again.code).toBe(0);
    expect(again.outputs).toMatchObject({ created: 'false', 'defect-id': id, attachments: '["build.log"]', 'failed-tests': '2' });
    expect(defectsNamed(name)).toHaveLength(1);
    expect(attachmentsOf(id).map((a) => a.name)).toEqual(['build.log']);
    const comments = sim().store.find('comments', (c) => refId(c.owner_work_item) === id);
    expect(comments).toHaveLength(1);
    expect(String(comments[0]!.text)).toContain('Tests: 5, failures: 1, errors: 1, skipped: 1');
    expect(writes(sim())).toBe(2);
  });

  it('a dry run lists what it would attach and uploads nothing', async () => {
    const name = `Dry run with evidence ${Date.now()}`;
    const run = await runAction(inputs(name, { 'dry-run': 'true', attachments: 'build.log', 'test-results': 'reports/pytest.xml' }), {
      env: { GITHUB_WORKSPACE: ws }
    });
    expect(run.code).toBe(0);
    expect(run.outputs).toMatchObject({ attachments: '[]', 'failed-tests': '2', 'defect-id': '' });
    expect(run.summary).toContain('Would attach');
    expect(writes(sim())).toBe(0);
  });
});
