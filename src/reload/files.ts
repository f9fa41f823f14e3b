// Reads the files the webhook serves from (policy, certificates) the same way at startup and on
// reload: only regular files, through symlinks, under a size cap, with a content digest that
// tells a real change from a touch or a repeated event.
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { describeError } from '../errors';

/** Far above any real policy or PEM bundle; stops a mistaken /dev/zero or log file from being slurped. */
export const MAX_WATCHED_FILE_BYTES = 8 * 1024 * 1024;

export class UnreadableFileError extends Error {
  override readonly name = 'UnreadableFileError';
}

/** Reads a regular file (following symlinks), refusing directories, devices and oversized files. */
export function readRegularFile(file: string, maxBytes = MAX_WATCHED_FILE_BYTES): Buffer {
  let descriptor: number;
  try {
    // O_NONBLOCK: opening a FIFO put in the file's place would otherwise block the event loop,
    // and with it every review, until some writer opened the pipe. Regular files ignore the flag.
    descriptor = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new UnreadableFileError(`${file}: cannot read: ${describeError(error)}`);
  }
  try {
    const stats = fstatSync(descriptor);
    if (!stats.isFile()) throw new UnreadableFileError(`${file}: cannot read: not a regular file`);
    if (stats.size > maxBytes) throw new UnreadableFileError(`${file}: cannot read: ${stats.size} bytes is over the ${maxBytes}-byte limit`);
    const buffer = Buffer.alloc(stats.size);
    let filled = 0;
    while (filled < buffer.length) {
      const read = readSync(descriptor, buffer, filled, buffer.length - filled, null);
      if (read === 0) break;
      filled += read;
    }
    return filled === buffer.length ? buffer : buffer.subarray(0, filled);
  } catch (error) {
    if (error instanceof UnreadableFileError) throw error;
    throw new UnreadableFileError(`${file}: cannot read: ${describeError(error)}`);
  } finally {
    closeSync(descriptor);
  }
}

export function digestContents(...parts: readonly (Buffer | undefined)[]): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    // Length-prefixed so that moving bytes from one file to the next changes the digest.
    hash.update(String(part?.length ?? -1)).update(':');
    if (part !== undefined) hash.update(part);
  }
  return hash.digest('hex');
}
