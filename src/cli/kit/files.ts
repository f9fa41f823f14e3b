// Reading the files a command is given (`-` is standard input) and writing the files it makes
// (beside the target, then renamed over it), the same way in every command.
import { chmodSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { describeError } from '../../errors';
import { InputError } from './exit';
import type { CommandIo } from './io';

export const STDIN = '-';

/** The text of `file` (`-`: standard input); InputError `cannot read FLAG FILE: why` otherwise. */
export function readInputFile(io: CommandIo, flag: string, file: string): string {
  try {
    return file === STDIN ? io.readStdin() : readFileSync(file, 'utf8');
  } catch (error) {
    throw new InputError(`cannot read ${flag} ${file}: ${describeError(error)}`);
  }
}

/**
 * Writes beside the target and renames over it: a reader (a running `serve` reloading its
 * certificates, kube-apiserver) never sees half a file, and the file has exactly `mode` from its
 * first byte. The temporary file is created exclusively, so nothing planted at its name (a
 * symlink) is followed; the mode is set again because the umask may have narrowed it, and a
 * certificate must stay readable.
 */
export function writeFileAtomically(file: string, text: string, mode: number): void {
  const temporary = `${file}.tmp-${process.pid}`;
  writeFileSync(temporary, text, { mode, flag: 'wx' });
  chmodSync(temporary, mode);
  renameSync(temporary, file);
}
