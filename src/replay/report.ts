// Prints a replay for a terminal or as JSON for scripts. Both show counts for everything and
// at most `examples` change groups per kind, so a log of a million reviews stays readable.
import { quoteForMessage } from '../reference';
import { CHANGE_KINDS, type ChangeGroup, type ChangeKind, type ReplayReport } from './replay';

export interface ReportContext {
  readonly logFile: string;
  readonly policyFile: string;
  /** Change groups shown per kind. */
  readonly examples: number;
  /** Lines of the log that were not review records, and review lines that could not be read. */
  readonly otherLines: number;
  readonly malformed: readonly { readonly line: number; readonly fault: string }[];
}

const TITLES: Readonly<Record<ChangeKind, string>> = {
  'allowed-to-denied': 'allowed → denied',
  'denied-to-allowed': 'denied → allowed',
  'verdict-only': 'same answer, enforce verdict changed (audit mode or break-glass)',
};

/** How many characters of a written image a line quotes: images are pod-author input. */
const MAX_QUOTED_IMAGE = 160;

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** Reviews that would change, of every kind: the replay command's exit code rests on it. */
export function countChanges(report: ReplayReport): number {
  return CHANGE_KINDS.reduce((sum, kind) => sum + report.changed[kind], 0);
}

function describeGroup(group: ChangeGroup, logFile: string): string[] {
  const repeats = group.count > 1 ? `, ${group.count} identical reviews` : '';
  const head = `  ${logFile}:${group.firstLine}: namespace ${quoteForMessage(group.namespace)}${repeats}: ${group.before} → ${group.after}`;
  // The images that explain the change: those now denied, or, when the review is now clean, all of them.
  const explaining = group.verdicts.some((verdict) => !verdict.allowed) ? group.verdicts.filter((verdict) => !verdict.allowed) : group.verdicts;
  const images = explaining.map((verdict) => {
    const written = quoteForMessage(verdict.image, MAX_QUOTED_IMAGE);
    const normalized = verdict.normalized !== undefined && verdict.normalized !== verdict.image ? ` (${verdict.normalized})` : '';
    return `      ${verdict.allowed ? 'allow' : 'deny '} ${written}${normalized}: ${verdict.rule}`;
  });
  // A pod that runs one image in several containers explains its change once.
  return [head, ...new Set(images)];
}

export function formatReplayText(report: ReplayReport, context: ReportContext): string {
  const total = countChanges(report);
  const lines = [
    `replayed ${plural(report.reviews, 'review')} from ${context.logFile} under ${context.policyFile} (policy ${report.policy.name}, hash ${report.policy.hash}): ${total === 0 ? 'no change' : `${plural(total, 'review')} would change`}`,
    ...CHANGE_KINDS.map((kind) => `  ${TITLES[kind]}: ${report.changed[kind]}`),
    `  unchanged: ${report.unchanged}`,
    `candidate decisions: ${Object.entries(report.candidate)
      .map(([label, count]) => `${label} ${count}`)
      .join(', ')}`,
  ];
  if (context.otherLines > 0 || context.malformed.length > 0) {
    lines.push(`skipped: ${context.otherLines} non-review lines, ${context.malformed.length} unreadable review lines`);
  }
  for (const kind of CHANGE_KINDS) {
    const groups = report.groups[kind];
    if (groups.length === 0) continue;
    const shown = groups.slice(0, context.examples);
    const hidden = groups.length - shown.length;
    lines.push('', `${TITLES[kind]} (${plural(groups.length, 'distinct review')}${hidden > 0 ? `, first ${shown.length} shown` : ''}):`);
    lines.push(...shown.flatMap((group) => describeGroup(group, context.logFile)));
  }
  return `${lines.join('\n')}\n`;
}

function groupToJson(group: ChangeGroup): object {
  return {
    line: group.firstLine,
    count: group.count,
    namespace: group.namespace,
    annotations: group.annotations,
    before: group.before,
    after: group.after,
    images: group.verdicts,
    ...(group.reason === undefined ? {} : { reason: group.reason }),
  };
}

export function formatReplayJson(report: ReplayReport, context: ReportContext): string {
  const json = {
    log: context.logFile,
    policyFile: context.policyFile,
    policy: report.policy,
    reviews: report.reviews,
    unchanged: report.unchanged,
    changed: report.changed,
    candidate: report.candidate,
    skipped: { otherLines: context.otherLines, malformed: context.malformed },
    examples: Object.fromEntries(CHANGE_KINDS.map((kind) => [kind, report.groups[kind].slice(0, context.examples).map(groupToJson)])),
    distinct: Object.fromEntries(CHANGE_KINDS.map((kind) => [kind, report.groups[kind].length])),
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}
