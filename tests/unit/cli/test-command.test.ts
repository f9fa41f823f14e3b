// `test DIR` on an operator's policy repository: a passing folder exits 0, a failing one exits 1
// and says what failed where; the project's own case files pass through the same command.
import path from 'node:path';
import { runCli } from '../../support/cli';
import { FIXTURES_DIR } from '../suggest/fixtures';

const POLICY_TESTS = path.join(FIXTURES_DIR, 'policy-tests');
const PASSING = path.join(POLICY_TESTS, 'passing');

describe('test', () => {
  test('a passing folder: every case PASS, nested folders and relative paths included', async () => {
    const result = await runCli(['test', PASSING], { cwd: POLICY_TESTS });
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(result.stdout).toBe(
      [
        'PASS passing/inline.yml: audit admits a would-be denial',
        'PASS passing/platform.yaml: kube-apiserver',
        'PASS passing/platform.yaml: latest is denied',
        'PASS passing/platform.yaml: a pod from its ImageReview file',
        'PASS passing/teams/payments.yaml: pinned team image',
        'PASS passing/teams/payments.yaml: tag only is refused',
        '6 passed, 0 failed',
        '',
      ].join('\n'),
    );
  });

  test('a failing folder: each failure says why, broken files count as failures', async () => {
    const result = await runCli(['test', 'failing'], { cwd: POLICY_TESTS });
    expect(result.code).toBe(1);
    const lines = result.stdout.split('\n');
    expect(lines.filter((line) => /^(PASS|FAIL) /.test(line))).toEqual([
      'FAIL failing/broken-policy-reference.yaml: cannot run this case file',
      'FAIL failing/unknown-key.yaml: cannot run this case file',
      'PASS failing/wrong-expectations.yaml: passes',
      'FAIL failing/wrong-expectations.yaml: expects allow but is denied',
      'FAIL failing/wrong-expectations.yaml: reason lacks the fragment',
      'FAIL failing/wrong-expectations.yaml: review file is missing',
    ]);
    expect(result.stdout).toContain('    policyFile failing/no-such-policy.yaml: cannot read: ENOENT');
    expect(result.stdout).toContain('Unrecognized key: "expected"');
    expect(result.stdout).toContain('    expected allow, got deny (image "docker.io/library/nginx:1.27" matches no allow pattern (policy platform))');
    expect(result.stdout).toContain('does not include "not in the reason"');
    expect(result.stdout).toContain('    review failing/reviews/missing.json: cannot read: ENOENT');
    expect(lines.at(-2)).toBe('1 passed, 5 failed');
  });

  test('--quiet prints only failures and the summary', async () => {
    const result = await runCli(['test', '--quiet', PASSING]);
    expect(result.stdout).toBe('6 passed, 0 failed\n');
  });

  test('a single case file', async () => {
    const result = await runCli(['test', path.join(PASSING, 'teams', 'payments.yaml')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/\n2 passed, 0 failed\n$/);
  });

  test("the project's own case files pass", async () => {
    const result = await runCli(['test', '--quiet', 'tests/cases']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\d+ passed, 0 failed\n$/);
  });

  test.each([
    { name: 'a path that does not exist', args: ['/nonexistent/cases'], stderr: /^test: cannot read \/nonexistent\/cases/ },
    { name: 'a folder without case files', args: ['examples'], stderr: /^test: no case files/ },
    { name: 'no path', args: [], stderr: /missing required argument/ },
  ])('exit 2: $name', async ({ args, stderr }) => {
    const result = await runCli(['test', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(stderr);
  });
});
