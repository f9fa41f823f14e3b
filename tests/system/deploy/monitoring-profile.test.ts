// The optional `monitoring` profile of docker-compose.yml, as Debian's docker-compose (v1.29) reads
// it: Prometheus and Grafana join only when the profile is asked for, share the host network
// without taking the webhook's health port, and mount monitoring files that exist.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../../support/built-cli';
import { COMPOSE_FILE } from './deployment-files';

interface Service {
  readonly profiles?: readonly string[];
  readonly network_mode?: string;
  readonly command?: readonly string[];
  readonly environment?: Record<string, string>;
  readonly volumes?: readonly string[];
}

function composeConfig(env: Record<string, string> = {}): { code: number | null; stderr: string; services: Record<string, Service> } {
  const result = spawnSync('docker-compose', ['-f', COMPOSE_FILE, '--profile', 'monitoring', 'config'], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
  });
  const services = result.status === 0 ? (parse(result.stdout) as { services: Record<string, Service> }).services : {};
  return { code: result.status, stderr: result.stderr, services };
}

const hasCompose = spawnSync('docker-compose', ['version', '--short'], { encoding: 'utf8' }).status === 0;
const composeTest = hasCompose ? test : test.skip;

composeTest('docker-compose --profile monitoring config -q accepts the file', () => {
  const result = spawnSync('docker-compose', ['-f', COMPOSE_FILE, '--profile', 'monitoring', 'config', '-q'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  expect({ code: result.status, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
});

composeTest.each([
  { name: 'Prometheus: host network, its own port, the shipped config', service: 'prometheus', check: (service: Service) => {
    expect(service.network_mode).toBe('host');
    expect(service.command).toContain('--web.listen-address=127.0.0.1:9091');
    expect(service.command).toContain('--config.file=/etc/prometheus/prometheus.yml');
  } },
  { name: 'Grafana: host network, loopback, pointed at that Prometheus', service: 'grafana', check: (service: Service) => {
    expect(service.network_mode).toBe('host');
    expect(service.environment?.GF_SERVER_HTTP_ADDR).toBe('127.0.0.1');
    expect(service.environment?.IPW_PROMETHEUS_URL).toBe('http://127.0.0.1:9091');
  } },
])('$name', ({ service, check }) => {
  const config = composeConfig();
  expect(config.code).toBe(0);
  const resolved = config.services[service]!;
  expect(resolved.profiles).toEqual(['monitoring']);
  check(resolved);
  // Every bind mount of the profile names a file or folder that ships in deploy/monitoring.
  for (const volume of resolved.volumes ?? []) {
    const source = volume.split(':')[0]!;
    if (source.startsWith('/')) expect({ source, exists: existsSync(source) }).toEqual({ source, exists: true });
  }
});

composeTest('IPW_PROMETHEUS_LISTEN moves Prometheus and Grafana\'s datasource together', () => {
  const config = composeConfig({ IPW_PROMETHEUS_LISTEN: '127.0.0.1:19091' });
  expect(config.services.prometheus?.command).toContain('--web.listen-address=127.0.0.1:19091');
  expect(config.services.grafana?.environment?.IPW_PROMETHEUS_URL).toBe('http://127.0.0.1:19091');
});

composeTest('without the profile, `up` would start the webhook alone', () => {
  const services = Object.entries(composeConfig().services).filter(([, service]) => service.profiles === undefined).map(([name]) => name);
  expect(services).toEqual(['image-policy-webhook']);
  expect(existsSync(path.join(PROJECT_ROOT, 'deploy', 'monitoring', 'grafana', 'dashboards', 'image-policy-webhook.json'))).toBe(true);
});
