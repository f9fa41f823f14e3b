// One PEM block (RFC 7468) read strictly: the first `-----BEGIN <label>-----` in the text, base64
// lines up to the matching END line, nothing but whitespace inside. Key files are operator input,
// but a policy directory is easy to point at the wrong file, so every fault is named.

const BEGIN = /-----BEGIN ([A-Z0-9 ]{1,64})-----/;
/** Padding only at the very end: a PEM body is one base64 text split into lines. */
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** Far above any key this project reads (an RSA-4096 SPKI is about 800 characters). */
export const MAX_PEM_LENGTH = 64 * 1024;

export interface PemBlock {
  readonly label: string;
  readonly der: Buffer;
}

/** The first PEM block, or a one-line fault. */
export function readPemBlock(text: string): PemBlock | { fault: string } {
  if (text.length > MAX_PEM_LENGTH) return { fault: `is longer than ${MAX_PEM_LENGTH} characters, which no key file is` };
  const begin = BEGIN.exec(text);
  if (begin === null) return { fault: 'is not PEM (no "-----BEGIN ...-----" line)' };
  const label = begin[1] ?? '';
  const endLine = `-----END ${label}-----`;
  const bodyStart = begin.index + begin[0].length;
  const end = text.indexOf(endLine, bodyStart);
  if (end < 0) return { fault: `PEM block "${label}" has no "${endLine}" line` };
  const lines = text
    .slice(bodyStart, end)
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  if (lines.some((line) => line.includes(':'))) return { fault: `PEM block "${label}" has headers (an old OpenSSL encrypted key?), which are not supported` };
  const body = lines.join('');
  if (body === '' || !BASE64.test(body) || body.length % 4 !== 0) {
    return { fault: `PEM block "${label}" is not valid base64` };
  }
  return { label, der: Buffer.from(body, 'base64') };
}

/** Wraps DER as PEM with 64-character lines, the layout Go's encoding/pem and OpenSSL write. */
export function writePemBlock(label: string, der: Uint8Array): string {
  const body = Buffer.from(der).toString('base64');
  const lines: string[] = [];
  for (let offset = 0; offset < body.length; offset += 64) lines.push(body.slice(offset, offset + 64));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
