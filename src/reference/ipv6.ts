// IPv6 registry hosts: validated as real addresses and rewritten in the one canonical text form
// of RFC 5952, so `[0:0::1]` and `[::1]` name the same registry and a deny entry for one
// cannot be sidestepped by spelling the other. An IPv4-mapped address (`::ffff:a00:1`) dials the
// IPv4 address itself, so it is written as that dotted quad (`10.0.0.1`). Like distribution's
// grammar, a dotted quad inside the brackets is not an IPv6 host here.
import { formatIPv4 } from './ipv4';

const GROUP_COUNT = 8;
/** Longest textual IPv6 address: eight groups of four and seven colons. */
const MAX_ADDRESS_LENGTH = 39;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;
const MAPPED_PREFIX = [0, 0, 0, 0, 0, 0xffff];

/** A canonical host: an IPv6 address (written without brackets) or the IPv4 address it maps. */
export type CanonicalAddress = { readonly family: 6; readonly text: string } | { readonly family: 4; readonly text: string };

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

function formatIPv6(groups: readonly number[]): string {
  const text = groups.map((group) => group.toString(16));
  const run = findZeroRun(groups);
  if (run.start < 0) return text.join(':');
  const head = text.slice(0, run.start).join(':');
  const tail = text.slice(run.start + run.length).join(':');
  return `${head}::${tail}`;
}

function isIPv4Mapped(groups: readonly number[]): boolean {
  return MAPPED_PREFIX.every((group, index) => groups[index] === group);
}

/**
 * Reads an IPv6 address written without brackets and returns its one canonical form: the RFC 5952
 * text (lower-case hex, no leading zeros, the longest zero run as "::"), or the dotted IPv4
 * address an IPv4-mapped address dials. Undefined when it is not an IPv6 address.
 */
export function canonicalizeIPv6(address: string): CanonicalAddress | undefined {
  if (address.length > MAX_ADDRESS_LENGTH) return undefined;
  const groups = expandGroups(address);
  if (groups === undefined) return undefined;
  if (isIPv4Mapped(groups)) {
    const [high = 0, low = 0] = groups.slice(MAPPED_PREFIX.length);
    return { family: 4, text: formatIPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]) };
  }
  return { family: 6, text: formatIPv6(groups) };
}
