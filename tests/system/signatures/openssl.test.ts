// An independent verifier: openssl checks the signatures this project makes, this project checks
// the ones openssl makes, and openssl confirms the real cosign signatures kept as test data.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildSimpleSigningPayload, exportPublicKeyPem, generateSigningKey, signPayload, verifyCosignSignatures, type KeyAlgorithm } from '../../../src/signatures';
import { REAL_COSIGN_SIGNATURES } from '../../support/cosign-fixtures';

const run = promisify(execFile);
const IMAGE = { registry: 'registry.example.com', repository: 'team/app', digest: `sha256:${'4'.repeat(64)}` };
const PAYLOAD = buildSimpleSigningPayload('registry.example.com/team/app', IMAGE.digest);
let directory: string;

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'ipw-openssl-'));
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function write(name: string, content: string | Uint8Array): string {
  const path = join(directory, name);
  writeFileSync(path, content);
  return path;
}

/** openssl's verify command for the scheme this project signs `algorithm` keys with. */
function verifyCommand(algorithm: KeyAlgorithm, publicKey: string, signature: string, payload: string): string[] {
  if (algorithm === 'ed25519') return ['pkeyutl', '-verify', '-pubin', '-inkey', publicKey, '-rawin', '-in', payload, '-sigfile', signature];
  const hash = algorithm === 'ecdsa-p384' ? '-sha384' : algorithm === 'ecdsa-p521' ? '-sha512' : '-sha256';
  return ['dgst', hash, '-verify', publicKey, '-signature', signature, payload];
}

function signCommand(algorithm: KeyAlgorithm, privateKey: string, signature: string, payload: string): string[] {
  if (algorithm === 'ed25519') return ['pkeyutl', '-sign', '-inkey', privateKey, '-rawin', '-in', payload, '-out', signature];
  const hash = algorithm === 'ecdsa-p384' ? '-sha384' : algorithm === 'ecdsa-p521' ? '-sha512' : '-sha256';
  return ['dgst', hash, '-sign', privateKey, '-out', signature, payload];
}

const ALGORITHMS: readonly KeyAlgorithm[] = ['ecdsa-p256', 'ecdsa-p384', 'ecdsa-p521', 'ed25519', 'rsa'];

test.each(ALGORITHMS)('%s: openssl verifies the signature this project makes', async (algorithm) => {
  const key = generateSigningKey('ci', algorithm, 2048);
  const signature = Buffer.from(signPayload(key, PAYLOAD), 'base64');
  const args = verifyCommand(algorithm, write(`${algorithm}.pub`, exportPublicKeyPem(key)), write(`${algorithm}.sig`, signature), write(`${algorithm}.payload`, PAYLOAD));
  const { stdout } = await run('openssl', args);
  expect(stdout).toMatch(/Verified OK|Signature Verified Successfully/);
  const tampered = write(`${algorithm}.tampered`, Buffer.concat([PAYLOAD, Buffer.from(' ')]));
  await expect(run('openssl', verifyCommand(algorithm, join(directory, `${algorithm}.pub`), join(directory, `${algorithm}.sig`), tampered))).rejects.toThrow();
});

test.each(ALGORITHMS)('%s: this project verifies the signature openssl makes', async (algorithm) => {
  const key = generateSigningKey('ci', algorithm, 2048);
  const privateKey = write(`${algorithm}-openssl.key`, key.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const signaturePath = join(directory, `${algorithm}-openssl.sig`);
  await run('openssl', signCommand(algorithm, privateKey, signaturePath, write(`${algorithm}-openssl.payload`, PAYLOAD)));
  const layer = { layerDigest: 'sha256:x', mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json', size: PAYLOAD.length, payload: PAYLOAD, signature: readFileSync(signaturePath).toString('base64') };
  expect(verifyCosignSignatures(IMAGE, [layer], [key.publicKey], { checkRepository: true }).verified).toBe(true);
});

test.each(REAL_COSIGN_SIGNATURES)('openssl confirms $name', async ({ name, publicKeyPem, payload, signature }) => {
  const stem = name.replace(/[^a-z0-9]+/gi, '-');
  const args = verifyCommand('ecdsa-p256', write(`${stem}.pub`, publicKeyPem), write(`${stem}.sig`, Buffer.from(signature, 'base64')), write(`${stem}.payload`, payload));
  const { stdout } = await run('openssl', args);
  expect(stdout).toMatch(/Verified OK/);
});
