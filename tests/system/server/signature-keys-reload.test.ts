// Key files are part of loading a policy: at startup a key that cannot be used stops the webhook
// with the policy's file:line:col, and a policy edit that names one is refused on reload while
// the last good policy keeps serving.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PolicyError } from '../../../src/policy';
import { Reloader, createPolicyReloadTarget, loadPolicyFile } from '../../../src/reload';
import { exportPublicKeyPem, generateSigningKey } from '../../../src/signatures';
import { createMemoryLogger } from '../../support/memory-logger';

const HEADER = 'apiVersion: image-policy-webhook/v1\nkind: ImagePolicy\nmetadata:\n  name: keys\nallow: ["**"]\nresolveTags:\n  registries: [registry.example.com]\n';

function policyNaming(keyFile: string): string {
  return `${HEADER}signatures:\n  keys:\n    ci: ${keyFile}\n  require:\n    - images: [registry.example.com/**]\n      keys: [ci]\n`;
}

let directory: string;

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'ipw-key-reload-'));
  writeFileSync(join(directory, 'ci.pub'), exportPublicKeyPem(generateSigningKey('ci')));
});

afterEach(() => rmSync(directory, { recursive: true, force: true }));

test('at startup, a key file that cannot be read is a PolicyError at the entry naming it', () => {
  const file = join(directory, 'policy.yaml');
  writeFileSync(file, policyNaming('missing.pub'));
  expect(() => loadPolicyFile(file)).toThrow(PolicyError);
  expect(() => loadPolicyFile(file)).toThrow(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:10:9: signatures\\.keys\\.ci: .*missing\\.pub: cannot read: ENOENT`));
});

test('a reload naming a key file that cannot be used is refused, logged with file:line:col, and the last good policy stays', () => {
  const file = join(directory, 'policy.yaml');
  writeFileSync(file, policyNaming('ci.pub'));
  const memory = createMemoryLogger();
  const metrics = { recordReload: jest.fn(), recordReloadRecovered: jest.fn() };
  const reloader = new Reloader(createPolicyReloadTarget(file, () => undefined), loadPolicyFile(file), memory.logger, metrics);
  const inForce = reloader.current();
  writeFileSync(join(directory, 'private.key'), '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n');
  writeFileSync(file, policyNaming('private.key'));
  expect(reloader.reload('signal')).toBe('refused');
  expect(reloader.current()).toBe(inForce);
  const [refusal] = memory.find('policy reload refused');
  expect(refusal?.['issues']).toEqual([expect.stringMatching(/policy\.yaml:10:9: signatures\.keys\.ci: .*private\.key: key "ci": PEM block is "PRIVATE KEY": this is a private key; give its public key \(openssl pkey -pubout\)$/)]);
  expect(metrics.recordReload).toHaveBeenCalledWith('policy', 'failure');
  writeFileSync(file, policyNaming('ci.pub'));
  expect(reloader.reload('signal')).toBe('unchanged');
});
