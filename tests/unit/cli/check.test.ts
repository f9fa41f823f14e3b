// `check` as operators and CI run it: warnings as file:line:col on stderr with exit 0, exit 1
// with --strict, errors still exit 1, and the bootstrap flags.
import { runCli } from '../../support/cli';
import { writeTempPolicy } from '../../support/policies';

const HEADER = 'apiVersion: image-policy-webhook/v1\nkind: ImagePolicy\nmetadata:\n  name: lint\n';
const CONTROL_PLANE = 'allow:\n  - registry.k8s.io/**\n';
const WEBHOOK = 'registry.example.com/platform/image-policy-webhook:0.1.0';

describe('check warnings, one row per class', () => {
  test.each([
    { name: 'clean policy', body: `${CONTROL_PLANE}deny:\n  - "**:latest"\n`, args: [], warning: undefined },
    { name: 'glued glob', body: `${CONTROL_PLANE}  - gcr.io/org*\n`, args: [], warning: /:7:5: warning: allow\[1\]: "org\*" glues .* \[glued-glob\]/ },
    { name: '** as the registry', body: `${CONTROL_PLANE}  - "**/nginx"\n`, args: [], warning: /:7:5: warning: allow\[1\]: .* \[registry-globstar\]/ },
    { name: 'registry-like Docker Hub namespace', body: `${CONTROL_PLANE}  - internal/app\n`, args: [], warning: /:7:5: warning: allow\[1\]: "internal" .* \[host-like-namespace\]/ },
    { name: 'surprising normalization', body: `${CONTROL_PLANE}  - index.docker.io/library/nginx\n`, args: [], warning: /:7:5: warning: allow\[1\]: reads as docker.io\/library\/nginx.* \[surprising-normalization\]/ },
    { name: 'shadowed allow', body: `${CONTROL_PLANE}  - nginx:latest\ndeny:\n  - "**:latest"\n`, args: [], warning: /:7:5: warning: allow\[1\]: never admits an image.* \[shadowed-allow\]/ },
    { name: 'duplicate', body: `${CONTROL_PLANE}  - registry.k8s.io/**\n`, args: [], warning: /:7:5: warning: allow\[1\]: duplicates allow\[0\].* \[duplicate-pattern\]/ },
    { name: 'control plane refused', body: 'allow:\n  - quay.io/app\n', args: [], warning: /:5:1: warning: allow: bootstrap: refuses the control-plane image registry.k8s.io\/kube-apiserver:v1.33.2 .* \[bootstrap-denied\]/ },
    { name: 'webhook image refused', body: CONTROL_PLANE, args: ['--webhook-image', WEBHOOK], warning: /:5:1: warning: allow: bootstrap: refuses the webhook's own image .* \[bootstrap-denied\]/ },
    { name: 'control-plane check off', body: 'allow:\n  - quay.io/app\n', args: ['--no-control-plane'], warning: undefined },
  ])('$name', async ({ body, args, warning }) => {
    const file = writeTempPolicy(HEADER + body);
    const result = await runCli(['check', ...args, file]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/: valid policy "lint" \(hash [0-9a-f]{12}\)/);
    if (warning === undefined) {
      expect(result.stderr).toBe('');
      return;
    }
    expect(result.stderr.startsWith(file)).toBe(true);
    expect(result.stderr).toMatch(warning);
    const strict = await runCli(['check', '--strict', ...args, file]);
    expect({ code: strict.code, stderr: strict.stderr }).toEqual({ code: 1, stderr: result.stderr });
  });
});

describe('check exit codes', () => {
  test('the shipped example policy is clean, even with --strict and its webhook image', async () => {
    const result = await runCli(['check', '--strict', '--webhook-image', WEBHOOK, 'examples/policy.yaml']);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
  });

  test('an invalid policy still exits 1 with its errors and no warnings', async () => {
    const result = await runCli(['check', writeTempPolicy(`${HEADER}allow:\n  - Bad/Path\n`)]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/:6:5: allow\[0\]: pattern "Bad\/Path" .*lowercase/);
    expect(result.stderr).not.toMatch(/warning/);
  });

  test('the warning count is on the summary line', async () => {
    const result = await runCli(['check', writeTempPolicy(`${HEADER}${CONTROL_PLANE}  - gcr.io/org*\n  - internal/app\n`)]);
    expect(result.stdout).toMatch(/, 2 warnings\n$/);
  });

  test('an invalid --webhook-image is a usage error', async () => {
    const result = await runCli(['check', '--webhook-image', 'Not A Reference', 'examples/policy.yaml']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^check: --webhook-image "Not A Reference" /);
  });
});
