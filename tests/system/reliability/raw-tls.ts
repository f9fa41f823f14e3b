// A raw HTTP/1.x conversation over a real mutual-TLS socket, for requests that no well-behaved
// client library would send: malformed request lines, pipelining, HTTP/1.0, smuggling attempts.
// Responses are split by Content-Length; the server closes the socket after an error answer.
import { once } from 'node:events';
import tls from 'node:tls';

export interface RawCredentials {
  readonly ca: string;
  readonly cert?: string;
  readonly key?: string;
}

export interface RawResponse {
  readonly version: string;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface RawExchange {
  readonly responses: readonly RawResponse[];
  /** True when the server ended the connection (rather than the client after enough answers). */
  readonly closedByServer: boolean;
  /** Bytes after the last complete response (a torn answer would show here). */
  readonly leftover: string;
}

export interface RawExchangeOptions {
  /** Stop once this many final (non-1xx) responses have arrived; default: wait for the server to close. */
  readonly finalResponses?: number;
  /** Liveness bound: fail rather than hang if the server neither answers nor closes. */
  readonly deadlineMs?: number;
  /** Pause between the pieces written, to split a request across TLS records. */
  readonly pauseMs?: number;
  /**
   * Write no more pieces once this many bytes are out, and wait for the answer: a client still
   * sending an oversized body when the server answers it and closes would otherwise write into a
   * reset connection and lose the answer it has already received.
   */
  readonly stopWritingAfterBytes?: number;
}

const HEADER_END = Buffer.from('\r\n\r\n');

/** Splits complete HTTP responses off the front of `data`. */
export function parseResponses(data: Buffer): { responses: RawResponse[]; rest: Buffer } {
  const responses: RawResponse[] = [];
  let rest = data;
  for (;;) {
    const end = rest.indexOf(HEADER_END);
    if (end < 0) break;
    const [statusLine = '', ...headerLines] = rest.subarray(0, end).toString('latin1').split('\r\n');
    const match = /^(HTTP\/\d\.\d) (\d{3})/.exec(statusLine);
    if (!match) break;
    const headers: Record<string, string> = {};
    for (const line of headerLines) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const length = Number(headers['content-length'] ?? 0);
    const bodyStart = end + HEADER_END.length;
    if (rest.length < bodyStart + length) break;
    responses.push({ version: match[1]!, status: Number(match[2]), headers, body: rest.subarray(bodyStart, bodyStart + length).toString('utf8') });
    rest = rest.subarray(bodyStart + length);
  }
  return { responses, rest };
}

function finalCount(responses: readonly RawResponse[]): number {
  return responses.filter((response) => response.status >= 200).length;
}

/** Opens a TLS connection, writes `pieces` in order and collects what the server answers. */
export function exchangeRaw(port: number, credentials: RawCredentials, pieces: readonly (string | Buffer)[], options: RawExchangeOptions = {}): Promise<RawExchange> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ...credentials });
    const finish = (closedByServer: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      const { responses, rest } = parseResponses(Buffer.concat(chunks));
      socket.destroy();
      resolve({ responses, closedByServer, leftover: rest.toString('latin1') });
    };
    const deadlineMs = options.deadlineMs ?? 20_000;
    const deadline = setTimeout(() => {
      settled = true;
      socket.destroy();
      reject(new Error(`no complete answer within ${deadlineMs} ms; received ${JSON.stringify(Buffer.concat(chunks).toString('latin1').slice(0, 300))}`));
    }, deadlineMs);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (options.finalResponses !== undefined && finalCount(parseResponses(Buffer.concat(chunks)).responses) >= options.finalResponses) finish(false);
    });
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    // A reset after the server's answer is still an answer; anything before it is a failure to report.
    socket.on('error', (error) => {
      if (chunks.length > 0) finish(true);
      else if (!settled) {
        settled = true;
        clearTimeout(deadline);
        reject(error);
      }
    });
    // The body is written only as fast as the server reads it, and writing stops once the answer
    // is in (or after stopWritingAfterBytes).
    socket.once('secureConnect', async () => {
      let written = 0;
      for (const piece of pieces) {
        if (socket.destroyed || written >= (options.stopWritingAfterBytes ?? Number.POSITIVE_INFINITY)) return;
        written += piece.length;
        if (!socket.write(piece)) await once(socket, 'drain').catch(() => undefined);
        if (options.pauseMs) await new Promise((resume) => setTimeout(resume, options.pauseMs));
      }
    });
  });
}

/** A well-formed HTTP/1.1 POST with Content-Length, as bytes. */
export function buildPost(body: string | Buffer, options: { path?: string; version?: string; headers?: Record<string, string> } = {}): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  const headers = { Host: 'localhost', 'Content-Type': 'application/json', 'Content-Length': String(bytes.length), ...(options.headers ?? {}) };
  const head = `POST ${options.path ?? '/imagepolicy'} HTTP/${options.version ?? '1.1'}\r\n${Object.entries(headers).map(([key, value]) => `${key}: ${value}\r\n`).join('')}\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), bytes]);
}

/** `bytes` in pieces of `size`, for exchangeRaw: the client then writes no faster than the server reads. */
export function splitIntoPieces(bytes: Buffer, size = 64 * 1024): Buffer[] {
  const pieces: Buffer[] = [];
  for (let start = 0; start < bytes.length; start += size) pieces.push(bytes.subarray(start, start + size));
  return pieces;
}
