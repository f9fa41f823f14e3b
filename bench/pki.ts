// Certificates for a benchmark run, generated in-process with the project's own PKI code and
// written under the file names `pki` uses, so the webhook and the baselines load the same files.
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { generatePkiBundle } from '../src/pki/bundle';

export interface BenchPki {
  readonly dir: string;
  readonly caCert: Buffer;
  readonly clientCert: Buffer;
  readonly clientKey: Buffer;
}

export async function createBenchPki(dir: string): Promise<BenchPki> {
  const bundle = await generatePkiBundle({ subjectAltNames: ['localhost', '127.0.0.1'] });
  const files: Record<string, string> = {
    'ca.crt': bundle.ca.certificate,
    'server.crt': bundle.server.certificate,
    'server.key': bundle.server.privateKey,
    'apiserver-client.crt': bundle.apiserverClient.certificate,
    'apiserver-client.key': bundle.apiserverClient.privateKey,
  };
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content, { mode: 0o600 });
  return {
    dir,
    caCert: Buffer.from(bundle.ca.certificate),
    clientCert: Buffer.from(bundle.apiserverClient.certificate),
    clientKey: Buffer.from(bundle.apiserverClient.privateKey),
  };
}
