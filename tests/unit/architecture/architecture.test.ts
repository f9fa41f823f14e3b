// The architecture, enforced: the pure folders compute without I/O, only main.ts imports cli/,
// folders are entered through their index.ts, no folders import each other in a circle, winston
// stays behind the project's Logger, and each folder says what it offers. The rows with made-up graphs prove each rule can fail.
import { type ArchitectureRules, type SourceFacts, findFolderCycles, findFoldersWithoutIndex, findViolations, readImportGraph } from '../../support/import-graph';
import { PROJECT_ROOT } from '../../support/paths';


const RULES: ArchitectureRules = {
  pureFolders: ['apiserver', 'cases', 'decision-log', 'errors', 'imagereview', 'json-location', 'lint', 'pki', 'policy', 'reference', 'replay', 'suggest', 'vulnerabilities'],
  forbiddenInPure: ['node:fs', 'node:fs/promises', 'node:http', 'node:https', 'node:http2', 'node:net', 'node:tls', 'node:dgram', 'node:dns', 'node:os', 'node:path', 'node:child_process', 'node:worker_threads', 'node:cluster', 'node:readline', 'winston'],
  exceptions: [{ module: 'node:net', names: ['isIP', 'isIPv4', 'isIPv6'], why: 'address syntax checks; no socket is opened' }],
  compositionRoot: 'src/main.ts',
  confinedModules: { winston: 'src/logger/json-logger.ts' },
};

const graph = readImportGraph(PROJECT_ROOT);

function file(name: string, imports: readonly [specifier: string, target: string, names?: string[]][], usesProcess = false): SourceFacts {
  return { file: name, imports: imports.map(([specifier, target, names = []]) => ({ specifier, target, names })), usesProcess, hasHeaderComment: true };
}

test('the source tree has the folders the rules name', () => {
  const folders = new Set(graph.map((facts) => facts.file.split('/')[1]));
  for (const folder of RULES.pureFolders) expect(folders).toContain(folder);
});

test('the reader sees what the rules judge: imports with their names, and the process global', () => {
  const app = graph.find((facts) => facts.file === 'src/server/app.ts');
  expect(app?.usesProcess).toBe(true);
  expect(app?.imports).toContainEqual({ specifier: 'node:http', target: 'node:http', names: [] });
  expect(app?.imports).toContainEqual({ specifier: '../policy', target: 'src/policy/index.ts', names: expect.arrayContaining(['CompiledPolicy']) });
  const pureFile = graph.find((facts) => facts.file === 'src/pki/subject-alt-name.ts');
  expect(pureFile?.imports).toContainEqual({ specifier: 'node:net', target: 'node:net', names: ['isIPv4', 'isIPv6'] });
});

test('src/ keeps every architecture rule', () => {
  expect(findViolations(graph, RULES)).toEqual([]);
});

test('every folder has an index.ts that says what it offers', () => {
  expect(findFoldersWithoutIndex(graph)).toEqual([]);
});

describe('each rule fails on a graph that breaks it', () => {
  test.each([
    { name: 'a pure folder reads a file', graph: [file('src/policy/load.ts', [['node:fs', 'node:fs', ['readFileSync']]])], want: /src\/policy\/load\.ts: a pure folder imports node:fs \{ readFileSync \}/ },
    { name: 'a pure folder imports Node without the node: prefix', graph: [file('src/lint/lint.ts', [['path', 'path']])], want: /a pure folder imports path/ },
    { name: 'a pure folder opens a socket', graph: [file('src/pki/keys.ts', [['node:net', 'node:net', ['connect']]])], want: /a pure folder imports node:net \{ connect \}/ },
    { name: 'a pure folder imports all of node:net', graph: [file('src/pki/keys.ts', [['node:net', 'node:net']])], want: /a pure folder imports node:net$/ },
    { name: 'a pure folder reads the process global', graph: [file('src/reference/parse.ts', [], true)], want: /src\/reference\/parse\.ts: a pure folder uses the process global/ },
    { name: 'a pure folder logs', graph: [file('src/suggest/suggest.ts', [['../logger', 'src/logger/index.ts']])], want: /a pure folder imports logger\/, which is not pure/ },
    { name: 'a pure folder builds on a folder that does I/O', graph: [file('src/policy/context.ts', [['../registry', 'src/registry/index.ts']])], want: /a pure folder imports registry\/, which is not pure/ },
    { name: 'a pure folder uses winston', graph: [file('src/replay/replay.ts', [['winston', 'winston']])], want: /a pure folder imports winston/ },
    { name: 'winston outside the logger that wraps it', graph: [file('src/server/app.ts', [['winston', 'winston']])], want: /src\/server\/app\.ts: imports winston, which only src\/logger\/json-logger\.ts may import/ },
    { name: 'a folder imports cli/', graph: [file('src/server/webhook.ts', [['../cli', 'src/cli/index.ts']])], want: /only src\/main\.ts may import cli\// },
    { name: 'a deep import around an index.ts', graph: [file('src/registry/resolver.ts', [['../policy/context', 'src/policy/context.ts']])], want: /deep import \.\.\/policy\/context; import policy\/ through its index\.ts/ },
    { name: 'two folders import each other', graph: [file('src/reload/reloader.ts', [['../server', 'src/server/index.ts']]), file('src/server/webhook.ts', [['../reload', 'src/reload/index.ts']])], want: /folders import each other in a circle: reload -> server -> reload/ },
  ])('$name', ({ graph: bad, want }) => {
    expect(findViolations(bad, RULES).join('\n')).toMatch(want);
  });

  test('allowed: the address checks of node:net, and imports inside a folder', () => {
    const good = [file('src/pki/subject-alt-name.ts', [['node:net', 'node:net', ['isIPv4', 'isIPv6']], ['./errors', 'src/pki/errors.ts']])];
    expect(findViolations(good, RULES)).toEqual([]);
  });

  test('a three-folder circle is reported once', () => {
    const circle = [
      file('src/a/x.ts', [['../b', 'src/b/index.ts']]),
      file('src/b/x.ts', [['../c', 'src/c/index.ts']]),
      file('src/c/x.ts', [['../a', 'src/a/index.ts']]),
    ];
    expect(findFolderCycles(circle)).toEqual([['a', 'b', 'c', 'a']]);
  });

  test('a folder without an index.ts, and one whose index.ts says nothing', () => {
    const folders = [file('src/orphan/x.ts', []), { ...file('src/mute/index.ts', []), hasHeaderComment: false }];
    expect(findFoldersWithoutIndex(folders)).toEqual(['mute/index.ts does not say what the folder offers (no header comment)', 'orphan/ has no index.ts']);
  });
});
