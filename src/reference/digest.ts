// Digest validation against the algorithms go-digest registers. A digest pins content, so
// anything the runtime might read differently (upper-case hex, unknown algorithms, short hex)
// is refused rather than guessed at.
import { quoteForMessage } from './errors';

/** Registered digest algorithms and the exact number of lowercase hex characters each carries. */
export const DIGEST_HEX_LENGTHS: Readonly<Record<string, number>> = Object.freeze({
  sha256: 64,
  sha384: 96,
  sha512: 128,
});

/** Quoted algorithm names are cut short: the algorithm is attacker text too. */
const MAX_QUOTED_ALGORITHM = 20;

function isLowercaseHex(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x61 && code <= 0x66);
}

function findNonHexOffset(encoded: string): number {
  for (let offset = 0; offset < encoded.length; offset += 1) {
    if (!isLowercaseHex(encoded.charCodeAt(offset))) return offset;
  }
  return -1;
}

/**
 * Checks `algorithm:hex` (the part after `@`). Returns what is wrong, or undefined when the
 * digest uses a registered algorithm with the exact lowercase hex length.
 */
export function validateDigest(digest: string): string | undefined {
  const colon = digest.indexOf(':');
  if (colon < 0) return `digest ${quoteForMessage(digest, MAX_QUOTED_ALGORITHM)} must be written algorithm:hex, e.g. sha256:<64 hex>`;
  const algorithm = digest.slice(0, colon);
  const encoded = digest.slice(colon + 1);
  if (algorithm === '') return 'digest has no algorithm before ":"';
  const hexLength = Object.hasOwn(DIGEST_HEX_LENGTHS, algorithm) ? DIGEST_HEX_LENGTHS[algorithm] : undefined;
  if (hexLength === undefined) {
    const supported = Object.keys(DIGEST_HEX_LENGTHS).join(', ');
    return `unsupported digest algorithm ${quoteForMessage(algorithm, MAX_QUOTED_ALGORITHM)} (supported: ${supported})`;
  }
  const rule = `${algorithm} digest must be ${hexLength} lowercase hex characters`;
  const badOffset = findNonHexOffset(encoded);
  if (badOffset >= 0) return `${rule}, got ${quoteForMessage(encoded.charAt(badOffset))} at hex offset ${badOffset}`;
  if (encoded.length !== hexLength) return `${rule}, got ${encoded.length}`;
  return undefined;
}
