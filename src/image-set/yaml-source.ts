/**
 * A parsed YAML manifest that remembers where every node came from, with
 * strict accessors that fail as "FILE:LINE: …". Every scalar is read with the
 * failsafe schema, i.e. as the string written: `version: 1.10` must stay
 * "1.10" and a tag `1.20` must not turn into the number 1.2.
 */
import {
  LineCounter,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  parseDocument,
  type Document,
  type Node,
  type Scalar,
  type YAMLSeq,
} from 'yaml';
import { closestKey } from './closest-key.js';
import { imageSetError, type ImageSetErrorOptions } from './image-set-error.js';
import type { SourcePosition } from './image-set.js';

/** What `key: value` pairs of a mapping hold, by key. */
export interface MapField {
  readonly key: Scalar;
  /** As written; the accessors below treat an empty or null value as missing. */
  readonly value: Node | undefined;
}

/** How to report a bad value; `near` places the error when the value itself is empty. */
export interface ReadOptions extends ImageSetErrorOptions {
  readonly near?: Node | undefined;
}

/** What a mapping may and must contain. */
export interface MapShape {
  readonly required?: readonly string[];
  readonly optional?: readonly string[];
  /** What the mapping is, for messages: `metadata`, `the registry quay.io`. */
  readonly what: string;
  /** How to write it correctly. */
  readonly hint: string;
  /** The entry the mapping is, as written, when it is one (an image entry). */
  readonly entry?: string | undefined;
  /** Where to point when the mapping is empty: its key. */
  readonly near?: Node | undefined;
  /** Any key is allowed (the keys are data: registry hosts, repositories). */
  readonly open?: boolean;
  /** An empty or null value is a mapping with no keys rather than an error. */
  readonly allowEmpty?: boolean;
}

const nullSources: ReadonlySet<string> = new Set(['', '~', 'null', 'Null', 'NULL']);
const maxWritten = 120;

/** The first line of a YAML error without its position, which the message already gives. */
function yamlProblem(message: string): string {
  const first = message.split('\n')[0] ?? message;
  return first.replace(/ at line \d+, column \d+:?\s*$/, '');
}

export class YamlSource {
  private constructor(
    readonly file: string,
    private readonly text: string,
    private readonly lines: LineCounter,
    private readonly doc: Document.Parsed,
  ) {}

  /**
   * Parse one YAML document.
   * @throws BmpackError E_IMAGESET_INVALID at the line of the first YAML error.
   */
  static parse(text: string, file: string): YamlSource {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, schema: 'failsafe', prettyErrors: true });
    const [error] = doc.errors;
    if (error !== undefined) {
      throw imageSetError(
        { file, line: error.linePos?.[0].line ?? 1 },
        `invalid YAML: ${yamlProblem(error.message)}`,
        {
          hint: 'Fix the YAML at that line: indentation, a space after ":" and "-", matching quotes and brackets, one document per file.',
          cause: error,
        },
      );
    }
    return new YamlSource(file, text, lines, doc);
  }

  /** The top-level node, or undefined for a file with no content. */
  get root(): Node | undefined {
    return this.value(this.doc.contents);
  }

  /** Where `node` starts; line 1 when it has no position. */
  at(node: Node | undefined): SourcePosition {
    const offset = node?.range?.[0];
    return { file: this.file, line: offset === undefined ? 1 : this.lines.linePos(offset).line };
  }

  /** `node` as the user wrote it, on one line, for messages. */
  written(node: Node | undefined): string {
    if (node === undefined) return '(empty)';
    if (isScalar(node)) return String(node.value);
    const range = node.range;
    const raw = range === undefined || range === null ? '' : this.text.slice(range[0], range[1]);
    const flat = raw.replace(/\s+/g, ' ').trim();
    return flat.length > maxWritten ? `${flat.slice(0, maxWritten - 1)}…` : flat;
  }

  fail(node: Node | undefined, what: string, options: ReadOptions): never {
    const { near, ...rest } = options;
    throw imageSetError(this.at(node ?? near), what, rest);
  }

  /**
   * A value as a node: aliases resolved (anchors let a long platform list be
   * written once), and empty or null values as undefined.
   */
  value(raw: unknown): Node | undefined {
    let node: unknown = raw;
    if (isAlias(node)) node = node.resolve(this.doc);
    if (node === null || node === undefined) return undefined;
    if (isScalar(node)) {
      // With the failsafe schema `key:` and `key: ~` give plain scalars "" and "~".
      const plain = node.type === 'PLAIN' || node.type === undefined;
      return plain && nullSources.has(String(node.value)) ? undefined : node;
    }
    return isMap(node) || isSeq(node) ? node : undefined;
  }

  /** A non-empty string. */
  string(node: Node | undefined, what: string, options: ReadOptions): string {
    const value = this.value(node);
    if (value === undefined) this.fail(node, `${what} is empty`, options);
    if (!isScalar(value)) this.fail(value, `${what} must be a string`, options);
    const text = String(value.value);
    if (text.trim() === '') this.fail(value, `${what} is empty`, options);
    return text;
  }

  /**
   * A non-empty sequence and its items; an empty item stays a node (an empty
   * scalar) so that the error about it can name its line.
   */
  list(
    node: Node | undefined,
    what: string,
    options: ReadOptions,
  ): { readonly seq: YAMLSeq; readonly items: Node[] } {
    const value = this.value(node);
    if (value === undefined) this.fail(node, `${what} is empty`, options);
    if (!isSeq(value)) this.fail(value, `${what} must be a list`, options);
    if (value.items.length === 0) this.fail(value, `${what} is an empty list`, options);
    const items = value.items.map((item) => {
      const resolved: unknown = isAlias(item) ? item.resolve(this.doc) : item;
      return isScalar(resolved) || isMap(resolved) || isSeq(resolved) ? resolved : value;
    });
    return { seq: value, items };
  }

  /**
   * The fields of a mapping, checked against `shape`: an unknown key is an
   * error (a typo must not silently drop a setting) and so is a missing
   * required one.
   */
  fields(raw: Node | undefined, shape: MapShape): Map<string, MapField> {
    const node = this.value(raw);
    const options = { hint: shape.hint, near: raw ?? shape.near, entry: shape.entry };
    if (node === undefined) {
      if (shape.allowEmpty === true) return new Map();
      this.fail(node, `${shape.what} is empty`, options);
    }
    if (!isMap(node)) this.fail(node, `${shape.what} must be a mapping of keys to values`, options);
    const known = [...(shape.required ?? []), ...(shape.optional ?? [])];
    const out = new Map<string, MapField>();
    for (const pair of node.items) {
      const key = this.value(pair.key);
      if (key === undefined || !isScalar(key)) {
        this.fail(key ?? node, `${shape.what} has a key that is not a plain name`, options);
      }
      const name = String(key.value);
      if (shape.open !== true && !known.includes(name)) {
        const guess = closestKey(name, known);
        const expected = known.length === 0 ? '' : `; expected ${known.join(', ')}`;
        this.fail(
          key,
          `unknown key ${JSON.stringify(name)} in ${shape.what}${guess === undefined ? expected : ` (did you mean ${JSON.stringify(guess)}?)`}`,
          { hint: shape.hint, entry: shape.entry },
        );
      }
      const value: unknown = pair.value;
      out.set(name, {
        key,
        value:
          isScalar(value) || isMap(value) || isSeq(value) || isAlias(value) ? value : undefined,
      });
    }
    for (const name of shape.required ?? []) {
      if (!out.has(name)) this.fail(node, `${shape.what} has no ${name}`, options);
    }
    return out;
  }
}
