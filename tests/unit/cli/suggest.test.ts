// `suggest` as an operator runs it (in-process): the printed policy passes `check --strict`
// and admits every pod of the dump; warnings reach stderr; bad input exits 2 with a clear message.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { evaluate, loadPolicy } from '../../../src/policy';
import { runCli } from '../../support/cli';
import { writeTempPolicy } from '../../support/policies';
import { AUDIT_LOG_FILE, PODS_FILE, buildPodReviews } from '../suggest/fixtures';

const LAYOUTS = ['image', 'repository', 'prefix'].flatMap((granularity) =>
  [
    { name: `${granularity}`, flags: ['--granularity', granularity] },
    { name: `${granularity}, grouped, enforce`, flags: ['--granularity', granularity, '--group-by-namespace', '--mode', 'enforce'] },
  ],
);

describe('suggest --from-pods, every granularity', () => {
  const reviews = buildPodReviews();

  test.each(LAYOUTS)('$name: passes check --strict and admits every pod', async ({ flags }) => {
    const suggested = await runCli(['suggest', '--from-pods', PODS_FILE, ...flags]);
    expect(suggested.code).toBe(0);
    const file = writeTempPolicy(suggested.stdout, 'suggested.yaml');
    const checked = await runCli(['check', '--strict', file]);
    expect({ code: checked.code, stderr: checked.stderr }).toEqual({ code: 0, stderr: '' });
    const policy = loadPolicy(readFileSync(file, 'utf8'), file);
    const refused = reviews.filter(({ review }) => !evaluate(policy, review).enforcedAllowed).map(({ name }) => name);
    expect(refused).toEqual([]);
  });
});

describe('suggest output and stderr', () => {
  test('stdin, and the warning summary on stderr', async () => {
    const result = await runCli(['suggest', '--from-pods', '-'], { input: readFileSync(PODS_FILE, 'utf8') });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^mode: audit$/m);
    expect(result.stdout).toContain('# WARNING: runs "nginx", "nginx:latest", which is :latest');
    expect(result.stderr).toMatch(/^suggest: 4 of 24 entries carry a WARNING comment \(4 short-name, 1 latest\)/);
    expect(result.stderr).toContain('  docker.io/library/nginx: latest, short-name\n');
  });

  test('the same dump prints the same policy twice', async () => {
    const first = await runCli(['suggest', '--from-pods', PODS_FILE, '--granularity', 'image']);
    const second = await runCli(['suggest', '--from-pods', PODS_FILE, '--granularity', 'image']);
    expect(second.stdout).toBe(first.stdout);
  });

  test('--allow-only prints just the allow list', async () => {
    const result = await runCli(['suggest', '--from-pods', PODS_FILE, '--allow-only']);
    expect(Object.keys(parse(result.stdout) as object)).toEqual(['allow']);
  });

  test('--from-log reads the decision log and leaves out what never ran', async () => {
    const result = await runCli(['suggest', '--from-log', AUDIT_LOG_FILE, '--name', 'from-log']);
    expect(result.code).toBe(0);
    expect(loadPolicy(result.stdout, 'from-log.yaml').name).toBe('from-log');
    expect(result.stdout).not.toContain('evil.example');
    expect(result.stderr).toMatch(/suggest: left out \d+ image strings seen only in denied or break-glass reviews; --include-denied adds them/);
  });

  test('--from-log --include-denied adds what never ran, flagged', async () => {
    const result = await runCli(['suggest', '--from-log', AUDIT_LOG_FILE, '--include-denied']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('# WARNING: seen only in reviews that were denied or admitted by break-glass: the policy never let a pod with this image run\n  - evil.example/miner  # 1 review in sandbox\n');
  });
});

describe('suggest usage and input errors exit 2', () => {
  const notPods = writeTempPolicy('{"kind":"ConfigMap","data":{"a":"b"}}', 'configmap.json');
  const brokenJson = writeTempPolicy('{"items": [', 'broken.json');
  const noReviews = writeTempPolicy('{"level":"info","message":"serving"}\n', 'empty.log');

  test.each([
    { name: 'no input', args: [], stderr: /exactly one of --from-pods FILE or --from-log FILE/ },
    { name: 'both inputs', args: ['--from-pods', PODS_FILE, '--from-log', AUDIT_LOG_FILE], stderr: /exactly one of/ },
    { name: 'missing file', args: ['--from-pods', '/nonexistent/pods.json'], stderr: /cannot read --from-pods \/nonexistent\/pods.json/ },
    { name: 'not a pod list', args: ['--from-pods', notPods], stderr: /or one Pod, got kind "ConfigMap"/ },
    { name: 'neither JSON nor YAML', args: ['--from-pods', brokenJson], stderr: /is neither JSON nor YAML/ },
    { name: 'a log without reviews', args: ['--from-log', noReviews], stderr: /holds no review lines/ },
    { name: 'unknown granularity', args: ['--from-pods', PODS_FILE, '--granularity', 'registry'], stderr: /Allowed choices are image, repository, prefix/ },
    { name: 'a policy name that is no DNS label', args: ['--from-pods', PODS_FILE, '--name', 'Not_A_Label'], stderr: /metadata.name/ },
  ])('$name', async ({ args, stderr }) => {
    const result = await runCli(['suggest', ...args]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(stderr);
  });
});
