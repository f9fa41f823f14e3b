// The locator reads plain YAML line by line and everything else with the full parser; either way
// every node and key must be placed exactly where the YAML library places it. Named rows pin the
// layouts the line reader accepts and the ones it must leave to the parser; a property walks
// every node of generated policy files.
import fc from 'fast-check';
import { type Document, LineCounter, isMap, isNode, isScalar, isSeq, parseDocument } from 'yaml';
import { PolicyLocator } from '../../../src/lint/locate';
import { readPlainPositions } from '../../../src/lint/plain-positions';
import { policyTextArbitrary, writePolicyText } from './policy-text';

type Path = readonly (string | number)[];
interface Location {
  line: number;
  column: number;
}

/** Where the YAML library starts each node and key, and every path and key worth asking about. */
class ParserView {
  readonly document: Document;
  private readonly lineCounter = new LineCounter();

  constructor(text: string) {
    this.document = parseDocument(text, { lineCounter: this.lineCounter, logLevel: 'silent' });
  }

  private position(offset: number): Location {
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, column: col };
  }

  locateValue(path: Path): Location {
    for (let depth = path.length; depth >= 0; depth -= 1) {
      const node = depth === 0 ? this.document.contents : this.document.getIn(path.slice(0, depth), true);
      if (isNode(node) && node.range) return this.position(node.range[0]);
    }
    return { line: 1, column: 1 };
  }

  locateKey(parent: Path, key: string): Location {
    const mapping = parent.length === 0 ? this.document.contents : this.document.getIn(parent, true);
    if (isMap(mapping)) {
      const pair = mapping.items.find((item) => isScalar(item.key) && item.key.value === key);
      if (pair !== undefined && isNode(pair.key) && pair.key.range) return this.position(pair.key.range[0]);
    }
    return this.locateValue(parent);
  }

  /** Every node's path, plus paths just past the end of each list and under each scalar. */
  listPaths(): { values: Path[]; mappings: Path[] } {
    const values: Path[] = [[]];
    const mappings: Path[] = [];
    const walk = (node: unknown, path: Path): void => {
      if (isMap(node)) {
        mappings.push(path);
        values.push([...path, 'absent']);
        for (const pair of node.items) {
          if (!isScalar(pair.key)) continue;
          const child = [...path, String(pair.key.value)];
          values.push(child);
          walk(pair.value, child);
        }
      } else if (isSeq(node)) {
        node.items.forEach((item, index) => {
          values.push([...path, index], [...path, String(index)]);
          walk(item, [...path, index]);
        });
        values.push([...path, node.items.length], [...path, 'name']);
      } else values.push([...path, 0], [...path, 'key']);
    };
    walk(this.document.contents, []);
    return { values, mappings };
  }
}

function expectSameLocations(text: string): void {
  const parser = new ParserView(text);
  const locator = new PolicyLocator(text);
  const { values, mappings } = parser.listPaths();
  const describe = (what: string, at: Location): string => `${what} -> ${at.line}:${at.column}`;
  const got: string[] = [];
  const want: string[] = [];
  for (const path of values) {
    got.push(describe(JSON.stringify(path), locator.locateValue(path)));
    want.push(describe(JSON.stringify(path), parser.locateValue(path)));
  }
  for (const parent of [...mappings, ['allow'], ['nowhere', 1]]) {
    for (const key of ['allow', 'deny', 'names', 'requireDigest', 'name', 'absent']) {
      got.push(describe(`${JSON.stringify(parent)} key ${key}`, locator.locateKey(parent, key)));
      want.push(describe(`${JSON.stringify(parent)} key ${key}`, parser.locateKey(parent, key)));
    }
  }
  expect(got).toEqual(want);
}

const HEADER = 'apiVersion: image-policy-webhook/v1\nkind: ImagePolicy\nmetadata:\n  name: p\n';

describe('the line reader places nodes where the parser does', () => {
  test.each([
    { name: 'block list deeper than its key', body: 'allow:\n  - a.io/x\n  - "b.io/y"\n' },
    { name: 'block list at its key', body: 'allow:\n- a.io/x\n- b.io/y\n' },
    { name: 'wide dash gap and odd indent', body: 'deny:\n     -    "**:latest"\n     -  a.io/x\n' },
    { name: 'flow list with quoted and spaced items', body: "allow: [a.io/x,  'b.io/y' ,\"c.io/*\"]  # reviewed\n" },
    { name: 'empty flow list', body: 'allow: []\n' },
    { name: 'comments, blank lines and trailing spaces', body: '# top\nallow:   # why\n\n  # note\n  - a.io/x   \n  - b.io/y # pinned\n' },
    { name: 'overlays with keys after the dash', body: 'namespaces:\n  -   names: [dev-*]\n      allow:\n        - a.io/x\n      requireDigest: true\n  - names:\n    - prod\n    deny: [b.io/y]\n' },
    { name: 'value spaced after its key', body: 'mode:    audit\nallow: [a.io/x]\n' },
    { name: 'quoted flow items holding a comma and a bracket', body: 'allow: ["a.io/x,y", \'[::1]:5000/a\', b.io/y]\n' },
    { name: 'a port, an IPv6 host and a digest', body: `allow:\n  - quay.io:5000/a\n  - "[::1]:5000/a"\n  - 'a.io/x@sha256:${'a'.repeat(64)}'\n` },
  ])('$name', ({ body }) => {
    const text = HEADER + body;
    expect(readPlainPositions(text)).toBeDefined();
    expectSameLocations(text);
  });
});

describe('text outside the plain subset is left to the parser, with the same answers', () => {
  test.each([
    { name: 'flow mapping', text: 'apiVersion: v\nmetadata: {name: p}\nallow: [a.io/x]\n' },
    { name: 'anchor and alias', text: 'allow: &list\n  - a.io/x\ndeny: *list\n' },
    { name: 'multi-line plain scalar', text: 'allow:\n  - a.io/x\n    b\n' },
    { name: 'block scalar', text: 'allow:\n  - |\n    a.io/x\n' },
    { name: 'tab indentation', text: 'allow:\n\t- a.io/x\n' },
    { name: 'CRLF line ends', text: 'allow:\r\n  - a.io/x\r\n' },
    { name: 'document marker', text: '---\nallow:\n  - a.io/x\n' },
    { name: 'flow list over two lines', text: 'allow: [a.io/x,\n  b.io/y]\n' },
    { name: 'flow list with a trailing comma', text: 'allow: [a.io/x, b.io/y,]\n' },
    { name: 'escaped quote', text: 'allow:\n  - "a.io/\\"x"\n' },
    { name: 'doubled single quote', text: "allow:\n  - 'a.io/''x'\n" },
    { name: 'nested flow list', text: 'allow: [[a.io/x]]\n' },
    { name: 'quoted key', text: '"allow":\n  - a.io/x\n' },
    { name: 'nested block list item', text: 'allow:\n  - - a.io/x\n' },
    { name: 'dash on its own line', text: 'allow:\n  -\n    a.io/x\n' },
    { name: 'key with no value', text: 'allow:\nmode: audit\n' },
    { name: 'duplicate key', text: 'allow: [a.io/x]\nallow: [b.io/y]\n' },
    { name: 'non-ASCII text', text: 'metadata:\n  name: pölicy\nallow: [a.io/x]\n' },
  ])('$name', ({ text }) => {
    expect(readPlainPositions(text)).toBeUndefined();
    expectSameLocations(text);
  });
});

test('generated policy files: every node and key where the parser puts it', () => {
  let readByLine = 0;
  fc.assert(
    fc.property(policyTextArbitrary, (generated) => {
      const text = writePolicyText(generated);
      if (readPlainPositions(text) !== undefined) readByLine += 1;
      expectSameLocations(text);
    }),
    { numRuns: 150 },
  );
  // Most generated files are plain YAML: the line reader, not the fallback, is what was compared.
  expect(readByLine).toBeGreaterThan(110);
});
