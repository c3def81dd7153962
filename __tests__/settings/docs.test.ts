// action.yml and README.md promise inputs, defaults and outputs that workflows rely on; these tests
// hold them to what the code reads and sets, so a renamed input or changed default cannot drift.
import { describe, it, expect } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULTED_IN_CODE, INPUT_DEFAULTS, INPUT_NAMES } from '../../src/inputs/catalogue.js';
import { gateOutputs } from '../../src/gate/render.js';
import { createOutputs } from '../../src/create-defect/render.js';
import type { GateResult } from '../../src/gate/result.js';
import type { CreateDefectResult } from '../../src/create-defect/run.js';
import { resolveOutputs } from '../../src/resolve-defect/render.js';
import type { ResolveDefectResult } from '../../src/resolve-defect/run.js';

const read = (path: string): string => readFileSync(fileURLToPath(new URL(`../../${path}`, import.meta.url)), 'utf8');

interface YamlEntry {
  required?: string;
  default?: string;
}

/**
 * The entries of a top-level block of action.yml (`inputs:` or `outputs:`): two-space names with
 * four-space `key: value` lines. action.yml is flat and single-line, so this is all it needs.
 */
function actionBlock(yaml: string, block: string): Map<string, YamlEntry> {
  const entries = new Map<string, YamlEntry>();
  let inBlock = false;
  let current: YamlEntry | undefined;
  for (const line of yaml.split('\n')) {
    if (/^\S/.test(line)) {
      inBlock = line === `${block}:`;
      continue;
    }
    if (!inBlock) continue;
    const name = /^ {2}([a-z-]+):\s*$/.exec(line);
    if (name) {
      current = {};
      entries.set(name[1]!, current);
      continue;
    }
    const field = /^ {4}(required|default):\s*(.*)$/.exec(line);
    if (field && current) {
      const raw = field[2]!.trim();
      current[field[1] as 'required' | 'default'] = /^'.*'$/.test(raw) ? raw.slice(1, -1).replace(/''/g, "'") : raw;
    }
  }
  return entries;
}

/** The rows of the README table under `## heading`, as arrays of cells. */
function readmeTable(markdown: string, heading: string): string[][] {
  const section = markdown.split(/^## /m).find((s) => s.startsWith(`${heading}\n`));
  if (!section) throw new Error(`README has no section ${heading}`);
  return section
    .split('\n')
    .filter((l) => l.startsWith('| `'))
    .map((l) =>
      l
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim())
    );
}

const unquote = (cell: string): string => cell.replace(/^`(.*)`$/, '$1');

const ALWAYS_REQUIRED = ['mode', 'octane-url', 'client-id', 'client-secret', 'shared-space-id', 'workspace-id', 'release-name'];

describe('action.yml', () => {
  const inputs = actionBlock(read('action.yml'), 'inputs');

  it('declares exactly the inputs the code reads', () => {
    expect([...inputs.keys()].sort()).toEqual([...INPUT_NAMES].sort());
  });

  it('gives each input the default the code falls back to, except those only the code may fill in', () => {
    for (const name of INPUT_NAMES) {
      // The runner fills an action.yml default in, so the code could not tell it from a value given.
      const declared = inputs.get(name)?.default;
      if (DEFAULTED_IN_CODE.includes(name)) expect({ name, declared }).toEqual({ name, declared: undefined });
      else expect({ name, default: declared ?? '' }).toEqual({ name, default: INPUT_DEFAULTS[name] ?? '' });
    }
  });

  it('marks as required exactly the inputs every mode requires', () => {
    const required = [...inputs].filter(([, e]) => e.required === 'true').map(([n]) => n);
    expect(required.sort()).toEqual([...ALWAYS_REQUIRED].sort());
  });

  it('declares exactly the outputs the modes set', () => {
    const declared = [...actionBlock(read('action.yml'), 'outputs').keys()].sort();
    const gate = gateOutputs({ dryRun: false, count: 0, passed: true } as GateResult);
    const create = createOutputs({ dryRun: false, id: '1', url: 'u', created: true } as unknown as CreateDefectResult);
    const resolve = resolveOutputs({ dryRun: false, defects: [], notOurs: [], alreadyThere: [] } as unknown as ResolveDefectResult);
    expect(declared).toEqual([...new Set([...Object.keys(gate), ...Object.keys(create), ...Object.keys(resolve)])].sort());
  });
});

describe('README', () => {
  const readme = read('README.md');

  it('documents every input once, with its default and whether it is required', () => {
    const rows = readmeTable(readme, 'Inputs');
    expect(rows.map((r) => unquote(r[0]!)).sort()).toEqual([...INPUT_NAMES].sort());
    for (const [nameCell, , required, defaultCell] of rows) {
      const name = unquote(nameCell!) as (typeof INPUT_NAMES)[number];
      const documented = defaultCell === '' || defaultCell!.startsWith('empty') ? '' : unquote(defaultCell!);
      expect({ name, default: documented }).toEqual({ name, default: INPUT_DEFAULTS[name] ?? '' });
      const mustBeGiven = ALWAYS_REQUIRED.includes(name) || name === 'defect-name';
      expect({ name, required }).toEqual({ name, required: mustBeGiven ? 'yes' : 'no' });
    }
  });

  it('documents the outputs that action.yml declares', () => {
    const rows = readmeTable(readme, 'Outputs');
    expect(rows.map((r) => unquote(r[0]!)).sort()).toEqual([...actionBlock(read('action.yml'), 'outputs').keys()].sort());
  });
});
