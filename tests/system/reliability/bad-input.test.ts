// Hostile request bodies, content types, paths and methods against the real `serve` process over
// mutual TLS: each is answered as the webhook promises (a decision is a 200, non-JSON a 400, other
// routes 404/405) within a bounded time, never a 5xx, and after every row the same process
// still judges a good and a bad review correctly.
import { gzipSync } from 'node:zlib';
import { requestHttps } from '../../support/https-client';
import { BAD, BAD_IMAGE, GOOD, GOOD_IMAGE, API_VERSION, KIND, expectAnswer, json, reviewOf, startJudgedServer, type Expected, type JudgedServer } from './judged-server';
import { buildPost, exchangeRaw, splitIntoPieces } from './raw-tls';

const MIB = 1024 * 1024;
/** A little more than the server's 3 MiB body cap: enough for it to refuse the body and answer. */
const BEYOND_THE_CAP = 3 * MIB + 256 * 1024;
const DEEP = 100_000;
/** A good review with raw bytes spliced into its image string. */
const withImageBytes = (bytes: number[]): Buffer =>
  Buffer.concat([Buffer.from(`{"kind":"${KIND}","apiVersion":"${API_VERSION}","spec":{"containers":[{"image":"registry.example.com/a`), Buffer.from(bytes), Buffer.from('"}]}}')]);

let server: JudgedServer;
beforeAll(async () => {
  server = await startJudgedServer();
});
afterAll(() => server.stop());

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
    { name: `${DEEP} nested arrays: refused before parsing`, body: deepArrays, expected: { decision: 'deny', reason: /nests objects and arrays deeper than 32 levels/ } },
    { name: `${DEEP} nested objects: refused before parsing`, body: '{"a":'.repeat(DEEP) + '1' + '}'.repeat(DEEP), expected: { decision: 'deny', reason: /deeper than 32 levels/ } },
    { name: `${DEEP} nested arrays as an image`, body: json(reviewOf([])).replace('"containers":[]', `"containers":[{"image":${deepArrays}}]`), expected: { decision: 'deny', reason: /deeper than 32 levels/ } },
    { name: `${DEEP} nested arrays in metadata`, body: GOOD.replace('"metadata":{}', `"metadata":${deepArrays}`), expected: { decision: 'deny', reason: /deeper than 32 levels/ } },
    { name: `${DEEP} unclosed arrays`, body: '['.repeat(DEEP), expected: { decision: 'deny', reason: /deeper than 32 levels/ } },
    { name: 'brackets inside strings do not count as nesting', body: json(reviewOf([GOOD_IMAGE], { annotations: { 'x.image-policy.k8s.io/brackets': '['.repeat(1000) + '\\"{'.repeat(100) } })), expected: { decision: 'allow' } },
    { name: '2 MiB review (big annotations) is judged', body: json(reviewOf([GOOD_IMAGE], { annotations: { 'x.image-policy.k8s.io/big': 'v'.repeat(2 * MIB) } })), expected: { decision: 'allow' } },
    { name: 'over the 3 MiB cap: a 200 deny, never a 413', body: json(reviewOf([GOOD_IMAGE], {}, { padding: 'p'.repeat(3 * MIB) })), expected: { decision: 'deny', reason: /larger than/ } },
    { name: '1 000 allowed containers (the default limit) are judged', body: json(reviewOf(Array.from({ length: 1_000 }, () => GOOD_IMAGE))), expected: { decision: 'allow' } },
    { name: '1 000 containers, the last one denied', body: json(reviewOf([...Array.from({ length: 999 }, () => GOOD_IMAGE), BAD_IMAGE])), expected: { decision: 'deny', reason: /busybox/ } },
    { name: '1 000 distinct denied containers: a bounded answer', body: json(reviewOf(Array.from({ length: 1_000 }, (_, index) => `evil.example/app-${index}:1`))), expected: { decision: 'deny', reason: /evil\.example\/app-0/ } },
    { name: '10 000 allowed containers: over limits.maxImagesPerReview, refused unjudged', body: json(reviewOf(Array.from({ length: 10_000 }, () => GOOD_IMAGE))), expected: { decision: 'deny', reason: /review has 10000 images, more than limits\.maxImagesPerReview \(1000\)/ } },
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
    { name: 'upper-case path is another path', body: BAD, path: '/IMAGEPOLICY', expected: { status: 404, message: /no route/ } },
    { name: 'trailing slash is another path', body: BAD, path: '/imagepolicy/', expected: { status: 404, message: /no route/ } },
    { name: 'another path', body: GOOD, path: '/imagepolicy/extra', expected: { status: 404, message: /no route/ } },
    { name: 'encoded NUL in the path', body: GOOD, path: '/imagepolicy%00', expected: { status: 404 } },
    { name: 'dot segments in the path', body: GOOD, path: '/x/../imagepolicy', expected: { status: 404 } },
    { name: 'asterisk-form target', body: GOOD, path: '*', expected: { status: 404 } },
    { name: 'absolute-form target', body: GOOD, path: 'https://localhost/imagepolicy', expected: { decision: 'allow' } },
  ])('$name', async ({ body, headers, path, expected }) => {
    const request = buildPost(body, { ...(headers ? { headers } : {}), ...(path ? { path } : {}) });
    const exchange = await exchangeRaw(server.webhook.port, server.credentials, splitIntoPieces(request), { finalResponses: 1, stopWritingAfterBytes: BEYOND_THE_CAP });
    expectAnswer(exchange.responses[0], expected);
    await server.expectStillJudging();
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
    const result = await requestHttps(server.webhook.port, server.credentials, method === 'HEAD' || method === 'GET' ? undefined : GOOD, { method });
    expect(result.status).toBe(405);
    expect(result.headers.allow).toBe('POST');
    await server.expectStillJudging();
  });
});
