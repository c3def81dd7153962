import { describe, it, expect } from '@jest/globals';
import { messageOf } from '../../src/main.js';
import { OctaneError, OctaneNetworkError, TrustError } from '../../src/octane/errors.js';

describe('messageOf: the client says what is wrong, the action adds which inputs to check', () => {
  it.each([
    [
      new OctaneNetworkError('Could not connect; check the server address', { code: 'ECONNREFUSED', server: 'h:1', hint: 'server-url' }),
      'Could not connect; check the server address. Check octane-url.'
    ],
    [
      new OctaneError('Octane refused the key.', { status: 401, hint: 'credentials' }),
      'Octane refused the key. Check client-id and client-secret.'
    ],
    [
      new OctaneError('404 to GET phases', { status: 404, hint: 'workspace' }),
      '404 to GET phases. Check shared-space-id, workspace-id and the path of octane-url.'
    ],
    [
      new TrustError('The extra CA certificate 1 of 1 cannot be read'),
      'The extra CA certificate 1 of 1 cannot be read. Check ca-certificate.'
    ],
    [new OctaneNetworkError('Gave up (60 s)', { code: 'BUDGET', server: 'h:1', hint: 'timeout' }), 'Gave up (60 s). Check timeout-seconds.']
  ])('%s', (error, message) => {
    expect(messageOf(error)).toBe(message);
  });

  it('leaves a message without a hint as it is', () => {
    expect(messageOf(new OctaneError('Octane answered 500 Internal Server Error to GET defects: boom', { status: 500 }))).toBe(
      'Octane answered 500 Internal Server Error to GET defects: boom'
    );
  });
});
