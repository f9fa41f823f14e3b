// Baseline (a): the Express 5 service the way Express's own documentation writes one — the JSON
// body parser with a 1 MB limit, one POST route, res.json of a constant — with default settings.
import express from 'express';
import https from 'node:https';
import { READY_LINE, readBaselineConfig } from './baseline-config';

const config = readBaselineConfig();
const CONSTANT_IMAGE_REVIEW = config.response;

const app = express();
app.use(express.json({ limit: '1mb' }));
app.post('/imagepolicy', (_request, response) => {
  response.json(CONSTANT_IMAGE_REVIEW);
});

https.createServer(config.tls, app).listen(config.port, '127.0.0.1', () => {
  process.stdout.write(`${READY_LINE}\n`);
});
process.on('SIGTERM', () => process.exit(0));
