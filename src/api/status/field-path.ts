/**
 * A field path as upstream's field.Path prints it: `spec.containers[0].name`,
 * `metadata.labels[app]`. Immutable; each step returns a new path.
 */
export class FieldPath {
  private constructor(private readonly parts: readonly string[]) {}

  /** Starts a path at one or more dotted names: `FieldPath.root('spec', 'template')`. */
  static root(...names: string[]): FieldPath {
    return new FieldPath(names.map((n, i) => (i === 0 ? n : '.' + n)));
  }

  /** Appends `.name` for each name. */
  child(...names: string[]): FieldPath {
    const add = names.map((n) => (this.parts.length === 0 ? n : '.' + n));
    return new FieldPath([...this.parts, ...add]);
  }

  /** Appends a list index `[i]`. */
  index(i: number): FieldPath {
    return new FieldPath([...this.parts, `[${i}]`]);
  }

  /** Appends a map key `[key]` (unquoted, as upstream). */
  key(k: string): FieldPath {
    return new FieldPath([...this.parts, `[${k}]`]);
  }

  toString(): string {
    return this.parts.join('');
  }
}
