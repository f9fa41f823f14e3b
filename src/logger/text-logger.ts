// Plain lines for a one-shot command's stderr (`evaluate: warn: scan report refused: ...`), where
// stdout carries the answer and a JSON log would only be noise.
import { isLevelEnabled, type LogFields, type LogLevel, type Logger } from './logger';

export interface TextLoggerOptions {
  /** The command name that starts every line. */
  readonly prefix: string;
  readonly level: LogLevel;
  readonly write: (text: string) => void;
}

/** `prefix: level: message`, then `: issue` when the entry names one; other fields are left out. */
export function createTextLogger(options: TextLoggerOptions): Logger {
  const entry = (level: LogLevel) => (message: string, fields?: LogFields): void => {
    if (!isLevelEnabled(level, options.level)) return;
    const issue = fields?.['issue'];
    options.write(`${options.prefix}: ${level}: ${message}${issue === undefined ? '' : `: ${String(issue)}`}\n`);
  };
  return { error: entry('error'), warn: entry('warn'), info: entry('info'), debug: entry('debug') };
}
