// `test PATH...`: runs operator-written case files (the format of tests/cases/*.yaml, through the
// same runner the project's own tests use) so a policy repository can have CI. Prints PASS/FAIL
// per case and `N passed, M failed`; exit 0 all passed, 1 something failed, 2 nothing to test.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { parseAllDocuments } from 'yaml';
import { type PolicyCase, runCase } from '../cases';
import { describeError, hasErrorMessage } from '../errors';
import { displayName, loadCaseFileFromDisk, type LoadedCaseFile } from './case-files';
import { type CommandContext, type CommandIo, EXIT_ERROR, EXIT_NEGATIVE, EXIT_SUCCESS, UsageError } from './kit';

const CASE_FILE_EXTENSIONS = ['.yaml', '.yml'];
/** Folders a walk never enters: tooling, dependencies, version control. */
const SKIPPED_FOLDER = /^(?:\..*|node_modules)$/;

interface TestFlags {
  readonly quiet?: boolean;
}

interface Tally {
  passed: number;
  failed: number;
  /** Cases whose judging threw: a bug, reported as such, never as a failing (or passing) case. */
  errors: number;
}

function isMappingWithoutCases(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Object.hasOwn(value, 'cases');
}

/**
 * A YAML file met during a walk is a case file unless every document in it is a mapping without
 * `cases` (a policy, a Kubernetes manifest). Broken YAML counts as a case file, so it is reported.
 */
function looksLikeCaseFile(file: string): boolean {
  try {
    const documents = parseAllDocuments(readFileSync(file, 'utf8'));
    if (!Array.isArray(documents) || documents.length === 0) return true;
    return !documents.every((document) => document.errors.length === 0 && isMappingWithoutCases(document.toJS()));
  } catch {
    return true;
  }
}

function walkFolder(folder: string, found: string[]): void {
  for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory() && !SKIPPED_FOLDER.test(entry.name)) walkFolder(full, found);
    else if (entry.isFile() && CASE_FILE_EXTENSIONS.includes(path.extname(entry.name)) && looksLikeCaseFile(full)) found.push(full);
  }
}

function findCaseFiles(paths: readonly string[]): string[] {
  const found: string[] = [];
  for (const given of paths) {
    let isFolder: boolean;
    try {
      isFolder = statSync(given).isDirectory();
    } catch (error) {
      throw new UsageError(`cannot read ${given}: ${describeError(error)}`);
    }
    if (isFolder) walkFolder(given, found);
    else found.push(given);
  }
  return found;
}

type CaseOutcome = { readonly kind: 'judged'; readonly failures: readonly string[] } | { readonly kind: 'internal-error'; readonly error: unknown };

function runOneCase(loaded: LoadedCaseFile, testCase: PolicyCase): CaseOutcome {
  let body: unknown;
  try {
    body = loaded.requestBody(testCase);
  } catch (error) {
    // The case's review file cannot be read: the case fails, the others still run.
    return { kind: 'judged', failures: [describeError(error)] };
  }
  try {
    return { kind: 'judged', failures: runCase(loaded.policy, testCase, body, loaded.context(testCase)).failures };
  } catch (error) {
    return { kind: 'internal-error', error };
  }
}

function runCaseFile(io: CommandIo, file: string, flags: TestFlags, tally: Tally): void {
  const shownName = displayName(file);
  let loaded: LoadedCaseFile;
  try {
    loaded = loadCaseFileFromDisk(file);
  } catch (error) {
    // CaseFileError, PolicyError or a file that cannot be read: this file fails, the others still run.
    if (!hasErrorMessage(error)) throw error;
    tally.failed += 1;
    io.stdout.write(`FAIL ${shownName}: cannot run this case file\n${indent(describeError(error))}\n`);
    return;
  }
  for (const testCase of loaded.caseFile.cases) {
    const outcome = runOneCase(loaded, testCase);
    if (outcome.kind === 'internal-error') {
      tally.errors += 1;
      io.stdout.write(`ERROR ${shownName}: ${testCase.name}\n${indent(`internal error while judging the case: ${describeError(outcome.error)}`)}\n`);
      continue;
    }
    const failures = outcome.failures;
    if (failures.length === 0) {
      tally.passed += 1;
      if (flags.quiet !== true) io.stdout.write(`PASS ${shownName}: ${testCase.name}\n`);
    } else {
      tally.failed += 1;
      io.stdout.write(`FAIL ${shownName}: ${testCase.name}\n${indent(failures.join('\n'))}\n`);
    }
  }
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}

function runTests(io: CommandIo, paths: readonly string[], flags: TestFlags): number {
  const files = findCaseFiles(paths);
  if (files.length === 0) throw new UsageError(`no case files (YAML with a \`cases:\` list) under ${paths.join(', ')}`);
  const tally: Tally = { passed: 0, failed: 0, errors: 0 };
  for (const file of files) runCaseFile(io, file, flags, tally);
  const errors = tally.errors === 0 ? '' : `, ${tally.errors} internal errors`;
  io.stdout.write(`${tally.passed} passed, ${tally.failed} failed${errors}\n`);
  // A crash is not a verdict: a CI gate that expects failing cases must not pass on one.
  if (tally.errors > 0) return EXIT_ERROR;
  return tally.failed === 0 ? EXIT_SUCCESS : EXIT_NEGATIVE;
}

export function registerTestCommand(program: Command, context: CommandContext): void {
  program
    .command('test')
    .description(
      'Run policy case files (policy or policyFile, then cases of images or review files with the expected outcome; the format of the project\'s tests/cases/*.yaml). ' +
        'Folders are searched for *.yaml and *.yml holding a `cases:` list; relative paths in a case file resolve against its folder. ' +
        'Prints PASS/FAIL per case and "N passed, M failed". Exit 0 when every case passes, 1 when one fails, 2 when there is nothing to test.',
    )
    .argument('<path...>', 'case files, or folders to search for them')
    .option('--quiet', 'print only failures and the summary')
    .action((paths: string[], flags: TestFlags) => context.run('test', () => runTests(context.io, paths, flags)));
}
