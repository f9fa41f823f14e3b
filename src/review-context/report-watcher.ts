// Keeps the scan-report index of one directory current: every `*.json` file in it is read as a
// Trivy report at start and re-read when the directory changes (the same directory watch and
// periodic re-read as the policy). Safety rules of the policy reload, per file: a report that
// does not parse (half-copied by CI, hand-edited) is refused and logged once, and its last good
// version stays in force, so a broken upload never turns a denied image into an allowed one.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { ReportError, ReportIndex, type ScanReport, parseTrivyReport } from '../vulnerabilities';
import { describeError } from '../errors';
import type { Logger } from '../logger';
import { type ChangeTrigger, type FileWatch, digestContents, readRegularFile, watchFiles } from '../reload';

/** Trivy reports of large images run to tens of megabytes; anything bigger is not a report. */
export const MAX_REPORT_BYTES = 64 * 1024 * 1024;
export const REPORT_SUFFIX = '.json';
/**
 * watchFiles watches the folder holding each file it is given; a name inside the reports
 * directory makes it watch the directory itself (the file need not exist).
 */
const DIRECTORY_PROBE = '.image-policy-webhook-reports';

interface LoadedReport {
  readonly digest: string;
  readonly report: ScanReport;
}

export interface ReportDirectory {
  readonly directory: string;
  readonly index: ReportIndex;
  /** Last good report per file name. */
  readonly files: ReadonlyMap<string, LoadedReport>;
  /** One line per file refused in this read: `file:line:col: field: rule`. */
  readonly refused: readonly string[];
}

export class ReportDirectoryError extends Error {
  override readonly name = 'ReportDirectoryError';
}

/** Report files: `*.json`, not hidden (a ConfigMap's `..data` and `..2024_...` entries are hidden). */
function listReportFiles(directory: string): string[] {
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch (error) {
    throw new ReportDirectoryError(`vulnerabilities.reports ${directory}: cannot list the directory: ${describeError(error)}`);
  }
  return names.filter((name) => name.endsWith(REPORT_SUFFIX) && !name.startsWith('.')).sort();
}

/** Reads the directory; unchanged files (same content digest) keep their parsed report. */
export function readReportDirectory(directory: string, previous?: ReportDirectory): ReportDirectory {
  const files = new Map<string, LoadedReport>();
  const refused: string[] = [];
  for (const name of listReportFiles(directory)) {
    const known = previous?.files.get(name);
    let bytes: Buffer;
    try {
      bytes = readRegularFile(path.join(directory, name), MAX_REPORT_BYTES);
    } catch (error) {
      refused.push(describeError(error));
      if (known !== undefined) files.set(name, known);
      continue;
    }
    const digest = digestContents(bytes);
    if (known?.digest === digest) {
      files.set(name, known);
      continue;
    }
    try {
      files.set(name, { digest, report: parseTrivyReport(bytes.toString('utf8'), name) });
    } catch (error) {
      if (!(error instanceof ReportError)) throw error;
      refused.push(error.message);
      if (known !== undefined) files.set(name, known);
    }
  }
  const unchanged = previous !== undefined && previous.files.size === files.size && [...files].every(([name, loaded]) => previous.files.get(name) === loaded);
  const index = unchanged ? previous.index : new ReportIndex([...files.values()].map((loaded) => loaded.report));
  return { directory, index, files, refused };
}

export interface ReportWatcherOptions {
  readonly logger: Logger;
  /** False for one-shot commands: read once, never watch. */
  readonly watch: boolean;
  readonly debounceMs?: number;
  readonly pollIntervalMs?: number;
}

export interface ReportWatcherStart {
  /** Startup: a directory that cannot be listed throws ReportDirectoryError. */
  readonly strict: boolean;
  /** Otherwise this index stays in force until the directory can be read (the last good one). */
  readonly fallback?: ReportIndex;
}

export class ReportWatcher {
  private state: ReportDirectory;
  private readonly watch: FileWatch | undefined;
  /** Refusals already logged, so a periodic re-read of the same broken file stays quiet. */
  private logged = new Set<string>();

  constructor(
    readonly directory: string,
    private readonly options: ReportWatcherOptions,
    start: ReportWatcherStart,
  ) {
    try {
      this.state = readReportDirectory(directory);
      this.logRefusals();
      options.logger.info('scan reports loaded', { directory, reports: this.state.files.size, refused: this.state.refused.length });
    } catch (error) {
      if (start.strict || !(error instanceof ReportDirectoryError)) throw error;
      // The watch below retries: a directory created later (by the first CI upload) is picked up.
      this.state = { directory, index: start.fallback ?? ReportIndex.EMPTY, files: new Map(), refused: [] };
      this.logged = new Set([error.message]);
      options.logger.error('scan reports unreadable; the last good reports (if any) stay in force', { issue: error.message });
    }
    this.watch = options.watch
      ? watchFiles({
          files: [path.join(directory, DIRECTORY_PROBE)],
          onChange: (trigger) => this.refresh(trigger),
          logger: options.logger,
          ...(options.debounceMs === undefined ? {} : { debounceMs: options.debounceMs }),
          ...(options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs }),
        })
      : undefined;
  }

  current(): ReportIndex {
    return this.state.index;
  }

  /** Re-reads the directory; an unlistable directory keeps the last good index in force. */
  refresh(trigger: ChangeTrigger | 'signal'): void {
    const previous = this.state;
    try {
      this.state = readReportDirectory(this.directory, previous);
    } catch (error) {
      const message = describeError(error);
      if (!this.logged.has(message)) this.options.logger.error('scan reports unreadable; the last good reports stay in force', { trigger, issue: message });
      this.logged = new Set([message]);
      return;
    }
    this.logRefusals();
    if (this.state.index !== previous.index) {
      this.options.logger.info('scan reports reloaded', { trigger, directory: this.directory, reports: this.state.files.size, refused: this.state.refused.length });
    }
  }

  close(): void {
    this.watch?.close();
  }

  private logRefusals(): void {
    for (const issue of this.state.refused) {
      if (!this.logged.has(issue)) this.options.logger.error('scan report refused; its last good version (if any) stays in force', { issue });
    }
    this.logged = new Set(this.state.refused);
  }
}
