// The kubeconfig's server URL: its path is the POST path (client-go joins it with "/", so a trailing
// slash goes), a query or fragment would be dropped silently, and only https is acceptable.
import { ApiserverConfigError, normalizeWebhookServerUrl } from '../../../src/apiserver';

test.each([
  { name: 'no path gets /imagepolicy', input: 'https://127.0.0.1:8443', url: 'https://127.0.0.1:8443/imagepolicy', hostname: '127.0.0.1', path: '/imagepolicy' },
  { name: 'bare slash gets /imagepolicy', input: 'https://127.0.0.1:8443/', url: 'https://127.0.0.1:8443/imagepolicy', hostname: '127.0.0.1', path: '/imagepolicy' },
  { name: 'explicit /imagepolicy kept', input: 'https://127.0.0.1:8443/imagepolicy', url: 'https://127.0.0.1:8443/imagepolicy', hostname: '127.0.0.1', path: '/imagepolicy' },
  { name: 'trailing slash dropped', input: 'https://webhook.example.com:8443/imagepolicy/', url: 'https://webhook.example.com:8443/imagepolicy', hostname: 'webhook.example.com', path: '/imagepolicy' },
  { name: 'doubled slashes joined like path.Join', input: 'https://h:8443//review//', url: 'https://h:8443/review', hostname: 'h', path: '/review' },
  { name: 'dot segments resolved', input: 'https://h:8443/a/../imagepolicy', url: 'https://h:8443/imagepolicy', hostname: 'h', path: '/imagepolicy' },
  { name: 'IPv6 host keeps brackets in the URL, not in the SAN name', input: 'https://[::1]:8443/imagepolicy', url: 'https://[::1]:8443/imagepolicy', hostname: '::1', path: '/imagepolicy' },
  { name: 'IPv6 host without port', input: 'https://[fd00::10]', url: 'https://[fd00::10]/imagepolicy', hostname: 'fd00::10', path: '/imagepolicy' },
  { name: 'host lower-cased', input: 'https://WebHook.Example.COM:8443', url: 'https://webhook.example.com:8443/imagepolicy', hostname: 'webhook.example.com', path: '/imagepolicy' },
  { name: 'upper-case scheme accepted and normalized', input: 'HTTPS://h:8443/imagepolicy', url: 'https://h:8443/imagepolicy', hostname: 'h', path: '/imagepolicy' },
  { name: 'default port 443 left implicit', input: 'https://h:443/imagepolicy', url: 'https://h/imagepolicy', hostname: 'h', path: '/imagepolicy' },
])('$name', ({ input, url, hostname, path }) => {
  expect(normalizeWebhookServerUrl(input)).toEqual({ url, hostname, path });
});

test.each([
  { name: 'http refused', input: 'http://127.0.0.1:8443/imagepolicy', error: /must start with https:\/\// },
  { name: 'no scheme refused', input: '127.0.0.1:8443', error: /must start with https:\/\// },
  { name: 'query refused (client-go drops it)', input: 'https://h:8443/imagepolicy?x=1', error: /must not have a query string/ },
  { name: 'empty query refused', input: 'https://h:8443/imagepolicy?', error: /must not have a query string/ },
  { name: 'fragment refused', input: 'https://h:8443/imagepolicy#frag', error: /must not have a fragment/ },
  { name: 'missing host refused', input: 'https:///imagepolicy', error: /must name a host/ },
  { name: 'empty host refused', input: 'https://', error: /must name a host|is not a valid URL/ },
  { name: 'port without host refused', input: 'https://:8443/imagepolicy', error: /is not a valid URL/ },
  { name: 'port out of range refused', input: 'https://h:65536/imagepolicy', error: /is not a valid URL/ },
  { name: 'user info refused', input: 'https://admin:secret@h:8443/imagepolicy', error: /must not carry a user name or password/ },
  { name: 'space refused', input: 'https://h:8443/image policy', error: /printable ASCII/ },
  { name: 'newline smuggled into the host refused', input: 'https://h\n.evil.example:8443', error: /printable ASCII/ },
  { name: 'tab refused (WHATWG would strip it)', input: 'https://h:8443/image\tpolicy', error: /printable ASCII/ },
  { name: 'backslash refused (WHATWG would turn it into /)', input: 'https://h:8443\\imagepolicy', error: /backslashes/ },
  { name: 'non-ASCII host refused', input: 'https://wébhook.example:8443', error: /printable ASCII/ },
  { name: 'percent-escape in path refused', input: 'https://h:8443/image%70olicy', error: /without percent-escapes/ },
  { name: 'empty string refused', input: '', error: /printable ASCII/ },
])('$name', ({ input, error }) => {
  expect(() => normalizeWebhookServerUrl(input)).toThrow(ApiserverConfigError);
  expect(() => normalizeWebhookServerUrl(input)).toThrow(error);
});

test('the error names the URL as given', () => {
  expect(() => normalizeWebhookServerUrl('http://h')).toThrow('server URL "http://h" must start with https://');
});
