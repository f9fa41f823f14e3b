// The import graph of src/, read with the TypeScript parser, and the architecture rules checked
// against it: pure folders stay pure, only the composition root imports cli/, folders are entered
// through their index.ts, and no folders import each other in a circle.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export interface ImportEdge {
  /** As written: `../policy`, `node:fs`, `winston`. */
  readonly specifier: string;
  /** A project file relative to the root (`src/policy/index.ts`), or the bare module name. */
  readonly target: string;
  /** Named bindings (`import { isIP } from 'node:net'`); empty for default and namespace imports. */
  readonly names: readonly string[];
}

export interface SourceFacts {
  /** Relative to the project root, `/`-separated: `src/policy/load.ts`. */
  readonly file: string;
  readonly imports: readonly ImportEdge[];
  /** Reads the `process` global (env, argv, exit, stdout, hrtime, ...). */
  readonly usesProcess: boolean;
  /** The file opens with a `//` comment. */
  readonly hasHeaderComment: boolean;
}

export interface ImportException {
  readonly module: string;
  /** The only named bindings allowed from `module`. */
  readonly names: readonly string[];
  readonly why: string;
}

export interface ArchitectureRules {
  /** Folders under src/ that compute without I/O: text and objects in, values out. */
  readonly pureFolders: readonly string[];
  /** Modules a pure folder must not import (Node's I/O modules, the logger library). */
  readonly forbiddenInPure: readonly string[];
  readonly exceptions: readonly ImportException[];
  /** The one file that may import cli/. */
  readonly compositionRoot: string;
  /** Libraries kept behind one file of ours: module name -> the only file that imports it. */
  readonly confinedModules: Readonly<Record<string, string>>;
}

const SOURCE_ROOT = 'src';

function toPosix(file: string): string {
  return file.split(path.sep).join('/');
}

/** `src/policy/load.ts` -> `policy`; `src/cli/kit/exit.ts` -> `cli/kit`; `src/main.ts` -> ``. */
export function folderOf(file: string): string {
  return path.posix.dirname(file).split('/').slice(1).join('/');
}

/** The top-level folder: `src/cli/kit/exit.ts` -> `cli`. */
function topFolderOf(file: string): string {
  return folderOf(file).split('/')[0] ?? '';
}

function resolveSpecifier(root: string, from: string, specifier: string): string {
  if (!specifier.startsWith('.')) return specifier;
  const base = path.resolve(root, path.dirname(from), specifier);
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts')]) {
    if (existsSync(candidate)) return toPosix(path.relative(root, candidate));
  }
  return toPosix(path.relative(root, base));
}

function namedBindings(clause: ts.ImportClause | undefined): string[] {
  const bindings = clause?.namedBindings;
  if (bindings === undefined || !ts.isNamedImports(bindings) || clause?.name !== undefined) return [];
  return bindings.elements.map((element) => (element.propertyName ?? element.name).text);
}

/** True for an identifier `process` used as a value, not as a property name or a declaration. */
function isProcessReference(node: ts.Identifier): boolean {
  if (node.text !== 'process') return false;
  const parent = node.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.name === node) return false;
  if ((ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent) || ts.isPropertySignature(parent) || ts.isMethodDeclaration(parent)) && parent.name === node) return false;
  if ((ts.isVariableDeclaration(parent) || ts.isParameter(parent) || ts.isBindingElement(parent)) && parent.name === node) return false;
  if (ts.isTypeReferenceNode(parent) || ts.isQualifiedName(parent)) return false;
  return true;
}

export function readSourceFacts(root: string, file: string): SourceFacts {
  const text = readFileSync(path.join(root, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const imports: ImportEdge[] = [];
  let usesProcess = false;
  const add = (specifier: string, names: string[]): void => {
    imports.push({ specifier, target: resolveSpecifier(root, file, specifier), names });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) add(node.moduleSpecifier.text, namedBindings(node.importClause));
    else if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined && ts.isStringLiteral(node.moduleSpecifier)) add(node.moduleSpecifier.text, []);
    else if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) {
      const [argument] = node.arguments;
      if (argument !== undefined && ts.isStringLiteral(argument)) add(argument.text, []);
    } else if (ts.isIdentifier(node) && isProcessReference(node)) usesProcess = true;
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { file, imports, usesProcess, hasHeaderComment: /^\/\/|^#!.*\n\/\//.test(text) };
}

function listSourceFiles(root: string, directory: string): string[] {
  return readdirSync(path.join(root, directory), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.posix.join(directory, entry.name);
    if (entry.isDirectory()) return listSourceFiles(root, relative);
    return entry.isFile() && entry.name.endsWith('.ts') ? [relative] : [];
  });
}

export function readImportGraph(root: string): SourceFacts[] {
  return listSourceFiles(root, SOURCE_ROOT).sort().map((file) => readSourceFacts(root, file));
}

function isProjectFile(target: string): boolean {
  return target.startsWith(`${SOURCE_ROOT}/`);
}

function moduleName(target: string): string {
  return target.startsWith('node:') ? target : `node:${target}`;
}

function checkPurity(facts: SourceFacts, rules: ArchitectureRules): string[] {
  const problems: string[] = [];
  if (facts.usesProcess) problems.push(`${facts.file}: a pure folder uses the process global`);
  for (const edge of facts.imports) {
    if (isProjectFile(edge.target)) {
      // A pure folder builds only on pure folders: anything else (the logger, reload/) does I/O.
      const folder = topFolderOf(edge.target);
      if (!rules.pureFolders.includes(folder)) problems.push(`${facts.file}: a pure folder imports ${folder}/, which is not pure (${edge.specifier})`);
      continue;
    }
    const name = rules.forbiddenInPure.includes(edge.target) ? edge.target : moduleName(edge.target);
    if (!rules.forbiddenInPure.includes(name)) continue;
    const exception = rules.exceptions.find((each) => each.module === name);
    const allowed = exception !== undefined && edge.names.length > 0 && edge.names.every((each) => exception.names.includes(each));
    if (!allowed) problems.push(`${facts.file}: a pure folder imports ${edge.specifier}${edge.names.length > 0 ? ` { ${edge.names.join(', ')} }` : ''}`);
  }
  return problems;
}

/** Cross-folder imports must name a folder's index.ts; only the composition root imports cli/. */
function checkBoundaries(facts: SourceFacts, rules: ArchitectureRules): string[] {
  const problems: string[] = [];
  const from = folderOf(facts.file);
  for (const edge of facts.imports) {
    const confinedTo = rules.confinedModules[edge.target];
    if (confinedTo !== undefined && facts.file !== confinedTo) problems.push(`${facts.file}: imports ${edge.target}, which only ${confinedTo} may import`);
    if (!isProjectFile(edge.target)) continue;
    const to = folderOf(edge.target);
    if (topFolderOf(edge.target) === 'cli' && topFolderOf(facts.file) !== 'cli' && facts.file !== rules.compositionRoot) {
      problems.push(`${facts.file}: imports ${edge.specifier}; only ${rules.compositionRoot} may import cli/`);
    }
    if (to !== from && path.posix.basename(edge.target) !== 'index.ts') {
      problems.push(`${facts.file}: deep import ${edge.specifier}; import ${to}/ through its index.ts`);
    }
  }
  return problems;
}

/** Every circle of folders importing each other, each reported once from its smallest name. */
export function findFolderCycles(graph: readonly SourceFacts[]): string[][] {
  const edges = new Map<string, Set<string>>();
  for (const facts of graph) {
    const from = topFolderOf(facts.file);
    for (const edge of facts.imports) {
      if (!isProjectFile(edge.target)) continue;
      const to = topFolderOf(edge.target);
      if (to === from) continue;
      if (!edges.has(from)) edges.set(from, new Set());
      edges.get(from)?.add(to);
    }
  }
  const cycles = new Map<string, string[]>();
  const walk = (start: string, node: string, trail: string[]): void => {
    for (const next of edges.get(node) ?? []) {
      if (next === start) {
        const rotated = [...trail];
        const smallest = rotated.indexOf([...rotated].sort()[0] ?? start);
        const cycle = [...rotated.slice(smallest), ...rotated.slice(0, smallest)];
        cycles.set(cycle.join(' -> '), [...cycle, cycle[0] ?? start]);
      } else if (!trail.includes(next)) {
        walk(start, next, [...trail, next]);
      }
    }
  };
  for (const start of edges.keys()) walk(start, start, [start]);
  return [...cycles.values()];
}

export function findViolations(graph: readonly SourceFacts[], rules: ArchitectureRules): string[] {
  const problems = graph.flatMap((facts) => {
    const pure = rules.pureFolders.includes(topFolderOf(facts.file));
    return [...(pure ? checkPurity(facts, rules) : []), ...checkBoundaries(facts, rules)];
  });
  const cycles = findFolderCycles(graph).map((cycle) => `folders import each other in a circle: ${cycle.join(' -> ')}`);
  return [...problems, ...cycles];
}

/** Folders under src/ without an index.ts, or whose index.ts does not open with a comment. */
export function findFoldersWithoutIndex(graph: readonly SourceFacts[]): string[] {
  const folders = new Set(graph.map((facts) => folderOf(facts.file)).filter((folder) => folder !== ''));
  return [...folders].sort().flatMap((folder) => {
    const index = graph.find((facts) => facts.file === `${SOURCE_ROOT}/${folder}/index.ts`);
    if (index === undefined) return [`${folder}/ has no index.ts`];
    return index.hasHeaderComment ? [] : [`${folder}/index.ts does not say what the folder offers (no header comment)`];
  });
}
