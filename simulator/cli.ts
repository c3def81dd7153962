/**
 * Runs the simulator on its own:
 *   npx tsx simulator/cli.ts [--port 8080] [--host 127.0.0.1] [--latency 100] [--seed sample|empty] [--prefix /octane]
 *                            [--urgent-name Critical] [--phase-ids numeric|logical] [--profile NAME]
 * Prints where it listens and the sample credentials, and runs until Ctrl-C.
 */
import { startSimulator } from './index.js';
import { PROFILE_NAMES, isProfileName } from './profiles.js';
import type { SimulatorOptions } from './types.js';

function parseArgs(argv: string[]): { options: SimulatorOptions; help: boolean } {
  const options: SimulatorOptions = { port: 8080 };
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    const int = (): number => {
      const v = value();
      if (!/^\d+$/.test(v)) throw new Error(`${flag} needs a whole number, not '${v}'`);
      return Number(v);
    };
    switch (flag) {
      case '--port':
        options.port = int();
        break;
      case '--host':
        options.host = value();
        break;
      case '--latency':
        options.latencyMs = int();
        break;
      case '--prefix':
        options.pathPrefix = value();
        break;
      case '--urgent-name':
        options.urgentName = value();
        break;
      case '--seed': {
        const v = value();
        if (v !== 'sample' && v !== 'empty') throw new Error(`--seed must be sample or empty, not '${v}'`);
        options.seed = v;
        break;
      }
      case '--phase-ids': {
        const v = value();
        if (v !== 'numeric' && v !== 'logical') throw new Error(`--phase-ids must be numeric or logical, not '${v}'`);
        options.phaseIds = v;
        break;
      }
      case '--profile': {
        const v = value();
        if (!isProfileName(v)) throw new Error(`--profile must be one of ${PROFILE_NAMES.join(', ')}, not '${v}'`);
        options.profile = v;
        break;
      }
      case '--help':
      case '-h':
        help = true;
        break;
      default:
        throw new Error(`unknown argument '${arg}' (try --help)`);
    }
  }
  return { options, help };
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`simulator: ${(e as Error).message}`);
    process.exit(2);
  }
  if (parsed.help) {
    console.log(
      'Usage: npx tsx simulator/cli.ts [--port 8080] [--host 127.0.0.1] [--latency ms] [--seed sample|empty] [--prefix /octane] [--urgent-name Critical] [--phase-ids numeric|logical] [--profile NAME]'
    );
    console.log(`Profiles: ${PROFILE_NAMES.join(', ')}`);
    return;
  }
  const sim = await startSimulator(parsed.options);
  console.log(`Octane simulator listening on ${sim.url}`);
  console.log(`  profile ${parsed.options.profile ?? 'default'}`);
  console.log(`  shared space ${sim.sharedSpaceId}, workspace ${sim.workspaceId}`);
  console.log(`  client id ${sim.credentials.clientId}, client secret ${sim.credentials.clientSecret} (sample credentials, not a secret)`);
  console.log(
    `  releases: ${sim.store
      .all('releases')
      .map((r) => JSON.stringify(r.name))
      .join(', ')}; defects: ${sim.store.all('defects').length}`
  );
  console.log('Ctrl-C to stop.');
  const stop = (): void => {
    void sim.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
