// The signature annotation: standard base64 (with padding) of the signature bytes, ASN.1 DER for
// ECDSA. Decoded strictly, as Go's base64.StdEncoding does: a character outside the alphabet,
// missing or extra padding, or a non-canonical last character is a fault, not a guess.

/** An RSA-4096 signature is 684 base64 characters; nothing legitimate comes close to this. */
export const MAX_SIGNATURE_BASE64_LENGTH = 2048;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function decodeSignature(encoded: string): { bytes: Buffer } | { fault: string } {
  if (encoded.length > MAX_SIGNATURE_BASE64_LENGTH) return { fault: `signature annotation is longer than ${MAX_SIGNATURE_BASE64_LENGTH} characters` };
  if (encoded === '' || encoded.length % 4 !== 0 || !BASE64.test(encoded)) return { fault: 'signature annotation is not base64' };
  const bytes = Buffer.from(encoded, 'base64');
  if (bytes.toString('base64') !== encoded) return { fault: 'signature annotation is not canonical base64' };
  return { bytes };
}

export function encodeSignature(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}
