// suggestPolicy: sightings in, policy text out, proven before it is returned: the full policy is
// loaded with the real loader and every sighting is judged through it, so a suggestion that
// would not admit what the cluster runs can never be printed.
import { type PolicyMode, evaluate, loadPolicy } from '../policy';
import { type EntryOptions, type InvalidImage, type SuggestedEntry, buildEntries } from './entries';
import { renderPolicy } from './render';
import type { Sighting } from './sightings';

export interface SuggestOptions extends EntryOptions {
  readonly name: string;
  readonly mode: PolicyMode;
  readonly allowOnly: boolean;
  /** How the input is named in the output's first comment, e.g. `--from-pods pods.json`. */
  readonly source: string;
  /** Also suggest images seen only in denied reviews (each entry then carries a WARNING). */
  readonly includeDenied: boolean;
}

export interface Suggestion {
  readonly text: string;
  readonly entries: readonly SuggestedEntry[];
  readonly invalid: readonly InvalidImage[];
  /** Distinct image strings seen only in denied reviews and left out (none with includeDenied). */
  readonly leftOut: readonly string[];
}

export class SuggestError extends Error {
  override readonly name = 'SuggestError';
}

/** A namespace name (a DNS label): the only thing an overlay written for one namespace may hold. */
const NAMESPACE_NAME = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const VERIFIED_FILE_NAME = 'suggested policy';

/** A pod that ran because of the policy, or because its namespace audits; not a denied or break-glass one. */
export function ranUnderPolicy(sighting: Sighting): boolean {
  return sighting.admission === 'policy' || sighting.admission === 'audit';
}

/**
 * Images seen only in denied reviews never ran, and images admitted only by break-glass ran
 * because someone bypassed the policy in an emergency: anyone who can create a pod can put any
 * string in the log that way, so they are not suggested unless the operator asks.
 */
function splitNeverAdmitted(sightings: readonly Sighting[], includeDenied: boolean): { kept: Sighting[]; leftOut: string[] } {
  if (includeDenied) return { kept: [...sightings], leftOut: [] };
  const admitted = new Set(sightings.filter(ranUnderPolicy).map((sighting) => sighting.image));
  const leftOut = [...new Set(sightings.filter((sighting) => !admitted.has(sighting.image)).map((sighting) => sighting.image))];
  return { kept: sightings.filter((sighting) => admitted.has(sighting.image)), leftOut };
}

function describeInput(sightings: readonly Sighting[], entries: readonly SuggestedEntry[], leftOut: readonly string[], options: SuggestOptions): string[] {
  const sources = new Set(sightings.map((sighting) => sighting.id)).size;
  const unit = sightings.some((sighting) => sighting.kind === 'pod') ? 'pods' : 'reviews';
  const images = new Set(sightings.map((sighting) => sighting.image)).size;
  const namespaces = new Set(sightings.map((sighting) => sighting.namespace)).size;
  const warned = entries.filter((entry) => entry.warnings.length > 0).length;
  return [
    `Suggested by \`image-policy-webhook suggest ${options.source}\`: ${images} distinct image strings in ${sources} ${unit} across ${namespaces} namespaces, granularity ${options.granularity}.`,
    'Entries are written normalized (registry, library/, tag) so each reads exactly as it matches.',
    ...(warned > 0 ? [`${warned} of ${entries.length} entries carry WARNING comments: they are included because the cluster runs them.`] : []),
    ...(leftOut.length > 0
      ? [`Left out: ${leftOut.length} image strings seen only in denied or break-glass reviews (--include-denied adds them, marked).`]
      : []),
  ];
}

function checkNamespaces(sightings: readonly Sighting[]): void {
  for (const sighting of sightings) {
    if (!NAMESPACE_NAME.test(sighting.namespace)) {
      throw new SuggestError(`cannot group by namespace: ${JSON.stringify(sighting.namespace)} (${sighting.id}) is not a namespace name`);
    }
  }
}

/** Sightings the policy text would deny under enforce; empty for every suggestion we print. */
export function findUncovered(policyText: string, sightings: readonly Sighting[], invalid: readonly InvalidImage[]): Sighting[] {
  const policy = loadPolicy(policyText, VERIFIED_FILE_NAME);
  const unparsable = new Set(invalid.map((item) => item.image));
  return sightings.filter(
    (sighting) => !unparsable.has(sighting.image) && !evaluate(policy, { images: [sighting.image], namespace: sighting.namespace, annotations: {} }).enforcedAllowed,
  );
}

export function suggestPolicy(seen: readonly Sighting[], options: SuggestOptions): Suggestion {
  const { kept: sightings, leftOut } = splitNeverAdmitted(seen, options.includeDenied);
  if (options.groupByNamespace) checkNamespaces(sightings);
  const { entries, invalid } = buildEntries(sightings, options);
  const header = describeInput(sightings, entries, leftOut, options);
  const render = { name: options.name, mode: options.mode, groupByNamespace: options.groupByNamespace, header };
  const full = renderPolicy(entries, { ...render, allowOnly: false });
  const uncovered = findUncovered(full, sightings, invalid);
  if (uncovered.length > 0) {
    // Only a bug in this module can get here; refuse to print a policy that would lock pods out.
    throw new Error(`suggest: the generated policy does not admit ${uncovered.map((sighting) => JSON.stringify(sighting.image)).join(', ')}`);
  }
  const text = options.allowOnly ? renderPolicy(entries, { ...render, allowOnly: true }) : full;
  return { text, entries, invalid, leftOut };
}
