// The diff apiserver-config prints is a real unified diff: named rows match GNU `diff -u` hunk for
// hunk, and for generated texts `patch` turns the old text into the new one with no more changed
// lines than GNU diff needs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FIXTURES_DIR } from '../../support/paths';
import fc from 'fast-check';
import { formatUnifiedDiff } from '../../../src/apiserver';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'ipw-unified-diff-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** GNU diff's hunks (its two header lines carry timestamps, so they are left out). */
function gnuHunks(before: string, after: string): string {
  writeFileSync(path.join(dir, 'before'), before);
  writeFileSync(path.join(dir, 'after'), after);
  const result = spawnSync('diff', ['-u', path.join(dir, 'before'), path.join(dir, 'after')], { encoding: 'utf8' });
  if (result.error !== undefined) throw result.error;
  return result.stdout.split('\n').slice(2).join('\n');
}

function ourHunks(before: string, after: string): string {
  return formatUnifiedDiff(before, after, 'before', 'after').split('\n').slice(2).join('\n');
}

const lines = (count: number, prefix = 'line'): string => Array.from({ length: count }, (_, index) => `${prefix} ${index + 1}\n`).join('');
const manifest = readFileSync(path.join(FIXTURES_DIR, 'kubeadm', 'v1.33', 'kube-apiserver.yaml'), 'utf8');
const patched = readFileSync(path.join(FIXTURES_DIR, 'kubeadm', 'v1.33', 'kube-apiserver.imagepolicy.yaml'), 'utf8');

test.each([
  { name: 'one line changed in the middle', before: lines(10), after: lines(10).replace('line 5\n', 'line five\n') },
  { name: 'a line added at the start', before: lines(5), after: `line 0\n${lines(5)}` },
  { name: 'a line added at the end', before: lines(5), after: `${lines(5)}line 6\n` },
  { name: 'a line removed', before: lines(8), after: lines(8).replace('line 4\n', '') },
  { name: 'two changes far apart: two hunks', before: lines(30), after: lines(30).replace('line 3\n', 'three\n').replace('line 27\n', 'twenty-seven\n') },
  { name: 'two changes six lines apart: hunks that touch are one', before: lines(20), after: lines(20).replace('line 5\n', 'five\n').replace('line 12\n', 'twelve\n') },
  { name: 'two changes seven lines apart', before: lines(20), after: lines(20).replace('line 5\n', 'five\n').replace('line 13\n', 'thirteen\n') },
  { name: 'from nothing', before: '', after: lines(2) },
  { name: 'to nothing', before: lines(2), after: '' },
  { name: 'the new text has no final newline', before: lines(3), after: lines(3).slice(0, -1) },
  { name: 'the old text has no final newline', before: lines(3).slice(0, -1), after: lines(3) },
  { name: 'the kubeadm manifest and its patched copy', before: manifest, after: patched },
])('$name: the same hunks as diff -u', ({ before, after }) => {
  expect(ourHunks(before, after)).toBe(gnuHunks(before, after));
});

test('equal texts have no diff', () => {
  expect(formatUnifiedDiff(manifest, manifest, 'a', 'b')).toBe('');
});

test('the header names both files', () => {
  expect(formatUnifiedDiff('a\n', 'b\n', '/etc/kubernetes/manifests/kube-apiserver.yaml', 'out/kube-apiserver.yaml')).toBe(
    '--- /etc/kubernetes/manifests/kube-apiserver.yaml\n+++ out/kube-apiserver.yaml\n@@ -1 +1 @@\n-a\n+b\n',
  );
});

/** Texts made of few distinct lines, so that many alignments are possible. */
const text = fc
  .tuple(fc.array(fc.constantFrom('a', 'b', 'c', '- name: x', '  path: /y', ''), { maxLength: 25 }), fc.boolean())
  .map(([parts, newline]) => (parts.length === 0 ? '' : `${parts.join('\n')}${newline ? '\n' : ''}`));

test('patch turns the old text into the new one, with as few changed lines as GNU diff', () => {
  fc.assert(
    fc.property(text, text, (before, after) => {
      const diff = formatUnifiedDiff(before, after, 'before', 'after');
      const changed = (hunks: string): number => (hunks.match(/^[-+]/gm) ?? []).length;
      expect(changed(diff.split('\n').slice(2).join('\n'))).toBe(changed(gnuHunks(before, after)));
      if (diff === '') return;
      writeFileSync(path.join(dir, 'target'), before);
      writeFileSync(path.join(dir, 'change.diff'), diff);
      const applied = spawnSync('patch', ['--quiet', path.join(dir, 'target'), path.join(dir, 'change.diff')], { encoding: 'utf8' });
      expect(applied.stderr).toBe('');
      expect(applied.status).toBe(0);
      expect(readFileSync(path.join(dir, 'target'), 'utf8')).toBe(after);
    }),
    { numRuns: 80 },
  );
});
