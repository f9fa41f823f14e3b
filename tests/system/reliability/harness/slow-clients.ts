// Slow and silent clients for the scripted fault run, each measuring how long the server lets it
// hold a connection: slowloris headers, a dribbled body, a finished handshake with no request,
// and a TCP connection that never starts its TLS handshake.
import net from 'node:net';
import tls from 'node:tls';

export type SlowClientKind = 'slow-headers' | 'slow-body' | 'silent-after-handshake' | 'silent-before-handshake';

export interface SlowClientCredentials {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

export interface SlowClientResult {
  readonly kind: SlowClientKind;
  /** ms until the server closed the connection; undefined if it was still open at `giveUpMs`. */
  readonly cutAfterMs: number | undefined;
}

const DRIBBLE_EVERY_MS = 500;

function dribble(socket: net.Socket, first: string, next: string): void {
  socket.write(first);
  const timer = setInterval(() => {
    if (socket.destroyed || !socket.writable) clearInterval(timer);
    else socket.write(next);
  }, DRIBBLE_EVERY_MS);
  socket.once('close', () => clearInterval(timer));
}

/** Opens one slow client of `kind` and resolves when the server cuts it (or at `giveUpMs`). */
export function holdSlowClient(port: number, credentials: SlowClientCredentials, kind: SlowClientKind, giveUpMs: number): Promise<SlowClientResult> {
  return new Promise((resolve) => {
    const started = Date.now();
    const behave = (socket: net.Socket): void => {
      if (kind === 'slow-headers') dribble(socket, 'POST /imagepolicy HTTP/1.1\r\nHost: localhost\r\n', 'X-Slow: 1\r\n');
      if (kind === 'slow-body') dribble(socket, 'POST /imagepolicy HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n', ' ');
    };
    const socket: net.Socket =
      kind === 'silent-before-handshake'
        ? net.connect(port, '127.0.0.1')
        : tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ...credentials }, () => behave(socket));
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ kind, cutAfterMs: undefined });
    }, giveUpMs);
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ kind, cutAfterMs: Date.now() - started });
    });
  });
}
