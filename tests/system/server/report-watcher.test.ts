// ReportWatcher on a real directory: reports are indexed at start and re-indexed when files are
// added, replaced (also the editor's rename-over and a ConfigMap-style symlink swap) or removed;
// a broken upload is refused, logged once, and the file's last good version stays in force.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReportDirectoryError, ReportWatcher, readReportDirectory } from '../../../src/review-context';
import { eventually } from '../../support/eventually';
import { createMemoryLogger, type MemoryLogger } from '../../support/memory-logger';
import { FIXTURE_DIGESTS, INVALID_REPORTS_DIR, VALID_REPORTS_DIR } from '../../support/trivy';

const LEDGER_142 = 'registry.example.com/payments/ledger:1.4.2';
const DEBOUNCE_MS = 20;
const WAIT_MS = 15_000;

let directory: string;
let memory: MemoryLogger;
const watchers: ReportWatcher[] = [];

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'ipw-reports-'));
  memory = createMemoryLogger();
});

afterEach(() => {
  for (const watcher of watchers.splice(0)) watcher.close();
  rmSync(directory, { recursive: true, force: true });
});

function copyValid(file: string, as = file): void {
  copyFileSync(join(VALID_REPORTS_DIR, file), join(directory, as));
}

/** Writes next to the directory and renames into it, as editors and `kubectl cp` do. */
function replaceAtomically(name: string, text: string): void {
  const staging = join(directory, `.staging-${name}`);
  writeFileSync(staging, text);
  renameSync(staging, join(directory, name));
}

function startWatcher(strict = true): ReportWatcher {
  const watcher = new ReportWatcher(directory, { logger: memory.logger, watch: true, debounceMs: DEBOUNCE_MS, pollIntervalMs: 0 }, { strict });
  watchers.push(watcher);
  return watcher;
}

async function waitUntil(condition: () => boolean, what: string): Promise<void> {
  await eventually(condition, { timeoutMs: WAIT_MS, intervalMs: 10, describe: () => what });
}

describe('readReportDirectory', () => {
  test('every *.json file, hidden files and other suffixes skipped', () => {
    copyValid('ledger-1.4.2.json');
    copyValid('alpine-3.19.json');
    copyValid('nginx-1.25-local.json', '.hidden.json');
    copyValid('ledger-1.4.3.json', 'ledger-1.4.3.json.bak');
    mkdirSync(join(directory, 'nested.json'));
    const read = readReportDirectory(directory);
    expect([...read.files.keys()]).toEqual(['alpine-3.19.json', 'ledger-1.4.2.json']);
    expect(read.refused).toEqual([expect.stringMatching(/nested\.json: cannot read: not a regular file$/)]);
    expect(read.index.findReport(LEDGER_142, undefined)?.source).toBe('ledger-1.4.2.json');
  });

  test('refused files are listed with file:line:col and field', () => {
    copyFileSync(join(INVALID_REPORTS_DIR, 'unknown-severity.json'), join(directory, 'unknown-severity.json'));
    copyFileSync(join(INVALID_REPORTS_DIR, 'truncated.json'), join(directory, 'truncated.json'));
    expect(readReportDirectory(directory).refused).toEqual([
      expect.stringMatching(/^truncated\.json:\d+:\d+: not JSON/),
      'unknown-severity.json:119:23: Results[0].Vulnerabilities[1].Severity: must be one of UNKNOWN, LOW, MEDIUM, HIGH, CRITICAL, got "SEVERE"',
    ]);
  });

  test('an unchanged directory keeps the same index object', () => {
    copyValid('ledger-1.4.2.json');
    const first = readReportDirectory(directory);
    expect(readReportDirectory(directory, first).index).toBe(first.index);
  });

  test('a directory that cannot be listed', () => {
    expect(() => readReportDirectory(join(directory, 'missing'))).toThrow(ReportDirectoryError);
    expect(() => readReportDirectory(join(directory, 'missing'))).toThrow(/vulnerabilities\.reports .*missing: cannot list the directory/);
  });
});

describe('ReportWatcher', () => {
  test('a new report is picked up without a restart', async () => {
    const watcher = startWatcher();
    expect(watcher.current().findReport(LEDGER_142, undefined)).toBeUndefined();
    copyValid('ledger-1.4.2.json');
    await waitUntil(() => watcher.current().findReport(LEDGER_142, undefined) !== undefined, 'the new report is indexed');
  });

  test('a removed report is dropped', async () => {
    copyValid('ledger-1.4.2.json');
    const watcher = startWatcher();
    unlinkSync(join(directory, 'ledger-1.4.2.json'));
    await waitUntil(() => watcher.current().findReport(LEDGER_142, undefined) === undefined, 'the report is dropped');
  });

  test('a broken upload keeps the last good version of that file, logged once', async () => {
    copyValid('ledger-1.4.2.json');
    const watcher = startWatcher();
    const good = watcher.current().findReport(LEDGER_142, undefined);
    const text = readFileSync(join(VALID_REPORTS_DIR, 'ledger-1.4.2.json'), 'utf8');
    replaceAtomically('ledger-1.4.2.json', text.slice(0, text.length / 2));
    await memory.waitFor('scan report refused');
    expect(watcher.current().findReport(LEDGER_142, undefined)).toBe(good);
    watcher.refresh('poll');
    watcher.refresh('poll');
    expect(memory.find('scan report refused')).toHaveLength(1);
    expect(memory.find('scan report refused')[0]?.['issue']).toMatch(/^ledger-1\.4\.2\.json:\d+:\d+: not JSON/);
  });

  test('a report replaced by a rescan (rename over the old file) is re-indexed', async () => {
    copyValid('ledger-1.4.2.json', 'ledger.json');
    const watcher = startWatcher();
    replaceAtomically('ledger.json', readFileSync(join(VALID_REPORTS_DIR, 'ledger-1.4.3.json'), 'utf8'));
    await waitUntil(() => watcher.current().findReport(undefined, FIXTURE_DIGESTS.ledger143) !== undefined, 'the rescan is indexed');
    expect(watcher.current().findReport(undefined, FIXTURE_DIGESTS.ledger142)).toBeUndefined();
  });

  test('a ConfigMap-style ..data symlink swap is followed', async () => {
    const first = join(directory, '..2026_01_01');
    const second = join(directory, '..2026_01_02');
    mkdirSync(first);
    mkdirSync(second);
    copyFileSync(join(VALID_REPORTS_DIR, 'ledger-1.4.2.json'), join(first, 'ledger.json'));
    copyFileSync(join(VALID_REPORTS_DIR, 'ledger-1.4.3.json'), join(second, 'ledger.json'));
    symlinkSync('..2026_01_01', join(directory, '..data'));
    symlinkSync('..data/ledger.json', join(directory, 'ledger.json'));
    const watcher = startWatcher();
    expect(watcher.current().findReport(undefined, FIXTURE_DIGESTS.ledger142)?.source).toBe('ledger.json');
    symlinkSync('..2026_01_02', join(directory, '..data_tmp'));
    renameSync(join(directory, '..data_tmp'), join(directory, '..data'));
    await waitUntil(() => watcher.current().findReport(undefined, FIXTURE_DIGESTS.ledger143) !== undefined, 'the swapped report is indexed');
  });

  test('strict start refuses an unreadable directory; otherwise the fallback stays until it appears', async () => {
    rmSync(directory, { recursive: true, force: true });
    expect(() => startWatcher(true)).toThrow(ReportDirectoryError);
    const watcher = startWatcher(false);
    expect(memory.find('scan reports unreadable')).toHaveLength(1);
    mkdirSync(directory);
    copyValid('ledger-1.4.2.json');
    watcher.refresh('poll');
    expect(watcher.current().findReport(LEDGER_142, undefined)?.source).toBe('ledger-1.4.2.json');
  });
});
