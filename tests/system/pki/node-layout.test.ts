// `pki status` agrees with the node layout the deploy files prescribe (deploy/README.md, the systemd
// unit, the static pod, docker-compose.yml): the serving key root:65532 0640, certificates 0644,
// the folder root:65532 0750, no apiserver-client pair. Each row changes modes, owners or files and
// names the exact advice; no advice may lock the webhook out of its key, and following the printed
// advice on real files makes the check pass.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkPkiStatus, formatPkiStatusTable, type FileAccess, type PkiFileContent, type ServiceUser } from '../../../src/pki';
import { runBuiltCli } from '../../support/built-cli';
import { runCli } from '../../support/cli';
import { createTestPki, type TestPki } from '../../support/pki';

const DIR = '/etc/image-policy-webhook/pki';
const ROOT = 0;
const WEBHOOK = 65532;
const OPERATOR = 1000;
const WEBHOOK_USER: ServiceUser = { uid: WEBHOOK, gid: WEBHOOK };
const FILE = 0o100000;
const FOLDER = 0o040000;

type Access = [mode: number, uid: number, gid: number];
interface Layout {
  files: Record<string, Access | undefined>;
  directory: Access;
}

/** The layout deploy/README.md installs: `install -m 0640 -g 65532 pki/server.key ...`. */
const DEPLOYED: Layout = {
  files: { 'ca.crt': [0o644, ROOT, ROOT], 'server.crt': [0o644, ROOT, ROOT], 'server.key': [0o640, ROOT, WEBHOOK] },
  directory: [0o750, ROOT, WEBHOOK],
};

let pki: TestPki;
beforeAll(async () => {
  pki = await createTestPki();
});
afterAll(() => pki.remove());

function access([mode, uid, gid]: Access, type: number): FileAccess {
  return { mode: type | mode, uid, gid };
}

function contents(layout: Layout): Record<string, PkiFileContent> {
  const texts: Record<string, string> = {
    'ca.crt': pki.ca.certificate,
    'ca.key': pki.ca.privateKey,
    'server.crt': pki.server.certificate,
    'server.key': pki.server.privateKey,
    'apiserver-client.crt': pki.apiserverClient.certificate,
    'apiserver-client.key': pki.apiserverClient.privateKey,
  };
  return Object.fromEntries(
    Object.entries(layout.files).flatMap(([name, fileAccess]) =>
      fileAccess === undefined ? [] : [[name, { state: 'present', text: texts[name] ?? '', access: access(fileAccess, FILE) } satisfies PkiFileContent]],
    ),
  );
}

function withFiles(changes: Record<string, Access | undefined>, directory: Access = DEPLOYED.directory): Layout {
  return { files: { ...DEPLOYED.files, ...changes }, directory };
}

const key = `${DIR}/server.key`;

test.each<{ name: string; layout: Layout; user?: ServiceUser; want: [file: string, message: string][] }>([
  { name: 'the deployed layout, for the webhook user', layout: DEPLOYED, user: WEBHOOK_USER, want: [] },
  { name: 'the deployed layout, no user given', layout: DEPLOYED, want: [] },
  { name: 'the dev layout: make pki as the operator, who also runs serve', layout: { files: { 'ca.crt': [0o644, OPERATOR, OPERATOR], 'ca.key': [0o600, OPERATOR, OPERATOR], 'server.crt': [0o644, OPERATOR, OPERATOR], 'server.key': [0o600, OPERATOR, OPERATOR], 'apiserver-client.crt': [0o644, OPERATOR, OPERATOR], 'apiserver-client.key': [0o600, OPERATOR, OPERATOR] }, directory: [0o700, OPERATOR, OPERATOR] }, user: { uid: OPERATOR, gid: OPERATOR }, want: [] },
  { name: 'the webhook owns its key, 0600', layout: withFiles({ 'server.key': [0o600, WEBHOOK, WEBHOOK] }), user: WEBHOOK_USER, want: [] },
  { name: 'kube-apiserver\'s copy of its client pair sits here too, 0600 root', layout: withFiles({ 'apiserver-client.crt': [0o644, ROOT, ROOT], 'apiserver-client.key': [0o600, ROOT, ROOT] }), user: WEBHOOK_USER, want: [] },
  {
    name: 'a plain copy of make pki\'s key: 0600 root:root locks the webhook out',
    layout: withFiles({ 'server.key': [0o600, ROOT, ROOT] }),
    user: WEBHOOK_USER,
    want: [['server.key', `cannot be read by the webhook's user 65532:65532 (owner 0:0, mode 0600): chgrp 65532 ${key} && chmod 0640 ${key}`]],
  },
  {
    name: 'the right group without group read',
    layout: withFiles({ 'server.key': [0o600, ROOT, WEBHOOK] }),
    user: WEBHOOK_USER,
    want: [['server.key', `cannot be read by the webhook's user 65532:65532 (owner 0:65532, mode 0600): chmod 0640 ${key}`]],
  },
  {
    name: 'the webhook owns its key but has no read bit',
    layout: withFiles({ 'server.key': [0o200, WEBHOOK, WEBHOOK] }),
    user: WEBHOOK_USER,
    want: [['server.key', `cannot be read by the webhook's user 65532:65532 (owner 65532:65532, mode 0200): chmod 0600 ${key}`]],
  },
  {
    name: 'others may read the key, the group is the webhook\'s: narrowing keeps the webhook',
    layout: withFiles({ 'server.key': [0o644, ROOT, WEBHOOK] }),
    user: WEBHOOK_USER,
    want: [['server.key', `gives others read access (mode 0644): chmod 0640 ${key}`]],
  },
  {
    name: 'others may read the key and the webhook reads it only that way: the fix gives it the group',
    layout: withFiles({ 'server.key': [0o644, ROOT, ROOT] }),
    user: WEBHOOK_USER,
    want: [['server.key', `gives others read access (mode 0644), and the webhook's user 65532:65532 must still read it: chgrp 65532 ${key} && chmod 0640 ${key}`]],
  },
  {
    name: 'others may read the key, the webhook user unknown: the advice says on whom it relies',
    layout: withFiles({ 'server.key': [0o644, ROOT, ROOT] }),
    want: [['server.key', `gives others read access (mode 0644): chmod 0640 ${key}, if the webhook runs as user 0 or in group 0; otherwise that would lock it out (pki status --webhook-user UID:GID names the fix for its user)`]],
  },
  {
    name: 'the group may write the key',
    layout: withFiles({ 'server.key': [0o660, ROOT, WEBHOOK] }),
    user: WEBHOOK_USER,
    want: [['server.key', `gives its group write access (mode 0660): chmod 0640 ${key}`]],
  },
  {
    name: 'everyone may write the key',
    layout: withFiles({ 'server.key': [0o666, ROOT, WEBHOOK] }),
    want: [['server.key', `gives its group write access and others read and write access (mode 0666): chmod 0640 ${key}, if the webhook runs as user 0 or in group 65532; otherwise that would lock it out (pki status --webhook-user UID:GID names the fix for its user)`]],
  },
  {
    name: 'the CA key on the node, group-readable: only pki reads it',
    layout: withFiles({ 'ca.key': [0o640, ROOT, WEBHOOK] }),
    user: WEBHOOK_USER,
    want: [['ca.key', `gives its group read access (mode 0640); only pki reads it: chmod 0600 ${DIR}/ca.key`]],
  },
  {
    name: 'kube-apiserver\'s client key open to others',
    layout: withFiles({ 'apiserver-client.crt': [0o644, ROOT, ROOT], 'apiserver-client.key': [0o604, ROOT, ROOT] }),
    user: WEBHOOK_USER,
    want: [['apiserver-client.key', `gives others read access (mode 0604): chmod 0600 ${DIR}/apiserver-client.key`]],
  },
  {
    name: 'a certificate the webhook cannot read',
    layout: withFiles({ 'ca.crt': [0o600, ROOT, ROOT] }),
    user: WEBHOOK_USER,
    want: [['ca.crt', `cannot be read by the webhook's user 65532:65532 (owner 0:0, mode 0600): chmod 0644 ${DIR}/ca.crt`]],
  },
  {
    name: 'a folder the webhook cannot list',
    layout: withFiles({}, [0o700, ROOT, ROOT]),
    user: WEBHOOK_USER,
    want: [[DIR, `cannot be listed by the webhook's user 65532:65532 (owner 0:0, mode 0700): chgrp 65532 ${DIR} && chmod 0750 ${DIR}`]],
  },
  {
    name: 'half of kube-apiserver\'s pair',
    layout: withFiles({ 'apiserver-client.crt': [0o644, ROOT, ROOT] }),
    user: WEBHOOK_USER,
    want: [['apiserver-client.key', 'missing, while apiserver-client.crt is here (the two go together)']],
  },
  { name: 'the serving key absent', layout: withFiles({ 'server.key': undefined }), user: WEBHOOK_USER, want: [['server.key', 'missing']] },
])('$name', ({ layout, user, want }) => {
  const status = checkPkiStatus(contents(layout), { now: new Date(), warnDays: 30, dir: DIR, directoryAccess: access(layout.directory, FOLDER), webhookUser: user });
  const problems = [...status.problems, ...status.certificates.flatMap((certificate) => certificate.problems)];
  expect(problems.map(({ file, message }) => [file, message])).toEqual(want);
  expect(status.ok).toBe(want.length === 0);
});

test('the table says why the absent apiserver-client pair is fine', () => {
  const table = formatPkiStatusTable(checkPkiStatus(contents(DEPLOYED), { now: new Date(), warnDays: 30, dir: DIR, webhookUser: WEBHOOK_USER }));
  expect(table).toMatch(/^apiserver-client\.crt +- +- +- +- +- +- +absent$/m);
  expect(table.endsWith(
    '\nnotes:\n  apiserver-client.crt, apiserver-client.key: not here, which is fine where the webhook runs: ' +
      'they are kube-apiserver\'s, and its copy lives in its own folder\n',
  )).toBe(true);
});

test.each([
  { name: 'not numeric', value: 'image-policy-webhook' },
  { name: 'user without group', value: '65532' },
  { name: 'negative', value: '-1:65532' },
])('--webhook-user refuses $name', async ({ value }) => {
  const result = await runCli(['pki', 'status', '--dir', pki.dir, '--webhook-user', value]);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain(`must be a numeric user and group, as in 65532:65532, got ${JSON.stringify(value)}`);
});

const asRoot = process.getuid?.() === 0 ? test : test.skip;

/** Reads a file as another user, the way `serve` running as that user would. */
function readAs(user: ServiceUser, file: string): boolean {
  const result = spawnSync(process.execPath, ['-e', `require('fs').readFileSync(${JSON.stringify(file)})`], { uid: user.uid, gid: user.gid });
  return result.status === 0;
}

asRoot('on real files: the deployed layout passes, a copied 0600 key fails, and the printed advice lets the webhook read its key', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ipw-node-layout-'));
  try {
    for (const name of ['ca.crt', 'server.crt', 'server.key']) writeFileSync(join(dir, name), readFileSync(join(pki.dir, name)));
    for (const name of ['ca.crt', 'server.crt']) chmodSync(join(dir, name), 0o644);
    chownSync(dir, ROOT, WEBHOOK);
    chmodSync(dir, 0o750);
    chmodSync(join(dir, 'server.key'), 0o600);
    const locked = await runBuiltCli(['pki', 'status', '--dir', dir, '--webhook-user', '65532:65532']);
    expect(locked.code).toBe(1);
    expect(readAs(WEBHOOK_USER, join(dir, 'server.key'))).toBe(false);
    const advice = /server\.key: cannot be read by the webhook's user 65532:65532 \(owner 0:0, mode 0600\): (.+)$/m.exec(locked.stdout)?.[1];
    expect(advice).toBe(`chgrp 65532 ${dir}/server.key && chmod 0640 ${dir}/server.key`);
    expect(spawnSync('sh', ['-c', advice ?? 'false']).status).toBe(0);
    expect(statSync(join(dir, 'server.key')).mode & 0o777).toBe(0o640);
    expect(readAs(WEBHOOK_USER, join(dir, 'server.key'))).toBe(true);
    const fixed = await runBuiltCli(['pki', 'status', '--dir', dir, '--webhook-user', '65532:65532']);
    expect(fixed.stdout).toMatch(/^server\.crt .* ok$/m);
    expect(fixed.code).toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
