import { describe, it, expect } from '@jest/globals';
import { buildDescription, hasToken, plainTextToHtml, failedAgainCommentHtml, safeLink } from '../../src/create-defect/description.js';
import type { RunContext } from '../../src/create-defect/run-context.js';

const rc: RunContext = {
  repository: 'acme/shop',
  repositoryUrl: 'https://github.com/acme/shop',
  workflow: 'CI <nightly>',
  job: 'build',
  runUrl: 'https://github.com/acme/shop/actions/runs/4242/attempts/2',
  runAttempt: 2,
  commit: 'abc123',
  ref: 'refs/heads/a&b',
  actor: 'octo"cat',
  event: 'push'
};

describe('plainTextToHtml', () => {
  it('escapes markup and keeps line breaks and paragraphs', () => {
    expect(plainTextToHtml('a <b>\r\nc & d\n\nnext')).toBe('<p>a &lt;b&gt;<br>c &amp; d</p>\n<p>next</p>');
  });
  it('empty or blank text gives nothing', () => {
    expect(plainTextToHtml('')).toBe('');
    expect(plainTextToHtml(' \n \n')).toBe('');
  });
});

describe('buildDescription', () => {
  it('user text, then the run block, then the hidden token', () => {
    const html = buildDescription({ text: 'Build <failed>', runContext: rc, token: 'tok-1' });
    const textAt = html.indexOf('Build &lt;failed&gt;');
    const blockAt = html.indexOf('GitHub Actions run');
    const tokenAt = html.indexOf('octane-action-request:tok-1');
    expect(textAt).toBeGreaterThanOrEqual(0);
    expect(blockAt).toBeGreaterThan(textAt);
    expect(tokenAt).toBeGreaterThan(blockAt);
    expect(html).toContain('<span style="display:none">octane-action-request:tok-1</span>');
    expect(html).toContain('<a href="https://github.com/acme/shop/actions/runs/4242/attempts/2">');
    expect(html).toContain('CI &lt;nightly&gt;');
    expect(html).toContain('refs/heads/a&amp;b');
    expect(html).toContain('octo&quot;cat');
    expect(html).toContain('Event: push');
    expect(html).not.toContain('<nightly>');
  });

  it('without a run context there is no run block', () => {
    const html = buildDescription({ text: 'x', token: 't' });
    expect(html).not.toContain('GitHub Actions run');
    expect(hasToken(html, 't')).toBe(true);
  });

  it('links only http(s) URLs', () => {
    const html = buildDescription({ text: '', runContext: { ...rc, runUrl: 'javascript:alert(1)' }, token: 't' });
    expect(html).not.toContain('javascript:alert(1)"');
    expect(html).not.toMatch(/href="javascript/);
    expect(safeLink('javascript:alert(1)', 'x')).toBe('x');
  });
});

describe('hasToken', () => {
  it('finds its own token only', () => {
    const html = buildDescription({ text: 'x', token: '0f8e2a1c-1111-4222-8333-444455556666' });
    expect(hasToken(html, '0f8e2a1c-1111-4222-8333-444455556666')).toBe(true);
    expect(hasToken(html, '0f8e2a1c-1111-4222-8333-444455556667')).toBe(false);
  });
  it('survives a sanitiser that stripped the span', () => {
    expect(hasToken('<p>x</p>octane-action-request:abc', 'abc')).toBe(true);
  });
  it('is false for non-strings and empty tokens', () => {
    expect(hasToken(undefined, 'abc')).toBe(false);
    expect(hasToken(null, 'abc')).toBe(false);
    expect(hasToken('octane-action-request:', '')).toBe(false);
  });
});

describe('failedAgainCommentHtml', () => {
  it('links the new run, escaped', () => {
    const html = failedAgainCommentHtml(rc, 'tok-1');
    expect(html).toContain('Failed again');
    expect(hasToken(html, 'tok-1')).toBe(true);
    expect(html).toContain('href="https://github.com/acme/shop/actions/runs/4242/attempts/2"');
    expect(html).toContain('octo&quot;cat');
  });
  it('says so when there is no run', () => {
    expect(failedAgainCommentHtml(undefined, 'tok-2')).toContain('Failed again');
    expect(hasToken(failedAgainCommentHtml(undefined, 'tok-2'), 'tok-2')).toBe(true);
  });
});
