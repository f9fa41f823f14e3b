// `evaluate` (in-process) with a policy that gates on scan reports and resolves tags at a
// real docker-registry: it shows the same digest, report and lookup error the server records,
// and exits 0 / 1 / 2 the same way.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runCli } from '../../support/cli';
import { buildImageLayout, pushImage, requireRegistryTools, startRegistry, type RunningRegistry } from '../../support/registry';
import { FIXTURE_DIGESTS, VALID_REPORTS_DIR } from '../../support/trivy';

const LEDGER = 'registry.example.com/payments/ledger';

let registry: RunningRegistry;
let layout: { layout: string; remove(): void };
let directory: string;
let digest: string;

beforeAll(async () => {
  await requireRegistryTools();
  [registry, layout] = await Promise.all([startRegistry(), buildImageLayout(['v1'])]);
  digest = await pushImage(registry, layout.layout, 'v1', 'team/app:v1');
  directory = mkdtempSync(join(tmpdir(), 'ipw-evaluate-'));
  cpSync(VALID_REPORTS_DIR, join(directory, 'reports'), { recursive: true });
  const policy = {
    apiVersion: 'image-policy-webhook/v1',
    kind: 'ImagePolicy',
    metadata: { name: 'scanned' },
    allow: ['registry.example.com/**', `${registry.host}/team/app@${digest}`],
    vulnerabilities: { reports: 'reports', maxSeverity: 'HIGH' },
    // The longest lookup deadline the policy allows: milliseconds are enough, but not on a loaded machine.
    resolveTags: { registries: [registry.host], plainHttpRegistries: [registry.host], timeoutMs: 10_000 },
  };
  writeFileSync(join(directory, 'policy.yaml'), stringify(policy));
  writeFileSync(join(directory, 'missing-reports.yaml'), stringify({ ...policy, vulnerabilities: { reports: 'nowhere' } }));
});

afterAll(async () => {
  await registry?.stop();
  layout?.remove();
  if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
});

test.each([
  { name: 'a vulnerable release is denied, naming the finding and the report', image: () => `${LEDGER}:1.4.2`, code: 1, stdout: /^DENY .*has 1 CRITICAL above maxSeverity HIGH: CVE-2024-3094[\s\S]*\[report ledger-1\.4\.2\.json\]/ },
  { name: 'the fixed release is allowed', image: () => `${LEDGER}@${FIXTURE_DIGESTS.ledger143}`, code: 0, stdout: /^ALLOW[\s\S]*\[report ledger-1\.4\.3\.json\]/ },
  {
    name: 'a tag resolved at the registry shows its digest, and a digest-pinned entry does not admit it (the runtime pulls the tag)',
    image: () => `${registry.host}/team/app:v1`,
    code: 1,
    stdout: () => new RegExp(`matches no allow pattern[\\s\\S]*\\[digest ${digest}\\]`),
  },
  { name: 'the same image written with its digest is admitted', image: () => `${registry.host}/team/app@${digest}`, code: 0, stdout: /^ALLOW/ },
  { name: 'a tag the registry does not have', image: () => `${registry.host}/team/app:v2`, code: 1, stdout: /could not be resolved to a digest: registry 127\.0\.0\.1:\d+: tag v2 not found \(HTTP 404\)/ },
])('$name', async ({ image, code, stdout }) => {
  const result = await runCli(['evaluate', '--policy', join(directory, 'policy.yaml'), image()]);
  expect(result.stderr).toBe('');
  expect(result.stdout).toMatch(typeof stdout === 'function' ? stdout() : stdout);
  expect(result.code).toBe(code);
});

test('--output json carries the audit annotations the server would send', async () => {
  const result = await runCli(['evaluate', '--policy', join(directory, 'policy.yaml'), '--output', 'json', `${registry.host}/team/app:v1`]);
  const response = JSON.parse(result.stdout) as { status: { auditAnnotations: Record<string, string> } };
  expect(response.status.auditAnnotations['resolved-digests']).toBe(`${registry.host}/team/app:v1=${digest}`);
});

test('a reports directory that cannot be read is an error (exit 2), not a silent pass', async () => {
  const result = await runCli(['evaluate', '--policy', join(directory, 'missing-reports.yaml'), `${LEDGER}:1.4.2`]);
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(/^evaluate: vulnerabilities\.reports .*nowhere: cannot list the directory/);
});
