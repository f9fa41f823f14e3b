import { createHash } from 'node:crypto';
import { PolicyError, type PolicyIssue, loadPolicy } from '../../../src/policy';

const HEADER = 'apiVersion: image-policy-webhook/v1\nkind: ImagePolicy\nmetadata:\n  name: production\n';

/** The issues loadPolicy reports for `text`; fails the test if it loads or throws anything else. */
function issuesOf(text: string): PolicyIssue[] {
  try {
    loadPolicy(text, 'policy.yaml');
  } catch (error) {
    if (error instanceof PolicyError) return [...error.issues];
    throw error;
  }
  throw new Error('policy loaded, expected a PolicyError');
}

interface Expected {
  readonly line: number;
  readonly column: number;
  readonly path: string;
  readonly message: RegExp;
}

describe('loadPolicy reports each problem at its node', () => {
  test.each<{ name: string; text: string; want: Expected }>([
    { name: 'empty file', text: '', want: { line: 1, column: 1, path: '', message: /the policy file is empty/ } },
    { name: 'only comments', text: '# nothing here\n', want: { line: 1, column: 1, path: '', message: /the policy file is empty/ } },
    { name: 'list at top level', text: '- allow: [nginx]\n', want: { line: 1, column: 1, path: '', message: /must be the ImagePolicy object \(a mapping\) .*, got a list/ } },
    { name: 'scalar at top level', text: 'nginx\n', want: { line: 1, column: 1, path: '', message: /got the string "nginx"/ } },
    { name: 'two documents', text: `${HEADER}---\n${HEADER}`, want: { line: 5, column: 1, path: '', message: /a policy file holds exactly one document/ } },
    { name: 'YAML syntax error', text: `${HEADER}allow: [nginx\n`, want: { line: 6, column: 1, path: '', message: /^YAML: Flow sequence/ } },
    { name: 'duplicate key', text: `${HEADER}mode: audit\nmode: enforce\n`, want: { line: 6, column: 1, path: '', message: /duplicate key "mode"/ } },
    { name: 'unquoted leading star', text: `${HEADER}deny:\n  - **:latest\n`, want: { line: 6, column: 5, path: '', message: /\*\*:latest is a YAML alias .* quote .*"\*\*:latest"/ } },
    { name: 'wrong apiVersion', text: HEADER.replace('image-policy-webhook/v1', 'v1'), want: { line: 1, column: 13, path: 'apiVersion', message: /must be "image-policy-webhook\/v1", got the string "v1"/ } },
    { name: 'wrong kind', text: HEADER.replace('kind: ImagePolicy', 'kind: Policy'), want: { line: 2, column: 7, path: 'kind', message: /must be "ImagePolicy", got the string "Policy"/ } },
    { name: 'missing apiVersion', text: HEADER.replace('apiVersion: image-policy-webhook/v1\n', ''), want: { line: 1, column: 1, path: 'apiVersion', message: /is required: must be "image-policy-webhook\/v1"/ } },
    { name: 'missing name', text: HEADER.replace('metadata:\n  name: production\n', 'metadata: {}\n'), want: { line: 3, column: 11, path: 'metadata.name', message: /is required/ } },
    { name: 'name not a DNS label', text: HEADER.replace('production', 'Production_1'), want: { line: 4, column: 9, path: 'metadata.name', message: /must be a DNS label.*got the string "Production_1"/ } },
    { name: 'unknown top-level key', text: `${HEADER}allowed: [nginx]\n`, want: { line: 5, column: 1, path: 'allowed', message: /unknown key "allowed" \(allowed keys: apiVersion, kind, metadata, mode, allow, deny, requireDigest, breakGlass, namespaces, vulnerabilities, resolveTags, signatures, limits\)/ } },
    { name: 'unknown nested key', text: `${HEADER}namespaces:\n  - names: [dev]\n    requiredigest: true\n`, want: { line: 7, column: 5, path: 'namespaces[0].requiredigest', message: /unknown key "requiredigest" \(allowed keys: names, allow, deny, mode, requireDigest, breakGlass, vulnerabilities, signatures\)/ } },
    { name: 'unknown key in metadata', text: HEADER.replace('  name: production\n', '  name: production\n  namespace: x\n'), want: { line: 5, column: 3, path: 'metadata.namespace', message: /unknown key "namespace"/ } },
    { name: 'bad mode', text: `${HEADER}mode: block\n`, want: { line: 5, column: 7, path: 'mode', message: /must be "enforce" or "audit", got the string "block"/ } },
    { name: 'boolean written as yes', text: `${HEADER}requireDigest: yes\n`, want: { line: 5, column: 16, path: 'requireDigest', message: /must be true or false, got the string "yes"/ } },
    { name: 'allow is a string', text: `${HEADER}allow: nginx\n`, want: { line: 5, column: 8, path: 'allow', message: /must be a list of image patterns, got the string "nginx"/ } },
    { name: 'pattern is a number', text: `${HEADER}allow:\n  - 3\n`, want: { line: 6, column: 5, path: 'allow[0]', message: /must be a string \(an image pattern\), got number 3/ } },
    { name: 'pattern with upper case', text: `${HEADER}allow:\n  - nginx\n  - Grafana/grafana\n`, want: { line: 7, column: 5, path: 'allow[1]', message: /pattern "Grafana\/grafana" repository path "Grafana\/grafana" must be lowercase/ } },
    { name: 'pattern with whitespace', text: `${HEADER}deny: ["nginx :latest"]\n`, want: { line: 5, column: 8, path: 'deny[0]', message: /pattern "nginx :latest" contains whitespace " " at offset 5/ } },
    { name: 'pattern naming only a registry', text: `${HEADER}allow: [quay.io]\n`, want: { line: 5, column: 9, path: 'allow[0]', message: /names only the registry "quay.io": write "quay.io\/\*\*"/ } },
    { name: 'overlay pattern', text: `${HEADER}namespaces:\n  - names: [dev]\n    allow: ["a**"]\n`, want: { line: 7, column: 13, path: 'namespaces[0].allow[0]', message: /"\*\*" must be a whole component/ } },
    { name: 'overlay without names', text: `${HEADER}namespaces:\n  - mode: audit\n`, want: { line: 6, column: 5, path: 'namespaces[0].names', message: /is required: must be a list of namespace name globs/ } },
    { name: 'overlay with empty names', text: `${HEADER}namespaces:\n  - names: []\n`, want: { line: 6, column: 12, path: 'namespaces[0].names', message: /must name at least one namespace glob/ } },
    { name: 'namespace glob with braces', text: `${HEADER}namespaces:\n  - names: ["{a,b}"]\n`, want: { line: 6, column: 13, path: 'namespaces[0].names[0]', message: /namespace glob "\{a,b\}" may contain only/ } },
    { name: 'namespace glob with a backwards range', text: `${HEADER}namespaces:\n  - names: ["team-[z-a]"]\n`, want: { line: 6, column: 13, path: 'namespaces[0].names[0]', message: /has the range "z-a", which runs backwards and matches nothing; write "a-z"/ } },
    { name: 'empty value', text: `${HEADER}allow:\n`, want: { line: 5, column: 7, path: 'allow', message: /must be a list of image patterns, got an empty value/ } },
  ])('$name', ({ text, want }) => {
    const issues = issuesOf(text);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ file: 'policy.yaml', line: want.line, column: want.column, path: want.path });
    expect(issues[0]?.message).toMatch(want.message);
  });

  test('every problem is reported at once, in file order, one per line of the message', () => {
    const text = [
      'apiVersion: image-policy-webhook/v2',
      'kind: ImagePolicy',
      'metadata: {name: production}',
      'mode: block',
      'allow:',
      '  - Nginx',
      '  - registry.k8s.io/**',
      '  - " x"',
      'colour: blue',
      'namespaces:',
      '  - names: [dev]',
      '    deny: [3]',
      '',
    ].join('\n');
    let error: unknown;
    try {
      loadPolicy(text, 'policy.yaml');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PolicyError);
    expect((error as PolicyError).message.split('\n')).toEqual([
      'policy.yaml:1:13: apiVersion: must be "image-policy-webhook/v1", got the string "image-policy-webhook/v2"',
      'policy.yaml:4:7: mode: must be "enforce" or "audit", got the string "block"',
      'policy.yaml:6:5: allow[0]: pattern "Nginx" repository path "Nginx" must be lowercase',
      'policy.yaml:8:5: allow[2]: pattern " x" contains whitespace " " at offset 0; patterns use the image reference characters plus "*"',
      'policy.yaml:9:1: colour: unknown key "colour" (allowed keys: apiVersion, kind, metadata, mode, allow, deny, requireDigest, breakGlass, namespaces, vulnerabilities, resolveTags, signatures, limits)',
      'policy.yaml:12:12: namespaces[0].deny[0]: must be a string (an image pattern), got number 3',
    ]);
  });

  test('an alias bomb is refused, not expanded', () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let level = 1; level < 9; level += 1) {
      levels.push(`${String.fromCharCode(97 + level)}: &${String.fromCharCode(97 + level)} [${Array(9).fill(`*${String.fromCharCode(96 + level)}`).join(',')}]`);
    }
    const issues = issuesOf(`${levels.join('\n')}\n`);
    expect(issues[0]?.message).toMatch(/^YAML: .*alias/i);
  });
});

describe('loadPolicy compiles a valid policy', () => {
  const DOCUMENTED_EXAMPLE = `apiVersion: image-policy-webhook/v1
kind: ImagePolicy
metadata:
  name: production            # appears in reasons, logs and audit annotations
mode: enforce                 # enforce | audit  (audit: always allow, but record what would be denied)
allow:                        # image patterns that may run
  - registry.k8s.io/**
  - grafana/grafana           # = docker.io/grafana/grafana, any tag or digest
  - prom/node-exporter:v1.3.1 # this tag only
deny:                         # patterns that never run; deny beats allow
  - "**:latest"
requireDigest: false          # true: every image must be pinned by @sha256:...
breakGlass: false             # true: honour the pod annotation alpha.image-policy.k8s.io/break-glass: "true"
namespaces:                   # overlays; every overlay whose names match the namespace applies
  - names: [kube-system]
    allow: [registry.k8s.io/**]
  - names: ["dev-*"]
    mode: audit
`;

  test('the documented example policy, every section at once', () => {
    const policy = loadPolicy(DOCUMENTED_EXAMPLE, 'examples/policy.yaml');
    expect(policy).toMatchObject({ name: 'production', source: 'examples/policy.yaml', mode: 'enforce', requireDigest: false, breakGlass: false });
    expect(policy.allow.patterns.map((pattern) => pattern.normalized)).toEqual([
      'registry.k8s.io/**',
      'docker.io/grafana/grafana',
      'docker.io/prom/node-exporter:v1.3.1',
    ]);
    expect(policy.deny.patterns.map((pattern) => pattern.rule)).toEqual(['deny[0] **:latest']);
    expect(policy.namespaces.map((overlay) => [overlay.origin, overlay.mode])).toEqual([
      ['namespaces[0]', undefined],
      ['namespaces[1]', 'audit'],
    ]);
  });

  test('defaults: enforce, empty lists, no digest requirement, no break-glass', () => {
    const policy = loadPolicy(HEADER, 'policy.yaml');
    expect(policy).toMatchObject({ mode: 'enforce', requireDigest: false, breakGlass: false, namespaces: [] });
    expect(policy.allow.patterns).toEqual([]);
    expect(policy.deny.patterns).toEqual([]);
  });

  test('hash is the first 12 hex digits of the sha256 of the text', () => {
    const text = `${HEADER}allow: [nginx]\n`;
    expect(loadPolicy(text, 'policy.yaml').hash).toBe(createHash('sha256').update(text).digest('hex').slice(0, 12));
    expect(loadPolicy(`${text}# edit\n`, 'policy.yaml').hash).not.toBe(loadPolicy(text, 'policy.yaml').hash);
  });

  test('YAML anchors and aliases are read', () => {
    const policy = loadPolicy(`${HEADER}allow: &base [quay.io/**]\nnamespaces:\n  - names: [dev]\n    deny: *base\n`, 'policy.yaml');
    expect(policy.namespaces[0]?.deny.patterns.map((pattern) => pattern.rule)).toEqual(['namespaces[0].deny[0] quay.io/**']);
  });
});
