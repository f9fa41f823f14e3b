// Malformed and unusual HTTP, written byte by byte over a raw mutual-TLS socket to the real
// `serve` process: HTTP/1.0, pipelining, smuggling attempts, broken framing and oversized heads
// each get the right answer (or a 4xx and a closed socket), never a 5xx, and the process still
// judges a good and a bad review correctly after every row.
import net from 'node:net';
import tls from 'node:tls';
import { BAD, GOOD, expectAnswer, startJudgedServer, type JudgedServer } from './judged-server';
import { buildPost, exchangeRaw, type RawExchange } from './raw-tls';

let server: JudgedServer;
beforeAll(async () => {
  server = await startJudgedServer();
});
afterAll(() => server.stop());

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
    const exchange = await exchangeRaw(server.webhook.port, server.credentials, pieces, { ...(finalResponses ? { finalResponses } : {}), ...(pauseMs ? { pauseMs } : {}) });
    want(exchange);
    await server.expectStillJudging();
  });

  test('plain HTTP on the TLS port is dropped without an HTTP answer', async () => {
    const received = await new Promise<string>((resolve, reject) => {
      let data = '';
      const socket = net.connect(server.webhook.port, '127.0.0.1', () => socket.write(good));
      socket.on('data', (chunk: Buffer) => (data += chunk.toString('latin1')));
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
      setTimeout(() => reject(new Error('the server kept a plain-HTTP connection open')), 10_000).unref();
    });
    expect(received).not.toMatch(/HTTP\/1\.1 200/);
    await server.expectStillJudging();
  });

  test('a client that disconnects mid-body does not disturb the server', async () => {
    const partial = good.subarray(0, good.length - 10);
    await new Promise<void>((resolve) => {
      const socket = tls.connect({ host: '127.0.0.1', port: server.webhook.port, servername: 'localhost', ...server.credentials }, () => {
        socket.write(partial, () => {
          socket.destroy();
          resolve();
        });
      });
    });
    await server.expectStillJudging();
  });
});
