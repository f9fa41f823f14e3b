// Reads a request body with a hard size cap. Oversized bodies are drained no further than the cap,
// so a flood of bytes costs the server at most the cap in memory per request.
import type { IncomingMessage } from 'node:http';

export type BodyResult = { readonly kind: 'complete'; readonly body: Buffer } | { readonly kind: 'too-large' };

export function readBody(request: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (received > maxBytes) {
        request.off('data', onData);
        request.off('end', onEnd);
        request.pause();
        resolve({ kind: 'too-large' });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => resolve({ kind: 'complete', body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received) });
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', reject);
  });
}
