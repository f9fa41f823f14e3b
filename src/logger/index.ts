// Logging: the small Logger interface every module depends on, the JSON-lines process logger
// behind it (winston), plain stderr lines for one-shot commands, and a silent logger.
export { createLogger } from './json-logger';
export { LOG_LEVELS, SILENT_LOGGER, type LogFields, type LogLevel, type Logger } from './logger';
export { createTextLogger, type TextLoggerOptions } from './text-logger';
