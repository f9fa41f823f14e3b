// The signatures section through the commands that load a policy: a key file that cannot be used
// refuses the policy at the entry naming it (check exits 1, evaluate and replay exit 2), and
// check warns about rules that can never be met, keys no rule names, and allow entries that
// admit unsigned images on a registry that has signature rules.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportPublicKeyPem, generateSigningKey } from '../../../src/signatures';
import { runCli } from '../../support/cli';
import { readFixtureText } from '../../support/cosign-fixtures';

const HEADER = 'apiVersion: image-policy-webhook/v1\nkind: ImagePolicy\nmetadata:\n  name: signed\nallow:\n  - registry.k8s.io/**\n';
const RESOLVE = 'resolveTags:\n  registries: [registry.example.com]\n';

let directory: string;

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'ipw-check-signatures-'));
  writeFileSync(join(directory, 'ci.pub'), exportPublicKeyPem(generateSigningKey('ci')));
  writeFileSync(join(directory, 'cosign.key'), readFixtureText('cosign-keys/sigstore-label.key'));
  writeFileSync(join(directory, 'ca.crt'), readFixtureText('sigstore-rs/kubewarden-fulcio.crt'));
  writeFileSync(join(directory, 'truncated.pub'), '-----BEGIN PUBLIC KEY-----\nMIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC7\n-----END PUBLIC KEY-----\n');
});

afterAll(() => rmSync(directory, { recursive: true, force: true }));

function writePolicy(name: string, body: string): string {
  const file = join(directory, name);
  writeFileSync(file, HEADER + body);
  return file;
}

function signatures(keyFile: string): string {
  return `${RESOLVE}signatures:\n  keys:\n    ci: ${keyFile}\n  require:\n    - images: [registry.example.com/**]\n      keys: [ci]\n`;
}

describe('a key file that cannot be used refuses the policy, at the entry naming it', () => {
  test.each([
    { name: 'missing', file: 'missing.pub', fault: /missing\.pub: cannot read: ENOENT/ },
    { name: 'a cosign private key', file: 'cosign.key', fault: /cosign\.key: key "ci": PEM block is "ENCRYPTED SIGSTORE PRIVATE KEY": this is a cosign private key; give the public key \(cosign\.pub\)/ },
    { name: 'a certificate (keyless)', file: 'ca.crt', fault: /ca\.crt: key "ci": PEM block is "CERTIFICATE": this is a certificate; certificate \(keyless\) signatures are not supported/ },
    { name: 'not a key at all', file: 'truncated.pub', fault: /truncated\.pub: key "ci": the PUBLIC KEY block is not a valid SubjectPublicKeyInfo/ },
  ])('$name', async ({ file, fault }) => {
    const policy = writePolicy(`${file}.yaml`, signatures(file));
    const location = new RegExp(`^${policy.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:11:9: signatures\\.keys\\.ci: `);
    const check = await runCli(['check', policy]);
    expect(check.code).toBe(1);
    expect(check.stderr).toMatch(location);
    expect(check.stderr).toMatch(fault);
    const evaluate = await runCli(['evaluate', '--policy', policy, 'registry.k8s.io/pause:3.9']);
    expect(evaluate.code).toBe(2);
    expect(evaluate.stderr).toMatch(fault);
    const log = join(directory, 'empty.log');
    writeFileSync(log, '{"message":"review","namespace":"default","images":[{"image":"nginx"}],"allowed":true,"decision":"allow"}\n');
    const replay = await runCli(['replay', '--policy', policy, '--log', log]);
    expect(replay.code).toBe(2);
    expect(replay.stderr).toMatch(location);
  });

  test('a usable key file: valid', async () => {
    const result = await runCli(['check', '--no-control-plane', writePolicy('good.yaml', signatures('ci.pub'))]);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
  });
});

describe('check warnings about signature rules', () => {
  test.each([
    {
      name: 'a rule on a registry resolveTags does not list can never be met',
      body: `${RESOLVE}signatures:\n  keys: {ci: ci.pub}\n  require:\n    - images: [registry.example.com/**, quay.io/vendor/**]\n      keys: [ci]\n`,
      warning: /:12:41: warning: signatures\.require\[0\]\.images\[1\]: can never be met: .*resolveTags\.registries does not list quay\.io; every image it covers is denied \[signature-unfetchable\]/,
    },
    {
      name: 'a key no rule names',
      body: `${RESOLVE}signatures:\n  keys: {ci: ci.pub, spare: ci.pub}\n  require:\n    - images: [registry.example.com/**]\n      keys: [ci]\n`,
      warning: /:10:29: warning: signatures\.keys\.spare: key "spare" is named by no signatures rule, so it verifies nothing \[signature-key-unused\]/,
    },
    {
      name: 'an allow entry that admits unsigned images on a registry with rules',
      body: `  - registry.example.com/**\n${RESOLVE}signatures:\n  keys: {ci: ci.pub}\n  require:\n    - images: [registry.example.com/team/**]\n      keys: [ci]\n`,
      warning: /:7:5: warning: allow\[1\]: admits images on registry\.example\.com, which has signature rules, that no rule in force here covers: they run unsigned.* \[signature-uncovered-allow\]/,
    },
  ])('$name', async ({ body, warning }) => {
    const result = await runCli(['check', '--no-control-plane', writePolicy('lint.yaml', body)]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(warning);
  });

  test('an allow entry every image of which a rule covers is not warned about', async () => {
    const body = `  - registry.example.com/team/app:1.*\n${RESOLVE}signatures:\n  keys: {ci: ci.pub}\n  require:\n    - images: [registry.example.com/team/**]\n      keys: [ci]\n`;
    const result = await runCli(['check', '--no-control-plane', writePolicy('covered.yaml', body)]);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
  });
});

describe('test: case files with signature checks', () => {
  const caseFile = (key: string) =>
    `policyFile: good.yaml\nverifications:\n  registry.example.com/team/app@sha256:${'1'.repeat(64)}: ${key}\ncases:\n` +
    `  - {name: signed, images: ["registry.example.com/team/app@sha256:${'1'.repeat(64)}"], expect: allow}\n` +
    `  - {name: unsigned, images: ["registry.example.com/team/app@sha256:${'2'.repeat(64)}"], expect: deny, reasonIncludes: [not verified]}\n`;

  test('a case file that records which key signed a digest runs without a registry', async () => {
    writePolicy('good.yaml', `  - registry.example.com/**\n${signatures('ci.pub')}`);
    writeFileSync(join(directory, 'signed-cases.yaml'), caseFile('ci'));
    const result = await runCli(['test', join(directory, 'signed-cases.yaml')]);
    expect(result.stdout).toMatch(/2 passed, 0 failed/);
    expect(result.code).toBe(0);
  });

  test('a case naming a key the policy does not define cannot run', async () => {
    writePolicy('good.yaml', `  - registry.example.com/**\n${signatures('ci.pub')}`);
    writeFileSync(join(directory, 'unknown-key-cases.yaml'), caseFile('release'));
    const result = await runCli(['test', join(directory, 'unknown-key-cases.yaml')]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/verifications: registry\.example\.com\/team\/app@sha256:1+: the policy defines no key "release"/);
  });
});
