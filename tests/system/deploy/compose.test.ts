// docker-compose.yml: Debian's docker-compose (v1.29, what CI installs) must accept it, with the
// defaults and with every IPW_* override, and the service must keep the settings a control-plane
// node relies on. `make e2e` runs the same file on a real Docker engine.
import { spawnSync } from 'node:child_process';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../../support/built-cli';
import { COMPOSE_FILE, interpolateCompose, readComposeFile, type ComposeService } from './deployment-files';

const SERVICE = 'image-policy-webhook';
const hasCompose = spawnSync('docker-compose', ['version', '--short'], { encoding: 'utf8' }).status === 0;
const composeTest = hasCompose ? test : test.skip;

function runCompose(args: readonly string[], env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
  // A clean environment, so IPW_* variables of whoever runs the tests do not leak in.
  const result = spawnSync('docker-compose', ['-f', COMPOSE_FILE, ...args], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

composeTest('docker-compose config -q accepts the file as written', () => {
  const result = runCompose(['config', '-q']);
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
});

interface ConfigRow {
  readonly name: string;
  readonly env: Record<string, string>;
  readonly want: { volumes: string[]; user: string; listen: string; healthcheck: string };
}

composeTest.each<ConfigRow>([
  {
    name: 'defaults: ./examples and ./pki, loopback, uid 65532',
    env: {},
    want: {
      volumes: [`${PROJECT_ROOT}/examples:/etc/image-policy-webhook/policy:ro`, `${PROJECT_ROOT}/pki:/etc/image-policy-webhook/pki:ro`],
      user: '65532:65532',
      listen: '--listen=127.0.0.1:8443',
      healthcheck: 'http://127.0.0.1:9090/healthz',
    },
  },
  {
    name: 'overrides: node folders, another address, another health port',
    env: {
      IPW_POLICY_DIR: '/etc/image-policy-webhook/policy',
      IPW_PKI_DIR: '/etc/image-policy-webhook/pki',
      IPW_USER: '1000:1000',
      IPW_LISTEN: '0.0.0.0:9443',
      IPW_HEALTH_LISTEN: '127.0.0.1:19090',
    },
    want: {
      volumes: ['/etc/image-policy-webhook/policy:/etc/image-policy-webhook/policy:ro', '/etc/image-policy-webhook/pki:/etc/image-policy-webhook/pki:ro'],
      user: '1000:1000',
      listen: '--listen=0.0.0.0:9443',
      // The healthcheck must follow the health port, or Docker marks a working webhook unhealthy.
      healthcheck: 'http://127.0.0.1:19090/healthz',
    },
  },
])('docker-compose config resolves $name', ({ env, want }) => {
  const result = runCompose(['config'], env);
  expect(result.code).toBe(0);
  const service = (parse(result.stdout) as { services: Record<string, ComposeService> }).services[SERVICE]!;
  expect({
    volumes: service.volumes,
    user: service.user,
    listen: service.command.find((arg) => arg.startsWith('--listen=')),
    healthcheck: /http:\/\/[^']*\/healthz/.exec(service.healthcheck.test.join(' '))?.[0],
  }).toEqual(want);
});

composeTest('a key compose v1 does not know is rejected (the check has teeth)', () => {
  const result = spawnSync('docker-compose', ['-f', '-', 'config', '-q'], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    input: 'name: webhook\nservices:\n  a:\n    image: x\n',
  });
  expect(result.status).not.toBe(0);
});

test.each([
  { name: 'host network (kube-apiserver dials 127.0.0.1)', field: 'network_mode', want: 'host' },
  { name: 'restarted unless stopped by hand', field: 'restart', want: 'unless-stopped' },
  { name: 'read-only root filesystem', field: 'read_only', want: true },
  { name: 'no Linux capabilities', field: 'cap_drop', want: ['ALL'] },
])('the service keeps $name', ({ field, want }) => {
  const service = readComposeFile().services[SERVICE] as unknown as Record<string, unknown>;
  expect(service[field]).toEqual(want);
});

test('every mount is read-only and the policy is mounted as a folder, so saves by rename are seen', () => {
  const volumes = readComposeFile().services[SERVICE]!.volumes;
  expect(volumes.map((volume) => interpolateCompose(volume))).toEqual([
    './examples:/etc/image-policy-webhook/policy:ro',
    './pki:/etc/image-policy-webhook/pki:ro',
  ]);
});

test('the file stays within what compose v1 reads: no top-level name, include or develop', () => {
  const file = readComposeFile() as unknown as Record<string, unknown>;
  expect(Object.keys(file).filter((key) => ['name', 'include'].includes(key))).toEqual([]);
  expect(Object.values(readComposeFile().services).filter((service) => 'develop' in service)).toEqual([]);
});
