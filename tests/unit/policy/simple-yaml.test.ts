// The fast reader must either give up or agree with the full YAML parser. Rows pin what it reads
// and what it leaves to the full parser (every YAML feature it does not handle, hostile and odd
// inputs), and properties compare it with the full parser on generated documents and mutations.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { parseDocument } from 'yaml';
import { parseSimpleYaml } from '../../../src/policy/simple-yaml';
import { PROJECT_ROOT } from '../../support/paths';

/** What loadPolicy's full path reads: the value, or undefined when it reports any problem. */
function readFully(text: string): unknown {
  const document = parseDocument(text, { prettyErrors: false, logLevel: 'error' });
  if (document.errors.length > 0 || document.warnings.length > 0) return undefined;
  return document.toJS();
}

function expectAgreement(text: string): void {
  const simple = parseSimpleYaml(text);
  if (simple === undefined) return;
  expect(readFully(text)).toEqual(simple);
}

describe('reads the plain policy style', () => {
  test.each<{ name: string; text: string; want: unknown }>([
    { name: 'flat mapping', text: 'apiVersion: image-policy-webhook/v1\nkind: ImagePolicy\n', want: { apiVersion: 'image-policy-webhook/v1', kind: 'ImagePolicy' } },
    { name: 'nested mapping', text: 'metadata:\n  name: prod\n', want: { metadata: { name: 'prod' } } },
    { name: 'indented sequence', text: 'allow:\n  - nginx\n  - quay.io/a/*\n', want: { allow: ['nginx', 'quay.io/a/*'] } },
    { name: 'sequence at the key\'s indent', text: 'allow:\n- nginx\ndeny:\n- x\n', want: { allow: ['nginx'], deny: ['x'] } },
    { name: 'double-quoted pattern with a leading star', text: 'deny:\n  - "**:latest"\n', want: { deny: ['**:latest'] } },
    { name: 'single-quoted pattern', text: "deny:\n  - '**:latest'\n", want: { deny: ['**:latest'] } },
    { name: 'registry port, tag and digest in a plain scalar', text: `allow:\n  - localhost:5000/a:1@sha256:${'a'.repeat(64)}\n`, want: { allow: [`localhost:5000/a:1@sha256:${'a'.repeat(64)}`] } },
    { name: 'flow sequence of quoted and plain names', text: 'names: ["dev-*", kube-system, \'b\']\n', want: { names: ['dev-*', 'kube-system', 'b'] } },
    { name: 'empty flow sequence', text: 'allow: []\n', want: { allow: [] } },
    { name: 'booleans of the core schema', text: 'a: true\nb: False\nc: TRUE\n', want: { a: true, b: false, c: true } },
    { name: 'comments, blank lines and trailing comments', text: '# head\n\nmode: audit  # why\nallow:   # list\n  # inside\n  - a # note\n', want: { mode: 'audit', allow: ['a'] } },
    { name: 'mappings inside a sequence', text: 'namespaces:\n  - names: [a]\n    allow:\n      - x\n  - names: [b]\n    mode: audit\n', want: { namespaces: [{ names: ['a'], allow: ['x'] }, { names: ['b'], mode: 'audit' }] } },
    { name: 'indentless sequence inside a sequence item', text: 'namespaces:\n- names: [a]\n  allow:\n  - x\n- names: [b]\n', want: { namespaces: [{ names: ['a'], allow: ['x'] }, { names: ['b'] }] } },
    { name: 'trailing spaces', text: 'kind: ImagePolicy   \nallow:  \n  - a  \n', want: { kind: 'ImagePolicy', allow: ['a'] } },
    { name: 'no final newline', text: 'kind: ImagePolicy', want: { kind: 'ImagePolicy' } },
  ])('$name', ({ text, want }) => {
    expect(parseSimpleYaml(text)).toEqual(want);
    expect(readFully(text)).toEqual(want);
  });
});

describe('leaves everything else to the full parser', () => {
  test.each<{ name: string; text: string }>([
    { name: 'empty text', text: '' },
    { name: 'only comments', text: '# nothing\n' },
    { name: 'top-level sequence', text: '- a\n' },
    { name: 'top-level scalar', text: 'nginx\n' },
    { name: 'unquoted leading star is an alias', text: 'deny:\n  - **:latest\n' },
    { name: 'anchor', text: 'allow: &a\n  - x\n' },
    { name: 'alias', text: 'a: &x y\nb: *x\n' },
    { name: 'tag', text: 'mode: !!str enforce\n' },
    { name: 'merge key', text: 'base: &b\n  a: x\n<<: *b\n' },
    { name: 'integer', text: 'name: 123\n' },
    { name: 'float', text: 'name: 1.5\n' },
    { name: 'exponent', text: 'name: 1e3\n' },
    { name: 'hexadecimal', text: 'name: 0x1f\n' },
    { name: 'octal', text: 'name: 0o17\n' },
    { name: 'null word', text: 'allow: null\n' },
    { name: 'tilde', text: 'allow: ~\n' },
    { name: 'key with no value', text: 'allow:\nkind: x\n' },
    { name: 'key with no value at the end', text: 'kind: x\nallow:\n' },
    { name: 'duplicate key', text: 'kind: a\nkind: b\n' },
    { name: '__proto__ key', text: '__proto__: x\n' },
    { name: 'quoted key', text: '"kind": x\n' },
    { name: 'key without a space after the colon', text: 'kind:x\n' },
    { name: 'space before the colon', text: 'kind : x\n' },
    { name: 'complex key', text: '? kind\n: x\n' },
    { name: 'flow mapping', text: 'metadata: {name: x}\n' },
    { name: 'nested flow sequence', text: 'names: [[a]]\n' },
    { name: 'multi-line flow sequence', text: 'names: [a,\n  b]\n' },
    { name: 'empty flow item', text: 'names: [a,,b]\n' },
    { name: 'trailing comma', text: 'names: [a,]\n' },
    { name: 'comma inside quotes in a flow sequence', text: 'names: ["a,b"]\n' },
    { name: 'flow item ending in a colon', text: 'names: [a:]\n' },
    { name: 'text after a flow sequence', text: 'names: [a] b\n' },
    { name: 'literal block scalar', text: 'name: |\n  x\n' },
    { name: 'folded block scalar', text: 'name: >\n  x\n' },
    { name: 'multi-line plain scalar', text: 'name: a\n  b\n' },
    { name: 'multi-line quoted scalar', text: 'name: "a\n  b"\n' },
    { name: 'escape in double quotes', text: 'name: "a\\nb"\n' },
    { name: 'doubled quote in single quotes', text: "name: 'it''s'\n" },
    { name: 'text after a quoted scalar', text: 'name: "a" b\n' },
    { name: 'hash without a space is not a comment', text: 'name: a#b\n' },
    { name: 'plain scalar with a space', text: 'name: a b\n' },
    { name: 'plain scalar ending in a colon', text: 'allow:\n  - a:\n' },
    { name: 'plain scalar starting with a dash', text: 'allow:\n  - -a\n' },
    { name: 'nested sequence', text: 'allow:\n  - - a\n' },
    { name: 'dash without a value', text: 'allow:\n  -\n    a\n' },
    { name: 'tab indentation', text: 'metadata:\n\tname: x\n' },
    { name: 'carriage returns', text: 'kind: x\r\nmode: audit\r\n' },
    { name: 'byte order mark', text: '\uFEFFkind: x\n' },
    { name: 'document start marker', text: '---\nkind: x\n' },
    { name: 'second document', text: 'kind: x\n---\nkind: y\n' },
    { name: 'document end marker', text: 'kind: x\n...\n' },
    { name: 'directive', text: '%YAML 1.2\n---\nkind: x\n' },
    { name: 'non-ASCII value', text: 'name: café\n' },
    { name: 'control character', text: 'name: a\u0007b\n' },
    { name: 'line deeper than its mapping', text: 'kind: x\n  mode: y\n' },
    { name: 'mapping keys out of line', text: 'metadata:\n    name: x\n  kind: y\n' },
    { name: 'sequence item mapping keys out of line', text: 'namespaces:\n  -   names: [a]\n    mode: audit\n' },
    { name: 'first line indented', text: '  kind: x\n' },
    { name: 'no-break space after a value', text: 'allow:\n  - nginx\u00a0\n' },
    { name: 'line separator after a value', text: 'allow:\n  - nginx\u2028\n' },
    { name: 'ideographic space before a key', text: '\u3000kind: x\n' },
    { name: 'vertical tab at the end of a line', text: 'kind: x\u000b\n' },
    { name: 'byte order mark inside the text', text: 'kind: x\n\ufeffmode: y\n' },
    { name: 'non-ASCII in a comment', text: 'kind: x # café\n' },
  ])('$name', ({ text }) => {
    expect(parseSimpleYaml(text)).toBeUndefined();
  });
});

const REPOSITORY_ROOT = PROJECT_ROOT;

describe('every policy file in the repository', () => {
  const files = ['examples', 'bench']
    .flatMap((folder) => readdirSync(path.join(REPOSITORY_ROOT, folder)).filter((name) => name.endsWith('.yaml')).map((name) => path.join(folder, name)));
  test.each(files.map((file) => ({ name: file, file })))('$name', ({ file }) => {
    const text = readFileSync(path.join(REPOSITORY_ROOT, file), 'utf8');
    expect(parseSimpleYaml(text)).toEqual(readFully(text));
  });
});

// Generated documents: trees of mappings, sequences and scalars printed in the styles policy
// authors use, with scalars drawn from both sides of every typing rule.
const safeWord = fc.constantFrom('nginx', 'quay.io/a/*', 'localhost:5000/a:1', 'a@sha256:abc', 'dev-*', 'true', 'False', 'a:b', '_x', '/x', 'kind', '1a', 'v1.2.3x');
const trickyWord = fc.constantFrom(
  '**:latest', 'null', 'Null', '~', '', '1', '1.5', '.5', '1e3', '0x1f', '0o7', '-1', '+1', '.inf', '.nan', 'yes', 'on', 'a: b', 'a #b', 'a#b',
  'x y', '-a', 'a:', '*a', '&a', '!a', '[a]', '{a}', 'a,b', "it's", 'say "hi"', 'back\\slash', '@a', '`a', '%a', '|', '>', '?', 'é',
);
const scalarWord = fc.oneof({ arbitrary: safeWord, weight: 6 }, { arbitrary: trickyWord, weight: 1 });
const quoting = fc.constantFrom('plain', 'double', 'single');

function printScalar(word: string, style: string): string {
  if (style === 'double') return `"${word}"`;
  if (style === 'single') return `'${word}'`;
  return word;
}

type Tree = { kind: 'scalar'; word: string; style: string } | { kind: 'list'; items: Tree[]; flow: boolean; indentless: boolean } | { kind: 'map'; entries: [string, Tree][] };

const keyWord = fc.oneof(
  { arbitrary: fc.stringMatching(/^[a-z][a-z0-9_-]{0,6}$/), weight: 8 },
  { arbitrary: fc.constantFrom('kind', '__proto__', 'x y', '"q"', 'k:', '<<', '1', 'true', '-k'), weight: 1 },
);
const { tree } = fc.letrec<{ tree: Tree; scalar: Tree; list: Tree; map: Tree }>((tie) => ({
  tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, tie('scalar'), tie('list'), tie('map')),
  scalar: fc.record({ kind: fc.constant('scalar' as const), word: scalarWord, style: quoting }),
  list: fc.record({ kind: fc.constant('list' as const), items: fc.array(tie('tree'), { maxLength: 3 }), flow: fc.boolean(), indentless: fc.boolean() }),
  map: fc.record({ kind: fc.constant('map' as const), entries: fc.array(fc.tuple(keyWord, tie('tree')), { minLength: 1, maxLength: 3 }) }),
}));

/** Prints a value as the block-style YAML a person writes, one line per entry. */
function printBlock(value: Tree, indent: number): string[] {
  const pad = ' '.repeat(indent);
  if (value.kind === 'map') {
    return value.entries.flatMap(([key, child]) => {
      if (child.kind === 'scalar') return [`${pad}${key}: ${printScalar(child.word, child.style)}`];
      if (child.kind === 'list' && child.flow) return [`${pad}${key}: [${child.items.map((item) => (item.kind === 'scalar' ? printScalar(item.word, item.style) : '[]')).join(', ')}]`];
      const childIndent = child.kind === 'list' && child.indentless ? indent : indent + 2;
      return [`${pad}${key}:`, ...printBlock(child, childIndent)];
    });
  }
  if (value.kind === 'list') {
    return value.items.flatMap((item) => {
      if (item.kind === 'scalar') return [`${pad}- ${printScalar(item.word, item.style)}`];
      const lines = printBlock(item, indent + 2);
      const first = lines[0] ?? '';
      return item.kind === 'map' && lines.length > 0 ? [`${pad}- ${first.trimStart()}`, ...lines.slice(1)] : [`${pad}-`, ...lines];
    });
  }
  return [`${pad}${printScalar(value.word, value.style)}`];
}

const documentText = fc
  .tuple(fc.array(fc.tuple(keyWord, tree), { minLength: 1, maxLength: 4 }), fc.boolean())
  .map(([entries, finalNewline]) => `${printBlock({ kind: 'map', entries }, 0).join('\n')}${finalNewline ? '\n' : ''}`);

/** Unicode whitespace the full parser reads as content while String.prototype.trim() drops it. */
const UNICODE_SPACES = ['\u00a0', '\u2028', '\u2029', '\ufeff', '\u3000', '\u000b', '\u000c', '\u0085', '\u200b'];
const MUTATION_CHARACTERS = [' ', '  ', '\n', '-', ':', '#', '"', "'", '*', '&', '!', '[', ']', ',', '{', '\t', '\r', '|', '%', '---', '\\', '?', 'é', ...UNICODE_SPACES];

describe('agrees with the full parser whenever it reads a document', () => {
  test('generated documents', () => {
    fc.assert(fc.property(documentText, (text) => expectAgreement(text)), { numRuns: 3000 });
  });

  test('generated documents with one edit anywhere', () => {
    const mutated = fc
      .tuple(documentText, fc.nat(), fc.constantFrom(...MUTATION_CHARACTERS), fc.nat({ max: 3 }))
      .map(([text, at, insert, remove]) => {
        const offset = at % (text.length + 1);
        return text.slice(0, offset) + insert + text.slice(offset + remove);
      });
    fc.assert(fc.property(mutated, (text) => expectAgreement(text)), { numRuns: 5000 });
  });

  test('the generator reaches the fast path often, so the properties are not vacuous', () => {
    const texts = fc.sample(documentText, { numRuns: 500, seed: 42 });
    const read = texts.filter((text) => parseSimpleYaml(text) !== undefined).length;
    expect(read).toBeGreaterThan(100);
  });
});
