// Line and column of policy nodes for warnings. CompiledPolicy keeps where each pattern sits in
// the lists (`namespaces[1].allow[0]`) but not where that is in the text, so the text is parsed
// once more here with a LineCounter.
import { type Document, LineCounter, isMap, isNode, isScalar, parseDocument } from 'yaml';

export interface Location {
  readonly line: number;
  readonly column: number;
}

export type NodePath = readonly (string | number)[];

const START_OF_FILE: Location = { line: 1, column: 1 };

export class PolicyLocator {
  private readonly document: Document;
  private readonly lineCounter = new LineCounter();

  constructor(text: string) {
    this.document = parseDocument(text, { lineCounter: this.lineCounter, logLevel: 'silent' });
  }

  private position(offset: number): Location {
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, column: col };
  }

  /** Where the value at `path` starts; the nearest existing parent when it is absent. */
  locateValue(path: NodePath): Location {
    for (let depth = path.length; depth >= 0; depth -= 1) {
      const node = depth === 0 ? this.document.contents : this.document.getIn(path.slice(0, depth), true);
      if (isNode(node) && node.range) return this.position(node.range[0]);
    }
    return START_OF_FILE;
  }

  /** Where the key `key` of the mapping at `parent` is written; its parent when it is absent. */
  locateKey(parent: NodePath, key: string): Location {
    const mapping = parent.length === 0 ? this.document.contents : this.document.getIn(parent, true);
    if (isMap(mapping)) {
      const pair = mapping.items.find((item) => isScalar(item.key) && item.key.value === key);
      if (pair !== undefined && isNode(pair.key) && pair.key.range) return this.position(pair.key.range[0]);
    }
    return this.locateValue(parent);
  }
}
