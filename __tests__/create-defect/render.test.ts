import { describe, it, expect } from '@jest/globals';
import { createOutputs, createSummary } from '../../src/create-defect/render.js';
import type { CreateDefectResult } from '../../src/create-defect/run.js';

const url = 'https://octane.example.com/ui/entity-navigation?p=1001/1002&entityType=work_item&id=77';
const base: CreateDefectResult = {
  dryRun: false,
  created: true,
  id: '77',
  url,
  name: 'Build <b>broke</b> | ::set-output name=x::y',
  release: { id: '5', name: 'R1 *x*' },
  severity: { id: '9', name: 'High', logicalName: 'list_node.severity.high' },
  origin: { id: '3', name: 'GitHub Actions' },
  fields: { name: 'n', description: '<p>a</p>', release: { type: 'release', id: '5' } }
};

describe('createOutputs', () => {
  it('a created defect: its id, URL and created=true', () => {
    expect(createOutputs(base)).toEqual({ 'defect-id': '77', 'defect-url': url, created: 'true', attachments: '[]', 'failed-tests': '' });
  });
  it('a reused defect: its id and URL, created=false', () => {
    const r = { ...base, created: false, reused: { id: '77', url, phase: 'Opened', commentAdded: true } };
    expect(createOutputs(r)).toEqual({ 'defect-id': '77', 'defect-url': url, created: 'false', attachments: '[]', 'failed-tests': '' });
  });
  it('a dry run: empty id and URL, created=false', () => {
    const r = { ...base, dryRun: true, created: false, id: undefined, url: undefined };
    expect(createOutputs(r)).toEqual({ 'defect-id': '', 'defect-url': '', created: 'false', attachments: '[]', 'failed-tests': '' });
  });
});

describe('createSummary', () => {
  it('links the escaped name to the defect page', () => {
    const md = createSummary(base);
    expect(md).toContain(`<a href="${url.replace(/&/g, '&amp;')}">`);
    expect(md).toContain('&lt;b&gt;broke&lt;/b&gt;');
    expect(md).not.toContain('<b>broke');
    expect(md).not.toContain('::set-output');
    expect(md).toContain('R1 &#42;x&#42;');
    expect(md).toContain('High');
    expect(md).not.toMatch(/recovered|creation token/i);
  });
  it('says when the defect was recovered after an unclear answer', () => {
    expect(createSummary({ ...base, recovered: true })).toMatch(/creation token/);
  });
  it('says when an open defect was reused and whether the comment went in', () => {
    const reused = { ...base, created: false, reused: { id: '77', url, phase: 'Opened', commentAdded: true } };
    expect(createSummary(reused)).toMatch(/reused/i);
    expect(createSummary(reused)).toMatch(/comment with this run's link was added/);
    expect(createSummary({ ...reused, reused: { ...reused.reused, commentAdded: false } })).toMatch(/may not have been added/);
  });
  it('dry run: says nothing was written and lists every field, escaped', () => {
    const md = createSummary({ ...base, dryRun: true, created: false, id: undefined, url: undefined });
    expect(md).toMatch(/dry run, nothing written/);
    expect(md).toContain('<code>description</code>');
    expect(md).toContain('&lt;p&gt;a&lt;/p&gt;');
    expect(md).not.toContain('<p>a</p>');
    expect(md).toContain('<code>release</code>');
  });
});
