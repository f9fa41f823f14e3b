// Baseline (b): the ceiling for Node.js — a bare node:https handler that reads the body, parses
// the JSON (so the same bytes are handled) and writes a precomputed constant answer.
import https from 'node:https';
import { READY_LINE, readBaselineConfig } from './baseline-config';

const config = readBaselineConfig();
const CONSTANT_BODY = Buffer.from(JSON.stringify(config.response));
const HEADERS = { 'Content-Type': 'application/json', 'Content-Length': String(CONSTANT_BODY.length) };

https
  .createServer(config.tls, (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      JSON.parse(Buffer.concat(chunks).toString('utf8'));
      response.writeHead(200, HEADERS);
      response.end(CONSTANT_BODY);
    });
  })
  .listen(config.port, '127.0.0.1', () => {
    process.stdout.write(`${READY_LINE}\n`);
  });
process.on('SIGTERM', () => process.exit(0));
