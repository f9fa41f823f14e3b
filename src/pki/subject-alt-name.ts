// Subject alternative names for serving certificates. Go (kube-apiserver's webhook client) ignores
// the CN and matches the URL host only against SANs, so each name is classified as an IP address
// or a DNS name here and anything that is neither is refused before a certificate is made.
import { isIPv4, isIPv6 } from 'node:net';
import { InvalidSubjectAltNameError } from './errors';

export interface SubjectAltName {
  type: 'dns' | 'ip';
  value: string;
}

const MAX_DNS_NAME_LENGTH = 253;
const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const NUMERIC_LABEL = /^[0-9]+$/;
const WILDCARD_LABEL = '*';

function invalid(input: string, rule: string): InvalidSubjectAltNameError {
  return new InvalidSubjectAltNameError(`subject alternative name ${JSON.stringify(input)}: ${rule}`);
}

function parseDnsName(input: string): SubjectAltName {
  const name = input.toLowerCase();
  if (name.length > MAX_DNS_NAME_LENGTH) {
    throw invalid(input, `a DNS name is at most ${MAX_DNS_NAME_LENGTH} characters`);
  }
  const labels = name.split('.');
  labels.forEach((label, index) => {
    if (label === WILDCARD_LABEL && index === 0 && labels.length > 2) {
      return;
    }
    if (!DNS_LABEL.test(label)) {
      throw invalid(
        input,
        'not an IP address, and not a DNS name (labels of 1-63 letters, digits and inner hyphens, separated by single dots; a wildcard only as "*." before at least two labels)',
      );
    }
  });
  // "10.0.0" or "1.2.3.4.5" are typos of IP addresses: a certificate for them as DNS names never matches.
  if (NUMERIC_LABEL.test(labels[labels.length - 1] ?? '')) {
    throw invalid(input, 'looks like an IP address but is not a valid IPv4 or IPv6 address');
  }
  return { type: 'dns', value: name };
}

/** Classifies one `--san` value; IPv6 may be written with or without brackets. */
export function parseSubjectAltName(input: string): SubjectAltName {
  const trimmed = input.trim();
  if (trimmed === '') {
    throw invalid(input, 'must not be empty');
  }
  if (trimmed !== input) {
    throw invalid(input, 'must not contain leading or trailing whitespace');
  }
  if (input.includes('%')) {
    throw invalid(input, 'an IPv6 zone (%...) has no meaning in a certificate; give the address alone');
  }
  if (isIPv4(input) || isIPv6(input)) {
    return { type: 'ip', value: input };
  }
  const unbracketed = input.startsWith('[') && input.endsWith(']') ? input.slice(1, -1) : undefined;
  if (unbracketed !== undefined && isIPv6(unbracketed)) {
    return { type: 'ip', value: unbracketed };
  }
  return parseDnsName(input);
}

/** Parses every name and drops duplicates, keeping the first spelling and the given order. */
export function parseSubjectAltNames(inputs: readonly string[]): SubjectAltName[] {
  const seen = new Set<string>();
  const names: SubjectAltName[] = [];
  for (const input of inputs) {
    const name = parseSubjectAltName(input);
    const key = `${name.type}:${name.value}`;
    if (!seen.has(key)) {
      seen.add(key);
      names.push(name);
    }
  }
  return names;
}
