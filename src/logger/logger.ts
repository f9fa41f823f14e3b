// The logger every module depends on: four levels, a message and flat fields. Small on purpose,
// so that nothing outside this folder knows which library writes the lines.

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Fields beside the message; each becomes a key of the JSON line. */
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  error(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
}

/** True when an entry at `level` passes a logger set to `threshold` (error is the most severe). */
export function isLevelEnabled(level: LogLevel, threshold: LogLevel): boolean {
  return LOG_LEVELS.indexOf(level) <= LOG_LEVELS.indexOf(threshold);
}

const IGNORE = (): void => undefined;

/** A logger that drops everything, for code paths and tests that assert on answers, not lines. */
export const SILENT_LOGGER: Logger = { error: IGNORE, warn: IGNORE, info: IGNORE, debug: IGNORE };
