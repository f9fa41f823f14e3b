// Pattern-versus-image tables, run through loadPolicy and evaluate. Each row names the bypass
// class it guards against; `kind: 'deny'` rows put the pattern in deny behind an allow-all.
import { evaluate } from '../../../src/policy';
import { DIGEST, OTHER_DIGEST, buildPolicy, buildReview } from './policies';

interface Row {
  readonly name: string;
  readonly pattern: string;
  readonly image: string;
  readonly matches: boolean;
  readonly kind?: 'allow' | 'deny';
}

function patternMatches(row: Row): boolean {
  const fields = row.kind === 'deny' ? { allow: ['**'], deny: [row.pattern] } : { allow: [row.pattern] };
  const verdict = evaluate(buildPolicy(fields), buildReview([row.image])).images[0];
  if (verdict === undefined) throw new Error('no verdict');
  return row.kind === 'deny' ? !verdict.allowed : verdict.allowed;
}

function runTable(rows: readonly Row[]): void {
  test.each(rows)('$name', (row) => {
    expect(patternMatches(row)).toBe(row.matches);
  });
}

describe('substring and prefix tricks never match', () => {
  runTable([
    { name: 'substring: allowed name inside another registry', pattern: 'grafana/grafana', image: 'evil.io/grafana/grafana-x', matches: false },
    { name: 'substring: allowed name under another registry', pattern: 'grafana/grafana', image: 'evil.io/grafana/grafana', matches: false },
    { name: 'substring: longer repository name', pattern: 'grafana/grafana', image: 'grafana/grafana-x', matches: false },
    { name: 'substring: the allowed image itself', pattern: 'grafana/grafana', image: 'grafana/grafana:10.4.1', matches: true },
    { name: 'prefix: namespace glued to more text', pattern: 'docker.io/myorg/*', image: 'docker.io/myorgevil/app', matches: false },
    { name: 'prefix: namespace as written', pattern: 'docker.io/myorg/*', image: 'myorg/app:1', matches: true },
    { name: 'prefix: star stays in one component', pattern: 'docker.io/myorg/*', image: 'docker.io/myorg/team/app', matches: false },
    { name: 'prefix: host glued to more labels', pattern: 'registry.example.com/**', image: 'registry.example.com.evil.io/app', matches: false },
    { name: 'prefix: host of a mirror', pattern: 'registry.example.com/**', image: 'registry.example.com.mirror.example.net/x', matches: false },
    { name: 'registry named as a path component elsewhere', pattern: 'registry.example.com/**', image: 'evil.example/registry.example.com/x', matches: false },
    { name: 'registry alone is a Docker Hub name', pattern: 'registry.example.com/**', image: 'registry.example.com', matches: false },
    { name: 'Docker Hub short name is not the registry', pattern: 'registry.example.com/**', image: 'nginx', matches: false },
    { name: 'Docker Hub tagged name is not the registry', pattern: 'registry.example.com/**', image: 'busybox:1.36', matches: false },
    { name: 'Docker Hub full name is not the registry', pattern: 'registry.example.com/**', image: 'docker.io/library/busybox:1.36', matches: false },
    { name: 'registry with tag', pattern: 'registry.example.com/**', image: 'registry.example.com/a:1', matches: true },
    { name: 'registry with digest', pattern: 'registry.example.com/**', image: `registry.example.com/a@${DIGEST}`, matches: true },
    { name: 'registry without tag', pattern: 'registry.example.com/**', image: 'registry.example.com/a', matches: true },
    { name: 'glob glued to a component is the author asking for a prefix', pattern: 'docker.io/library/nginx*', image: 'nginx-evil', matches: true },
    { name: 'glob glued to a component still keeps the namespace', pattern: 'docker.io/library/nginx*', image: 'evil/nginx', matches: false },
  ]);
});

describe('hosts and ports', () => {
  runTable([
    { name: 'host glob matches one label', pattern: '*.example.com/app', image: 'a.example.com/app', matches: true },
    { name: 'host glob never crosses a dot', pattern: '*.example.com/app', image: 'a.b.example.com/app', matches: false },
    { name: 'host glob needs its label', pattern: '*.example.com/app', image: 'example.com/app', matches: false },
    { name: 'host glob is not a prefix', pattern: '*.example.com/app', image: 'a.example.com.evil.io/app', matches: false },
    { name: 'host glob allow never matches a port', pattern: '*.example.com/app', image: 'a.example.com:5000/app', matches: false },
    { name: 'host glob deny matches every port', pattern: '*.example.com/app', image: 'a.example.com:5000/app', matches: true, kind: 'deny' },
    { name: 'host glob never matches an IPv6 literal', pattern: '*:5000/app', image: '[::1]:5000/app', matches: false },
    { name: 'single-label host glob with port', pattern: '*:5000/app', image: 'localhost:5000/app', matches: true },
    { name: 'allow without port refuses a port', pattern: 'registry.example.com/**', image: 'registry.example.com:5000/x', matches: false },
    { name: 'allow with port matches that port', pattern: 'registry.example.com:5000/**', image: 'registry.example.com:5000/x', matches: true },
    { name: 'allow with port refuses no port', pattern: 'registry.example.com:5000/**', image: 'registry.example.com/x', matches: false },
    { name: 'allow with port refuses another port', pattern: 'registry.example.com:5000/**', image: 'registry.example.com:5001/x', matches: false },
    { name: 'deny without port matches any port', pattern: 'registry.example.com/**', image: 'registry.example.com:5000/x', matches: true, kind: 'deny' },
    { name: 'deny without port matches no port', pattern: 'registry.example.com/**', image: 'registry.example.com/x', matches: true, kind: 'deny' },
    { name: 'deny with port matches only that port', pattern: 'registry.example.com:5000/**', image: 'registry.example.com/x', matches: false, kind: 'deny' },
    { name: 'deny localhost on another port', pattern: 'localhost/**', image: 'localhost:5000/app', matches: true, kind: 'deny' },
    { name: 'IPv6 literals compare canonically', pattern: '[::1]:5000/app', image: '[0:0::1]:5000/app', matches: true },
    { name: 'docker.io/** does not reach docker.io on a port', pattern: 'docker.io/**', image: 'docker.io:5000/x', matches: false },
  ]);
});

describe('case', () => {
  runTable([
    { name: 'upper-case host in the image normalizes', pattern: 'registry.example.com/**', image: 'REGISTRY.Example.com/app', matches: true },
    { name: 'upper-case host in the pattern normalizes', pattern: 'Registry.Example.com/**', image: 'registry.example.com/app', matches: true },
    { name: 'upper-case Docker Hub host is invalid, so even allow-all refuses it', pattern: '**', image: 'DOCKER.IO/nginx', matches: false },
    { name: 'mixed-case legacy Docker Hub host is invalid', pattern: 'nginx', image: 'Index.Docker.Io/library/nginx', matches: false },
    { name: 'upper-case path in the image is invalid', pattern: 'registry.example.com/**', image: 'registry.example.com/App', matches: false },
    { name: 'upper-case path is invalid even for allow-all', pattern: '**', image: 'Nginx', matches: false },
  ]);
});

const DOCKER_HUB_SPELLINGS = [
  'nginx',
  'library/nginx',
  'docker.io/nginx',
  'docker.io/library/nginx',
  'index.docker.io/library/nginx',
  'registry-1.docker.io/nginx',
  'registry.docker.io/library/nginx',
  'registry.hub.docker.com/nginx',
  'docker.io:443/nginx',
  'index.docker.io:443/library/nginx',
  'registry-1.docker.io:443/library/nginx',
];

describe('Docker Hub spellings are one image', () => {
  runTable(
    DOCKER_HUB_SPELLINGS.flatMap((pattern) =>
      DOCKER_HUB_SPELLINGS.map((image) => ({ name: `pattern ${pattern} matches image ${image}`, pattern, image, matches: true })),
    ),
  );
  runTable([
    { name: 'index.docker.io one component', pattern: 'nginx', image: 'index.docker.io/nginx:1.25', matches: true },
    { name: 'official name is not a user namespace', pattern: 'nginx', image: 'someone/nginx', matches: false },
    { name: 'docker.io/* is official images only', pattern: 'docker.io/*', image: 'grafana/grafana', matches: false },
    { name: 'docker.io/* matches an official image', pattern: 'docker.io/*', image: 'busybox', matches: true },
    { name: 'docker.io/** reaches official images', pattern: 'docker.io/**', image: 'nginx', matches: true },
    { name: 'docker.io/** reaches user namespaces', pattern: 'docker.io/**', image: 'grafana/grafana', matches: true },
    { name: 'docker.io/** stays on Docker Hub', pattern: 'docker.io/**', image: 'quay.io/nginx', matches: false },
    { name: 'first-component star is a Docker Hub namespace', pattern: '*/app', image: 'myorg/app', matches: true },
    { name: 'first-component star is not a registry', pattern: '*/app', image: 'quay.io/app', matches: false },
  ]);
});

describe('deny entries judge every spelling of Docker Hub', () => {
  runTable([
    { name: 'deny docker.io/** catches the API host', kind: 'deny', pattern: 'docker.io/**', image: 'registry-1.docker.io/library/nginx', matches: true },
    { name: 'deny docker.io/** catches the index host with its HTTPS port', kind: 'deny', pattern: 'docker.io/**', image: 'index.docker.io:443/nginx', matches: true },
    { name: 'deny docker.io/** catches the old hub alias', kind: 'deny', pattern: 'docker.io/**', image: 'registry.hub.docker.com/grafana/grafana:10', matches: true },
    { name: 'deny written with the API host catches the short name', kind: 'deny', pattern: 'registry-1.docker.io/**', image: 'nginx:1.25', matches: true },
    { name: 'deny host glob over Docker Hub names catches docker.io', kind: 'deny', pattern: '*.docker.io/**', image: 'nginx', matches: true },
    { name: 'deny host glob with the HTTPS port catches docker.io', kind: 'deny', pattern: '*.docker.io:443/**', image: 'grafana/grafana', matches: true },
    { name: 'deny host glob with another port leaves Docker Hub', kind: 'deny', pattern: '*.docker.io:5000/**', image: 'nginx', matches: false },
    { name: 'deny host glob over another domain leaves Docker Hub', kind: 'deny', pattern: '*.example.com/**', image: 'nginx', matches: false },
    { name: 'allow host glob over Docker Hub names does not stretch to docker.io', pattern: '*.docker.io/**', image: 'nginx', matches: false },
    { name: 'deny docker.io/** leaves a look-alike host', kind: 'deny', pattern: 'docker.io/**', image: 'docker.io.evil.com/library/nginx', matches: false },
  ]);
});

describe('IP registries have one spelling', () => {
  runTable([
    { name: 'deny an IPv4 registry catches its IPv4-mapped IPv6 spelling', kind: 'deny', pattern: '10.0.0.1:5000/**', image: '[::ffff:a00:1]:5000/app', matches: true },
    { name: 'deny an IPv4-mapped spelling catches the IPv4 registry', kind: 'deny', pattern: '[::ffff:a00:1]/**', image: '10.0.0.1:5000/app', matches: true },
    { name: 'an octal spelling is invalid, so even allow-all refuses it', pattern: '**', image: '012.0.0.1:5000/app', matches: false },
    { name: 'a hexadecimal spelling is invalid', pattern: '**', image: '0xa.0.0.1:5000/app', matches: false },
    { name: 'an integer spelling is invalid', pattern: '**', image: '167772161:5000/app', matches: false },
    { name: 'a shortened spelling is invalid', pattern: '**', image: '10.1:5000/app', matches: false },
  ]);
});

describe('tags and digests', () => {
  runTable([
    { name: 'no tag in pattern: any tag', pattern: 'nginx', image: 'nginx:1.25', matches: true },
    { name: 'no tag in pattern: digest', pattern: 'nginx', image: `nginx@${DIGEST}`, matches: true },
    { name: 'no tag in pattern: tag and digest', pattern: 'nginx', image: `nginx:1.25@${DIGEST}`, matches: true },
    { name: 'tag: same tag', pattern: 'nginx:1.25', image: 'nginx:1.25', matches: true },
    { name: 'tag: other tag', pattern: 'nginx:1.25', image: 'nginx:1.26', matches: false },
    { name: 'tag: no tag means latest', pattern: 'nginx:1.25', image: 'nginx', matches: false },
    { name: 'tag: latest pattern matches no tag', pattern: 'nginx:latest', image: 'nginx', matches: true },
    { name: 'tag: tag plus digest pulls the digest', pattern: 'nginx:1.25', image: `nginx:1.25@${DIGEST}`, matches: false },
    { name: 'tag: digest only has no tag', pattern: 'nginx:1.25', image: `nginx@${DIGEST}`, matches: false },
    { name: 'tag glob: matching tag', pattern: 'prom/node-exporter:v1.*', image: 'prom/node-exporter:v1.3.1', matches: true },
    { name: 'tag glob: other tag', pattern: 'prom/node-exporter:v1.*', image: 'prom/node-exporter:v2.0.0', matches: false },
    { name: 'tag: case-sensitive', pattern: 'nginx:RC1', image: 'nginx:rc1', matches: false },
    { name: 'digest: same digest', pattern: `nginx@${DIGEST}`, image: `nginx@${DIGEST}`, matches: true },
    { name: 'digest: same digest with a tag', pattern: `nginx@${DIGEST}`, image: `nginx:1.25@${DIGEST}`, matches: true },
    { name: 'digest: other digest', pattern: `nginx@${DIGEST}`, image: `nginx@${OTHER_DIGEST}`, matches: false },
    { name: 'digest: tag only', pattern: `nginx@${DIGEST}`, image: 'nginx:1.25', matches: false },
    { name: 'tag and digest: the tag is ignored', pattern: `nginx:1.25@${DIGEST}`, image: `nginx:9@${DIGEST}`, matches: true },
    { name: 'tag and digest: tag alone does not match', pattern: `nginx:1.25@${DIGEST}`, image: 'nginx:1.25', matches: false },
    { name: '**:latest catches no tag', pattern: '**:latest', image: 'nginx', matches: true, kind: 'deny' },
    { name: '**:latest catches latest on any registry', pattern: '**:latest', image: 'quay.io/org/app:latest', matches: true, kind: 'deny' },
    { name: '**:latest catches latest on any port', pattern: '**:latest', image: 'localhost:5000/app', matches: true, kind: 'deny' },
    { name: '**:latest skips digest only', pattern: '**:latest', image: `nginx@${DIGEST}`, matches: false, kind: 'deny' },
    { name: '**:latest skips latest pinned by digest', pattern: '**:latest', image: `nginx:latest@${DIGEST}`, matches: false, kind: 'deny' },
    { name: '**:latest skips other tags', pattern: '**:latest', image: 'nginx:1.25', matches: false, kind: 'deny' },
  ]);
});

describe('globstar', () => {
  runTable([
    { name: '** alone matches everything valid', pattern: '**', image: '[::1]:5000/a/b/c:x', matches: true },
    { name: '** matches zero components', pattern: 'registry.example.com/a/**/b', image: 'registry.example.com/a/b', matches: true },
    { name: '** matches several components', pattern: 'registry.example.com/a/**/b', image: 'registry.example.com/a/x/y/b', matches: true },
    { name: '** keeps the last component', pattern: 'registry.example.com/a/**/b', image: 'registry.example.com/a/x/b-evil', matches: false },
    { name: 'leading ** spans registries', pattern: '**/nginx', image: 'quay.io/nginx', matches: true },
    { name: 'leading ** reaches library/', pattern: '**/nginx', image: 'nginx', matches: true },
    { name: 'leading ** keeps whole components', pattern: '**/nginx', image: 'quay.io/nginx-x', matches: false },
    { name: 'trailing ** also matches zero components', pattern: 'registry.example.com/team/**', image: 'registry.example.com/team', matches: true },
    { name: 'trailing ** is not a prefix', pattern: 'registry.example.com/team/**', image: 'registry.example.com/teamevil/app', matches: false },
  ]);
});
