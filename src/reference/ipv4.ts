// IPv4 registry hosts. A libc resolver reads far more than dotted quads as an address: octal
// (`010.0.0.1`), hexadecimal (`0x0a.0.0.1`), shortened (`10.1`) and integer (`167772161`) forms all
// dial 10.0.0.1. Only the one canonical spelling is a valid host here, so a deny entry that names an
// address cannot be sidestepped by writing the same address another way.

const OCTET_COUNT = 4;
const MAX_OCTET = 255;
/** A decimal octet without leading zeros: `0`, `7`, `255`. */
const CANONICAL_OCTET = /^(?:0|[1-9][0-9]{0,2})$/;
/** A label inet_aton reads as a number: decimal, octal (leading 0) or hexadecimal (0x). */
const NUMERIC_LABEL = /^(?:[0-9]+|0[xX][0-9a-fA-F]*)$/;
const DECIMAL_LABEL = /^[0-9]+$/;

/** `10.0.0.1` → [10, 0, 0, 1] when written canonically; undefined for anything else. */
export function parseCanonicalIPv4(text: string): number[] | undefined {
  const labels = text.split('.');
  if (labels.length !== OCTET_COUNT) return undefined;
  const octets: number[] = [];
  for (const label of labels) {
    if (!CANONICAL_OCTET.test(label)) return undefined;
    const octet = Number(label);
    if (octet > MAX_OCTET) return undefined;
    octets.push(octet);
  }
  return octets;
}

export function formatIPv4(octets: readonly number[]): string {
  return octets.join('.');
}

/**
 * What makes a dot-separated host an unusable IPv4 spelling, or undefined. A host whose labels are
 * all numbers (in any base) is an address to a resolver and must be a canonical dotted quad; a host
 * whose last label is all digits is no host name either (no top-level domain is numeric), so it is
 * refused rather than left for a resolver to guess at.
 */
export function findIPv4Fault(host: string): string | undefined {
  const labels = host.split('.');
  if (labels.every((label) => NUMERIC_LABEL.test(label))) {
    if (parseCanonicalIPv4(host) !== undefined) return undefined;
    return 'is an IPv4 address written in a non-canonical form (octal, hexadecimal, shortened or integer); write four decimal numbers from 0 to 255 without leading zeros, e.g. 10.0.0.1';
  }
  if (DECIMAL_LABEL.test(labels[labels.length - 1] ?? '')) {
    return 'ends in an all-numeric label, so it is neither a host name nor an IPv4 address';
  }
  return undefined;
}
