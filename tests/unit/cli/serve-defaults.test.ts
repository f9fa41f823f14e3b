// serve listens for reviews on loopback unless told otherwise: kube-apiserver reaches the webhook
// on its own node, and every deploy file that needs another address sets --listen itself.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runProgram } from '../../../src/main';
import { PROJECT_ROOT } from '../../support/cli';

test('serve --help names 127.0.0.1:8443 as the default review address and 127.0.0.1:9090 for health', async () => {
  let stdout = '';
  const code = await runProgram(['serve', '--help'], { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: () => true }, readStdin: () => '' });
  expect(code).toBe(0);
  expect(stdout).toMatch(/--listen <host:port>[\s\S]*\(default:\s+"127\.0\.0\.1:8443"\)/);
  expect(stdout).toMatch(/--health-listen <host:port>[\s\S]*\(default:\s+"127\.0\.0\.1:9090"\)/);
});

test('the documented default is the one in the code', () => {
  expect(readFileSync(path.join(PROJECT_ROOT, 'docs', 'cli.md'), 'utf8')).toContain('| `--listen HOST:PORT` | `127.0.0.1:8443` |');
});
