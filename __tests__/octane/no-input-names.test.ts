import { describe, it, expect } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INPUT_NAMES } from '../../src/inputs/catalogue.js';

// The client is configured in its own terms (ConnectionSettings) and says what is wrong in
// Octane's; the action's composition root names the inputs (main.ts messageOf).
describe('src/octane/', () => {
  const dir = join(process.cwd(), 'src', 'octane');
  // Input names with a hyphen; one-word names (mode, retries, owner) are ordinary words.
  const names = INPUT_NAMES.filter((name) => name.includes('-'));

  it.each(readdirSync(dir).filter((f) => f.endsWith('.ts')))('%s names none of the action inputs', (file) => {
    const text = readFileSync(join(dir, file), 'utf8');
    expect(names.filter((name) => text.includes(name))).toEqual([]);
  });
});
