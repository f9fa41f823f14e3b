// replayDecisions: judges every recorded review again under a candidate policy, through the same
// evaluate the server uses (tags by the digests and signatures by the checks the log recorded), and sorts what changes by what the operator must know first: pods
// that would now be refused, pods that would now be admitted, and audit verdicts that moved.
import type { DecisionRecord } from '../decision-log';
import { type DecisionLabel, labelDecision } from '../imagereview';
import { type CompiledPolicy, type EvaluationContext, type ImageVerdict, evaluate, expandRecordedSignatures } from '../policy';
import type { ReportIndex } from '../vulnerabilities';

export const CHANGE_KINDS = ['allowed-to-denied', 'denied-to-allowed', 'verdict-only'] as const;
/**
 * allowed-to-denied / denied-to-allowed: the answer kube-apiserver gets flips. verdict-only: the
 * answer stays (audit mode or break-glass admits either way) but enforce would now judge it
 * differently — the change an operator in audit mode is looking for.
 */
export type ChangeKind = (typeof CHANGE_KINDS)[number];

const LABELS: readonly DecisionLabel[] = ['allow', 'deny', 'audit-deny', 'break-glass'];

/** Identical reviews (same subject, same change) are shown once with a count. */
export interface ChangeGroup {
  readonly kind: ChangeKind;
  readonly firstLine: number;
  readonly count: number;
  readonly namespace: string;
  readonly annotations: Readonly<Record<string, string>>;
  readonly before: DecisionLabel;
  readonly after: DecisionLabel;
  /** The candidate's verdict on each image, in review order. */
  readonly verdicts: readonly ImageVerdict[];
  readonly reason: string | undefined;
}

export interface ReplayReport {
  readonly policy: { readonly name: string; readonly hash: string };
  readonly reviews: number;
  readonly unchanged: number;
  /** Reviews per change kind (not groups). */
  readonly changed: Readonly<Record<ChangeKind, number>>;
  /** How the candidate would label every replayed review. */
  readonly candidate: Readonly<Record<DecisionLabel, number>>;
  /** Change groups per kind, in log order of their first review. */
  readonly groups: Readonly<Record<ChangeKind, readonly ChangeGroup[]>>;
}

function classify(beforeAllowed: boolean, afterAllowed: boolean): ChangeKind {
  if (beforeAllowed && !afterAllowed) return 'allowed-to-denied';
  if (!beforeAllowed && afterAllowed) return 'denied-to-allowed';
  return 'verdict-only';
}

function zeroCounts<Key extends string>(keys: readonly Key[]): Record<Key, number> {
  return Object.fromEntries(keys.map((key) => [key, 0])) as Record<Key, number>;
}

const NO_KEYS: ReadonlyMap<string, string> = new Map();

/** What a record is judged with: the reports in force now, and the digests and signatures it recorded. */
function buildRecordContext(policy: CompiledPolicy, record: DecisionRecord, reports: ReportIndex | undefined, keyFingerprints: ReadonlyMap<string, string>): EvaluationContext {
  return {
    ...(reports === undefined ? {} : { reports }),
    ...(record.resolutions === undefined ? {} : { resolutions: record.resolutions }),
    ...(record.signatures === undefined ? {} : { verifications: expandRecordedSignatures(policy, keyFingerprints, record.signatures) }),
  };
}

/**
 * `reports`: the scan reports in force now, for a policy with a vulnerabilities section.
 * `keyFingerprints`: the candidate's key names and the fingerprints of their files; a recorded
 * signature counts only for a key with the same fingerprint.
 */
export function replayDecisions(policy: CompiledPolicy, records: readonly DecisionRecord[], reports?: ReportIndex, keyFingerprints: ReadonlyMap<string, string> = NO_KEYS): ReplayReport {
  const changed = zeroCounts(CHANGE_KINDS);
  const candidate = zeroCounts(LABELS);
  const groups = new Map<string, ChangeGroup>();
  let unchanged = 0;
  for (const record of records) {
    const decision = evaluate(policy, record.review, buildRecordContext(policy, record, reports, keyFingerprints));
    const after = labelDecision(decision);
    candidate[after] += 1;
    if (after === record.decision) {
      unchanged += 1;
      continue;
    }
    const kind = classify(record.allowed, decision.allowed);
    changed[kind] += 1;
    const { namespace, annotations, images } = record.review;
    const key = JSON.stringify([kind, record.decision, after, namespace, images, Object.entries(annotations).sort()]);
    const known = groups.get(key);
    groups.set(
      key,
      known === undefined
        ? { kind, firstLine: record.line, count: 1, namespace, annotations, before: record.decision, after, verdicts: decision.images, reason: decision.reason }
        : { ...known, count: known.count + 1 },
    );
  }
  const byKind = Object.fromEntries(CHANGE_KINDS.map((kind) => [kind, [...groups.values()].filter((group) => group.kind === kind)])) as Record<ChangeKind, ChangeGroup[]>;
  return { policy: { name: policy.name, hash: policy.hash }, reviews: records.length, unchanged, changed, candidate, groups: byKind };
}
