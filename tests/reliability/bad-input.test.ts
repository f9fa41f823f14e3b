// Hostile and malformed requests against the real `serve` process over mutual TLS: each is
// answered as PRODUCT.md says (a decision is a 200, non-JSON a 400, other routes 404/405,
// broken HTTP a 4xx and a closed socket) within a bounded time, never a 5xx, and after every
// row the same process still judges a good and a bad review correctly.
import { gzipSync } from 'node:zlib';
import net from 'node:net';
import tls from 'node:tls';
import { createTestPki, type TestPki } from '../support/pki';
import { requestHttps } from '../support/https-client';
import { CONTRACT_POLICY, writeTempPolicy } from '../support/policies';
import { startWebhookProcess, type WebhookProcess } from '../support/webhook-process';
import { buildPost, exchangeRaw, type RawCredentials, type RawExchange, type RawResponse } from './raw-tls';

const API_VERSION = 'imagepolicy.k8s.io/v1alpha1';
const KIND = 'ImageReview';
const GOOD_IMAGE = 'registry.example.com/app:1';
const BAD_IMAGE = 'docker.io/library/busybox:1.36';
const MAX_REASON_LENGTH = 200;
// The answer to any request stays small, however large the request.
const MAX_ANSWER_BYTES = 8 * 1024;
const MIB = 1024 * 1024;
const DEEP = 100_000;

function reviewOf(images: unknown[], spec: Record<string, unknown> = {}, top: Record<string, unknown> = {}): Record<string, unknown> {
  return { kind: KIND, apiVersion: API_VERSION, metadata: {}, spec: { containers: images.map((image) => ({ image })), namespace: 'default', ...spec }, status: { allowed: false }, ...top };
}
const json = (value: unknown): string => `${JSON.stringify(value)}\n`;
const GOOD = json(reviewOf([GOOD_IMAGE]));
const BAD = json(reviewOf([BAD_IMAGE]));
/** A good review with raw bytes spliced into its image string. */
const withImageBytes = (bytes: number[]): Buffer =>
  Buffer.concat([Buffer.from(`{"kind":"${KIND}","apiVersion":"${API_VERSION}","spec":{"containers":[{"image":"registry.example.com/a`), Buffer.from(bytes), Buffer.from('"}]}}')]);

let pki: TestPki;
let webhook: WebhookProcess;
let credentials: RawCredentials;

beforeAll(async () => {
  pki = await createTestPki();
  credentials = { ca: pki.ca.certificate, cert: pki.apiserverClient.certificate, key: pki.apiserverClient.privateKey };
  webhook = await startWebhookProcess({ policyFile: writeTempPolicy(CONTRACT_POLICY), tlsCert: pki.server.certPath, tlsKey: pki.server.keyPath, clientCa: pki.ca.certPath });
});
afterAll(async () => {
  expect(await webhook.stop()).toBe(0);
  pki.remove();
});

type Expected =
  | { readonly decision: 'allow' | 'deny'; readonly reason?: RegExp }
  | { readonly status: number; readonly message?: RegExp; readonly closes?: boolean };

function expectAnswer(response: RawResponse | undefined, expected: Expected): void {
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

/** The row must not have hurt the server: it still allows the good review and denies the bad one. */
async function expectStillJudging(): Promise<void> {
  expect(webhook.child.exitCode).toBeNull();
  const [good, bad] = await Promise.all([
    exchangeRaw(webhook.port, credentials, [buildPost(GOOD)], { finalResponses: 1 }),
    exchangeRaw(webhook.port, credentials, [buildPost(BAD)], { finalResponses: 1 }),
  ]);
  expectAnswer(good.responses[0], { decision: 'allow' });
  expectAnswer(bad.responses[0], { decision: 'deny', reason: /busybox/ });
}

describe('request bodies over mutual TLS', () => {
  const deepArrays = '['.repeat(DEEP) + ']'.repeat(DEEP);
  test.each<{ name: string; body: string | Buffer; headers?: Record<string, string>; path?: string; expected: Expected }>([
    { name: 'a good review, byte for byte as kube-apiserver sends it', body: GOOD, expected: { decision: 'allow' } },
    { name: 'not JSON', body: 'this is not json', expected: { status: 400, message: /not JSON/ } },
    { name: 'truncated JSON', body: GOOD.slice(0, 60), expected: { status: 400, message: /not JSON/ } },
    { name: 'empty body', body: '', expected: { status: 400, message: /not JSON/ } },
    { name: 'a review followed by garbage', body: `${GOOD}x`, expected: { status: 400, message: /not JSON/ } },
    { name: 'two reviews in one body', body: GOOD + GOOD, expected: { status: 400, message: /not JSON/ } },
    { name: '2 MiB of non-JSON: a short 400', body: `x${'\n'.repeat(2 * MIB)}`, expected: { status: 400, message: /not JSON/ } },
    { name: `${DEEP} nested arrays: JSON, not a review`, body: deepArrays, expected: { decision: 'deny', reason: /body is an array/ } },
    { name: `${DEEP} nested objects: JSON, not a review`, body: '{"a":'.repeat(DEEP) + '1' + '}'.repeat(DEEP), expected: { decision: 'deny', reason: /apiVersion is missing/ } },
    { name: `${DEEP} nested arrays as an image`, body: json(reviewOf([])).replace('"containers":[]', `"containers":[{"image":${deepArrays}}]`), expected: { decision: 'deny', reason: /image is an array/ } },
    { name: `${DEEP} nested arrays in metadata are ignored`, body: GOOD.replace('"metadata":{}', `"metadata":${deepArrays}`), expected: { decision: 'allow' } },
    { name: `${DEEP} unclosed arrays`, body: '['.repeat(DEEP), expected: { status: 400, message: /not JSON/ } },
    { name: '2 MiB review (big annotations) is judged', body: json(reviewOf([GOOD_IMAGE], { annotations: { 'x.image-policy.k8s.io/big': 'v'.repeat(2 * MIB) } })), expected: { decision: 'allow' } },
    { name: 'over the 3 MiB cap: a 200 deny, never a 413', body: json(reviewOf([GOOD_IMAGE], {}, { padding: 'p'.repeat(3 * MIB) })), expected: { decision: 'deny', reason: /larger than/ } },
    { name: '10 000 allowed containers', body: json(reviewOf(Array.from({ length: 10_000 }, () => GOOD_IMAGE))), expected: { decision: 'allow' } },
    { name: '10 000 containers, the last one denied', body: json(reviewOf([...Array.from({ length: 9_999 }, () => GOOD_IMAGE), BAD_IMAGE])), expected: { decision: 'deny', reason: /busybox/ } },
    { name: '10 000 distinct denied containers: a bounded answer', body: json(reviewOf(Array.from({ length: 10_000 }, (_, index) => `evil.example/app-${index}:1`))), expected: { decision: 'deny', reason: /evil\.example\/app-0/ } },
    { name: '1 MiB image string', body: json(reviewOf([`registry.example.com/${'a'.repeat(MIB)}`])), expected: { decision: 'deny', reason: /limit/ } },
    { name: '1 MiB image strings, ten of them', body: json(reviewOf(Array.from({ length: 10 }, () => 'a/'.repeat(MIB / 2)))), expected: { decision: 'deny' } },
    { name: 'image is a number', body: json(reviewOf([42])), expected: { decision: 'deny', reason: /image is a number/ } },
    { name: 'image is a boolean', body: json(reviewOf([true])), expected: { decision: 'deny', reason: /image is a boolean/ } },
    { name: 'image is an object', body: json(reviewOf([{ toString: GOOD_IMAGE }])), expected: { decision: 'deny', reason: /image is an object/ } },
    { name: 'image is a list', body: json(reviewOf([[GOOD_IMAGE]])), expected: { decision: 'deny', reason: /image is an array/ } },
    { name: 'image is null: an empty reference', body: json(reviewOf([null])), expected: { decision: 'deny', reason: /empty/ } },
    { name: 'non-string annotation under a 1 MiB key: a bounded answer', body: json(reviewOf([GOOD_IMAGE], { annotations: { [`x.image-policy.k8s.io/${'k'.repeat(MIB)}`]: 5 } })), expected: { decision: 'deny', reason: /spec\.annotations\["x\.image-policy\.k8s\.io\/k+"…\] is a number/ } },
    { name: 'containers is a string', body: json(reviewOf([], { containers: GOOD_IMAGE })), expected: { decision: 'deny', reason: /spec\.containers/ } },
    { name: 'NUL inside the image', body: json(reviewOf([`${GOOD_IMAGE}\u0000`])), expected: { decision: 'deny', reason: /control character U\+0000/ } },
    { name: 'every C0 control character in one image', body: json(reviewOf([`registry.example.com/a${Array.from({ length: 32 }, (_, code) => String.fromCharCode(code)).join('')}`])), expected: { decision: 'deny', reason: /U\+0000/ } },
    { name: 'DEL and C1 controls in the image', body: json(reviewOf(['registry.example.com/a\u007f\u0085\u009b'])), expected: { decision: 'deny', reason: /U\+007F/ } },
    { name: 'a raw control byte inside a JSON string is not JSON', body: withImageBytes([0x01]), expected: { status: 400, message: /not JSON/ } },
    { name: 'NUL in the namespace', body: json(reviewOf([GOOD_IMAGE], { namespace: 'default\u0000kube-system' })), expected: { decision: 'allow' } },
    { name: 'NUL in an annotation key and value', body: json(reviewOf([BAD_IMAGE], { annotations: { 'alpha.image-policy.k8s.io/break-glass\u0000': 'true\u0000' } })), expected: { decision: 'deny' } },
    { name: 'invalid UTF-8 in the image', body: withImageBytes([0xff, 0xfe]), expected: { decision: 'deny', reason: /non-ASCII character U\+FFFD/ } },
    { name: 'overlong UTF-8 slash in the image', body: withImageBytes([0xc0, 0xaf, 0x78]), expected: { decision: 'deny', reason: /non-ASCII/ } },
    { name: 'UTF-8-encoded surrogate in the image', body: withImageBytes([0xed, 0xa0, 0x80]), expected: { decision: 'deny', reason: /non-ASCII/ } },
    { name: 'lone surrogate escape in the image', body: json(reviewOf(['registry.example.com/a\ud800'])), expected: { decision: 'deny', reason: /non-ASCII/ } },
    { name: 'full-width slash look-alike in the image', body: json(reviewOf(['registry.example.com\uff0fapp:1'])), expected: { decision: 'deny', reason: /U\+FF0F/ } },
    { name: 'invalid UTF-8 between tokens', body: Buffer.concat([Buffer.from('{"kind":'), Buffer.from([0xff]), Buffer.from(`"${KIND}"}`)]), expected: { status: 400, message: /not JSON/ } },
    { name: 'UTF-8 byte order mark before the JSON', body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(GOOD)]), expected: { status: 400, message: /not JSON/ } },
    { name: 'UTF-16 body', body: Buffer.from(`\ufeff${GOOD}`, 'utf16le'), expected: { status: 400, message: /not JSON/ } },
    { name: 'text/plain content type: judged by the body', body: GOOD, headers: { 'Content-Type': 'text/plain' }, expected: { decision: 'allow' } },
    { name: 'form content type: judged by the body', body: BAD, headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, expected: { decision: 'deny' } },
    { name: 'multipart content type: judged by the body', body: GOOD, headers: { 'Content-Type': 'multipart/form-data; boundary=x' }, expected: { decision: 'allow' } },
    { name: 'JSON with a UTF-16 charset label: read as UTF-8', body: GOOD, headers: { 'Content-Type': 'application/json; charset=utf-16' }, expected: { decision: 'allow' } },
    { name: 'unparsable content type', body: BAD, headers: { 'Content-Type': ';;;/\u0001' }, expected: { status: 400 } },
    { name: 'gzip-encoded body is not decoded: not JSON', body: gzipSync(GOOD), headers: { 'Content-Encoding': 'gzip' }, expected: { status: 400, message: /not JSON/ } },
    { name: 'kube-apiserver\'s ?timeout=30s query', body: GOOD, path: '/imagepolicy?timeout=30s', expected: { decision: 'allow' } },
    { name: 'upper-case path (express routes case-insensitively): still a decision', body: BAD, path: '/IMAGEPOLICY', expected: { decision: 'deny' } },
    { name: 'another path', body: GOOD, path: '/imagepolicy/extra', expected: { status: 404, message: /no route/ } },
    { name: 'encoded NUL in the path', body: GOOD, path: '/imagepolicy%00', expected: { status: 404 } },
    { name: 'dot segments in the path', body: GOOD, path: '/x/../imagepolicy', expected: { status: 404 } },
    { name: 'asterisk-form target', body: GOOD, path: '*', expected: { status: 404 } },
    { name: 'absolute-form target', body: GOOD, path: 'https://localhost/imagepolicy', expected: { decision: 'allow' } },
  ])('$name', async ({ body, headers, path, expected }) => {
    const request = buildPost(body, { ...(headers ? { headers } : {}), ...(path ? { path } : {}) });
    const exchange = await exchangeRaw(webhook.port, credentials, [request], { finalResponses: 1 });
    expectAnswer(exchange.responses[0], expected);
    await expectStillJudging();
  });
});

describe('methods over mutual TLS', () => {
  test.each([
    { name: 'GET', method: 'GET' },
    { name: 'PUT', method: 'PUT' },
    { name: 'DELETE', method: 'DELETE' },
    { name: 'PATCH', method: 'PATCH' },
    { name: 'OPTIONS', method: 'OPTIONS' },
    { name: 'HEAD', method: 'HEAD' },
  ])('$name on the review path is a 405 naming POST', async ({ method }) => {
    const result = await requestHttps(webhook.port, credentials, method === 'HEAD' || method === 'GET' ? undefined : GOOD, { method });
    expect(result.status).toBe(405);
    expect(result.headers.allow).toBe('POST');
    await expectStillJudging();
  });
});

describe('malformed and unusual HTTP over mutual TLS', () => {
  const good = buildPost(GOOD);
  const bad = buildPost(BAD);
  const head = (lines: string[]): string => `${lines.join('\r\n')}\r\n\r\n`;
  test.each<{ name: string; pieces: (string | Buffer)[]; finalResponses?: number; pauseMs?: number; want: (exchange: RawExchange) => void }>([
    {
      name: 'HTTP/1.0: answered, then the server closes',
      pieces: [buildPost(GOOD, { version: '1.0' })],
      want: ({ responses, closedByServer }) => {
        expectAnswer(responses[0], { decision: 'allow' });
        expect(responses[0]!.headers.connection).toBe('close');
        expect(closedByServer).toBe(true);
      },
    },
    {
      name: 'HTTP/1.0 keep-alive: two answers on one connection',
      pieces: [buildPost(GOOD, { version: '1.0', headers: { Connection: 'keep-alive' } }), buildPost(BAD, { version: '1.0' })],
      pauseMs: 100,
      want: ({ responses }) => {
        expectAnswer(responses[0], { decision: 'allow' });
        expectAnswer(responses[1], { decision: 'deny' });
      },
    },
    {
      name: 'HTTP/1.0 without Content-Length: an empty body, so a 400',
      pieces: [head(['POST /imagepolicy HTTP/1.0', 'Host: localhost']) + GOOD],
      want: ({ responses }) => expectAnswer(responses[0], { status: 400 }),
    },
    {
      name: 'three pipelined requests in one write: three answers, in order',
      pieces: [Buffer.concat([good, bad, buildPost('not json')])],
      finalResponses: 3,
      want: ({ responses }) => {
        expectAnswer(responses[0], { decision: 'allow' });
        expectAnswer(responses[1], { decision: 'deny' });
        expectAnswer(responses[2], { status: 400, message: /not JSON/ });
      },
    },
    {
      name: 'fifty pipelined requests: fifty answers, in order',
      pieces: [Buffer.concat(Array.from({ length: 50 }, (_, index) => (index % 2 === 0 ? good : bad)))],
      finalResponses: 50,
      want: ({ responses }) => {
        expect(responses).toHaveLength(50);
        responses.forEach((response, index) => expectAnswer(response, { decision: index % 2 === 0 ? 'allow' : 'deny' }));
      },
    },
    {
      name: 'a request dribbled across many TLS records',
      pieces: Array.from({ length: Math.ceil(good.length / 16) }, (_, index) => good.subarray(index * 16, index * 16 + 16)),
      pauseMs: 2,
      finalResponses: 1,
      want: ({ responses }) => expectAnswer(responses[0], { decision: 'allow' }),
    },
    {
      name: 'chunked transfer encoding',
      pieces: [head(['POST /imagepolicy HTTP/1.1', 'Host: localhost', 'Transfer-Encoding: chunked']) + `${Buffer.byteLength(BAD).toString(16)}\r\n${BAD}\r\n0\r\n\r\n`],
      finalResponses: 1,
      want: ({ responses }) => expectAnswer(responses[0], { decision: 'deny' }),
    },
    {
      name: 'Expect: 100-continue',
      pieces: [buildPost(GOOD, { headers: { Expect: '100-continue' } })],
      finalResponses: 1,
      want: ({ responses }) => {
        expect(responses[0]!.status).toBe(100);
        expectAnswer(responses[1], { decision: 'allow' });
      },
    },
    {
      name: 'an Upgrade request is served as plain HTTP/1.1',
      pieces: [buildPost(BAD, { headers: { Connection: 'Upgrade', Upgrade: 'h2c' } })],
      finalResponses: 1,
      want: ({ responses }) => expectAnswer(responses[0], { decision: 'deny' }),
    },
    { name: 'garbage request line', pieces: ['HELLO\r\n\r\n'], want: ({ responses, closedByServer }) => { expectAnswer(responses[0], { status: 400 }); expect(closedByServer).toBe(true); } },
    { name: 'HTTP/2 connection preface', pieces: ['PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'], want: ({ responses }) => expectAnswer(responses[0], { status: 400 }) },
    { name: 'unknown method', pieces: [head(['BREW /imagepolicy HTTP/1.1', 'Host: localhost'])], want: ({ responses }) => expectAnswer(responses[0], { status: 400 }) },
    { name: 'CONNECT is refused by closing', pieces: [head(['CONNECT example.com:443 HTTP/1.1', 'Host: example.com:443'])], want: ({ responses, closedByServer }) => { expect(responses.filter((response) => response.status < 400)).toEqual([]); expect(closedByServer).toBe(true); } },
    { name: 'no Host header', pieces: [head(['POST /imagepolicy HTTP/1.1', `Content-Length: ${Buffer.byteLength(GOOD)}`]) + GOOD], want: ({ responses }) => expectAnswer(responses[0], { status: 400 }) },
    {
      name: 'smuggling: Content-Length and Transfer-Encoding together',
      pieces: [head(['POST /imagepolicy HTTP/1.1', 'Host: localhost', 'Content-Length: 5', 'Transfer-Encoding: chunked']) + `0\r\n\r\n${good.toString('latin1')}`],
      want: ({ responses, closedByServer }) => { expectAnswer(responses[0], { status: 400 }); expect(responses).toHaveLength(1); expect(closedByServer).toBe(true); },
    },
    {
      name: 'smuggling: two different Content-Length headers',
      pieces: [head(['POST /imagepolicy HTTP/1.1', 'Host: localhost', 'Content-Length: 2', 'Content-Length: 3']) + '{}'],
      want: ({ responses }) => { expectAnswer(responses[0], { status: 400 }); expect(responses).toHaveLength(1); },
    },
    { name: 'negative Content-Length', pieces: [head(['POST /imagepolicy HTTP/1.1', 'Host: localhost', 'Content-Length: -1'])], want: ({ responses }) => expectAnswer(responses[0], { status: 400 }) },
    { name: 'non-numeric Content-Length', pieces: [head(['POST /imagepolicy HTTP/1.1', 'Host: localhost', 'Content-Length: 12abc'])], want: ({ responses }) => expectAnswer(responses[0], { status: 400 }) },
    { name: 'invalid chunk size', pieces: [head(['POST /imagepolicy HTTP/1.1', 'Host: localhost', 'Transfer-Encoding: chunked']) + 'zz\r\nabc\r\n0\r\n\r\n'], want: ({ responses }) => expectAnswer(responses[0], { status: 400 }) },
    { name: 'NUL in a header value', pieces: [head(['POST /imagepolicy HTTP/1.1', 'Host: localhost', 'X-Note: a\u0000b', 'Content-Length: 2']) + '{}'], want: ({ responses }) => expectAnswer(responses[0], { status: 400 }) },
    { name: 'bare LF line endings', pieces: [`POST /imagepolicy HTTP/1.1\nHost: localhost\nContent-Length: ${Buffer.byteLength(GOOD)}\n\n${GOOD}`], want: ({ responses }) => expectAnswer(responses[0], { status: 400 }) },
    { name: '20 KiB header', pieces: [head(['POST /imagepolicy HTTP/1.1', 'Host: localhost', `X-Big: ${'a'.repeat(20 * 1024)}`, 'Content-Length: 2']) + '{}'], want: ({ responses }) => expectAnswer(responses[0], { status: 431 }) },
    { name: '20 KiB request target', pieces: [head([`POST /imagepolicy?${'a'.repeat(20 * 1024)} HTTP/1.1`, 'Host: localhost', 'Content-Length: 2']) + '{}'], want: ({ responses }) => expectAnswer(responses[0], { status: 431 }) },
    { name: 'thousands of small headers', pieces: [head(['POST /imagepolicy HTTP/1.1', 'Host: localhost', ...Array.from({ length: 3000 }, (_, index) => `X-${index}: v`), 'Content-Length: 2']) + '{}'], want: ({ responses }) => expect(responses[0]?.status).toBe(431) },
  ])('$name', async ({ pieces, finalResponses, pauseMs, want }) => {
    const exchange = await exchangeRaw(webhook.port, credentials, pieces, { ...(finalResponses ? { finalResponses } : {}), ...(pauseMs ? { pauseMs } : {}) });
    want(exchange);
    await expectStillJudging();
  });

  test('plain HTTP on the TLS port is dropped without an HTTP answer', async () => {
    const received = await new Promise<string>((resolve, reject) => {
      let data = '';
      const socket = net.connect(webhook.port, '127.0.0.1', () => socket.write(good));
      socket.on('data', (chunk: Buffer) => (data += chunk.toString('latin1')));
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
      setTimeout(() => reject(new Error('the server kept a plain-HTTP connection open')), 10_000).unref();
    });
    expect(received).not.toMatch(/HTTP\/1\.1 200/);
    await expectStillJudging();
  });

  test('a client that disconnects mid-body does not disturb the server', async () => {
    const partial = good.subarray(0, good.length - 10);
    await new Promise<void>((resolve) => {
      const socket = tls.connect({ host: '127.0.0.1', port: webhook.port, servername: 'localhost', ...credentials }, () => {
        socket.write(partial, () => {
          socket.destroy();
          resolve();
        });
      });
    });
    await expectStillJudging();
  });
});
