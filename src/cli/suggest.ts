// `suggest`: prints a policy that admits what a cluster runs, from a pod dump or the decision log.
// Exit 0 when a policy was printed, 2 on a usage or input error. Warnings go to stderr.
import { type Command, Option } from 'commander';
import { parse as parseYaml } from 'yaml';
import { parseDecisionLog } from '../decision-log';
import { describeError } from '../errors';
import { PolicyError, type PolicyMode } from '../policy';
import {
  GRANULARITIES,
  type Granularity,
  PodListError,
  type Sighting,
  SuggestError,
  collectLogSightings,
  collectPodSightings,
  suggestPolicy,
  summarizeWarnings,
} from '../suggest';
import { type CommandContext, type CommandIo, EXIT_SUCCESS, InputError, STDIN, readInputFile } from './kit';

const DEFAULT_NAME = 'suggested';

interface SuggestFlags {
  readonly fromPods?: string;
  readonly fromLog?: string;
  readonly granularity: Granularity;
  readonly mode: PolicyMode;
  readonly allowOnly?: boolean;
  readonly groupByNamespace?: boolean;
  readonly includeDenied?: boolean;
  readonly name: string;
}

/** `kubectl get pods -o json` is the documented input; `-o yaml` is read too, since YAML holds JSON. */
function parsePodDump(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (jsonError) {
    try {
      return parseYaml(text);
    } catch {
      throw new InputError(`--from-pods ${file} is neither JSON nor YAML: ${describeError(jsonError)}`);
    }
  }
}

function readSightings(io: CommandIo, flags: SuggestFlags): { sightings: Sighting[]; source: string } {
  if ((flags.fromPods === undefined) === (flags.fromLog === undefined)) throw new InputError('give exactly one of --from-pods FILE or --from-log FILE');
  if (flags.fromPods !== undefined) {
    const file = flags.fromPods;
    try {
      return { sightings: collectPodSightings(parsePodDump(file, readInputFile(io, '--from-pods', file))).sightings, source: `--from-pods ${file}` };
    } catch (error) {
      if (error instanceof PodListError) throw new InputError(`--from-pods ${file}: ${error.message}`);
      throw error;
    }
  }
  const file = flags.fromLog ?? STDIN;
  const log = parseDecisionLog(readInputFile(io, '--from-log', file));
  for (const line of log.malformed) io.stderr.write(`suggest: ${file}:${line.line}: skipped a review line: ${line.fault}\n`);
  if (log.records.length === 0) throw new InputError(`--from-log ${file} holds no review lines (lines with "message":"review")`);
  return { sightings: collectLogSightings(log.records), source: `--from-log ${file}` };
}

/** A PolicyError here names the printed policy's metadata.name: --name was not a DNS label. */
function runSuggest(io: CommandIo, flags: SuggestFlags): number {
  const { sightings, source } = readSightings(io, flags);
  const suggestion = suggestPolicy(sightings, {
    granularity: flags.granularity,
    groupByNamespace: flags.groupByNamespace === true,
    name: flags.name,
    mode: flags.mode,
    allowOnly: flags.allowOnly === true,
    includeDenied: flags.includeDenied === true,
    source,
  });
  io.stdout.write(suggestion.text);
  for (const line of summarizeWarnings(suggestion.entries, suggestion.invalid, suggestion.leftOut)) io.stderr.write(`${line}\n`);
  return EXIT_SUCCESS;
}

function suggestOrExplain(io: CommandIo, flags: SuggestFlags): number {
  try {
    return runSuggest(io, flags);
  } catch (error) {
    if (error instanceof SuggestError || error instanceof PolicyError) throw new InputError(error.message);
    throw error;
  }
}

export function registerSuggestCommand(program: Command, context: CommandContext): void {
  program
    .command('suggest')
    .description(
      'Print a policy that admits every image a cluster runs, read from `kubectl get pods -A -o json` output or from the webhook decision log. ' +
        'Each entry is commented with where it was seen; entries we would not recommend (:latest, unpinned tags, Docker Hub short names) are included with a WARNING comment and listed on stderr. ' +
        'Exit 0 when a policy was printed, 2 on a usage or input error.',
    )
    .option('--from-pods <file>', 'output of `kubectl get pods -A -o json` ("-" for stdin); containers, init and ephemeral containers')
    .option('--from-log <file>', 'the webhook decision log, JSON lines ("-" for stdin); other lines are skipped')
    .addOption(
      new Option('--granularity <level>', 'image: exact image with tag/digest; repository: any tag of the repository; prefix: registry/org/**')
        .choices(GRANULARITIES)
        .default('repository'),
    )
    .addOption(new Option('--mode <mode>', 'mode of the printed policy; audit until the replay shows no surprise').choices(['audit', 'enforce']).default('audit'))
    .option('--allow-only', 'print only the allow entries (with --group-by-namespace: the namespace overlays), to paste into a policy')
    .option('--group-by-namespace', 'one namespace overlay per namespace, allowing each image only where it was seen')
    .option('--include-denied', 'with --from-log: also suggest images seen only in denied reviews (never run; whoever creates pods chose them), each with a WARNING')
    .option('--name <name>', 'metadata.name of the printed policy', DEFAULT_NAME)
    .action((flags: SuggestFlags) => context.run('suggest', () => suggestOrExplain(context.io, flags)));
}
