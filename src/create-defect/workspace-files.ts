/**
 * Files named by the workflow (attachments, test-results): paths or glob patterns, one per line,
 * relative to the workspace, matched with @actions/glob. Only regular files inside the workspace
 * come out: a pattern that leads outside it (`..`, an absolute path elsewhere) and a symbolic link
 * whose target lies outside it are refused with a warning, so a pattern cannot send the runner's
 * other files (credentials in the home folder, /etc) to Octane.
 */
import { constants } from 'node:fs';
import { open, realpath, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

export interface FoundFile {
  /** Absolute path of the match as globbed (inside the workspace). */
  path: string;
  /** Path relative to the workspace, for messages. */
  shown: string;
  /** Base name, the attachment's name in Octane. */
  name: string;
  size: number;
  /** The real path (links resolved) and the file's identity at listing, checked again when it is opened. */
  real: string;
  dev: bigint;
  ino: bigint;
}

export interface FoundFiles {
  files: FoundFile[];
  /** One line per pattern that matched nothing and per file refused, naming it. */
  warnings: string[];
}

/**
 * The most files one input may match before matching stops: a pattern such as `**` in a large
 * checkout would otherwise stat every file of it. Far above what any limit lets through.
 */
export const MAX_MATCHES = 1000;

/**
 * The workspace: GITHUB_WORKSPACE on a runner, else the current folder (a local try-out).
 * `input` names the input in messages.
 */
export async function findWorkspaceFiles(input: string, patterns: string[], workspace: string): Promise<FoundFiles> {
  const warnings: string[] = [];
  const root = path.resolve(workspace);
  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch (e) {
    return { files: [], warnings: [`${input}: the workspace ${root} cannot be read (${(e as Error).message}); no file was looked for`] };
  }
  const excludes = patterns.filter((p) => p.startsWith('!')).map((p) => `!${rooted(root, p.slice(1))}`);
  const seen = new Set<string>();
  const files: FoundFile[] = [];
  for (const pattern of patterns) {
    if (pattern.startsWith('!') || pattern.startsWith('#')) continue;
    const absolute = rooted(root, pattern);
    if (!inside(root, absolute)) {
      warnings.push(`${input}: ${JSON.stringify(pattern)} leads outside the workspace (${root}); it was not used`);
      continue;
    }
    // One globber per pattern, so that a pattern that matches nothing can be named.
    // Loaded only when a pattern is given: the glob library is a sixth of the bundle, and most runs need none.
    const { create } = await import('@actions/glob');
    const globber = await create([absolute, ...excludes].join('\n'), { followSymbolicLinks: false, matchDirectories: false });
    let matched = 0;
    for await (const match of globber.globGenerator()) {
      matched++;
      if (seen.has(match)) continue;
      seen.add(match);
      if (seen.size > MAX_MATCHES) {
        warnings.push(`${input}: more than ${MAX_MATCHES} files match; the rest were not looked at`);
        return { files, warnings };
      }
      const shown = path.relative(root, match) || path.basename(match);
      const checked = await regularInside(realRoot, match);
      if (typeof checked === 'string') {
        warnings.push(`${input}: ${JSON.stringify(shown)} ${checked}; it was not used`);
        continue;
      }
      files.push({ path: match, shown, name: path.basename(match), ...checked });
    }
    if (matched === 0) warnings.push(`${input}: no file matches ${JSON.stringify(pattern)} in the workspace (${root})`);
  }
  return { files, warnings };
}

/** A pattern as an absolute one under the workspace (an absolute pattern is kept as it is). */
function rooted(root: string, pattern: string): string {
  return path.isAbsolute(pattern) ? path.normalize(pattern) : path.join(root, pattern);
}

function inside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

/**
 * The file's size when it is a regular file whose real path (links resolved) lies in the
 * workspace; else why not. Resolving the real path also catches a link in a folder on the way.
 */
async function regularInside(realRoot: string, file: string): Promise<Pick<FoundFile, 'size' | 'real' | 'dev' | 'ino'> | string> {
  let real: string;
  try {
    real = await realpath(file);
  } catch {
    return 'is a broken symbolic link';
  }
  if (!inside(realRoot, real)) return 'is a symbolic link to a file outside the workspace';
  const info = await stat(real, { bigint: true }).catch(() => undefined);
  if (!info?.isFile()) return 'is not a regular file';
  return { size: Number(info.size), real, dev: info.dev, ino: info.ino };
}

/** The identity openListed checks, for a file read by path alone (tests, tools). */
export async function identityOf(file: string): Promise<Pick<FoundFile, 'real' | 'dev' | 'ino'>> {
  const real = await realpath(file);
  const info = await stat(real, { bigint: true });
  return { real, dev: info.dev, ino: info.ino };
}

/**
 * Opens a listed file for reading, refusing anything other than the regular file that was listed:
 * between listing and reading, another process on the runner may swap it for a link (to
 * /etc/passwd, say) or a named pipe (which would block a read forever). No link is followed at
 * the last step, opening never waits (O_NONBLOCK), and the open handle must be a regular file with
 * the device and inode seen at listing, which also catches a folder on the way swapped for a link.
 * Every read then goes through this handle.
 */
export async function openListed(file: Pick<FoundFile, 'real' | 'dev' | 'ino'>): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(file.real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new Error('it was replaced by a symbolic link since it was listed', { cause: e });
    throw e;
  }
  try {
    const info = await handle.stat({ bigint: true });
    if (!info.isFile()) throw new Error('it is no longer a regular file');
    if (info.dev !== file.dev || info.ino !== file.ino) throw new Error('it was replaced by another file since it was listed');
    return handle;
  } catch (e) {
    await handle.close();
    throw e;
  }
}
