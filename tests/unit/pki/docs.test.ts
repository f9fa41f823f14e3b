// The pki examples in docs/cli.md are produced here from the real commands: the renewal's "kept"
// lines by running the documented commands with the built CLI, the node-layout advice by checking
// the layout the deploy files prescribe with one file changed.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkPkiStatus, formatPkiStatusTable, type PkiFileContent } from '../../../src/pki';
import { PROJECT_ROOT, runCli } from '../../support/cli';
import { asDocumented, findExampleBlock, parseConsoleExample } from '../../support/doc-examples';
import { createTestPki, type TestPki } from '../../support/pki';

const CLI_DOC = readFileSync(path.join(PROJECT_ROOT, 'docs', 'cli.md'), 'utf8');
const PROGRAM = 'npx image-policy-webhook ';
let pki: TestPki;
let cwd: string;

beforeAll(async () => {
  pki = await createTestPki();
  cwd = mkdtempSync(path.join(tmpdir(), 'ipw-pki-docs-'));
});
afterAll(() => {
  pki.remove();
  rmSync(cwd, { recursive: true, force: true });
});

test('the renewal example: each documented command prints what the documentation shows', async () => {
  const steps = parseConsoleExample(findExampleBlock(CLI_DOC, 'tests/pki/docs.test.ts runs these commands'));
  expect(steps.length).toBeGreaterThan(1);
  for (const { command, output } of steps) {
    expect(command.startsWith(PROGRAM)).toBe(true);
    const result = await runCli(command.slice(PROGRAM.length).split(' '), { cwd });
    expect(result.code).toBe(0);
    expect(asDocumented(output, result.stdout.trimEnd().split('\n'))).toEqual(output);
  }
});

test('the node-layout advice: a plain copy of make pki\'s 0600 key on a node', () => {
  const documented = findExampleBlock(CLI_DOC, 'tests/pki/docs.test.ts produces these problem lines').split('\n');
  const present = (text: string, mode: number, gid = 0): PkiFileContent => ({ state: 'present', text, access: { mode: 0o100000 | mode, uid: 0, gid } });
  const status = checkPkiStatus(
    { 'ca.crt': present(pki.ca.certificate, 0o644), 'server.crt': present(pki.server.certificate, 0o644), 'server.key': present(pki.server.privateKey, 0o600) },
    { now: new Date(), warnDays: 30, dir: '/etc/image-policy-webhook/pki', directoryAccess: { mode: 0o040750, uid: 0, gid: 65532 }, webhookUser: { uid: 65532, gid: 65532 } },
  );
  const table = formatPkiStatusTable(status).trimEnd().split('\n');
  expect(table.slice(table.indexOf('problems:'))).toEqual(documented);
});
