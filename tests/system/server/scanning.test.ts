// Scan reports and tag resolution through the review endpoint, against a real docker-registry with
// basic auth: the app awaits the lookup before evaluating, digest-pinned entries and digest-keyed
// reports apply to tag references, the audit annotations and the decision log carry the resolved
// digest and the report, and N concurrent reviews of one tag cost the registry one request.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { stringify } from 'yaml';
import { type CompiledPolicy, loadPolicy } from '../../../src/policy';
import { createApp } from '../../../src/server';
import { ReviewContextSource, ScanningSetupError } from '../../../src/review-context';
import { createMemoryLogger, type MemoryLogger } from '../../support/memory-logger';
import { buildImageLayout, pushImage, requireRegistryTools, startRegistry, type RunningRegistry } from '../../support/registry';
import { readValidReport } from '../../support/trivy';

const LOGIN = { username: 'webhook', password: 'registry-pull-secret' };
const AUDIT_KEY = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/;
const CONCURRENT_REVIEWS = 20;

let registry: RunningRegistry;
let layout: { layout: string; remove(): void };
let directory: string;
let digests: { app: string; vulnerable: string };
const sources: ReviewContextSource[] = [];

/** A Trivy report for an image pushed in this run, keyed by its digest only (scanned by digest in CI). */
function writeDigestReport(file: string, image: string, digest: string): void {
  const template = readValidReport('ledger-1.4.2.json');
  const critical = template.findings[0];
  const report = {
    SchemaVersion: 2,
    CreatedAt: '2026-01-01T00:00:00Z',
    ArtifactName: `${image}@${digest}`,
    ArtifactType: 'container_image',
    Metadata: { RepoDigests: [`${image}@${digest}`] },
    Results: [{ Target: image, Class: 'os-pkgs', Type: 'debian', Vulnerabilities: [{ VulnerabilityID: critical?.id, PkgName: 'xz-utils', InstalledVersion: '5.4.1-0.2', FixedVersion: '5.4.1-1', Severity: 'CRITICAL' }] }],
  };
  writeFileSync(join(directory, 'reports', file), JSON.stringify(report, null, 2));
}

function writePolicy(name: string, fields: Record<string, unknown>): CompiledPolicy {
  const file = join(directory, name);
  writeFileSync(file, stringify({ apiVersion: 'image-policy-webhook/v1', kind: 'ImagePolicy', metadata: { name: 'scanning' }, ...fields }));
  return loadPolicy(stringify({ apiVersion: 'image-policy-webhook/v1', kind: 'ImagePolicy', metadata: { name: 'scanning' }, ...fields }), file);
}

beforeAll(async () => {
  await requireRegistryTools();
  [registry, layout] = await Promise.all([startRegistry({ basic: LOGIN }), buildImageLayout(['v1', 'v2'])]);
  digests = {
    app: await pushImage(registry, layout.layout, 'v1', 'team/app:v1', { login: LOGIN }),
    vulnerable: await pushImage(registry, layout.layout, 'v2', 'team/vulnerable:v2', { login: LOGIN }),
  };
  directory = mkdtempSync(join(tmpdir(), 'ipw-scanning-'));
  mkdirSync(join(directory, 'reports'));
  writeDigestReport('vulnerable.json', `${registry.host}/team/vulnerable`, digests.vulnerable);
  writeFileSync(join(directory, 'auth.json'), JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from(`${LOGIN.username}:${LOGIN.password}`).toString('base64') } } }));
});

afterAll(async () => {
  for (const source of sources) source.close();
  await registry?.stop();
  layout?.remove();
  if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
});

function startApp(policy: CompiledPolicy): { app: ReturnType<typeof createApp>; memory: MemoryLogger } {
  const memory = createMemoryLogger();
  const source = new ReviewContextSource({ logger: memory.logger, watch: false });
  sources.push(source);
  source.follow(policy, true);
  const app = createApp({ currentPolicy: () => policy, logger: memory.logger, isDraining: () => false, reviewContext: (current, review) => source.prepare(current, review) });
  return { app, memory };
}

function review(images: readonly string[]): string {
  return JSON.stringify({ kind: 'ImageReview', apiVersion: 'imagepolicy.k8s.io/v1alpha1', spec: { containers: images.map((image) => ({ image })), namespace: 'default' } });
}

async function post(app: ReturnType<typeof createApp>, images: readonly string[]): Promise<{ allowed: boolean; reason?: string; auditAnnotations: Record<string, string> }> {
  const response = await request(app).post('/imagepolicy').set('Content-Type', 'application/json').send(review(images));
  expect(response.status).toBe(200);
  return response.body.status;
}

function strictPolicy(): CompiledPolicy {
  return writePolicy('strict.yaml', {
    allow: [`${registry.host}/team/app:v1`, `${registry.host}/team/vulnerable`],
    vulnerabilities: { reports: 'reports', maxSeverity: 'HIGH' },
    resolveTags: { registries: [registry.host], plainHttpRegistries: [registry.host], credentialsFile: 'auth.json', timeoutMs: 10_000 },
  });
}

test.each([
  {
    name: 'a tag allow entry admits the tag, and the digest it resolved to is recorded',
    image: () => `${registry.host}/team/app:v1`,
    allowed: true,
    annotations: () => ({ 'resolved-digests': `${registry.host}/team/app:v1=${digests.app}` }),
    logged: () => ({ digest: digests.app }),
  },
  {
    name: 'a digest-keyed report denies the tag that resolves to it',
    image: () => `${registry.host}/team/vulnerable:v2`,
    allowed: false,
    reason: /has 1 CRITICAL above maxSeverity HIGH: CVE-2024-3094/,
    annotations: () => ({ 'resolved-digests': `${registry.host}/team/vulnerable:v2=${digests.vulnerable}`, 'scan-reports': `${registry.host}/team/vulnerable:v2=vulnerable.json` }),
    logged: () => ({ digest: digests.vulnerable, report: 'vulnerable.json' }),
  },
  {
    name: 'a tag the registry does not have is denied with the registry answer',
    image: () => `${registry.host}/team/app:v9`,
    allowed: false,
    reason: /could not be resolved to a digest: registry 127\.0\.0\.1:\d+: tag v9 not found \(HTTP 404\)/,
    annotations: () => ({}),
    logged: () => ({ resolveError: expect.stringMatching(/tag v9 not found/) }),
  },
])('$name', async ({ image, allowed, reason, annotations, logged }) => {
  const { app, memory } = startApp(strictPolicy());
  const status = await post(app, [image()]);
  expect(status.allowed).toBe(allowed);
  if (reason !== undefined) expect(status.reason).toMatch(reason);
  expect(status.auditAnnotations).toMatchObject(annotations());
  for (const key of Object.keys(status.auditAnnotations)) expect(key).toMatch(AUDIT_KEY);
  const [line] = memory.find('review');
  expect((line?.['images'] as Array<Record<string, unknown>>)[0]).toMatchObject(logged());
});

test('onError allow-with-audit: an unreachable registry lets a tag pattern decide, and the audit says why', async () => {
  const down = await startRegistry();
  const host = down.host;
  await down.stop();
  const policy = writePolicy('lenient.yaml', { allow: [`${host}/team/app:v1`], resolveTags: { registries: [host], plainHttpRegistries: [host], onError: 'allow-with-audit' } });
  const { app } = startApp(policy);
  const status = await post(app, [`${host}/team/app:v1`]);
  expect(status.allowed).toBe(true);
  expect(status.auditAnnotations['resolve-errors']).toMatch(new RegExp(`^${host.replace(/\./g, '\\.')}/team/app:v1=registry ${host.replace(/\./g, '\\.')}: cannot reach .*ECONNREFUSED`));
});

test(`${CONCURRENT_REVIEWS} concurrent reviews of one tag: one registry request, then none`, async () => {
  const { app } = startApp(strictPolicy());
  const path = '/v2/team/app/manifests/v1';
  const before = await registry.countRequests('HEAD', path);
  const answers = await Promise.all(Array.from({ length: CONCURRENT_REVIEWS }, () => post(app, [`${registry.host}/team/app:v1`])));
  expect(answers.every((status) => status.allowed)).toBe(true);
  // Basic auth: the first request is challenged (401), the retry carries the credentials.
  expect(await registry.countRequests('HEAD', path)).toBe(before + 2);
  await Promise.all(Array.from({ length: CONCURRENT_REVIEWS }, () => post(app, [`${registry.host}/team/app:v1`])));
  expect(await registry.countRequests('HEAD', path)).toBe(before + 2);
});

test.each([
  { name: 'missing credentials file', fields: { credentialsFile: 'missing.json' }, message: /^resolveTags: .*missing\.json: cannot read/ },
  { name: 'missing CA file', fields: { caFile: 'missing-ca.crt' }, message: /^resolveTags: .*missing-ca\.crt: cannot read/ },
])('startup refuses a policy naming a $name', ({ fields, message }) => {
  const policy = writePolicy('broken.yaml', { allow: ['**'], resolveTags: { registries: [registry.host], ...fields } });
  const source = new ReviewContextSource({ logger: createMemoryLogger().logger, watch: false });
  sources.push(source);
  expect(() => source.follow(policy, true)).toThrow(ScanningSetupError);
  expect(() => new ReviewContextSource({ logger: createMemoryLogger().logger, watch: false }).follow(policy, true)).toThrow(message);
});

test('startup refuses a missing reports directory', () => {
  const policy = writePolicy('no-reports.yaml', { allow: ['**'], vulnerabilities: { reports: 'nowhere' } });
  expect(() => new ReviewContextSource({ logger: createMemoryLogger().logger, watch: false }).follow(policy, true)).toThrow(/vulnerabilities\.reports .*nowhere: cannot list the directory/);
});

test('a policy without scanning sections gets its answer without waiting', () => {
  const source = new ReviewContextSource({ logger: createMemoryLogger().logger, watch: false });
  const plain = loadPolicy(stringify({ apiVersion: 'image-policy-webhook/v1', kind: 'ImagePolicy', metadata: { name: 'p' }, allow: ['**'] }), 'p.yaml');
  expect(source.prepare(plain, { images: ['nginx:1'], namespace: 'default', annotations: {} })).toEqual({});
});
