// Line and column of policy nodes for warnings. CompiledPolicy keeps where each pattern sits in
// the lists (`namespaces[1].allow[0]`) but not where that is in the text, so the text is read
// once more here: line by line when it is plain YAML (nearly always), else with the full parser.
import { type Document, LineCounter, isMap, isNode, isScalar, parseDocument } from 'yaml';
import { type Location, type NodePath, type PositionNode, findPositionNode, readPlainPositions } from './plain-positions';

export type { Location, NodePath };

const START_OF_FILE: Location = { line: 1, column: 1 };

/** Where nodes are, from the YAML library's node tree; for text outside the plain subset. */
class ParsedLocator {
  private readonly document: Document;
  private readonly lineCounter = new LineCounter();

  constructor(text: string) {
    this.document = parseDocument(text, { lineCounter: this.lineCounter, logLevel: 'silent' });
  }

  private position(offset: number): Location {
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, column: col };
  }

  locateValue(path: NodePath): Location {
    for (let depth = path.length; depth >= 0; depth -= 1) {
      const node = depth === 0 ? this.document.contents : this.document.getIn(path.slice(0, depth), true);
      if (isNode(node) && node.range) return this.position(node.range[0]);
    }
    return START_OF_FILE;
  }

  locateKey(parent: NodePath, key: string): Location {
    const mapping = parent.length === 0 ? this.document.contents : this.document.getIn(parent, true);
    if (isMap(mapping)) {
      const pair = mapping.items.find((item) => isScalar(item.key) && item.key.value === key);
      if (pair !== undefined && isNode(pair.key) && pair.key.range) return this.position(pair.key.range[0]);
    }
    return this.locateValue(parent);
  }
}

/** Where nodes are, from the positions the plain reader recorded. */
class PlainLocator {
  constructor(private readonly root: PositionNode) {}

  locateValue(path: NodePath): Location {
    for (let depth = path.length; depth >= 0; depth -= 1) {
      const node = findPositionNode(this.root, depth === path.length ? path : path.slice(0, depth));
      if (node !== undefined) return node.start;
    }
    return START_OF_FILE;
  }

  locateKey(parent: NodePath, key: string): Location {
    return findPositionNode(this.root, parent)?.keys?.get(key)?.key ?? this.locateValue(parent);
  }
}

export class PolicyLocator {
  private readonly located: ParsedLocator | PlainLocator;

  constructor(text: string) {
    const plain = readPlainPositions(text);
    this.located = plain === undefined ? new ParsedLocator(text) : new PlainLocator(plain);
  }

  /** Where the value at `path` starts; the nearest existing parent when it is absent. */
  locateValue(path: NodePath): Location {
    return this.located.locateValue(path);
  }

  /** Where the key `key` of the mapping at `parent` is written; its parent when it is absent. */
  locateKey(parent: NodePath, key: string): Location {
    return this.located.locateKey(parent, key);
  }
}
