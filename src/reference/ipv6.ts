// IPv6 registry hosts: validated as real addresses and rewritten in the one canonical text form
// of RFC 5952, so `[0:0::1]` and `[::1]` name the same registry and a deny entry for one
// cannot be sidestepped by spelling the other.

const GROUP_COUNT = 8;
/** Longest textual IPv6 address without an embedded IPv4 part: eight groups of four and seven colons. */
const MAX_ADDRESS_LENGTH = 39;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

function parseGroups(text: string): number[] | undefined {
  if (text === '') return [];
  const groups: number[] = [];
  for (const group of text.split(':')) {
    if (!HEX_GROUP.test(group)) return undefined;
    groups.push(Number.parseInt(group, 16));
  }
  return groups;
}

function expandGroups(address: string): number[] | undefined {
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const head = parseGroups(halves[0] ?? '');
  if (halves.length === 1) return head?.length === GROUP_COUNT ? head : undefined;
  const tail = parseGroups(halves[1] ?? '');
  if (head === undefined || tail === undefined) return undefined;
  const missing = GROUP_COUNT - head.length - tail.length;
  // "::" stands for at least one zero group.
  if (missing < 1) return undefined;
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}

/** Finds the first longest run of at least two zero groups, the one RFC 5952 compresses. */
function findZeroRun(groups: readonly number[]): { start: number; length: number } {
  let best = { start: -1, length: 0 };
  let start = -1;
  for (let index = 0; index <= groups.length; index += 1) {
    if (index < groups.length && groups[index] === 0) {
      if (start < 0) start = index;
    } else if (start >= 0) {
      if (index - start > best.length) best = { start, length: index - start };
      start = -1;
    }
  }
  return best.length >= 2 ? best : { start: -1, length: 0 };
}

/**
 * Returns the RFC 5952 form of an IPv6 address written without brackets (lower-case hex, no
 * leading zeros, the longest zero run as "::"), or undefined when it is not an IPv6 address.
 */
export function canonicalizeIPv6(address: string): string | undefined {
  if (address.length > MAX_ADDRESS_LENGTH) return undefined;
  const groups = expandGroups(address);
  if (groups === undefined) return undefined;
  const text = groups.map((group) => group.toString(16));
  const run = findZeroRun(groups);
  if (run.start < 0) return text.join(':');
  const head = text.slice(0, run.start).join(':');
  const tail = text.slice(run.start + run.length).join(':');
  return `${head}::${tail}`;
}
