// Writes suggested entries as policy YAML by hand, because the comments are the point: each entry
// says where it was seen, and entries we would not recommend carry `# WARNING:` lines. Output is
// deterministic (entries arrive sorted) so two runs over the same dump diff cleanly.
import { stringify } from 'yaml';
import { POLICY_API_VERSION, POLICY_KIND, type PolicyMode } from '../policy';
import { type SuggestedEntry, compareText } from './entries';
import type { Sighting } from './sightings';

export interface RenderOptions {
  readonly name: string;
  readonly mode: PolicyMode;
  /** Only the `allow:` list (or, grouped, the `namespaces:` overlays), to paste into a policy. */
  readonly allowOnly: boolean;
  readonly groupByNamespace: boolean;
  /** Comment lines that open the output: what was read and how. */
  readonly header: readonly string[];
}

/** Names listed in one "seen" comment; the rest are counted. */
const MAX_LISTED = 3;
/** Longest pod or namespace name quoted in a comment (names are DNS labels of at most 63). */
const MAX_NAME_LENGTH = 63;
const INDENT = '  ';

const MODE_COMMENT: Readonly<Record<PolicyMode, readonly string[]>> = {
  audit: [
    'audit: every pod is admitted; what enforce would deny is logged and annotated. Review the',
    'entries (above all the WARNING ones), replay the decision log against this file with',
    '`image-policy-webhook replay`, then switch to `mode: enforce`.',
  ],
  enforce: ['enforce: a pod with an image that matches no allow entry is refused. Replay the decision log', 'against this file with `image-policy-webhook replay` before it goes live.'],
};

/** Comments carry names from the input file: keep them on one printable line. */
function sanitize(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?');
}

function shorten(name: string): string {
  return name.length > MAX_NAME_LENGTH ? `${name.slice(0, MAX_NAME_LENGTH)}...` : name;
}

function listNames(names: readonly string[]): string {
  const shown = names.slice(0, MAX_LISTED).map(shorten);
  const more = names.length > MAX_LISTED ? `, +${names.length - MAX_LISTED} more` : '';
  return `${shown.join(', ')}${more}`;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** Where an entry was seen, bounded in length however many pods ran it. */
export function describeSightings(sightings: readonly Sighting[]): string {
  const pods = [...new Set(sightings.filter((sighting) => sighting.kind === 'pod').map((sighting) => sighting.id))].sort(compareText);
  const reviews = new Set(sightings.filter((sighting) => sighting.kind === 'review').map((sighting) => sighting.id));
  const parts: string[] = [];
  if (pods.length > 0) parts.push(`${plural(pods.length, 'pod')}: ${listNames(pods)}`);
  if (reviews.size > 0) {
    const namespaces = [...new Set(sightings.filter((sighting) => sighting.kind === 'review').map((sighting) => sighting.namespace))].sort(compareText);
    parts.push(`${plural(reviews.size, 'review')} in ${listNames(namespaces.map((namespace) => namespace || '(no namespace)'))}`);
  }
  return sanitize(parts.join('; '));
}

function formatScalar(value: string): string {
  return stringify(value, { lineWidth: 0 }).trimEnd();
}

function renderEntries(entries: readonly SuggestedEntry[], indent: string): string[] {
  return entries.flatMap((entry) => [
    ...entry.warnings.map((warning) => `${indent}# WARNING: ${sanitize(warning.message)}`),
    `${indent}- ${formatScalar(entry.pattern)}  # ${describeSightings(entry.sightings)}`,
  ]);
}

function renderAllow(entries: readonly SuggestedEntry[], indent: string): string[] {
  return entries.length === 0 ? [`${indent}allow: []`] : [`${indent}allow:`, ...renderEntries(entries, indent + INDENT)];
}

function renderOverlays(entries: readonly SuggestedEntry[]): string[] {
  const namespaces = [...new Set(entries.map((entry) => entry.namespace ?? ''))].sort(compareText);
  if (namespaces.length === 0) return [];
  return [
    'namespaces:',
    ...namespaces.flatMap((namespace) => [
      `${INDENT}- names: [${formatScalar(namespace)}]`,
      ...renderAllow(
        entries.filter((entry) => entry.namespace === namespace),
        INDENT + INDENT,
      ),
    ]),
  ];
}

export function renderPolicy(entries: readonly SuggestedEntry[], options: RenderOptions): string {
  const header = options.header.map((line) => `# ${sanitize(line)}`);
  const body = options.groupByNamespace ? renderOverlays(entries) : renderAllow(entries, '');
  if (options.allowOnly) return [...header, ...body, ''].join('\n');
  const lines = [
    ...header,
    `apiVersion: ${POLICY_API_VERSION}`,
    `kind: ${POLICY_KIND}`,
    'metadata:',
    `${INDENT}name: ${formatScalar(options.name)}`,
    ...MODE_COMMENT[options.mode].map((line) => `# ${line}`),
    `mode: ${options.mode}`,
    ...(options.groupByNamespace ? ['# Every entry is in the overlay of the namespace it was seen in.', 'allow: []'] : []),
    ...body,
    '',
  ];
  return lines.join('\n');
}
