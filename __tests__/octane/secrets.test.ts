// What the client hands the runner to mask, and what it redacts itself.
import { describe, expect, it } from '@jest/globals';
import { Secrets } from '../../src/octane/secrets.js';

describe('secrets', () => {
  it('a value shorter than 8 characters (a cookie such as X=e) is not made a runner mask, which would hide every "e" of the log', () => {
    const masks: string[] = [];
    const secrets = new Secrets((v) => masks.push(v));
    secrets.add('e');
    secrets.add('abcdefg');
    expect(masks).toEqual([]);
    expect(secrets.redact('every line here, abcdefg')).toBe('every line here, ***');
  });

  it('a value of 8 characters or more is masked in its plain and JSON-escaped forms, and redacted', () => {
    const masks: string[] = [];
    const secrets = new Secrets((v) => masks.push(v));
    secrets.add('s3cr"t-cookie');
    expect(masks).toEqual(['s3cr"t-cookie', 's3cr\\"t-cookie']);
    expect(secrets.redact('echo {"v":"s3cr\\"t-cookie"} s3cr"t-cookie')).toBe('echo {"v":"***"} ***');
  });
});
