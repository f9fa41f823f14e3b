// The files a fault-injected or soaked webhook serves from, in one directory the serve process can
// read. As root the process runs as `nobody` (setpriv) when it can, so "made unreadable" is a real
// fault and not bypassed by root's override; every file written is handed to that user.
import { chmodSync, chownSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** uid/gid of `nobody`/`nogroup` on Debian. */
export const UNPRIVILEGED_ID = 65534;
const DIRECTORY_MODE = 0o755;

export function runsAsRoot(): boolean {
  return process.getuid?.() === 0;
}

export interface ServedDirectory {
  readonly dir: string;
  /** Absolute path of a file in the directory. */
  file(name: string): string;
  /** Writes atomically (temporary file, then rename), as editors and `pki` do, owned by the serve user. */
  write(name: string, content: string | Buffer, mode?: number): string;
  /** Writes in place, truncating first: a reader can see the half-written file. */
  writeInPlace(name: string, content: string | Buffer): void;
  /** Hands every file already in the directory (say, a generated PKI) to the serve user. */
  adoptAll(): void;
  remove(): void;
}

/** A fresh directory owned by the user the serve process will run as. */
export function createServedDirectory(prefix = 'ipw-served-'): ServedDirectory {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  chmodSync(dir, DIRECTORY_MODE);
  const handOver = (target: string): void => {
    if (runsAsRoot()) chownSync(target, UNPRIVILEGED_ID, UNPRIVILEGED_ID);
  };
  handOver(dir);
  let sequence = 0;
  return {
    dir,
    file: (name) => path.join(dir, name),
    write(name, content, mode = 0o644) {
      const target = path.join(dir, name);
      sequence += 1;
      const temporary = path.join(dir, `.${name}.${process.pid}.${sequence}.tmp`);
      writeFileSync(temporary, content, { mode });
      chmodSync(temporary, mode);
      handOver(temporary);
      renameSync(temporary, target);
      return target;
    },
    writeInPlace(name, content) {
      const target = path.join(dir, name);
      writeFileSync(target, content);
      handOver(target);
    },
    adoptAll() {
      for (const name of readdirSync(dir)) handOver(path.join(dir, name));
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
