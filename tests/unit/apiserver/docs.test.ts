// The apiserver-config examples in the documentation are produced here from the real command: the
// --patch-manifest run in docs/cli.md on a kubeadm 1.33 manifest with the built CLI, and the kubeadm
// fragment shown in deploy/README.md from the builder apiserver-config uses.
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FIXTURES_DIR } from '../../support/paths';
import { parse } from 'yaml';
import { buildApiserverWiring, buildKubeadmClusterConfiguration } from '../../../src/apiserver';
import { PROJECT_ROOT, runCli } from '../../support/cli';
import { asDocumented, findExampleBlock, parseConsoleExample } from '../../support/doc-examples';

const PROGRAM = 'npx image-policy-webhook ';
const NODE_MANIFEST = '/etc/kubernetes/manifests/kube-apiserver.yaml';
let cwd: string;

beforeAll(() => {
  cwd = mkdtempSync(path.join(tmpdir(), 'ipw-apiserver-docs-'));
});
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

function readDoc(...parts: string[]): string {
  return readFileSync(path.join(PROJECT_ROOT, ...parts), 'utf8');
}

test('docs/cli.md: the --patch-manifest example prints what the documentation shows', async () => {
  const [copy, run, ...rest] = parseConsoleExample(findExampleBlock(readDoc('docs', 'cli.md'), 'tests/apiserver/docs.test.ts runs this command'));
  expect(rest).toEqual([]);
  // The first step copies the node's manifest; here the node's manifest is kubeadm 1.33's.
  const copied = /^sudo cat (\S+) > (\S+)$/.exec(copy?.command ?? '');
  expect(copied?.[1]).toBe(NODE_MANIFEST);
  copyFileSync(path.join(FIXTURES_DIR, 'kubeadm', 'v1.33', 'kube-apiserver.yaml'), path.join(cwd, copied?.[2] ?? 'missing'));
  expect(run?.command.startsWith(PROGRAM)).toBe(true);
  const result = await runCli(run?.command.slice(PROGRAM.length).split(' ') ?? [], { cwd });
  expect(result.code).toBe(0);
  const output = run?.output ?? [];
  expect(asDocumented(output, result.stdout.trimEnd().split('\n'))).toEqual(output);
});

test('deploy/README.md: the kubeadm fragment is the apiServer section apiserver-config writes', () => {
  const block = findExampleBlock(readDoc('deploy', 'README.md'), 'tests/apiserver/docs.test.ts checks this');
  const written = parse(buildKubeadmClusterConfiguration(buildApiserverWiring('/etc/kubernetes/imagepolicy'), 'v1beta4')) as { apiServer: unknown };
  expect(parse(block)).toEqual({ apiServer: written.apiServer });
});
