// The stderr side of suggest: which entries carry warnings and which images could not be read,
// so an operator who only skims the terminal still learns what the output comments say.
import type { InvalidImage, SuggestedEntry } from './entries';
import { describeSightings } from './render';

/** Entries listed one per line before the rest are counted. */
const MAX_LISTED_ENTRIES = 20;

function describeEntry(entry: SuggestedEntry): string {
  const scope = entry.namespace === undefined ? '' : ` (namespace ${entry.namespace})`;
  return `  ${entry.pattern}${scope}: ${entry.warnings.map((warning) => warning.kind).join(', ')}`;
}

export function summarizeWarnings(entries: readonly SuggestedEntry[], invalid: readonly InvalidImage[], leftOut: readonly string[]): string[] {
  const lines: string[] = [];
  if (leftOut.length > 0) {
    lines.push(`suggest: left out ${leftOut.length} image strings seen only in denied or break-glass reviews; --include-denied adds them with a WARNING`);
  }
  const warned = entries.filter((entry) => entry.warnings.length > 0);
  if (warned.length > 0) {
    const counts = new Map<string, number>();
    for (const warning of warned.flatMap((entry) => entry.warnings)) counts.set(warning.kind, (counts.get(warning.kind) ?? 0) + 1);
    const tally = [...counts.entries()].map(([kind, count]) => `${count} ${kind}`).join(', ');
    lines.push(`suggest: ${warned.length} of ${entries.length} entries carry a WARNING comment (${tally}); they are included because the cluster runs them:`);
    lines.push(...warned.slice(0, MAX_LISTED_ENTRIES).map(describeEntry));
    if (warned.length > MAX_LISTED_ENTRIES) lines.push(`  ... and ${warned.length - MAX_LISTED_ENTRIES} more (see the output)`);
  }
  for (const image of invalid) {
    const where = describeSightings(image.sightings);
    lines.push(`suggest: skipped ${JSON.stringify(image.image)} (${where}): not a valid image reference (${image.fault}); no policy can allow it`);
  }
  return lines;
}
