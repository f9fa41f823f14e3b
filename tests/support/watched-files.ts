// Directories of files that a running webhook reads, changed the ways operators and Kubernetes
// change them: an editor's save by rename, an in-place rewrite, deletion, and the kubelet's
// ConfigMap/Secret volume layout, where `name -> ..data/name` and `..data` is a symlink swapped
// atomically to a new timestamped folder (the old folder is then removed).
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export type FileSet = Readonly<Record<string, string>>;

export interface PlainDirectory {
  readonly dir: string;
  path(name: string): string;
  /** How editors and `pki` save: a new file renamed over the old one. */
  writeByRename(name: string, content: string): void;
  /** Truncate and rewrite the same inode, as `cp` or `cat >` do. */
  writeInPlace(name: string, content: string): void;
  remove(name: string): void;
  /** A directory where the file was: unreadable as a file even for root. */
  replaceWithDirectory(name: string): void;
  cleanup(): void;
}

export interface ProjectedVolume {
  readonly dir: string;
  path(name: string): string;
  /** The kubelet's atomic update: a new `..<timestamp>` folder, then `..data` swapped to it. */
  swap(files: FileSet): void;
  /** `..data` swapped to a folder that does not exist (every file then dangles). */
  swapToMissing(): void;
  cleanup(): void;
}

function createTempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export function createPlainDirectory(files: FileSet): PlainDirectory {
  const dir = createTempDir('ipw-watched-');
  const at = (name: string): string => path.join(dir, name);
  let sequence = 0;
  const writeByRename = (name: string, content: string): void => {
    sequence += 1;
    const temporary = at(`.${name}.${sequence}.tmp`);
    writeFileSync(temporary, content);
    renameSync(temporary, at(name));
  };
  for (const [name, content] of Object.entries(files)) writeFileSync(at(name), content);
  return {
    dir,
    path: at,
    writeByRename,
    writeInPlace: (name, content) => writeFileSync(at(name), content),
    remove: (name) => rmSync(at(name), { recursive: true, force: true }),
    replaceWithDirectory: (name) => {
      rmSync(at(name), { recursive: true, force: true });
      mkdirSync(at(name));
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

const DATA_LINK = '..data';

export function createProjectedVolume(files: FileSet): ProjectedVolume {
  const dir = createTempDir('ipw-volume-');
  let generation = 0;
  let current: string | undefined;

  const pointDataAt = (target: string): void => {
    const temporary = path.join(dir, '..data_tmp');
    symlinkSync(target, temporary);
    renameSync(temporary, path.join(dir, DATA_LINK));
  };
  const retire = (folder: string | undefined): void => {
    if (folder !== undefined) rmSync(path.join(dir, folder), { recursive: true, force: true });
  };
  const swap = (next: FileSet): void => {
    generation += 1;
    const folder = `..2026_11_27_00_00_${String(generation).padStart(2, '0')}.${process.pid}`;
    mkdirSync(path.join(dir, folder));
    for (const [name, content] of Object.entries(next)) writeFileSync(path.join(dir, folder, name), content);
    pointDataAt(folder);
    retire(current);
    current = folder;
  };

  swap(files);
  for (const name of Object.keys(files)) symlinkSync(path.join(DATA_LINK, name), path.join(dir, name));
  return {
    dir,
    path: (name) => path.join(dir, name),
    swap,
    swapToMissing: () => {
      pointDataAt('..2026_11_27_99_99_99.missing');
      retire(current);
      current = undefined;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
