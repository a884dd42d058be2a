// The in-memory index from key to its revision history, ordered by key bytes. Keys are
// held as latin1 strings: one char per byte, so string order is byte order and memory is
// one byte per char.
import btree from 'sorted-btree';
import type * as B from 'sorted-btree';
import { type KeyHistory } from './key-history.js';

// sorted-btree is CommonJS with an ES-style default export: from ESM the class is `.default`.
const BTree = btree.default;

export const keyString = (b: Buffer): string => b.toString('latin1');
export const keyBuffer = (s: string): Buffer => Buffer.from(s, 'latin1');

export class TreeIndex {
  private tree: B.default<string, KeyHistory> = new BTree<string, KeyHistory>();

  get(key: string): KeyHistory | undefined {
    return this.tree.get(key);
  }

  getOrCreate(key: string): KeyHistory {
    let h = this.tree.get(key);
    if (!h) {
      h = [];
      this.tree.set(key, h);
    }
    return h;
  }

  delete(key: string): void {
    this.tree.delete(key);
  }

  get size(): number {
    return this.tree.size;
  }

  /**
   * Visits keys in [start, end) in order; end undefined means the single key `start`,
   * end '' (from a "\0" range_end) means every key >= start. Return false to stop.
   */
  forRange(start: string, end: string | undefined, visit: (key: string, h: KeyHistory) => boolean | void): void {
    if (end === undefined) {
      const h = this.tree.get(start);
      if (h) visit(start, h);
      return;
    }
    const high = end === '' ? this.tree.maxKey() : end;
    if (high === undefined) return;
    const includeHigh = end === '';
    this.tree.forRange(start, high, includeHigh, (k, h) => {
      if (visit(k, h) === false) return { break: true };
      return undefined;
    });
  }

  forEach(visit: (key: string, h: KeyHistory) => void): void {
    this.tree.forEach((h, k) => visit(k, h));
  }
}
