// The `serve` process that the bad-input suites attack, and how they judge its answers: a
// decision is a well-formed 200 ImageReview with a short one-line reason, anything else the
// expected status, every answer small, and after each attack the process still allows a good
// review and denies a bad one.
import { createTestPki, type TestPki } from '../../support/pki';
import { CONTRACT_POLICY, writeTempPolicy } from '../../support/policies';
import { startServeProcess, type ServeProcess } from '../../support/serve-process';
import { buildPost, exchangeRaw, type RawCredentials, type RawResponse } from './raw-tls';

export const API_VERSION = 'imagepolicy.k8s.io/v1alpha1';
export const KIND = 'ImageReview';
export const GOOD_IMAGE = 'registry.example.com/app:1';
export const BAD_IMAGE = 'docker.io/library/busybox:1.36';
const MAX_REASON_LENGTH = 200;
// The answer to any request stays small, however large the request.
const MAX_ANSWER_BYTES = 8 * 1024;

export function reviewOf(images: unknown[], spec: Record<string, unknown> = {}, top: Record<string, unknown> = {}): Record<string, unknown> {
  return { kind: KIND, apiVersion: API_VERSION, metadata: {}, spec: { containers: images.map((image) => ({ image })), namespace: 'default', ...spec }, status: { allowed: false }, ...top };
}
/** Serialized as kube-apiserver does it: compact, one trailing newline. */
export const json = (value: unknown): string => `${JSON.stringify(value)}\n`;
export const GOOD = json(reviewOf([GOOD_IMAGE]));
export const BAD = json(reviewOf([BAD_IMAGE]));

export type Expected =
  | { readonly decision: 'allow' | 'deny'; readonly reason?: RegExp }
  | { readonly status: number; readonly message?: RegExp };

export function expectAnswer(response: RawResponse | undefined, expected: Expected): void {
  if (response === undefined) throw new Error('no answer');
  expect(response.status).toBeLessThan(500);
  expect(Buffer.byteLength(response.body)).toBeLessThanOrEqual(MAX_ANSWER_BYTES);
  if ('decision' in expected) {
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const answer = JSON.parse(response.body);
    expect(answer).toMatchObject({ apiVersion: API_VERSION, kind: KIND, status: { allowed: expected.decision === 'allow' } });
    if (expected.decision === 'deny') {
      expect(answer.status.reason).toMatch(expected.reason ?? /./);
      expect(answer.status.reason).not.toMatch(/[\r\n]/);
      expect(answer.status.reason.length).toBeLessThanOrEqual(MAX_REASON_LENGTH + 200);
    }
    return;
  }
  expect(response.status).toBe(expected.status);
  if (expected.message) expect(JSON.parse(response.body)).toMatchObject({ kind: 'Status', code: expected.status, message: expect.stringMatching(expected.message) });
}

export interface JudgedServer {
  readonly webhook: ServeProcess;
  readonly credentials: Required<RawCredentials>;
  /** The attack must not have hurt the server: it still allows the good review and denies the bad one. */
  expectStillJudging(): Promise<void>;
  /** Stops the process (it must exit 0) and removes its files. */
  stop(): Promise<void>;
}

/** The real `serve` command on free loopback ports, allowing only registry.example.com/**. */
export async function startJudgedServer(): Promise<JudgedServer> {
  const pki: TestPki = await createTestPki();
  const credentials = { ca: pki.ca.certificate, cert: pki.apiserverClient.certificate, key: pki.apiserverClient.privateKey };
  const webhook = await startServeProcess({ policyFile: writeTempPolicy(CONTRACT_POLICY), tlsCert: pki.server.certPath, tlsKey: pki.server.keyPath, clientCa: pki.ca.certPath });
  return {
    webhook,
    credentials,
    async expectStillJudging() {
      expect(webhook.child.exitCode).toBeNull();
      const [good, bad] = await Promise.all([
        exchangeRaw(webhook.port, credentials, [buildPost(GOOD)], { finalResponses: 1 }),
        exchangeRaw(webhook.port, credentials, [buildPost(BAD)], { finalResponses: 1 }),
      ]);
      expectAnswer(good.responses[0], { decision: 'allow' });
      expectAnswer(bad.responses[0], { decision: 'deny', reason: /busybox/ });
    },
    async stop() {
      expect((await webhook.stop()).code).toBe(0);
      pki.remove();
    },
  };
}
