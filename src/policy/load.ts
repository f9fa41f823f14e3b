// loadPolicy: policy text -> CompiledPolicy, or one PolicyError listing every problem with the
// file, line and column of the node at fault. YAML problems (syntax, duplicate keys, dangling
// aliases) are reported first; schema problems are only looked for in a file that parsed.
import { type Document, LineCounter, isMap, isNode, isScalar, parseDocument, visit } from 'yaml';
import type { z } from 'zod';
import { type CompiledPolicy, compilePolicy } from './compile';
import { PolicyError, type PolicyIssue } from './errors';
import { POLICY_KIND, policySchema } from './schema';
import { parseSimpleYaml } from './simple-yaml';

type Location = { readonly line: number; readonly column: number };
type IssuePath = readonly PropertyKey[];

const START_OF_FILE: Location = { line: 1, column: 1 };

/** Prints a key path the way the policy author would point at it: `namespaces[1].allow[0]`. */
export function formatIssuePath(path: IssuePath): string {
  return path.reduce<string>((text, key) => {
    if (typeof key === 'number') return `${text}[${key}]`;
    return text === '' ? String(key) : `${text}.${String(key)}`;
  }, '');
}

class IssueCollector {
  readonly issues: PolicyIssue[] = [];

  constructor(
    private readonly fileName: string,
    private readonly lineCounter: LineCounter,
  ) {}

  locate(offset: number): Location {
    const position = this.lineCounter.linePos(offset);
    return { line: position.line, column: position.col };
  }

  add(location: Location, path: IssuePath, message: string): void {
    this.issues.push({ file: this.fileName, ...location, path: formatIssuePath(path), message });
  }

  sorted(): PolicyIssue[] {
    return [...this.issues].sort((a, b) => a.line - b.line || a.column - b.column);
  }
}

/** The key written at `offset`, for naming a duplicate key (the parser only gives its position). */
function findKeyAt(document: Document, offset: number): string | undefined {
  let found: string | undefined;
  visit(document, {
    Pair(_key, pair) {
      if (isScalar(pair.key) && pair.key.range?.[0] === offset) found = String(pair.key.value);
    },
  });
  return found;
}

function describeYamlError(document: Document, code: string, message: string, offset: number): string {
  if (code === 'DUPLICATE_KEY') return `duplicate key ${JSON.stringify(findKeyAt(document, offset) ?? '')}: each key may appear once`;
  if (code === 'MULTIPLE_DOCS') return 'a second YAML document starts here: a policy file holds exactly one document';
  return `YAML: ${message}`;
}

function collectYamlProblems(document: Document, collector: IssueCollector): void {
  for (const problem of [...document.errors, ...document.warnings]) {
    const offset = problem.pos[0];
    collector.add(collector.locate(offset), [], describeYamlError(document, problem.code, problem.message, offset));
  }
  visit(document, {
    Alias(_key, alias) {
      if (alias.resolve(document) !== undefined) return;
      const start = alias.range?.[0] ?? 0;
      // An unquoted `**:latest` is read as the alias `*:latest`: say so instead of a bare YAML term.
      const written = `*${alias.source}`;
      const message = `${written} is a YAML alias with no anchor; quote a pattern that starts with "*": ${JSON.stringify(written)}`;
      collector.add(collector.locate(start), [], message);
    },
  });
}

/** The offset of the deepest node that exists along `path`, so a missing key points at its parent. */
function findNodeOffset(document: Document, path: IssuePath): number {
  for (let depth = path.length; depth >= 0; depth -= 1) {
    const node = document.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range) return node.range[0];
  }
  return 0;
}

function findKeyOffset(document: Document, path: IssuePath, key: string): number {
  const parent = path.length === 0 ? document.contents : document.getIn(path, true);
  if (isMap(parent)) {
    const pair = parent.items.find((item) => isScalar(item.key) && String(item.key.value) === key);
    if (pair && isNode(pair.key) && pair.key.range) return pair.key.range[0];
  }
  return findNodeOffset(document, path);
}

function collectSchemaIssues(document: Document, zodIssues: readonly z.core.$ZodIssue[], collector: IssueCollector): void {
  for (const issue of zodIssues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const location = collector.locate(findKeyOffset(document, issue.path, key));
        collector.add(location, [...issue.path, key], `unknown key ${JSON.stringify(key)} (${issue.message})`);
      }
      continue;
    }
    collector.add(collector.locate(findNodeOffset(document, issue.path)), issue.path, issue.message);
  }
}

function readDocument(document: Document, collector: IssueCollector): unknown {
  try {
    return document.toJS();
  } catch (error) {
    // toJS refuses alias bombs ("excessive alias count"); the file is not a policy either way.
    collector.add(START_OF_FILE, [], `YAML: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

/**
 * Validates a policy file and compiles every pattern. Throws PolicyError, and nothing else,
 * listing every problem found; a policy that loads can no longer fail at request time.
 */
export function loadPolicy(text: string, fileName: string): CompiledPolicy {
  // Plain policy files (nearly all) skip the YAML node tree; anything else, and every file with a
  // problem to report, goes the full way below, which gives the same value and locates errors.
  const simple = parseSimpleYaml(text);
  if (simple !== undefined) {
    const parsed = policySchema.safeParse(simple);
    if (parsed.success) return compilePolicy(parsed.data, text, fileName);
  }
  const lineCounter = new LineCounter();
  const collector = new IssueCollector(fileName, lineCounter);
  // logLevel 'error' keeps the parser from printing warnings: here they are issues ('silent' would also drop errors).
  const document = parseDocument(text, { lineCounter, prettyErrors: false, logLevel: 'error' });
  collectYamlProblems(document, collector);
  if (collector.issues.length > 0) throw new PolicyError(collector.sorted());
  if (document.contents === null) {
    collector.add(START_OF_FILE, [], `the policy file is empty: it must hold one ${POLICY_KIND} mapping`);
    throw new PolicyError(collector.sorted());
  }
  const value = readDocument(document, collector);
  if (collector.issues.length > 0) throw new PolicyError(collector.sorted());
  const parsed = policySchema.safeParse(value);
  if (!parsed.success) {
    collectSchemaIssues(document, parsed.error.issues, collector);
    throw new PolicyError(collector.sorted());
  }
  return compilePolicy(parsed.data, text, fileName);
}

/**
 * An issue at the node `path` points to in a policy that loaded, for faults found after loading
 * (a key file the policy names cannot be used): the message points at the entry that names it.
 */
export function locatePolicyIssue(text: string, fileName: string, path: readonly (string | number)[], message: string): PolicyIssue {
  const lineCounter = new LineCounter();
  const collector = new IssueCollector(fileName, lineCounter);
  const document = parseDocument(text, { lineCounter, prettyErrors: false, logLevel: 'silent' });
  collector.add(collector.locate(findNodeOffset(document, path)), path, message);
  return collector.issues[0] ?? { file: fileName, ...START_OF_FILE, path: formatIssuePath(path), message };
}
