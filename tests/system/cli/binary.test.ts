// The real binary, `node dist/main.js`, as a process: what the in-process tests cannot see —
// the process exit code, the real standard input, and output that reaches the process's streams.
// Everything a command decides is tested in-process in tests/unit/cli.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runBuiltCli } from '../../support/built-cli';
import { FIXTURES_DIR, PROJECT_ROOT } from '../../support/paths';
import { writeTempPolicy } from '../../support/policies';

const EXAMPLE_POLICY = path.join(PROJECT_ROOT, 'examples', 'policy.yaml');

test.each([
  { name: '--help prints usage and exits 0', args: ['--help'], code: 0, stdout: /^Usage: image-policy-webhook \[options\] \[command\]/, stderr: /^$/ },
  { name: 'an unknown command is a usage error (2)', args: ['frobnicate'], code: 2, stdout: /^$/, stderr: /unknown command 'frobnicate'/ },
  { name: 'an allowed image exits 0', args: ['evaluate', '--policy', EXAMPLE_POLICY, 'registry.k8s.io/pause:3.10'], code: 0, stdout: /^ALLOW/, stderr: /^$/ },
  { name: 'a denied image exits 1', args: ['evaluate', '--policy', EXAMPLE_POLICY, 'nginx:latest'], code: 1, stdout: /^DENY /, stderr: /^$/ },
  { name: 'a policy that cannot be read exits 2', args: ['evaluate', '--policy', '/nonexistent/policy.yaml', 'nginx'], code: 2, stdout: /^$/, stderr: /^evaluate: cannot read --policy \/nonexistent\/policy\.yaml/ },
  { name: 'an invalid policy fails check with 1', args: ['check', writeTempPolicy('apiVersion: image-policy-webhook/v1\nkind: ImagePolicy\nmetadata:\n  name: x\nallow:\n  - Bad/Path\n')], code: 1, stdout: /^$/, stderr: /allow\[0\]: pattern "Bad\/Path"/ },
  { name: 'serve refuses to start without a client CA (1)', args: ['serve', '--policy', EXAMPLE_POLICY, '--tls-cert', 'x.crt', '--tls-key', 'x.key'], code: 1, stdout: /^$/, stderr: /^serve: --client-ca is required/ },
])('$name', async ({ args, code, stdout, stderr }) => {
  const result = await runBuiltCli(args);
  expect(result.stdout).toMatch(stdout);
  expect(result.stderr).toMatch(stderr);
  expect(result.code).toBe(code);
});

test('`-` reads the real standard input', async () => {
  const pods = readFileSync(path.join(FIXTURES_DIR, 'suggest', 'pods.json'), 'utf8');
  const result = await runBuiltCli(['suggest', '--from-pods', '-'], { input: pods });
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/^apiVersion: image-policy-webhook\/v1\nkind: ImagePolicy\n/m);
});
