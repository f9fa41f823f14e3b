// Valid image strings and their normalized form, shared by the parse and round-trip tables.
import type { ImageReference } from '../../../src/reference';

export const SHA256 = `sha256:${'a1'.repeat(32)}`;
export const SHA384 = `sha384:${'b2'.repeat(48)}`;
export const SHA512 = `sha512:${'c3'.repeat(64)}`;
export const LONGEST_PATH = `${'a'.repeat(127)}/${'b'.repeat(127)}`;
export const LONGEST_TAG = `v${'1'.repeat(127)}`;

export interface ValidRow {
  readonly name: string;
  readonly input: string;
  readonly want: ImageReference;
}

export const VALID_ROWS: readonly ValidRow[] = [
  { name: 'bare official image', input: 'nginx', want: { registry: 'docker.io', repository: 'library/nginx', tag: 'latest' } },
  { name: 'official image with tag', input: 'nginx:1.25', want: { registry: 'docker.io', repository: 'library/nginx', tag: '1.25' } },
  { name: 'explicit library namespace', input: 'library/nginx', want: { registry: 'docker.io', repository: 'library/nginx', tag: 'latest' } },
  { name: 'docker.io with one component gets library/', input: 'docker.io/nginx', want: { registry: 'docker.io', repository: 'library/nginx', tag: 'latest' } },
  { name: 'legacy index.docker.io is docker.io', input: 'index.docker.io/library/nginx:1', want: { registry: 'docker.io', repository: 'library/nginx', tag: '1' } },
  { name: 'legacy index.docker.io with one component', input: 'index.docker.io/nginx', want: { registry: 'docker.io', repository: 'library/nginx', tag: 'latest' } },
  { name: 'Docker Hub user repository', input: 'grafana/grafana', want: { registry: 'docker.io', repository: 'grafana/grafana', tag: 'latest' } },
  { name: 'Docker Hub nested path keeps no library/', input: 'library/foo/bar', want: { registry: 'docker.io', repository: 'library/foo/bar', tag: 'latest' } },
  { name: 'registry.k8s.io with tag', input: 'registry.k8s.io/pause:3.9', want: { registry: 'registry.k8s.io', repository: 'pause', tag: '3.9' } },
  { name: 'localhost is a registry', input: 'localhost/app', want: { registry: 'localhost', repository: 'app', tag: 'latest' } },
  { name: 'registry port is not a tag', input: 'localhost:5000/app', want: { registry: 'localhost:5000', repository: 'app', tag: 'latest' } },
  { name: 'registry port and deep path with tag', input: 'localhost:5000/a/b/c:tag', want: { registry: 'localhost:5000', repository: 'a/b/c', tag: 'tag' } },
  { name: 'single-label host with port', input: 'test-com:8080/foo', want: { registry: 'test-com:8080', repository: 'foo', tag: 'latest' } },
  { name: 'a ":" before the first "/" is a registry port, not a tag', input: 'nginx:1/app', want: { registry: 'nginx:1', repository: 'app', tag: 'latest' } },
  { name: 'IPv4 registry with port', input: '127.0.0.1:5000/x', want: { registry: '127.0.0.1:5000', repository: 'x', tag: 'latest' } },
  { name: 'IPv6 registry with port', input: '[::1]:5000/x', want: { registry: '[::1]:5000', repository: 'x', tag: 'latest' } },
  { name: 'IPv6 registry with tag', input: '[2001:db8::1]/x:1', want: { registry: '[2001:db8::1]', repository: 'x', tag: '1' } },
  { name: 'IPv6 registry is written in canonical form', input: '[2001:0DB8:0:0:0:0:0:1]:5000/x', want: { registry: '[2001:db8::1]:5000', repository: 'x', tag: 'latest' } },
  { name: 'full IPv6 address from distribution tests', input: '[fc00:1:2:3:4:5:6:7]:5000/library/debian', want: { registry: '[fc00:1:2:3:4:5:6:7]:5000', repository: 'library/debian', tag: 'latest' } },
  { name: 'registry host is lower-cased', input: 'REGISTRY.Example.COM/app', want: { registry: 'registry.example.com', repository: 'app', tag: 'latest' } },
  { name: 'Docker Hub API host is docker.io', input: 'registry-1.docker.io/nginx', want: { registry: 'docker.io', repository: 'library/nginx', tag: 'latest' } },
  { name: 'Docker Hub with the HTTPS port is docker.io', input: 'index.docker.io:443/grafana/grafana:10', want: { registry: 'docker.io', repository: 'grafana/grafana', tag: '10' } },
  { name: 'IPv4-mapped IPv6 registry is the IPv4 address', input: '[::ffff:a00:1]:5000/app', want: { registry: '10.0.0.1:5000', repository: 'app', tag: 'latest' } },
  { name: 'registry with port', input: 'registry.example.com:5000/app', want: { registry: 'registry.example.com:5000', repository: 'app', tag: 'latest' } },
  { name: 'punycode host', input: 'xn--n3h.com:18080/foo', want: { registry: 'xn--n3h.com:18080', repository: 'foo', tag: 'latest' } },
  { name: 'digest only gets no default tag', input: `app@${SHA256}`, want: { registry: 'docker.io', repository: 'library/app', digest: SHA256 } },
  { name: 'tag and digest are both kept', input: `app:1.0@${SHA256}`, want: { registry: 'docker.io', repository: 'library/app', tag: '1.0', digest: SHA256 } },
  { name: 'sha384 digest', input: `registry.example.com/app@${SHA384}`, want: { registry: 'registry.example.com', repository: 'app', digest: SHA384 } },
  { name: 'sha512 digest', input: `registry.example.com/app@${SHA512}`, want: { registry: 'registry.example.com', repository: 'app', digest: SHA512 } },
  { name: 'underscore separator', input: 'a_b', want: { registry: 'docker.io', repository: 'library/a_b', tag: 'latest' } },
  { name: 'double underscore separator', input: 'a__b', want: { registry: 'docker.io', repository: 'library/a__b', tag: 'latest' } },
  { name: 'dash run separator', input: 'a--b', want: { registry: 'docker.io', repository: 'library/a--b', tag: 'latest' } },
  { name: 'period separator', input: 'a.b', want: { registry: 'docker.io', repository: 'library/a.b', tag: 'latest' } },
  { name: 'first component with underscore is a path', input: 'test_com/foo', want: { registry: 'docker.io', repository: 'test_com/foo', tag: 'latest' } },
  { name: 'upper-case tag is allowed', input: 'app:V1_RC-2.x', want: { registry: 'docker.io', repository: 'library/app', tag: 'V1_RC-2.x' } },
  { name: 'tag may start with an underscore', input: 'app:_x', want: { registry: 'docker.io', repository: 'library/app', tag: '_x' } },
  { name: 'longest tag (128)', input: `app:${LONGEST_TAG}`, want: { registry: 'docker.io', repository: 'library/app', tag: LONGEST_TAG } },
  { name: 'longest repository path (255)', input: `registry.example.com/${LONGEST_PATH}`, want: { registry: 'registry.example.com', repository: LONGEST_PATH, tag: 'latest' } },
  { name: 'one-component name at 247 fits with library/', input: 'a'.repeat(247), want: { registry: 'docker.io', repository: `library/${'a'.repeat(247)}`, tag: 'latest' } },
  { name: '64 hex under an explicit registry is a name', input: `docker.io/${'1a'.repeat(32)}`, want: { registry: 'docker.io', repository: `library/${'1a'.repeat(32)}`, tag: 'latest' } },
  { name: '64 hex with a tag is a name', input: `${'1a'.repeat(32)}:1`, want: { registry: 'docker.io', repository: `library/${'1a'.repeat(32)}`, tag: '1' } },
  { name: '63 hex is a name', input: 'a'.repeat(63), want: { registry: 'docker.io', repository: `library/${'a'.repeat(63)}`, tag: 'latest' } },
  // distribution: a name without "/" is never a registry, so these are Docker Hub official images.
  // A policy entry `registry.example.com/**` does not match them either way.
  { name: 'bare host name is a Docker Hub image (distribution)', input: 'registry.example.com', want: { registry: 'docker.io', repository: 'library/registry.example.com', tag: 'latest' } },
  { name: 'bare localhost is a Docker Hub image (distribution)', input: 'localhost', want: { registry: 'docker.io', repository: 'library/localhost', tag: 'latest' } },
  { name: 'bare host:port is a Docker Hub image with a tag (distribution)', input: 'localhost:5000', want: { registry: 'docker.io', repository: 'library/localhost', tag: '5000' } },
  { name: 'bare IPv4 with port is image and tag (distribution)', input: '192.168.0.1:80', want: { registry: 'docker.io', repository: 'library/192.168.0.1', tag: '80' } },
];
