/**
 * `npm run demo`: starts the Octane simulator with sample data on a free loopback port and runs the
 * committed bundle (dist/index.js) the way a GitHub runner does, three times: a gate that passes, a
 * gate that fails, and a create-defect. For each it prints the exit code, the outputs, the job
 * summary as text and the log a reader of the run would see. Exits 0 when all three behaved as
 * expected, 1 otherwise.
 */
import { startSimulator, type Simulator } from '../simulator/index.js';
import { connectionInputs, runAction, type ActionRun } from '../test-support/run-action.js';
import { summaryToText } from './lib/summary-text.js';

const bold = (s: string): string => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const rule = (title: string): string => `\n${bold(`━━ ${title} ${'━'.repeat(Math.max(3, 76 - title.length))}`)}`;
const indent = (text: string, by = '    '): string =>
  text
    .split('\n')
    .map((l) => by + l)
    .join('\n');

interface Scenario {
  title: string;
  explain: string;
  inputs: Record<string, string>;
  env?: Record<string, string>;
  /** Undefined when the run behaved as expected, else what was wrong. */
  check(run: ActionRun, sim: Simulator): string | undefined;
}

function scenarios(): Scenario[] {
  return [
    {
      title: '1. A gate that passes',
      explain: 'Release 2026.5 has no open defects of severity High, Very High or Urgent, so the step succeeds.',
      inputs: { mode: 'gate', 'release-name': '2026.5', severities: 'High, Very High, Urgent' },
      check: (run) =>
        run.code !== 0
          ? `exit code ${run.code}, expected 0`
          : run.outputs['gate-result'] !== 'passed'
            ? `gate-result ${run.outputs['gate-result']}, expected passed`
            : undefined
    },
    {
      title: '2. A gate that fails',
      explain:
        'Release 2026.4 with the defaults (phases New, Opened, Deferred; every severity; allowed <= 0): it has open defects, so the step fails.',
      inputs: { mode: 'gate', 'release-name': '2026.4' },
      check: (run) =>
        run.code !== 1
          ? `exit code ${run.code}, expected 1`
          : run.outputs['gate-result'] !== 'failed'
            ? `gate-result ${run.outputs['gate-result']}, expected failed`
            : !run.errors.some((e) => e.startsWith('Gate failed'))
              ? 'no "Gate failed" error annotation'
              : undefined
    },
    {
      title: '3. Filing a defect',
      explain: 'What a workflow does with `if: failure()`: file a draft defect in release 2026.4, with a link back to the run.',
      inputs: {
        mode: 'create-defect',
        'release-name': '2026.4',
        'defect-name': 'Nightly build failed on main',
        'defect-description': 'The integration tests timed out.\nSee the run for the log.'
      },
      // What a runner sets; the action adds these to the description.
      env: {
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_REPOSITORY: 'octo-org/shop',
        GITHUB_WORKFLOW: 'nightly',
        GITHUB_JOB: 'build',
        GITHUB_RUN_ID: '4242',
        GITHUB_RUN_ATTEMPT: '1',
        GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
        GITHUB_REF: 'refs/heads/main',
        GITHUB_ACTOR: 'octocat',
        GITHUB_EVENT_NAME: 'schedule'
      },
      check: (run, sim) => {
        if (run.code !== 0) return `exit code ${run.code}, expected 0`;
        const id = run.outputs['defect-id'];
        if (!id) return 'no defect-id output';
        const stored = sim.store.get('defects', id);
        return stored?.name === 'Nightly build failed on main' ? undefined : `defect ${id} is not in the simulator with the given name`;
      }
    }
  ];
}

function printOutputs(outputs: Record<string, string>): void {
  console.log('  Outputs:');
  for (const [name, value] of Object.entries(outputs)) {
    let list: unknown;
    try {
      list = value.startsWith('[') ? JSON.parse(value) : undefined;
    } catch {
      list = undefined;
    }
    if (Array.isArray(list)) {
      console.log(`    ${name}: (JSON, ${list.length} item${list.length === 1 ? '' : 's'})`);
      for (const item of list) console.log(`      ${JSON.stringify(item)}`);
    } else {
      console.log(`    ${name}: ${value}`);
    }
  }
}

/** The log as the runner shows it: groups as headings, no debug or mask commands, annotations marked. */
function printLog(stdout: string): void {
  console.log('  Log (as the runner shows it, without debug lines):');
  for (const line of stdout.split('\n')) {
    if (line === '' || line.startsWith('::debug::') || line.startsWith('::add-mask::') || line === '::endgroup::') continue;
    const group = /^::group::(.*)$/.exec(line);
    const annotation = /^::(error|warning|notice)[^:]*::(.*)$/.exec(line);
    if (group) console.log(`    ▸ ${group[1]}`);
    else if (annotation)
      console.log(
        `    ${bold(`${annotation[1]!.toUpperCase()} annotation:`)} ${annotation[2]!.replace(/%0A/g, '\n      ').replace(/%0D/g, '').replace(/%25/g, '%')}`
      );
    else console.log(`      ${line}`);
  }
}

async function main(): Promise<number> {
  const sim = await startSimulator({ seed: 'sample' });
  try {
    console.log(bold('Octane release action: demo'));
    console.log(
      `An Octane simulator with sample data is listening on ${sim.url} (shared space ${sim.sharedSpaceId}, workspace ${sim.workspaceId}).`
    );
    console.log('Each step below runs the committed bundle, `node dist/index.js`, exactly as a GitHub runner does:');
    console.log('inputs as INPUT_* variables, outputs and the job summary written to the GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files.');
    const connection = connectionInputs(sim);
    const verdicts: Array<{ title: string; problem?: string }> = [];
    for (const scenario of scenarios()) {
      console.log(rule(scenario.title));
      console.log(scenario.explain);
      const shown = Object.entries(scenario.inputs).map(([k, v]) => `${k}: ${JSON.stringify(v)}`);
      console.log(`  Inputs: ${shown.join(', ')} (plus the URL, ids and API key)`);
      const before = sim.log.length;
      const run = await runAction({ ...connection, ...scenario.inputs }, { env: scenario.env });
      const requests = sim.log.length - before;
      console.log(
        `  Exit code: ${bold(String(run.code))}${run.code === 0 ? ' (step succeeded)' : ' (step failed)'}; ${requests} requests reached the simulator`
      );
      printOutputs(run.outputs);
      printLog(run.stdout);
      if (run.stderr.trim()) console.log(`  stderr:\n${indent(run.stderr.trim())}`);
      console.log('  Job summary (GITHUB_STEP_SUMMARY, as text):');
      console.log(indent(summaryToText(run.summary) || '(empty)'));
      if (scenario.inputs.mode === 'create-defect' && run.outputs['defect-id']) {
        const stored = sim.store.get('defects', run.outputs['defect-id']);
        if (stored) {
          console.log(`  In the simulator now: defect ${stored.id}, draft: ${String(stored.is_draft)}, description (Octane keeps HTML):`);
          console.log(indent(String(stored.description ?? ''), '      '));
        }
      }
      const problem = scenario.check(run, sim);
      verdicts.push({ title: scenario.title, problem });
    }
    console.log(rule('Result'));
    for (const v of verdicts) console.log(`  ${v.problem ? '✗' : '✓'} ${v.title}: ${v.problem ?? 'as expected'}`);
    const ok = verdicts.every((v) => !v.problem);
    console.log(
      ok
        ? '\nAll three behaved as expected. Next: `npm test`, or README.md for the workflow YAML.'
        : '\nSomething did not behave as expected (see above).'
    );
    return ok ? 0 : 1;
  } finally {
    await sim.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`demo: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
  }
);
