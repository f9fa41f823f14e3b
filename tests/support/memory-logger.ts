// A real winston logger whose JSON lines are kept in memory, so tests can assert on exactly what
// operators would read in the webhook's log (one refusal line per broken edit, and so on).
import { Writable } from 'node:stream';
import winston from 'winston';
import type { Logger } from '../../src/logger/logger';

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

const POLL_MS = 20;

export function createMemoryLogger(): MemoryLogger {
  const entries: LogEntry[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') entries.push(JSON.parse(line) as LogEntry);
      callback();
    },
  });
  const logger = winston.createLogger({ level: 'debug', format: winston.format.json(), transports: [new winston.transports.Stream({ stream })] });
  const find = (prefix: string, from = 0): LogEntry[] => entries.slice(from).filter((entry) => entry.message.startsWith(prefix));
  return {
    logger,
    entries: () => entries,
    find: (prefix) => find(prefix),
    async waitFor(prefix, options = {}) {
      const deadline = Date.now() + (options.timeoutMs ?? 5_000);
      for (;;) {
        const [found] = find(prefix, options.after ?? 0);
        if (found !== undefined) return found;
        if (Date.now() > deadline) throw new Error(`no log line starting with ${JSON.stringify(prefix)}; log so far:\n${entries.map((entry) => JSON.stringify(entry)).join('\n')}`);
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    },
  };
}
