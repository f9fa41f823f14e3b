// A crash while judging is never a verdict: `evaluate`, `replay` and `test` exit 2 and say it was
// an internal error, so a CI gate that expects a denial (exit 1) cannot pass on a bug. The crash
// is injected into the one evaluate every command shares, in-process.
import path from 'node:path';
import * as evaluation from '../../../src/policy/evaluate';
import { runProgram } from '../../../src/main';
import { PROJECT_ROOT } from '../../support/cli';

const EXAMPLE_POLICY = path.join(PROJECT_ROOT, 'examples', 'policy.yaml');
const AUDIT_LOG = path.join(PROJECT_ROOT, 'tests', 'fixtures', 'decision-log', 'audit.log');
const CASES = path.join(PROJECT_ROOT, 'tests', 'cases', 'example-policy.yaml');

async function run(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runProgram(args, { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) }, readStdin: () => '' });
  return { code, stdout, stderr };
}

afterEach(() => jest.restoreAllMocks());

test.each([
  { name: 'evaluate IMAGE', args: ['evaluate', '--policy', EXAMPLE_POLICY, 'nginx:latest'], output: 'stderr' as const },
  { name: 'evaluate --output json', args: ['evaluate', '--policy', EXAMPLE_POLICY, '--output', 'json', 'registry.k8s.io/pause:3.10'], output: 'stderr' as const },
  { name: 'replay', args: ['replay', '--policy', EXAMPLE_POLICY, '--log', AUDIT_LOG], output: 'stderr' as const },
  { name: 'test', args: ['test', CASES], output: 'stdout' as const },
])('$name exits 2 when judging throws', async ({ args, output }) => {
  jest.spyOn(evaluation, 'evaluate').mockImplementation(() => {
    throw new TypeError('simulated bug in evaluate');
  });
  const result = await run(args);
  expect(result.code).toBe(2);
  expect(result[output]).toMatch(/internal error.*simulated bug in evaluate/);
});

test('without the crash the same commands give their verdicts (the injection is what changed)', async () => {
  expect((await run(['evaluate', '--policy', EXAMPLE_POLICY, 'nginx:latest'])).code).toBe(1);
  expect((await run(['test', CASES])).code).toBe(0);
});
