// The webhook's own JSON-lines logger writing into memory, so tests can assert on exactly what
// operators would read in the webhook's log (one refusal line per broken edit, and so on).
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/logger';
import { eventually } from './eventually';

export interface LogEntry {
  readonly level: string;
  readonly message: string;
  readonly [field: string]: unknown;
}

export interface MemoryLogger {
  readonly logger: Logger;
  entries(): readonly LogEntry[];
  /** Entries whose message starts with `prefix`. */
  find(prefix: string): LogEntry[];
  /** Resolves with the first entry matching `prefix` after `after` entries, or rejects after `timeoutMs`. */
  waitFor(prefix: string, options?: { after?: number; timeoutMs?: number }): Promise<LogEntry>;
}

export function createMemoryLogger(): MemoryLogger {
  const entries: LogEntry[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') entries.push(JSON.parse(line) as LogEntry);
      callback();
    },
  });
  const logger = createLogger('debug', stream);
  const find = (prefix: string, from = 0): LogEntry[] => entries.slice(from).filter((entry) => entry.message.startsWith(prefix));
  return {
    logger,
    entries: () => entries,
    find: (prefix) => find(prefix),
    waitFor: (prefix, options = {}) =>
      eventually(() => find(prefix, options.after ?? 0)[0], {
        timeoutMs: options.timeoutMs ?? 15_000,
        describe: () => `a log line starting with ${JSON.stringify(prefix)}; log so far:\n${entries.map((entry) => JSON.stringify(entry)).join('\n')}`,
      }),
  };
}
