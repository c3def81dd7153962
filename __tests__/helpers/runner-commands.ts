/**
 * The workflow commands the GitHub runner would act on in a step's output, read by the runner's
 * rules (facts from actions/runner, not its code):
 * - src/Runner.Sdk/ProcessInvoker.cs reads output with StreamReader.ReadLine: a line ends at CR, LF or CRLF.
 * - src/Runner.Common/ActionCommand.cs TryParseV2: after TrimStart the line starts with `::`; the
 *   command info runs to the next `::`; its name ends at the first space. Only if that fails,
 *   TryParse (legacy): the first `##[` anywhere in the line, the name up to the first space,
 *   the info up to the next `]`. Either way the name must be a registered command, in any case.
 * - src/Runner.Worker/ActionCommandManager.cs TryProcessCommand: `stop-commands` registers its data
 *   as a token; until a command named by that token arrives (in either form) nothing else is acted on.
 * The runner finds `::` and `##[` with .NET's culture-sensitive StartsWith/IndexOf, which may skip
 * ignorable characters (U+00AD and the like); this reader drops them first, so it finds at least
 * what the runner finds.
 */

/** The commands actions/runner registers (src/Runner.Common/ExtensionManager.cs) and stop-commands. */
export const REGISTERED_COMMANDS = [
  'stop-commands',
  'set-env',
  'set-output',
  'save-state',
  'add-path',
  'add-mask',
  'add-matcher',
  'remove-matcher',
  'warning',
  'error',
  'notice',
  'debug',
  'group',
  'endgroup',
  'echo'
] as const;

const IGNORABLE = /[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}]/gu;

export interface RunnerCommand {
  /** Lower-cased; a resume is recorded as `resume`. */
  name: string;
  form: 'v2' | 'legacy';
  /** The data after the command info, as written (not unescaped). */
  data: string;
  line: string;
}

export interface CommandScan {
  commands: RunnerCommand[];
  /** Lines read while commands were stopped (the runner prints them as text). */
  inert: string[];
  /** The token still awaited at the end, if commands were left stopped. */
  stoppedWith?: string;
}

function parse(raw: string, registered: Set<string>): Omit<RunnerCommand, 'line'> | undefined {
  const folded = raw.replace(IGNORABLE, '');
  const trimmed = folded.trimStart();
  if (trimmed.startsWith('::')) {
    const end = trimmed.indexOf('::', 2);
    if (end >= 0) {
      const info = trimmed.slice(2, end);
      const name = (info.includes(' ') ? info.slice(0, info.indexOf(' ')) : info).toLowerCase();
      if (registered.has(name)) return { name, form: 'v2', data: trimmed.slice(end + 2) };
    }
  }
  const at = folded.indexOf('##[');
  if (at < 0) return undefined;
  const close = folded.indexOf(']', at);
  if (close < 0) return undefined;
  const info = folded.slice(at + 3, close);
  const name = (info.includes(' ') ? info.slice(0, info.indexOf(' ')) : info).toLowerCase();
  return registered.has(name) ? { name, form: 'legacy', data: folded.slice(close + 1) } : undefined;
}

/** Every command the runner would act on in `output`, in order. */
export function runnerCommands(output: string): CommandScan {
  const registered = new Set<string>(REGISTERED_COMMANDS);
  const commands: RunnerCommand[] = [];
  const inert: string[] = [];
  let token: string | undefined;
  for (const line of output.split(/\r\n|\r|\n/)) {
    const command = parse(line, registered);
    if (token !== undefined) {
      if (command && command.name === token) {
        commands.push({ ...command, name: 'resume', line });
        registered.delete(token);
        token = undefined;
      } else {
        inert.push(line);
      }
      continue;
    }
    if (!command) continue;
    commands.push({ ...command, line });
    if (command.name === 'stop-commands') {
      token = command.data.toLowerCase();
      registered.add(token);
    }
  }
  return { commands, inert, ...(token !== undefined ? { stoppedWith: token } : {}) };
}
