// `replay --policy FILE --log FILE`: which recorded reviews a candidate policy would answer
// differently. Exit 0 when nothing changes, 1 when something does (like diff) — or, with
// --fail-on denied, only when an admitted review would be refused — 2 on a usage, policy or log
// error, so CI can gate a policy edit on it.
import path from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { parseDecisionLog } from '../decision-log';
import { type CompiledPolicy, PolicyError, formatPolicyIssue, loadPolicy } from '../policy';
import { readPolicyKeys } from '../reload';
import { countChanges, formatReplayJson, formatReplayText, replayDecisions } from '../replay';
import { ReportDirectoryError, readReportDirectory } from '../review-context';
import type { ReportIndex } from '../vulnerabilities';
import { type CommandContext, type CommandIo, EXIT_NEGATIVE, EXIT_SUCCESS, InputError, readInputFile } from './kit';

const DEFAULT_EXAMPLES = 10;

interface ReplayFlags {
  readonly policy: string;
  readonly log: string;
  readonly output: 'text' | 'json';
  readonly examples: number;
  readonly failOn: 'any' | 'denied';
}

function parseExamples(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 0) throw new InvalidArgumentError(`must be a whole number of at least 0, got ${JSON.stringify(value)}`);
  return count;
}

/** The scan reports the candidate policy names, read once as the server would; refused files are reported. */
function readReports(io: CommandIo, policy: CompiledPolicy, policyFile: string): ReportIndex | undefined {
  if (policy.vulnerabilities === undefined) return undefined;
  try {
    const read = readReportDirectory(path.resolve(path.dirname(policyFile), policy.vulnerabilities.reports));
    for (const issue of read.refused) io.stderr.write(`replay: scan report refused: ${issue}\n`);
    return read.index;
  } catch (error) {
    if (error instanceof ReportDirectoryError) throw new InputError(error.message);
    throw error;
  }
}

interface Candidate {
  readonly policy: CompiledPolicy;
  /** Key name -> fingerprint of the key file the candidate names. */
  readonly keyFingerprints: ReadonlyMap<string, string>;
}

/** A candidate policy that does not load (or whose key files do not) is reported as its file:line:col issues, one per line. */
function loadCandidate(io: CommandIo, file: string): Candidate {
  const text = readInputFile(io, '--policy', file);
  try {
    const policy = loadPolicy(text, file);
    const keys = readPolicyKeys(policy, text, path.dirname(file));
    return { policy, keyFingerprints: new Map([...keys].map(([name, key]) => [name, key.fingerprint])) };
  } catch (error) {
    if (error instanceof PolicyError) throw new InputError(error.issues.map(formatPolicyIssue).join('\n'), { bare: true });
    throw error;
  }
}

function runReplay(io: CommandIo, flags: ReplayFlags): number {
  const { policy, keyFingerprints } = loadCandidate(io, flags.policy);
  const reports = readReports(io, policy, flags.policy);
  const log = parseDecisionLog(readInputFile(io, '--log', flags.log));
  for (const line of log.malformed) io.stderr.write(`replay: ${flags.log}:${line.line}: skipped a review line: ${line.fault}\n`);
  if (log.records.length === 0) throw new InputError(`--log ${flags.log} holds no review lines (lines with "message":"review"): nothing to replay`);
  const report = replayDecisions(policy, log.records, reports, keyFingerprints);
  const context = { logFile: flags.log, policyFile: flags.policy, examples: flags.examples, otherLines: log.otherLines, malformed: log.malformed };
  io.stdout.write(flags.output === 'json' ? formatReplayJson(report, context) : formatReplayText(report, context));
  const failing = flags.failOn === 'denied' ? report.changed['allowed-to-denied'] : countChanges(report);
  if (failing > 0) return EXIT_NEGATIVE;
  // A review that could not be judged again may be the one that would change: "no change" would be a guess.
  if (log.malformed.length > 0) {
    throw new InputError(`${log.malformed.length} review lines of --log ${flags.log} could not be judged again (listed above), so the replay is incomplete`);
  }
  return EXIT_SUCCESS;
}

export function registerReplayCommand(program: Command, context: CommandContext): void {
  program
    .command('replay')
    .description(
      'Re-judge every review recorded in the decision log (namespace, annotations, images as written) under a candidate policy and report which answers would change: ' +
        'tags are judged by the digests the log recorded and signatures by the checks it recorded (no registry is asked; a recorded signature counts for a key with the same fingerprint), ' +
        'scan reports are read from the policy\'s reports directory; ' +
        'allowed → denied, denied → allowed, and audit verdicts that move. Exit 0 when nothing changes, 1 when something does (see --fail-on), 2 on a usage, policy or log error, ' +
        'and when a review line could not be judged again (the replay would be incomplete).',
    )
    .requiredOption('--policy <file>', 'the candidate policy')
    .requiredOption('--log <file>', 'the webhook decision log, JSON lines ("-" for stdin); other lines are skipped')
    .addOption(new Option('--output <format>', 'text, or json for scripts').choices(['text', 'json']).default('text'))
    .addOption(
      new Option('--fail-on <change>', 'any: exit 1 on any change; denied: only when a review that was admitted would be refused (the gate before switching to enforce)')
        .choices(['any', 'denied'])
        .default('any'),
    )
    .addOption(new Option('--examples <n>', 'distinct changed reviews shown per kind of change').argParser(parseExamples).default(DEFAULT_EXAMPLES))
    .action((flags: ReplayFlags) => context.run('replay', () => runReplay(context.io, flags)));
}
