// A FoundFile for a file that exists, as the workspace listing would record it (its real path and
// identity included), for tests that hand files to the readers without globbing.
import { realpathSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { FoundFile } from '../../src/create-defect/workspace-files.js';

export function listedFile(path: string, shown = path, name = basename(shown)): FoundFile {
  const real = realpathSync(path);
  const info = statSync(real, { bigint: true });
  return { path, shown, name, size: Number(info.size), real, dev: info.dev, ino: info.ino };
}
