import { parsePattern } from '../../../src/policy/pattern';

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('parsePattern normalizes like an image', () => {
  test.each([
    { name: 'short Docker Hub name gets docker.io and library/', pattern: 'nginx', want: 'docker.io/library/nginx' },
    { name: 'library/ spelled out', pattern: 'library/nginx', want: 'docker.io/library/nginx' },
    { name: 'docker.io with one component gets library/', pattern: 'docker.io/nginx', want: 'docker.io/library/nginx' },
    { name: 'index.docker.io is docker.io', pattern: 'index.docker.io/library/nginx', want: 'docker.io/library/nginx' },
    { name: 'index.docker.io one component gets library/', pattern: 'index.docker.io/nginx', want: 'docker.io/library/nginx' },
    { name: 'two-component Docker Hub name', pattern: 'grafana/grafana', want: 'docker.io/grafana/grafana' },
    { name: 'star on Docker Hub means official images', pattern: 'docker.io/*', want: 'docker.io/library/*' },
    { name: 'bare star means official images', pattern: '*', want: 'docker.io/library/*' },
    { name: 'star as first of two components is a Docker Hub namespace', pattern: '*/app', want: 'docker.io/*/app' },
    { name: 'docker.io/** gets no library/', pattern: 'docker.io/**', want: 'docker.io/**' },
    { name: 'leading ** spans registries', pattern: '**', want: '**' },
    { name: 'leading ** with a tag spans registries', pattern: '**:latest', want: '**:latest' },
    { name: 'leading ** with a path spans registries', pattern: '**/nginx', want: '**/nginx' },
    { name: 'registry host is lower-cased', pattern: 'Registry.Example.COM/app', want: 'registry.example.com/app' },
    { name: 'host glob is lower-cased', pattern: '*.Example.com/app', want: '*.example.com/app' },
    { name: 'registry port kept', pattern: 'localhost:5000/app', want: 'localhost:5000/app' },
    { name: 'docker.io with a port is another registry', pattern: 'docker.io:5000/nginx', want: 'docker.io:5000/nginx' },
    { name: 'IPv6 registry canonicalized like images', pattern: '[0:0::1]:5000/app', want: '[::1]:5000/app' },
    { name: 'tag glob kept', pattern: 'prom/node-exporter:v1.*', want: 'docker.io/prom/node-exporter:v1.*' },
    { name: 'digest kept', pattern: `nginx@${DIGEST}`, want: `docker.io/library/nginx@${DIGEST}` },
    { name: 'tag and digest kept', pattern: `nginx:1.25@${DIGEST}`, want: `docker.io/library/nginx:1.25@${DIGEST}` },
    { name: 'glob glued to a component', pattern: 'docker.io/library/nginx*', want: 'docker.io/library/nginx*' },
    { name: 'dots in a Docker Hub path are not a registry', pattern: 'docker.io/library/registry.example.com', want: 'docker.io/library/registry.example.com' },
  ])('$name', ({ pattern, want }) => {
    const parsed = parsePattern(pattern);
    expect(parsed).toMatchObject({ ok: true, value: { source: pattern, normalized: want } });
  });
});

describe('parsePattern refuses patterns that could surprise', () => {
  test.each([
    { name: 'empty', pattern: '', fault: /is empty/ },
    { name: 'leading whitespace', pattern: ' nginx', fault: /whitespace " " at offset 0/ },
    { name: 'inner whitespace', pattern: 'nginx :1', fault: /whitespace " " at offset 5/ },
    { name: 'tab', pattern: 'nginx\t', fault: /whitespace "\\t" at offset 5/ },
    { name: 'non-ASCII look-alike', pattern: 'ngіnx', fault: /the character "\\u0456" at offset 2/ },
    { name: 'question mark is not a glob here', pattern: 'ngin?', fault: /the character "\?"/ },
    { name: 'upper-case path', pattern: 'Nginx', fault: /repository path "Nginx" must be lowercase/ },
    { name: 'upper-case path after a registry', pattern: 'quay.io/Org/app', fault: /repository path "Org\/app" must be lowercase/ },
    { name: 'globstar glued to a component', pattern: 'myorg/a**', fault: /"\*\*" must be a whole component/ },
    { name: 'globstar in a host', pattern: '**.example.com/app', fault: /never "\*\*"/ },
    { name: 'registry only', pattern: 'registry.example.com', fault: /names only the registry "registry.example.com"/ },
    { name: 'registry with port only', pattern: 'localhost:5000', fault: /names only the registry "localhost:5000": write "localhost:5000\/\*\*"/ },
    { name: 'empty path component', pattern: 'quay.io//app', fault: /empty component/ },
    { name: 'trailing slash', pattern: 'quay.io/app/', fault: /empty component/ },
    { name: 'component that can never match', pattern: 'quay.io/-*', fault: /path component "-\*"/ },
    { name: 'separator pair that can never match', pattern: 'quay.io/a._*', fault: /path component "a._\*"/ },
    { name: 'bad host label', pattern: '*-.example.com/app', fault: /host label "\*-"/ },
    { name: 'glob in an IPv6 host', pattern: '[::*]:5000/app', fault: /IPv6 registry host/ },
    { name: 'glob in a port', pattern: 'registry.example.com:*/app', fault: /port "\*" cannot contain "\*"/ },
    { name: 'port with leading zero', pattern: 'registry.example.com:05000/app', fault: /port "05000"/ },
    { name: 'port out of range', pattern: 'registry.example.com:65536/app', fault: /port "65536"/ },
    { name: 'empty tag', pattern: 'nginx:', fault: /must be followed by a tag/ },
    { name: 'tag starting with a dot', pattern: 'nginx:.1', fault: /tag "\.1"/ },
    { name: 'digest with a glob', pattern: 'nginx@sha256:*', fault: /sha256 digest must be 64 lowercase hex/ },
    { name: 'short digest', pattern: 'nginx@sha256:abc', fault: /sha256 digest must be 64 lowercase hex/ },
    { name: 'upper-case digest', pattern: `nginx@sha256:${'A'.repeat(64)}`, fault: /lowercase hex/ },
    { name: 'two digests', pattern: `nginx@${DIGEST}@${DIGEST}`, fault: /more than one "@"/ },
    { name: 'no path', pattern: ':latest', fault: /has no repository path/ },
  ])('$name', ({ pattern, fault }) => {
    const parsed = parsePattern(pattern);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.fault).toMatch(fault);
  });
});
