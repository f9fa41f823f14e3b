// Generated policy files for the lint properties: patterns drawn from small universes (so one
// deny entry often covers an allow entry, entries repeat, and a deny trap's fix is often already
// there), global lists and namespace overlays, written in every layout plain YAML allows — block
// and flow lists, lists at the key's indent or deeper, plain, single- and double-quoted items,
// comments, wide dash gaps — and now and then in YAML outside the plain subset.
import fc from 'fast-check';
import { parsePattern } from '../../../src/policy/pattern';

const DIGEST_A = `sha256:${'a'.repeat(64)}`;
const DIGEST_B = `sha256:${'b'.repeat(64)}`;

const REGISTRIES = [
  '', 'docker.io/', 'index.docker.io/', 'quay.io/', 'quay.io:5000/', 'r.example.com/', 'r.example.com:5000/', '*.example.com/', 'r.*.com/',
  '*.*.com/', 'evil.io/', '*.evil.io/', 'localhost:5000/', '127.0.0.1:5000/', '127.*.*.*:5000/', '[::1]:5000/', 'internal/', '**/',
];
const COMPONENTS = ['a', 'b', 'p', 'app', 'library', 'a-*', 'ap*', '*p', '*', '**', 'team'];
const TAGS = ['', '', ':1', ':1.*', ':latest', ':*'];
const DIGESTS = ['', '', '', `@${DIGEST_A}`, `@${DIGEST_B}`];
const NAMESPACE_GLOBS = ['dev', 'dev-*', 'kube-system', 'prod-*'];
/** Deny traps beside the entries that close them, so a closed trap is common too. */
const TRAPS_AND_FIXES = [
  '*.evil.io/**', 'evil.io/**', 'localhost:5000/**', '127.*.*.*:5000/**', '[::1]:5000/**', 'quay.io:5000/a', 'quay.io/a', 'quay.io/a:1', 'r.example.com/a:1',
  'r.example.com/a',
];

export const patternArbitrary: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(...REGISTRIES), fc.array(fc.constantFrom(...COMPONENTS), { minLength: 1, maxLength: 3 }), fc.constantFrom(...TAGS), fc.constantFrom(...DIGESTS))
  .map(([registry, path, tag, digest]) => `${registry}${path.join('/')}${tag}${digest}`)
  .filter((source) => parsePattern(source).ok);

type Quote = 'plain' | 'double' | 'single';

/** How one list is written. */
interface ListLayout {
  readonly style: 'flow' | 'block' | 'block-at-key';
  readonly indent: 2 | 4;
  readonly dashGap: 1 | 3;
  readonly quotes: readonly Quote[];
  readonly comments: boolean;
}

const listLayoutArbitrary: fc.Arbitrary<ListLayout> = fc.record({
  style: fc.constantFrom('flow' as const, 'block' as const, 'block-at-key' as const),
  indent: fc.constantFrom(2 as const, 4 as const),
  dashGap: fc.constantFrom(1 as const, 3 as const),
  quotes: fc.array(fc.constantFrom<Quote>('plain', 'double', 'single'), { minLength: 1, maxLength: 3 }),
  comments: fc.boolean(),
});

interface GeneratedList {
  readonly items: readonly string[];
  readonly layout: ListLayout;
}

const listArbitrary = (item: fc.Arbitrary<string>, maxLength: number): fc.Arbitrary<GeneratedList> =>
  fc.record({ items: fc.array(item, { maxLength, size: 'max' }), layout: listLayoutArbitrary });

interface GeneratedOverlay {
  readonly names: GeneratedList;
  readonly allow: GeneratedList | undefined;
  readonly deny: GeneratedList | undefined;
  readonly denyFirst: boolean;
  readonly requireDigest: boolean;
  readonly dashGap: 1 | 3;
}

export interface GeneratedPolicyText {
  readonly allow: GeneratedList | undefined;
  readonly deny: GeneratedList | undefined;
  readonly denyFirst: boolean;
  readonly overlays: readonly GeneratedOverlay[];
  readonly overlaysIndent: 0 | 2;
  /** Writes metadata as a flow mapping, which only the full YAML parser reads. */
  readonly outsidePlainSubset: boolean;
}

const overlayArbitrary = (item: fc.Arbitrary<string>): fc.Arbitrary<GeneratedOverlay> =>
  fc.record({
    names: fc.record({ items: fc.array(fc.constantFrom(...NAMESPACE_GLOBS), { minLength: 1, maxLength: 2 }), layout: listLayoutArbitrary }),
    allow: fc.option(listArbitrary(item, 40), { nil: undefined }),
    deny: fc.option(listArbitrary(item, 20), { nil: undefined }),
    denyFirst: fc.boolean(),
    requireDigest: fc.boolean(),
    dashGap: fc.constantFrom(1 as const, 3 as const),
  });

/**
 * Most entries come from a pool of a few dozen patterns per policy, so the same entry (or
 * another spelling of it) turns up in several lists; the rest are drawn afresh or are deny traps
 * and their fixes.
 */
export const policyTextArbitrary: fc.Arbitrary<GeneratedPolicyText> = fc.array(patternArbitrary, { minLength: 1, maxLength: 40 }).chain((pool) => {
  const item = fc.oneof({ arbitrary: fc.constantFrom(...pool), weight: 6 }, { arbitrary: patternArbitrary, weight: 2 }, { arbitrary: fc.constantFrom(...TRAPS_AND_FIXES), weight: 1 });
  return fc.record({
    allow: fc.option(listArbitrary(item, 150), { nil: undefined, freq: 8 }),
    deny: fc.option(listArbitrary(item, 60), { nil: undefined, freq: 8 }),
    denyFirst: fc.boolean(),
    overlays: fc.array(overlayArbitrary(item), { maxLength: 4 }),
    overlaysIndent: fc.constantFrom(0 as const, 2 as const),
    outsidePlainSubset: fc.integer({ min: 0, max: 9 }).map((draw) => draw === 0),
  });
});

/** Plain only where YAML reads the text back as the same string in block and flow context. */
const PLAIN_SAFE = /^[a-z0-9][a-z0-9._/:@*-]*$/;

function writeItem(item: string, quote: Quote): string {
  if (quote === 'plain' && PLAIN_SAFE.test(item)) return item;
  return quote === 'single' ? `'${item}'` : JSON.stringify(item);
}

/** The lines of `key: list` with the key at `indent` spaces. */
function writeList(key: string, list: GeneratedList, indent: number): string[] {
  const { items, layout } = list;
  const pad = ' '.repeat(indent);
  const written = items.map((item, index) => writeItem(item, layout.quotes[index % layout.quotes.length]!));
  const trailing = layout.comments ? '  # reviewed' : '';
  if (layout.style === 'flow' || items.length === 0) return [`${pad}${key}: [${written.join(layout.comments ? ' ,  ' : ', ')}]${trailing}`];
  const itemPad = layout.style === 'block' ? ' '.repeat(indent + layout.indent) : pad;
  const lines = [`${pad}${key}:${trailing}`];
  written.forEach((item, index) => {
    lines.push(`${itemPad}-${' '.repeat(layout.dashGap)}${item}${layout.comments && index % 3 === 1 ? ' # why' : ''}`);
    if (layout.comments && index % 4 === 2) lines.push('', `${itemPad}# a note between entries`);
  });
  return lines;
}

function writeOverlay(overlay: GeneratedOverlay, indent: number): string[] {
  const keyIndent = indent + 1 + overlay.dashGap;
  const [first, ...rest] = writeList('names', overlay.names, keyIndent);
  const lines = [`${' '.repeat(indent)}-${' '.repeat(overlay.dashGap)}${first!.trimStart()}`, ...rest];
  const lists = overlay.denyFirst ? (['deny', 'allow'] as const) : (['allow', 'deny'] as const);
  for (const key of lists) {
    const list = overlay[key];
    if (list !== undefined) lines.push(...writeList(key, list, keyIndent));
  }
  if (overlay.requireDigest) lines.push(`${' '.repeat(keyIndent)}requireDigest: true`);
  return lines;
}

export function writePolicyText(policy: GeneratedPolicyText): string {
  const lines = ['# generated for the lint properties', 'apiVersion: image-policy-webhook/v1', 'kind: ImagePolicy'];
  lines.push(...(policy.outsidePlainSubset ? ['metadata: {name: generated}'] : ['metadata:', '  name: generated']));
  lines.push('mode: enforce');
  const lists = policy.denyFirst ? (['deny', 'allow'] as const) : (['allow', 'deny'] as const);
  for (const key of lists) {
    const list = policy[key];
    if (list !== undefined) lines.push(...writeList(key, list, 0));
  }
  if (policy.overlays.length > 0) {
    lines.push('namespaces:');
    for (const overlay of policy.overlays) lines.push(...writeOverlay(overlay, policy.overlaysIndent));
  }
  return `${lines.join('\n')}\n`;
}
