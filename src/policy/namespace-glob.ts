// Globs over namespace names for overlays. Namespace names are DNS labels, so the glob language
// is kept to what such names need (`*`, `?`, `[a-c]`, `[!a]`); braces, extglobs and negation
// are refused at load instead of being read in some surprising way.
import { Minimatch } from 'minimatch';
import { quoteForMessage } from '../reference';

export const NAMESPACE_GLOB = /^(?:[a-z0-9*?-]|\[!?[a-z0-9-]+\])+$/;
const MINIMATCH_OPTIONS = Object.freeze({
  nobrace: true,
  noext: true,
  nonegate: true,
  nocomment: true,
  noglobstar: true,
  dot: true,
});

export function describeNamespaceGlobFault(glob: string): string {
  return `namespace glob ${quoteForMessage(glob)} may contain only lowercase letters, digits, "-", "*", "?" and classes such as "[a-c]" or "[!a]"`;
}

const CLASS_RANGE = /\[!?[^\]]*?([a-z0-9])-([a-z0-9])[^\]]*\]/g;

/** A class range written backwards (`[z-a]`) matches nothing, so a glob holding one is refused. */
export function findNamespaceGlobRangeFault(glob: string): string | undefined {
  for (const match of glob.matchAll(CLASS_RANGE)) {
    const [, from = '', to = ''] = match;
    if (from > to) return `namespace glob ${quoteForMessage(glob)} has the range "${from}-${to}", which runs backwards and matches nothing; write "${to}-${from}"`;
  }
  return undefined;
}

/** A compiled namespace glob; it matches the whole namespace name, never a part of it. */
export class NamespaceGlob {
  readonly source: string;
  private readonly matcher: Minimatch;

  constructor(source: string) {
    this.source = source;
    this.matcher = new Minimatch(source, MINIMATCH_OPTIONS);
  }

  matches(namespace: string): boolean {
    return this.matcher.match(namespace);
  }
}
