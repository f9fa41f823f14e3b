// The monitoring assets against real Prometheus tools (Debian's `prometheus` package, which make
// test-deps installs): promtool accepts and unit-tests the alert rules and the scrape config; a real
// Prometheus started here scrapes a running webhook, its query API returns the reviews counter,
// every alert rule evaluates cleanly, and every dashboard query is valid PromQL that finds data.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RunningWebhook } from '../../../src/server';
import { PROJECT_ROOT } from '../../support/built-cli';
import { eventually } from '../../support/eventually';
import { requestHttps } from '../../support/https-client';
import { getPlain, scrapeMetrics } from '../../support/metrics-text';
import { createTestPki, type TestPki } from '../../support/pki';
import { waitForReportedPort } from '../../support/ports';
import { startTestWebhook } from '../../support/webhook';

const MONITORING_DIR = path.join(PROJECT_ROOT, 'deploy', 'monitoring');
const RULES_FILE = path.join(MONITORING_DIR, 'image-policy-webhook.rules.yml');
const RULES_TEST_FILE = path.join(MONITORING_DIR, 'image-policy-webhook.rules.test.yml');
const PROMETHEUS_CONFIG = path.join(MONITORING_DIR, 'prometheus.yml');
const DASHBOARD_FILE = path.join(MONITORING_DIR, 'grafana', 'dashboards', 'image-policy-webhook.json');
const MISSING_TOOL = 'is not installed: scripts/install-test-deps.sh (make test-deps) installs Debian\'s `prometheus` package, which provides prometheus and promtool';
const ALLOWED_REVIEWS = 3;
const DENIED_REVIEWS = 2;

function requireTool(name: string): string {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  if (found.status !== 0) throw new Error(`${name} ${MISSING_TOOL}`);
  return found.stdout.trim();
}

describe('promtool', () => {
  test.each([
    { name: 'check rules accepts the alert rules', args: ['check', 'rules', RULES_FILE], output: /SUCCESS: 11 rules found/ },
    { name: 'test rules: every alert fires (and stays quiet) as its unit tests say', args: ['test', 'rules', RULES_TEST_FILE], output: /SUCCESS/ },
    { name: 'check config accepts the scrape config and the rules it loads', args: ['check', 'config', PROMETHEUS_CONFIG], output: /SUCCESS: 1 rule files found/ },
  ])('$name', ({ args, output }) => {
    const result = spawnSync(requireTool('promtool'), args, { encoding: 'utf8', cwd: MONITORING_DIR });
    expect({ code: result.status, stderr: result.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    expect(result.stdout + result.stderr).toMatch(output);
  });
});

interface DashboardPanel {
  readonly title: string;
  readonly type: string;
  readonly targets?: ReadonlyArray<{ readonly expr: string }>;
}

function readDashboardQueries(): Array<{ name: string; expr: string }> {
  const dashboard = JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as { panels: DashboardPanel[] };
  return dashboard.panels.flatMap((panel) =>
    (panel.targets ?? []).map((target, index) => ({
      name: `${panel.title} #${index + 1}`,
      // What Grafana substitutes: all instances, and a rate window of four scrape intervals.
      expr: target.expr.replaceAll('$instance', '.*').replaceAll('$__rate_interval', '4s'),
    })),
  );
}

const METRIC_NAME = /\b(image_policy_webhook_[a-z_]+?)(?:_bucket|_sum|_count)?\b/g;

describe('every metric the rules and the dashboard name is exported', () => {
  let exported: Set<string>;
  beforeAll(async () => {
    const pki = await createTestPki();
    const webhook = await startTestWebhook(pki);
    exported = new Set((await scrapeMetrics(webhook.healthAddress.port)).map((sample) => sample.name.replace(/_(bucket|sum|count)$/, '')));
    await webhook.close();
    pki.remove();
  });

  test.each([
    { name: 'alert rules', text: () => readFileSync(RULES_FILE, 'utf8') },
    { name: 'dashboard', text: () => readFileSync(DASHBOARD_FILE, 'utf8') },
  ])('$name', ({ text }) => {
    const named = new Set([...text().matchAll(METRIC_NAME)].map((match) => match[1]!));
    expect(named.size).toBeGreaterThan(3);
    expect([...named].filter((name) => !exported.has(name))).toEqual([]);
  });
});

describe('a real Prometheus scraping a running webhook', () => {
  let pki: TestPki;
  let webhook: RunningWebhook;
  let prometheus: ChildProcess | undefined;
  let prometheusOutput = '';
  let prometheusPort: number;
  let workDir: string;

  async function query(expr: string): Promise<{ status: string; error?: string; data?: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> } }> {
    const response = await getPlain(prometheusPort, `/api/v1/query?query=${encodeURIComponent(expr)}`);
    return JSON.parse(response.body) as Awaited<ReturnType<typeof query>>;
  }

  /** Prometheus scrapes and evaluates on its own clock: wait for the data, with what it said on failure. */
  function waitFor<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
    return eventually(() => probe().catch(() => undefined), { timeoutMs: 30_000, intervalMs: 250, describe: () => `${what}; prometheus said:\n${prometheusOutput}` });
  }

  beforeAll(async () => {
    const binary = requireTool('prometheus');
    pki = await createTestPki();
    webhook = await startTestWebhook(pki);
    const credentials = { ca: pki.ca.certificate, cert: pki.apiserverClient.certificate, key: pki.apiserverClient.privateKey };
    const review = (image: string): string => JSON.stringify({ kind: 'ImageReview', apiVersion: 'imagepolicy.k8s.io/v1alpha1', spec: { containers: [{ image }], namespace: 'default' } });
    for (let index = 0; index < ALLOWED_REVIEWS; index += 1) await requestHttps(webhook.reviewAddress.port, credentials, review('registry.example.com/app:1'));
    for (let index = 0; index < DENIED_REVIEWS; index += 1) await requestHttps(webhook.reviewAddress.port, credentials, review('nginx'));

    workDir = mkdtempSync(path.join(tmpdir(), 'ipw-prometheus-'));
    // The shipped scrape config, pointed at this webhook's health port and scraping every second.
    const config = readFileSync(PROMETHEUS_CONFIG, 'utf8')
      .replace(/scrape_interval: \d+s/, 'scrape_interval: 1s')
      .replace(/evaluation_interval: \d+s/, 'evaluation_interval: 1s')
      .replace('- image-policy-webhook.rules.yml', `- ${RULES_FILE}`)
      .replace('- 127.0.0.1:9090', `- 127.0.0.1:${webhook.healthAddress.port}`);
    writeFileSync(path.join(workDir, 'prometheus.yml'), config);
    // Port 0, and the port read from its "Listening on" line (logged at info).
    prometheus = spawn(binary, [
      `--config.file=${path.join(workDir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(workDir, 'data')}`,
      '--web.listen-address=127.0.0.1:0',
      '--log.level=info',
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    prometheus.stdout?.on('data', (chunk: Buffer) => (prometheusOutput += chunk.toString()));
    prometheus.stderr?.on('data', (chunk: Buffer) => (prometheusOutput += chunk.toString()));
    prometheusPort = await waitForReportedPort(() => prometheusOutput, /msg="Listening on" address=127\.0\.0\.1:(\d+)/, 'prometheus');
    await waitFor('prometheus to be ready', async () => ((await getPlain(prometheusPort, '/-/ready')).status === 200 ? true : undefined));
  });

  afterAll(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((resolve) => prometheus!.once('exit', resolve));
      prometheus.kill('SIGTERM');
      await exited;
    }
    await webhook?.close();
    pki?.remove();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  test('the query API returns the reviews counter by decision', async () => {
    const result = await waitFor('the reviews counter', async () => {
      const answer = await query('sum by (decision) (image_policy_webhook_reviews_total{job="image-policy-webhook"})');
      const rows = answer.data?.result ?? [];
      return rows.length > 0 ? rows : undefined;
    });
    expect(Object.fromEntries(result.map((row) => [row.metric.decision, Number(row.value[1])]))).toEqual({ 'allow': ALLOWED_REVIEWS, 'deny': DENIED_REVIEWS, 'audit-deny': 0, 'break-glass': 0 });
  });

  test('the policy info series carries the hash of the policy in force', async () => {
    const answer = await waitFor('policy info', async () => {
      const rows = (await query('image_policy_webhook_policy_info')).data?.result ?? [];
      return rows.length > 0 ? rows : undefined;
    });
    expect(answer.map((row) => row.metric.hash)).toEqual([webhook.policy().hash]);
  });

  test('every alert rule evaluates without error, and none fires for a healthy webhook', async () => {
    type Rule = { name: string; health: string; lastError?: string; state?: string; lastEvaluation: string };
    let seen: Rule[] = [];
    // absent(up) is briefly pending before the first scrape lands: wait for a settled evaluation.
    await waitFor('every rule evaluated, healthy and inactive', async () => {
      const response = await getPlain(prometheusPort, '/api/v1/rules');
      seen = (JSON.parse(response.body) as { data: { groups: Array<{ rules: Rule[] }> } }).data.groups.flatMap((group) => group.rules);
      return seen.length > 0 && seen.every((rule) => !rule.lastEvaluation.startsWith('0001') && rule.health === 'ok' && rule.state === 'inactive') ? true : undefined;
    }).catch(() => undefined);
    expect(seen.map((rule) => ({ name: rule.name, health: rule.health, state: rule.state, error: rule.lastError ?? '' }))).toEqual(
      seen.map((rule) => ({ name: rule.name, health: 'ok', state: 'inactive', error: '' })),
    );
    expect(seen).toHaveLength(11);
  });

  describe('dashboard queries', () => {
    const queries = readDashboardQueries();
    test('the dashboard has queries', () => expect(queries.length).toBeGreaterThan(10));
    test.each(queries)('$name is valid PromQL and finds data', async ({ expr }) => {
      // Rates need two scrapes inside their window; the instant queries need one.
      const rows = await waitFor(`data for ${expr}`, async () => {
        const answer = await query(expr);
        if (answer.status !== 'success') throw new Error(`${expr}: ${answer.error}`);
        const result = answer.data?.result ?? [];
        return result.length > 0 ? result : undefined;
      });
      expect(rows.length).toBeGreaterThan(0);
    });
  });
});
