import { lowerFirst } from './suggest.ts';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type YAMLError } from 'yaml';

export type KeyPath = readonly (string | number)[];

export interface Position {
  line: number;
  col: number;
}

/** A parsed YAML file that can say where any key path sits in its text. */
export class YamlSource {
  readonly doc: Document.Parsed;
  private readonly lines = new LineCounter();

  constructor(readonly text: string) {
    this.doc = parseDocument(text, { lineCounter: this.lines, prettyErrors: false, strict: true });
  }

  /** Syntax problems with positions and messages a person can act on. */
  syntaxErrors(): { position: Position; message: string }[] {
    // A tab or an open quote derails the parser, and what it reports after one is noise.
    const derailed = this.doc.errors.findIndex((e) => e.code === 'TAB_AS_INDENT' || (e.code === 'MISSING_CHAR' && /quote/.test(e.message)));
    const errors = derailed === -1 ? this.doc.errors : this.doc.errors.slice(0, derailed + 1);
    const lines = new Set<number>();
    return errors
      .map((error) => this.describeSyntaxError(error))
      .filter(({ position }) => !lines.has(position.line) && lines.add(position.line));
  }

  warnings(): { position: Position; message: string }[] {
    return this.doc.warnings.map((w) => ({ position: this.at(w.pos[0]), message: w.message }));
  }

  /** Where the value at `path` is; for a missing key, where its nearest existing parent is. */
  positionOf(path: KeyPath): Position {
    let node: unknown = this.doc.contents;
    let found: Node | null = isNode(node) ? node : null;
    for (const segment of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => keyOf(p.key) === segment);
        if (!pair) break;
        node = pair.value ?? pair.key;
      } else if (isSeq(node) && typeof segment === 'number') {
        node = node.items[segment];
      } else {
        break;
      }
      if (!isNode(node)) break;
      found = node;
    }
    return found?.range ? this.at(found.range[0]) : { line: 1, col: 1 };
  }

  /** Where the key `key` of the mapping at `path` is written. */
  positionOfKey(path: KeyPath, key: string): Position {
    const map = this.doc.getIn(path, true);
    if (isMap(map)) {
      const pair = map.items.find((p) => keyOf(p.key) === key);
      if (isNode(pair?.key) && pair.key.range) return this.at(pair.key.range[0]);
    }
    return this.positionOf(path);
  }

  private at(offset: number): Position {
    const { line, col } = this.lines.linePos(offset);
    return { line, col };
  }

  private describeSyntaxError(error: YAMLError): { position: Position; message: string } {
    const offset = error.pos[0];
    switch (error.code) {
      case 'TAB_AS_INDENT':
        return { position: this.at(offset), message: 'a tab is used for indentation; YAML indents with spaces only' };
      case 'MISSING_CHAR':
        if (/quote/.test(error.message)) {
          const quote = error.message.includes("'") ? "'" : '"';
          const opened = this.text.lastIndexOf(quote, offset - 1);
          return {
            position: this.at(opened >= 0 ? opened : offset),
            message: `this quoted string is never closed: add the closing ${quote}`,
          };
        }
        break;
      case 'DUPLICATE_KEY': {
        const key = /^[^:\n]*/.exec(this.text.slice(offset))?.[0].trim();
        return { position: this.at(offset), message: `duplicate key "${key}": a key may appear only once in a mapping` };
      }
      case 'MULTIPLE_DOCS':
        return { position: this.at(offset), message: 'a second YAML document ("---") starts here; a cluster file holds one' };
    }
    return { position: this.at(offset), message: lowerFirst(error.message) };
  }
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && 'range' in value;
}

function keyOf(key: unknown): unknown {
  return isScalar(key) ? key.value : key;
}
