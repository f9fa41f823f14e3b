// distribution/reference's own test tables (tests/fixtures/distribution-reference/), run through
// parseImageReference. Whatever Go's ParseNormalizedNamed refuses, we refuse. Whatever it
// accepts, we accept with the same parts after our normalization, unless the string is one of the
// deliberate differences below, and those may only ever be stricter than Go.
import {
  DEFAULT_TAG,
  type ImageReference,
  InvalidImageReferenceError,
  formatReference,
  parseImageReference,
} from '../../../src/reference';
import {
  type GoCase,
  type GoParts,
  type UpstreamTable,
  goCases,
  isGoError,
  listTableFiles,
  loadAllTables,
  loadIndex,
  loadTable,
} from './distribution-fixtures';

const UPPER_CASE_FIRST_COMPONENT =
  'Go reads an upper-case first component as a registry host ("Docker/docker" is host "Docker", path "docker"). ' +
  'We read it as the repository path, where upper case is invalid: as a host it would be lower-cased to "docker", ' +
  'and "docker/docker" names a Docker Hub repository, not a registry.';

/**
 * Deliberate differences: strings Go's ParseNormalizedNamed accepts and we refuse, with the fault
 * we give and why. Only that direction belongs here. A string Go refuses is refused by us whether
 * or not it is listed (see "strings Go refuses"), and the list is checked to name only strings Go
 * accepts.
 */
const STRICTER_THAN_GO: ReadonlyArray<{ readonly input: string; readonly fault: RegExp; readonly reason: string }> = [
  { input: 'Docker/docker', fault: /^repository path "Docker\/docker" must be lowercase$/, reason: UPPER_CASE_FIRST_COMPONENT },
  { input: 'DOCKER/docker', fault: /^repository path "DOCKER\/docker" must be lowercase$/, reason: UPPER_CASE_FIRST_COMPONENT },
  { input: 'Foo/bar', fault: /^repository path "Foo\/bar" must be lowercase$/, reason: UPPER_CASE_FIRST_COMPONENT },
  { input: 'FOO/bar', fault: /^repository path "FOO\/bar" must be lowercase$/, reason: UPPER_CASE_FIRST_COMPONENT },
];

interface AcceptedCase extends GoCase {
  readonly go: GoParts;
}

const TABLES: readonly UpstreamTable[] = loadAllTables();
const CASES: readonly GoCase[] = TABLES.flatMap(goCases);
const REFUSED_BY_GO = CASES.filter((goCase) => isGoError(goCase.go));
const ACCEPTED_BY_GO = CASES.filter((goCase): goCase is AcceptedCase => !isGoError(goCase.go));
const STRICTER_INPUTS = new Set(STRICTER_THAN_GO.map((difference) => difference.input));

/**
 * Go's parts written the way we write them: the host lower-cased, and the default tag when there
 * is neither tag nor digest (Go's TagNameOnly). Any other difference must be listed above.
 */
function expectedFromGo(go: GoParts): { readonly reference: ImageReference; readonly printed: string } {
  const registry = go.domain.toLowerCase();
  const nameOnly = go.tag === undefined && go.digest === undefined;
  const tag = nameOnly ? DEFAULT_TAG : go.tag;
  return {
    reference: {
      registry,
      repository: go.path,
      ...(tag === undefined ? {} : { tag }),
      ...(go.digest === undefined ? {} : { digest: go.digest }),
    },
    printed: `${registry}${go.string.slice(go.domain.length)}${nameOnly ? `:${DEFAULT_TAG}` : ''}`,
  };
}

function faultOf(input: string): string {
  try {
    parseImageReference(input);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidImageReferenceError);
    return (error as InvalidImageReferenceError).fault;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be refused`);
}

describe('distribution/reference fixtures', () => {
  test('every upstream test function is carried as a fixture or skipped with a reason', () => {
    const index = loadIndex();
    expect(index.license).toBe('Apache-2.0');
    for (const file of index.files) {
      expect(file.commit).toMatch(/^[0-9a-f]{40}$/);
      for (const entry of file.functions) {
        if (entry.fixture === undefined) {
          expect(entry.skip).toEqual(expect.stringMatching(/\w/));
          continue;
        }
        const table = loadTable(entry.function);
        expect(table.source).toEqual({
          repository: index.repository,
          module: 'github.com/distribution/reference',
          path: file.path,
          commit: file.commit,
          function: entry.function,
          license: 'Apache-2.0',
        });
        expect(table.rows).toHaveLength(entry.rows ?? -1);
      }
    }
  });

  test('every table file in the folder is listed in the index', () => {
    const listed = loadIndex().files.flatMap((file) => file.functions.flatMap((entry) => entry.fixture ?? []));
    expect(listTableFiles().sort()).toEqual([...listed].sort());
  });

  test.each(TABLES.map((table) => ({ name: table.source.function, table })))(
    '$name: every row carries Go\'s reading of its reference strings, or says why it has none',
    ({ table }) => {
      for (const row of table.rows) {
        const fields = Object.keys(row.go ?? {});
        if (fields.length === 0) expect(row.skip).toEqual(expect.stringMatching(/\w/));
        for (const field of fields) {
          expect(table.inputs).toContain(field);
          expect(typeof row.upstream[field]).toBe('string');
        }
      }
      for (const goCase of goCases(table)) {
        if (!isGoError(goCase.go)) expect(goCase.go.string.startsWith(`${goCase.go.domain}/`)).toBe(true);
      }
    },
  );

  test('the tables hold strings Go refuses and strings it accepts', () => {
    expect(REFUSED_BY_GO.length).toBeGreaterThan(0);
    expect(ACCEPTED_BY_GO.length).toBeGreaterThan(0);
  });
});

describe('strings Go refuses, we refuse', () => {
  test.each(REFUSED_BY_GO)('$name', ({ input }) => {
    expect(() => parseImageReference(input)).toThrow(InvalidImageReferenceError);
  });
});

describe('strings Go accepts, we accept with the same parts', () => {
  test.each(ACCEPTED_BY_GO.filter((goCase) => !STRICTER_INPUTS.has(goCase.input)))('$name', ({ input, go }) => {
    const want = expectedFromGo(go);
    const parsed = parseImageReference(input);
    expect(parsed).toStrictEqual(want.reference);
    expect(formatReference(parsed)).toBe(want.printed);
  });
});

describe('deliberate differences: strings Go accepts and we refuse', () => {
  test.each(STRICTER_THAN_GO.map((difference) => ({ name: JSON.stringify(difference.input), ...difference })))(
    '$name',
    ({ input, fault }) => {
      const rows = CASES.filter((goCase) => goCase.input === input);
      // An entry must name a string of the tables that Go accepts: a string Go refuses needs no
      // entry, and an entry that matches nothing would hide nothing but mislead the reader.
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect(isGoError(row.go)).toBe(false);
      expect(faultOf(input)).toMatch(fault);
    },
  );
});
