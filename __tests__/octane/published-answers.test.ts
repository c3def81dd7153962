/**
 * Answers that public sources show a real Octane giving (fixtures/published/answers.ts, each with its
 * source), served by the simulator to the real client and read the way the action reads them: accepted
 * with the right ids and names, or refused with a message a user can act on. A test marked
 * `it.failing` would show an answer the client mishandles: it states the right behaviour and fails
 * until src/octane/ is fixed (then `.failing` goes); there is none today.
 */
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { signIns, useSimulator } from '../helpers/e2e-simulator.js';
import { connectionFor } from '../helpers/octane-client.js';
import { OctaneClient } from '../../src/octane/client.js';
import { OctaneError, OutcomeUnknownError, UnreadableAnswerError } from '../../src/octane/errors.js';
import { LookupError, resolvePhases } from '../../src/lookups.js';
import type { Fault } from '../../simulator/index.js';
import * as published from '../fixtures/published/answers.js';
import type { PublishedAnswer } from '../fixtures/published/answers.js';

const sim = useSimulator();
let client: OctaneClient;
const logLines: string[] = [];

beforeAll(async () => {
  client = new OctaneClient({ connection: connectionFor(sim()), log: (l) => logLines.push(l), sleep: async () => {} });
  await client.signIn();
});
afterAll(async () => {
  await client.signOut();
});

/** The next matching request gets this published answer instead of the simulator's own. */
function serve(answer: PublishedAnswer, method: 'GET' | 'POST', path: string, over: Partial<Fault> = {}): void {
  sim().faults.add({ method, path, status: answer.status, json: answer.body, ...over });
}

async function failure(call: Promise<unknown>): Promise<Error> {
  try {
    await call;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

describe('published pages through list()', () => {
  it('reads the CI SDK defect page: string id, name, total and the flag as sent', async () => {
    serve(published.ciSdkDefectPage, 'GET', '/defects');
    const page = await client.list('defects', { fields: ['id', 'name'], limit: 10 });
    expect(page.total_count).toBe(1);
    expect(page.exceeds_total_count).toBe(false);
    expect(page.data.map((d) => [d.id, d.name])).toEqual([['3001', 'Login fails on retry']]);
  });

  it('accepts a page without exceeds_total_count (Java SDK) and does not invent the flag', async () => {
    serve({ ...published.javaSdkNumericIdDefects, status: 200 }, 'GET', '/defects');
    const page = await client.list('defects', { fields: ['id', 'name'], limit: 10 });
    expect(page.total_count).toBe(1);
    expect(page).not.toHaveProperty('exceeds_total_count');
    expect(page.data[0]!.name).toBe('Checkout total is wrong');
  });

  it('keeps a multi-reference field as {total_count, data} with its element ids', async () => {
    serve(published.javaSdkMultiReferenceDefect, 'GET', '/defects');
    const page = await client.list('defects', { fields: ['id', 'name', 'product_areas'], limit: 10 });
    const areas = page.data[0]!.product_areas as { total_count: number; data: Array<{ id: string; name: string }> };
    expect(areas.total_count).toBe(2);
    expect(areas.data.map((a) => `${a.id}:${a.name}`)).toEqual(['2001:Reports', '2007:Export']);
  });

  it.each([
    ['PPM connector, groups by phase', published.ppmGroupsByPhase],
    ['PPM connector, no groups', published.ppmGroupsEmpty],
    ['C# SDK, groups by severity', published.csharpGroupsBySeverity]
  ])('refuses a groups answer (%s) where a page was asked for, rather than counting it as 0', async (_label, answer) => {
    // There is no groups reader yet; a groups body on a collection GET must never read as "no defects".
    serve(answer, 'GET', '/defects');
    const error = await failure(client.list('defects', { fields: ['id'], limit: 1 }));
    expect(error).toBeInstanceOf(UnreadableAnswerError);
    expect(error.message).toMatch(/GET defects with JSON that is not a page of entities/);
  });
});

describe('the published create answer through create()', () => {
  it('returns the numeric id 1 as the string "1" and keeps the numeric-id references', async () => {
    serve(published.javaSdkNumericIdDefects, 'POST', '/defects');
    const created = await client.create('defects', { name: 'Checkout total is wrong' });
    expect(created.id).toBe('1');
    expect(created.name).toBe('Checkout total is wrong');
    // Ids are opaque strings, converted once where answers are read: references too.
    expect(created.phase).toEqual({ id: '1007', type: 'phase' });
  });
});

describe('a published phase page through resolvePhases', () => {
  it('finds defect phases by name or logical name, any case, with their ids', async () => {
    serve(published.ppmPhasePage, 'GET', '/phases');
    const phases = await resolvePhases(client, ['Closed', 'phase.defect.rejected']);
    expect(phases).toEqual([
      { id: '1004', name: 'Closed', logicalName: 'phase.defect.closed' },
      { id: '1008', name: 'Rejected', logicalName: 'phase.defect.rejected' }
    ]);
  });

  it('never takes a story or quality-story phase named "Done" for a defect phase, and lists the good ones', async () => {
    // The page mixes entities (the source asked for three); the defect filter is confirmed in code.
    serve(published.ppmPhasePage, 'GET', '/phases');
    const error = await failure(resolvePhases(client, ['Done']));
    expect(error).toBeInstanceOf(LookupError);
    expect(error.message).toContain('Unknown phases "Done"');
    expect(error.message).toContain(
      'valid phases: Closed (phase.defect.closed), Duplicate (phase.defect.duplicate), Rejected (phase.defect.rejected)'
    );
    expect(error.message).not.toMatch(/story/);
  });
});

describe('published error bodies through the error path', () => {
  it('500 general error: description, error code and correlation id in the message', async () => {
    serve(published.admhelpGeneralError, 'GET', '/releases');
    const error = (await failure(client.list('releases', { fields: ['id'], limit: 1 }))) as OctaneError;
    expect(error).toBeInstanceOf(OctaneError);
    expect(error.status).toBe(500);
    expect(error.message).toBe(
      'Octane answered 500 Internal Server Error to GET releases: General error occurred ' +
        '(error_code platform.general_error, correlation_id qk4m2r8t0w6y1c5e9g3j7l2n4)'
    );
  });

  it('409 business error on create: a definite refusal (not "may have been created") with its description', async () => {
    serve(published.admhelpBusinessError, 'POST', '/defects');
    const error = await failure(client.create('defects', { name: 'x' }));
    expect(error).not.toBeInstanceOf(OutcomeUnknownError);
    expect(error).toBeInstanceOf(OctaneError);
    expect(error.message).toContain('A release with this Name already exists.');
    expect(error.message).toContain('correlation_id b7d1f5h9k3m7p1r5t9v3x7z1a');
    expect((error as OctaneError).errorCode).toBe('platform.duplicate_entity_error');
  });

  it('404: description, ids and the hint to check the ids and URL, but no stack trace', async () => {
    serve(published.ciSdkNotFound, 'GET', '/phases');
    const error = await failure(client.list('phases', { fields: ['id'], limit: 1 }));
    expect(error.message).toContain('HTTP 404 Not Found (error_code platform.web_application, correlation_id n2p6r0t4v8x2z6b0d4f8h2j6l)');
    expect(error.message).toContain("The shared space, the workspace or the path of the server's address is wrong");
    expect((error as OctaneError).hint).toBe('workspace');
    expect(error.message).not.toContain('NotFoundException');
  });

  it('400 bulk error (errors array beside an empty page) on create: the field named, with its ids', async () => {
    serve(published.ciSdkUnknownFieldBulk, 'POST', '/defects');
    const error = (await failure(client.create('defects', { name: 'x', sevirity: { type: 'list_node', id: '1' } }))) as OctaneError;
    expect(error.status).toBe(400);
    expect(error.message).toContain("The entity type 'defect' does not have a field/s by name/s 'sevirity'");
    expect(error.message).toContain('correlation_id c3e7g1i5k9m3o7q1s5u9w3y7a');
    expect(error.errorCode).toBe('platform.unknown_field');
  });

  it('409 with entity_index on create: a definite refusal carrying the description', async () => {
    serve(published.admhelpConflictWithIndex, 'POST', '/defects');
    const error = await failure(client.create('defects', { name: 'x' }));
    expect(error).not.toBeInstanceOf(OutcomeUnknownError);
    expect(error.message).toContain('The value of field severity is not valid (error_code platform.illegal_field_value');
  });

  it('403 non-editable field: description and code reach the message', async () => {
    serve(published.javaSdkNonEditableField, 'POST', '/defects');
    const error = await failure(client.create('defects', { name: 'x', version_stamp: 111 }));
    expect(error.message).toContain('Field version_stamp cannot be modified (error_code platform.modify_non_editable_field');
  });

  it("403 non-editable field: does not tell the user to change the key's role", async () => {
    serve(published.javaSdkNonEditableField, 'POST', '/defects');
    const error = await failure(client.create('defects', { name: 'x', version_stamp: 111 }));
    expect(error.message).not.toMatch(/role/i);
    expect(error.message).toContain('it is read-only');
  });

  it('an error description that echoes the client secret: ids kept, the secret masked', async () => {
    const secret = sim().credentials.clientSecret;
    const echo = `Bad request body {"client_secret":"${secret}"}`;
    const echoing: PublishedAnswer = {
      ...published.admhelpGeneralError,
      body: { ...(published.admhelpGeneralError.body as object), description: echo, description_translated: echo }
    };
    serve(echoing, 'GET', '/releases');
    const error = await failure(client.list('releases', { fields: ['id'], limit: 1 }));
    expect(error.message).toContain('correlation_id qk4m2r8t0w6y1c5e9g3j7l2n4');
    expect(error.message).toContain('Bad request body');
    expect(error.message).not.toContain(secret);
  });

  it('401 idle time-out (Java SDK code): signs in again once, repeats the call, and says why', async () => {
    const signInsBefore = signIns(sim()).length;
    serve(published.javaSdkIdleTimeout, 'GET', '/releases');
    const page = await client.list('releases', { fields: ['id', 'name'], limit: 100 });
    expect(page.data.map((r) => r.name)).toContain('2026.4');
    expect(signIns(sim()).length).toBe(signInsBefore + 1);
    expect(logLines).toContain(
      'The Octane session expired (VALIDATION_TOKEN_EXPIRED_IDLE_TIME_OUT); signing in again and repeating GET releases'
    );
  });

  it('500 servlet error wrapper: the inner description and correlation id reach the message', async () => {
    serve(published.javaSdkServletError, 'GET', '/releases');
    const error = await failure(client.list('releases', { fields: ['id'], limit: 1 }));
    expect(error.message).toContain('Database connection pool exhausted');
    expect(error.message).toContain('correlation_id k1m5o9q3s7u1w5y9a3c7e1g5i');
    expect((error as OctaneError).errorCode).toBe('platform.general_error');
  });

  it('500 servlet wrapper around text that is not an Octane error: the text is the description, the secret masked', async () => {
    const secret = sim().credentials.clientSecret;
    serve(
      { status: 500, source: 'servlet wrapper, text', body: { message: `Pool &lt;main&gt; failed for ${secret} &amp; more` } },
      'GET',
      '/releases'
    );
    const error = await failure(client.list('releases', { fields: ['id'], limit: 1 }));
    expect(error.message).toContain('Pool <main> failed for');
    expect(error.message).toContain('& more');
    expect(error.message).not.toContain(secret);
  });
});
