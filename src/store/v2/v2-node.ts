// A node of the v2 key tree (a file with a value, or a directory of children) and its
// external JSON form. Paths are absolute and clean ("/a/b"); the root is "/".
import { rfc3339Nano } from './v2-json.js';

export interface V2Node {
  path: string;
  dir: boolean;
  value: string;
  createdIndex: number;
  modifiedIndex: number;
  /** ms since the epoch; undefined: permanent */
  expireTime?: number;
  parent?: V2Node;
  /** insertion-ordered; etcd's own order is Go map order, i.e. unspecified */
  children?: Map<string, V2Node>;
}

/** The external node; keys are created in etcd's field order so JSON.stringify matches. */
export interface NodeExtern {
  key?: string;
  value?: string;
  dir?: boolean;
  expiration?: string;
  ttl?: number;
  nodes?: NodeExtern[];
  modifiedIndex?: number;
  createdIndex?: number;
}

export const baseName = (p: string) => p.slice(p.lastIndexOf('/') + 1);

/** Hidden nodes (name starting with "_") are left out of directory listings. */
export const isHiddenName = (name: string) => name.startsWith('_');

/** Seconds left, rounded up as etcd does (1..n, never n+1). */
export function ttlOf(expireTime: number, now: number): number {
  return Math.max(0, Math.ceil((expireTime - now) / 1000));
}

/** Build a NodeExtern in etcd's field order; undefined/zero fields are omitted like `omitempty`. */
export function extern(f: {
  key: string;
  value?: string;
  dir?: boolean;
  expireTime?: number;
  now: number;
  nodes?: NodeExtern[];
  modifiedIndex: number;
  createdIndex: number;
}): NodeExtern {
  const o: NodeExtern = {};
  if (f.key !== '' && f.key !== '/') o.key = f.key;
  if (f.value !== undefined && !f.dir) o.value = f.value;
  if (f.dir) o.dir = true;
  if (f.expireTime !== undefined) {
    o.expiration = rfc3339Nano(f.expireTime);
    const ttl = ttlOf(f.expireTime, f.now);
    if (ttl !== 0) o.ttl = ttl;
  }
  if (f.nodes && f.nodes.length > 0) o.nodes = f.nodes;
  if (f.modifiedIndex) o.modifiedIndex = f.modifiedIndex;
  if (f.createdIndex) o.createdIndex = f.createdIndex;
  return o;
}

/** The node alone (a directory without its children), as in prevNode. */
export function reprShallow(n: V2Node, now: number): NodeExtern {
  return extern({ key: n.path, value: n.value, dir: n.dir, expireTime: n.expireTime, now, modifiedIndex: n.modifiedIndex, createdIndex: n.createdIndex });
}

/** The node with its visible children: one level, or the whole subtree when recursive. */
export function reprTree(n: V2Node, recursive: boolean, sorted: boolean, now: number): NodeExtern {
  if (!n.dir) return reprShallow(n, now);
  const kids = [...(n.children?.values() ?? [])].filter((c) => !isHiddenName(baseName(c.path)));
  if (sorted) kids.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const nodes = kids.map((c) => (recursive ? reprTree(c, true, sorted, now) : reprShallow(c, now)));
  return extern({ key: n.path, dir: true, expireTime: n.expireTime, now, nodes, modifiedIndex: n.modifiedIndex, createdIndex: n.createdIndex });
}
