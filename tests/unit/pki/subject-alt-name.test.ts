// Every SAN comes from an operator's --san flag; a typo must fail loudly at generation time,
// not as a TLS name mismatch when kube-apiserver first calls the webhook.
import { parseSubjectAltName, parseSubjectAltNames } from '../../../src/pki';

test.each([
  { name: 'plain host name', input: 'localhost', want: { type: 'dns', value: 'localhost' } },
  { name: 'FQDN is lower-cased', input: 'Webhook.Example.COM', want: { type: 'dns', value: 'webhook.example.com' } },
  { name: 'hyphens inside labels', input: 'node-1.cluster-a.internal', want: { type: 'dns', value: 'node-1.cluster-a.internal' } },
  { name: 'wildcard first label', input: '*.example.com', want: { type: 'dns', value: '*.example.com' } },
  { name: 'IPv4', input: '10.0.0.5', want: { type: 'ip', value: '10.0.0.5' } },
  { name: 'IPv6 loopback', input: '::1', want: { type: 'ip', value: '::1' } },
  { name: 'IPv6 in brackets', input: '[fd00::10]', want: { type: 'ip', value: 'fd00::10' } },
  { name: '63-character label', input: `${'a'.repeat(63)}.example`, want: { type: 'dns', value: `${'a'.repeat(63)}.example` } },
])('accepts $name', ({ input, want }) => {
  expect(parseSubjectAltName(input)).toEqual(want);
});

test.each([
  { name: 'empty', input: '', error: /must not be empty/ },
  { name: 'leading space', input: ' localhost', error: /leading or trailing whitespace/ },
  { name: 'inner space', input: 'a b', error: /not a DNS name/ },
  { name: 'underscore', input: 'my_host.example.com', error: /not a DNS name/ },
  { name: 'empty label', input: 'a..example.com', error: /not a DNS name/ },
  { name: 'trailing dot', input: 'example.com.', error: /not a DNS name/ },
  { name: 'label starts with hyphen', input: '-a.example.com', error: /not a DNS name/ },
  { name: 'label ends with hyphen', input: 'a-.example.com', error: /not a DNS name/ },
  { name: '64-character label', input: `${'a'.repeat(64)}.example`, error: /not a DNS name/ },
  { name: 'over 253 characters', input: `${'a.'.repeat(127)}com`, error: /at most 253 characters/ },
  { name: 'wildcard on a TLD', input: '*.com', error: /not a DNS name/ },
  { name: 'wildcard not first', input: 'a.*.example.com', error: /not a DNS name/ },
  { name: 'partial wildcard', input: 'a*.example.com', error: /not a DNS name/ },
  { name: 'IPv4 with an octet over 255', input: '300.1.1.1', error: /looks like an IP address/ },
  { name: 'IPv4 with three octets', input: '10.0.0', error: /looks like an IP address/ },
  { name: 'IPv6 zone', input: 'fe80::1%eth0', error: /IPv6 zone/ },
  { name: 'host with port', input: 'example.com:8443', error: /not a DNS name/ },
  { name: 'URL', input: 'https://example.com', error: /not a DNS name/ },
  { name: 'path', input: 'example.com/evil', error: /not a DNS name/ },
  { name: 'non-ASCII (IDN must be punycode)', input: 'exämple.com', error: /not a DNS name/ },
  { name: 'newline', input: 'example.com\nevil.com', error: /not a DNS name/ },
  { name: 'NUL', input: 'example.com\u0000.evil.com', error: /not a DNS name/ },
  { name: 'brackets around IPv4', input: '[127.0.0.1]', error: /not a DNS name/ },
  { name: '1 KB of label-like text', input: `${'a-'.repeat(512)}!`, error: /at most 253 characters/ },
])('refuses $name', ({ input, error }) => {
  expect(() => parseSubjectAltName(input)).toThrow(error);
});

test('the error names the value and the rule', () => {
  expect(() => parseSubjectAltName('my_host')).toThrow(/^subject alternative name "my_host": not an IP address, and not a DNS name \(labels of 1-63/);
});

test('duplicates are dropped, order is kept', () => {
  expect(parseSubjectAltNames(['localhost', '127.0.0.1', 'LOCALHOST', '127.0.0.1', '::1'])).toEqual([
    { type: 'dns', value: 'localhost' },
    { type: 'ip', value: '127.0.0.1' },
    { type: 'ip', value: '::1' },
  ]);
});
