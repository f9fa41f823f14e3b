// Reads distribution/reference's own test tables from tests/fixtures/distribution-reference/:
// the upstream rows as written, and what Go's ParseNormalizedNamed made of each reference string.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES_DIR } from '../../support/paths';

const FIXTURE_DIR = path.join(FIXTURES_DIR, 'distribution-reference');
/** Inputs longer than this are shortened in test names; the full string is still what is tested. */
const MAX_NAMED_INPUT = 60;

/** A string ParseNormalizedNamed accepted, in its parts. */
export interface GoParts {
  readonly domain: string;
  readonly path: string;
  readonly tag?: string;
  readonly digest?: string;
  /** Named.String(): domain/path[:tag][@digest]. */
  readonly string: string;
  /** FamiliarString(): the short form Docker prints, e.g. `ubuntu` for docker.io/library/ubuntu. */
  readonly familiar: string;
}

/** A string ParseNormalizedNamed refused, with Go's error text. */
export interface GoError {
  readonly error: string;
}

export type GoResult = GoParts | GoError;

export interface UpstreamRow {
  /** The fields of the upstream table row, named as in the Go source. */
  readonly upstream: Readonly<Record<string, unknown>>;
  /** The Go expression that built a long string, or the comment the upstream row carries. */
  readonly note?: string;
  /** Why a row holds no reference string to test. */
  readonly skip?: string;
  /** Go's reading of each upstream field that holds a reference string, by field name. */
  readonly go?: Readonly<Record<string, GoResult>>;
}

export interface UpstreamTable {
  readonly source: {
    readonly repository: string;
    readonly module: string;
    readonly path: string;
    readonly commit: string;
    readonly function: string;
    readonly license: string;
  };
  /** What the upstream test asserts about each row, in words. */
  readonly asserts: string;
  /** The upstream fields that may hold reference strings. */
  readonly inputs: readonly string[];
  /** How the `go` results were obtained. */
  readonly goNote: string;
  readonly rows: readonly UpstreamRow[];
}

export interface IndexEntry {
  readonly function: string;
  readonly fixture?: string;
  readonly rows?: number;
  readonly skip?: string;
}

export interface FixtureIndex {
  readonly repository: string;
  readonly license: string;
  readonly files: ReadonlyArray<{ readonly path: string; readonly commit: string; readonly functions: readonly IndexEntry[] }>;
}

/** One reference string from an upstream row, with Go's reading of it. */
export interface GoCase {
  /** `Function[row].field "input"`: enough to find the row in the fixture and upstream. */
  readonly name: string;
  readonly input: string;
  readonly go: GoResult;
}

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(path.join(FIXTURE_DIR, file), 'utf8'));
}

/** The table files in the fixture folder, whether or not the index lists them. */
export function listTableFiles(): string[] {
  return readdirSync(FIXTURE_DIR).filter((file) => file.endsWith('.json') && file !== 'index.json');
}

export function loadIndex(): FixtureIndex {
  return readJson('index.json') as FixtureIndex;
}

/** Loads the table of one upstream test function, e.g. `TestReferenceParse`. */
export function loadTable(upstreamFunction: string): UpstreamTable {
  return readJson(`${upstreamFunction}.json`) as UpstreamTable;
}

/** Every table the index lists, in index order. */
export function loadAllTables(): UpstreamTable[] {
  return loadIndex().files.flatMap((file) =>
    file.functions.flatMap((entry) => (entry.fixture === undefined ? [] : [loadTable(entry.function)])),
  );
}

export function isGoError(result: GoResult): result is GoError {
  return 'error' in result;
}

export function describeInput(input: string): string {
  if (input.length <= MAX_NAMED_INPUT) return JSON.stringify(input);
  return `${JSON.stringify(input.slice(0, MAX_NAMED_INPUT))}... (${input.length} characters)`;
}

/** One case per reference string in the table's rows. */
export function goCases(table: UpstreamTable): GoCase[] {
  return table.rows.flatMap((row, index) =>
    Object.entries(row.go ?? {}).map(([field, go]) => {
      const input = row.upstream[field];
      if (typeof input !== 'string') throw new Error(`${table.source.function}[${index}].${field} is not a string`);
      return { name: `${table.source.function}[${index}].${field} ${describeInput(input)}`, input, go };
    }),
  );
}
