import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Document,
  type Node,
  type Pair,
  type YAMLError,
  type YAMLMap,
} from 'yaml';
import { quote } from '../text.ts';
import { LIMITS } from './limits.ts';
import { lowerFirst } from './suggest.ts';

export type KeyPath = readonly (string | number)[];

export interface Position {
  line: number;
  col: number;
}

export interface Located {
  position: Position;
  message: string;
}

/** A parsed YAML file that can say where any key path sits in its text. */
export class YamlSource {
  readonly doc: Document.Parsed;
  private readonly lines = new LineCounter();
  /**
   * Each mapping's pairs by key, built on first use: looking keys up one by one in a large mapping would be quadratic.
   */
  private readonly keyIndex = new WeakMap<YAMLMap, Map<unknown, Pair>>();

  constructor(readonly text: string) {
    // The parser's own duplicate-key check compares every key with every other; structureErrors() uses a Set.
    // logLevel error: the parser's warnings stay in doc.warnings instead of reaching stderr through
    // process.emitWarning.
    this.doc = parseDocument(text, {
      lineCounter: this.lines,
      prettyErrors: false,
      strict: true,
      uniqueKeys: false,
      logLevel: 'error',
    });
  }

  /**
   * Syntax problems with positions and messages a person can act on; then duplicate keys and aliases, once the syntax
   * is sound.
   */
  syntaxErrors(): Located[] {
    // A tab or an open quote derails the parser, and what it reports after one is noise.
    const derailed = this.doc.errors.findIndex(
      (e) => e.code === 'TAB_AS_INDENT' || (e.code === 'MISSING_CHAR' && /quote/.test(e.message)),
    );
    const errors = derailed === -1 ? this.doc.errors : this.doc.errors.slice(0, derailed + 1);
    const lines = new Set<number>();
    const syntax = errors
      .map((error) => this.describeSyntaxError(error))
      .filter(({ position }) => !lines.has(position.line) && lines.add(position.line));
    return syntax.length > 0 ? syntax : this.structureErrors();
  }

  warnings(): Located[] {
    return this.doc.warnings.map((w) => ({ position: this.at(w.pos[0]), message: w.message }));
  }

  /** The document as plain data; call only when syntaxErrors() is empty, which bounds what aliases expand to. */
  toJS(): unknown {
    return this.doc.toJS({ maxAliasCount: LIMITS.aliasedValues });
  }

  /** The text a scalar at `path` was written as (`1.0` for a number read as 1), or undefined. */
  sourceOf(path: KeyPath): string | undefined {
    const node = this.nodeAt(path).node;
    return isScalar(node) && typeof node.source === 'string' ? node.source : undefined;
  }

  /** Where the value at `path` is; for a missing key, where its nearest existing parent is. */
  positionOf(path: KeyPath): Position {
    const { found } = this.nodeAt(path);
    return found?.range ? this.at(found.range[0]) : { line: 1, col: 1 };
  }

  /** Where the key `key` of the mapping at `path` is written. */
  positionOfKey(path: KeyPath, key: string): Position {
    const { node } = this.nodeAt(path);
    if (isMap(node)) {
      const pair = this.pairsOf(node).get(key);
      if (isNode(pair?.key) && pair.key.range) return this.at(pair.key.range[0]);
    }
    return this.positionOf(path);
  }

  /** The node at `path` (undefined when missing), and the deepest node found on the way. */
  private nodeAt(path: KeyPath): { node: unknown; found: Node | null } {
    let node: unknown = this.doc.contents;
    let found: Node | null = isNode(node) ? node : null;
    for (const segment of path) {
      if (isMap(node)) {
        const pair = this.pairsOf(node).get(segment);
        if (!pair) return { node: undefined, found };
        node = pair.value ?? pair.key;
      } else if (isSeq(node) && typeof segment === 'number') {
        node = node.items[segment];
      } else {
        return { node: undefined, found };
      }
      if (!isNode(node)) return { node: undefined, found };
      found = node;
    }
    return { node, found };
  }

  private pairsOf(map: YAMLMap): Map<unknown, Pair> {
    let index = this.keyIndex.get(map);
    if (!index) {
      index = new Map();
      // The first of duplicate keys, as the data has it.
      for (const pair of map.items) if (!index.has(keyOf(pair.key))) index.set(keyOf(pair.key), pair);
      this.keyIndex.set(map, index);
    }
    return index;
  }

  /**
   * Duplicate keys, keys that are not plain values, and aliases that name no anchor before them, sit inside the value
   * they name, or repeat more than LIMITS allow (an alias bomb expands to billions of values).
   */
  private structureErrors(): Located[] {
    const problems: Located[] = [];
    const report = (node: Node, message: string) => problems.push({ position: this.at(node.range?.[0] ?? 0), message });
    /** Anchor name → how many values it stands for, written out. */
    const anchors = new Map<string, number>();
    const open = new Set<string>();
    let aliases = 0;
    let repeated = 0;
    let overLimit = false;

    const walk = (node: unknown): number => {
      if (isAlias(node)) {
        const name = node.source;
        const size = anchors.get(name);
        if (open.has(name) && size === undefined) {
          report(node, `alias ${quote(`*${name}`)} sits inside the value it names: a value cannot contain itself`);
          return 1;
        }
        if (size === undefined) {
          report(
            node,
            `alias ${quote(`*${name}`)} names no anchor before it: ` +
              `put ${quote(`&${name}`)} on an earlier ` +
              `value, or write the value out here`,
          );
          return 1;
        }
        aliases += 1;
        repeated += size;
        if (!overLimit && aliases > LIMITS.aliases) {
          overLimit = true;
          report(
            node,
            `more than ${LIMITS.aliases} aliases ("*name"): a cluster file may use at ` +
              `most ${LIMITS.aliases}; write the values out`,
          );
        } else if (!overLimit && repeated > LIMITS.aliasedValues) {
          overLimit = true;
          report(
            node,
            `the aliases up to here repeat more ` +
              `than ${LIMITS.aliasedValues} values in all (a limit against ` +
              `alias bombs): write the values out`,
          );
        }
        return size;
      }
      if (!isNode(node)) return 0;
      const anchor = node.anchor;
      if (anchor) {
        // A later anchor of the same name replaces the earlier one, for the aliases after it.
        anchors.delete(anchor);
        open.add(anchor);
      }
      let size = 1;
      if (isMap(node)) {
        const seen = new Set<unknown>();
        for (const pair of node.items) {
          const key = keyOf(pair.key);
          if (isScalar(pair.key) && seen.has(key))
            report(pair.key, `duplicate key ${quote(String(key))}: a key may appear only once in a mapping`);
          // JavaScript objects have text keys: a list or mapping as a key would become its text form.
          if (isNode(pair.key) && !isScalar(pair.key))
            report(
              pair.key,
              `a ${isSeq(pair.key) ? 'list' : isMap(pair.key) ? 'mapping' : 'alias'} is used as a key: a key is ` +
                `plain text, like "role"`,
            );
          seen.add(key);
          size += walk(pair.key) + walk(pair.value);
        }
      } else if (isSeq(node)) {
        for (const item of node.items) size += walk(item);
      }
      if (anchor) {
        open.delete(anchor);
        anchors.set(anchor, size);
      }
      return size;
    };
    walk(this.doc.contents);
    return problems;
  }

  private at(offset: number): Position {
    const { line, col } = this.lines.linePos(offset);
    return { line, col };
  }

  private describeSyntaxError(error: YAMLError): Located {
    const offset = error.pos[0];
    switch (error.code) {
      case 'TAB_AS_INDENT':
        return { position: this.at(offset), message: 'a tab is used for indentation; YAML indents with spaces only' };
      case 'MISSING_CHAR':
        if (/quote/.test(error.message)) {
          const quoteChar = error.message.includes("'") ? "'" : '"';
          const opened = this.text.lastIndexOf(quoteChar, offset - 1);
          return {
            position: this.at(opened >= 0 ? opened : offset),
            message: `this quoted string is never closed: add the closing ${quoteChar}`,
          };
        }
        break;
      case 'MULTIPLE_DOCS':
        return {
          position: this.at(offset),
          message: 'a second YAML document ("---") starts here; a cluster file holds one',
        };
      case 'RESOURCE_EXHAUSTION':
        return { position: this.at(offset), message: 'values are nested too deeply to read' };
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
