// deploy/systemd: systemd's own tools judge the unit and the sysusers entry offline (no running
// systemd needed): `systemd-analyze verify` for syntax and unknown keys, `systemd-analyze security`
// for the sandbox, `systemd-sysusers --root` for the account. Skipped where systemd is not installed.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SYSTEMD_UNIT, SYSUSERS_FILE, WEBHOOK_UID } from './deployment-files';

// systemd-analyze prints exposure as 0.0-10.0 and takes --threshold on a 0-100 scale. 2.0 is "OK";
// plain services without sandboxing score 9.6 ("UNSAFE").
const MAX_EXPOSURE = 20;
const hasSystemdAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;
const systemdTest = hasSystemdAnalyze ? test : test.skip;

function run(command: string, args: readonly string[]): { code: number | null; output: string } {
  const result = spawnSync(command, args, { encoding: 'utf8', cwd: path.dirname(SYSTEMD_UNIT) });
  return { code: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}

systemdTest('systemd-analyze verify: no errors and no warnings (an unknown key is only a warning)', () => {
  expect(run('systemd-analyze', ['verify', SYSTEMD_UNIT])).toEqual({ code: 0, output: '' });
});

systemdTest(`systemd-analyze security: exposure at most ${MAX_EXPOSURE / 10}`, () => {
  const result = run('systemd-analyze', ['security', '--offline=true', `--threshold=${MAX_EXPOSURE}`, '--no-pager', SYSTEMD_UNIT]);
  // The whole output on failure names each setting that costs exposure.
  expect(result).toMatchObject({ code: 0, output: expect.stringMatching(/Overall exposure level for image-policy-webhook\.service: \d\.\d OK/) });
});

test.each([
  { name: 'restarts always, and never stops retrying', key: 'Restart', want: ['always'] },
  { name: 'is stopped with SIGTERM, which drains in-flight reviews', key: 'KillSignal', want: ['SIGTERM'] },
  { name: 'starts before the kubelet (and so before kube-apiserver)', key: 'Before', want: ['kubelet.service'] },
  { name: 'never gives up restarting', key: 'StartLimitIntervalSec', want: ['0'] },
  { name: 'reloads with SIGHUP', key: 'ExecReload', want: ['/bin/kill -HUP $MAINPID'] },
  { name: 'gains no privileges', key: 'NoNewPrivileges', want: ['yes'] },
  { name: 'has no capabilities', key: 'CapabilityBoundingSet', want: [''] },
  { name: 'sees the whole file system read-only', key: 'ProtectSystem', want: ['strict'] },
  { name: 'reads its own folders read-only', key: 'ReadOnlyPaths', want: ['/etc/image-policy-webhook /opt/image-policy-webhook'] },
  { name: 'cannot see the cluster keys', key: 'InaccessiblePaths', want: ['-/etc/kubernetes -/var/lib/etcd -/var/lib/kubelet'] },
  { name: 'has a private /tmp', key: 'PrivateTmp', want: ['yes'] },
  { name: 'runs as its own user', key: 'User', want: ['image-policy-webhook'] },
])('the unit $name', ({ key, want }) => {
  const lines = readFileSync(SYSTEMD_UNIT, 'utf8').split('\n');
  expect(lines.filter((line) => line.startsWith(`${key}=`)).map((line) => line.slice(key.length + 1))).toEqual(want);
});

systemdTest(`systemd-sysusers creates image-policy-webhook with UID and GID ${WEBHOOK_UID}`, () => {
  const root = mkdtempSync(path.join(tmpdir(), 'ipw-sysusers-'));
  try {
    mkdirSync(path.join(root, 'etc', 'sysusers.d'), { recursive: true });
    copyFileSync(SYSUSERS_FILE, path.join(root, 'etc', 'sysusers.d', 'image-policy-webhook.conf'));
    const result = run('systemd-sysusers', [`--root=${root}`]);
    expect(result.code).toBe(0);
    const passwd = readFileSync(path.join(root, 'etc', 'passwd'), 'utf8').split('\n');
    const group = readFileSync(path.join(root, 'etc', 'group'), 'utf8').split('\n');
    expect([passwd.find((line) => line.startsWith('image-policy-webhook:')), group.find((line) => line.startsWith('image-policy-webhook:'))]).toEqual([
      `image-policy-webhook:x:${WEBHOOK_UID}:${WEBHOOK_UID}:image-policy-webhook (ImagePolicyWebhook backend):/:/usr/sbin/nologin`,
      `image-policy-webhook:x:${WEBHOOK_UID}:`,
    ]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
