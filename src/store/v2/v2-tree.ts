// The v2 key tree in memory and etcd's rules for changing it: every successful change takes
// the next store index and yields one event; a failed one changes nothing. Persistence and
// watch delivery are the caller's job: each change also lists the nodes to write and the
// paths to remove on disk.
import path from 'node:path';
import { Ecode, V2Error } from './v2-error.js';
import type { V2Action, V2Event } from './v2-event.js';
import { baseName, extern, reprShallow, reprTree, type V2Node } from './v2-node.js';

export interface V2Change {
  event: V2Event;
  /** nodes created or rewritten (to persist) */
  puts: V2Node[];
  /** paths removed, the whole subtree of a removed directory included */
  dels: string[];
}

/** Go's path.Clean(path.Join("/", p)): absolute, no "." or "..", no trailing slash. */
export function cleanPath(p: string): string {
  const c = path.posix.normalize('/' + p);
  return c.length > 1 && c.endsWith('/') ? c.slice(0, -1) : c;
}

const parentPath = (p: string) => path.posix.dirname(p);

export class V2Tree {
  readonly root: V2Node = { path: '/', dir: true, value: '', createdIndex: 0, modifiedIndex: 0, children: new Map() };
  readonly ttlNodes = new Set<V2Node>();
  index = 0;

  /** Rebuild from persisted nodes (any order) and the persisted index. */
  load(nodes: V2Node[], index: number): void {
    this.index = index;
    nodes.sort((a, b) => a.path.split('/').length - b.path.split('/').length || a.createdIndex - b.createdIndex);
    for (const n of nodes) {
      const parent = this.lookup(parentPath(n.path));
      if (!parent || !parent.dir) continue; // orphan: cannot happen with atomic commits
      n.parent = parent;
      if (n.dir) n.children = new Map();
      parent.children!.set(baseName(n.path), n);
      if (n.expireTime !== undefined) this.ttlNodes.add(n);
    }
  }

  private lookup(p: string): V2Node | undefined {
    let n: V2Node | undefined = this.root;
    for (const s of p.split('/').filter(Boolean)) n = n?.children?.get(s);
    return n;
  }

  /** Walk to a node: 104 if a component on the way is a file, 100 at the first missing one. */
  private internalGet(p: string): V2Node {
    let n = this.root;
    for (const s of p.split('/').filter(Boolean)) {
      if (!n.dir) throw new V2Error(Ecode.NotDir, n.path, this.index);
      const child = n.children!.get(s);
      if (!child) throw new V2Error(Ecode.KeyNotFound, path.posix.join(n.path, s), this.index);
      n = child;
    }
    return n;
  }

  get(p: string, recursive: boolean, sorted: boolean, now: number): V2Event {
    const n = this.internalGet(cleanPath(p));
    return { action: 'get', key: n.path, index: n.modifiedIndex, etcdIndex: this.index, node: reprTree(n, recursive, sorted, now) };
  }

  /** Set: create the key, or replace a file (a directory is 102 Not a file). */
  set(p: string, dir: boolean, value: string, expireTime: number | undefined, refresh: boolean, now: number): V2Change {
    const np = cleanPath(p);
    let prev: V2Node | undefined;
    try {
      prev = this.internalGet(np);
    } catch (err) {
      if (!(err instanceof V2Error) || err.errorCode !== Ecode.KeyNotFound || refresh) throw err;
    }
    if (refresh && prev) value = prev.value;
    return this.internalCreate(np, dir, value, false, true, expireTime, 'set', now, refresh);
  }

  create(p: string, dir: boolean, value: string, unique: boolean, expireTime: number | undefined, now: number): V2Change {
    return this.internalCreate(cleanPath(p), dir, value, unique, false, expireTime, 'create', now, false);
  }

  private internalCreate(
    np: string,
    dir: boolean,
    value: string,
    unique: boolean,
    replace: boolean,
    expireTime: number | undefined,
    action: V2Action,
    now: number,
    refresh: boolean,
  ): V2Change {
    const next = this.index + 1;
    if (unique) np = cleanPath(np + '/' + String(next).padStart(20, '0'));
    if (np === '/') throw new V2Error(Ecode.RootROnly, '/', this.index);
    // find (without creating yet) the parent directories, so a failure changes nothing
    const segs = np.split('/').filter(Boolean);
    const name = segs.pop()!;
    let d = this.root;
    let missingFrom = -1;
    for (let i = 0; i < segs.length; i++) {
      const c = d.children!.get(segs[i]);
      if (!c) {
        missingFrom = i;
        break;
      }
      if (!c.dir) throw new V2Error(Ecode.NotDir, c.path, this.index);
      d = c;
    }
    const existing = missingFrom < 0 ? d.children!.get(name) : undefined;
    const dels: string[] = [];
    let prevNode;
    if (existing) {
      if (!replace) throw new V2Error(Ecode.NodeExist, np, this.index);
      if (existing.dir) throw new V2Error(Ecode.NotFile, np, this.index);
      prevNode = reprShallow(existing, now);
      this.detach(existing, dels);
    }
    const puts: V2Node[] = [];
    if (missingFrom >= 0) {
      for (let i = missingFrom; i < segs.length; i++) {
        const nd: V2Node = { path: path.posix.join(d.path, segs[i]), dir: true, value: '', createdIndex: next, modifiedIndex: next, parent: d, children: new Map() };
        d.children!.set(segs[i], nd);
        puts.push(nd);
        d = nd;
      }
    }
    const n: V2Node = { path: np, dir, value: dir ? '' : value, createdIndex: next, modifiedIndex: next, expireTime, parent: d };
    if (dir) n.children = new Map();
    d.children!.set(name, n);
    if (expireTime !== undefined) this.ttlNodes.add(n);
    puts.push(n);
    this.index = next;
    const event: V2Event = { action, key: np, index: next, etcdIndex: next, node: reprShallow(n, now) };
    if (prevNode) event.prevNode = prevNode;
    if (refresh) event.refresh = true;
    return { event, puts, dels: dels.filter((x) => x !== np) };
  }

  update(p: string, value: string, expireTime: number | undefined, refresh: boolean, now: number): V2Change {
    const np = cleanPath(p);
    if (np === '/') throw new V2Error(Ecode.RootROnly, '/', this.index);
    const n = this.internalGet(np);
    if (n.dir && value.length !== 0) throw new V2Error(Ecode.NotFile, np, this.index);
    if (refresh) value = n.value;
    return this.rewrite(n, 'update', value, expireTime, refresh, now);
  }

  compareAndSwap(p: string, prevValue: string, prevIndex: number, value: string, expireTime: number | undefined, refresh: boolean, now: number): V2Change {
    const np = cleanPath(p);
    if (np === '/') throw new V2Error(Ecode.RootROnly, '/', this.index);
    const n = this.internalGet(np);
    if (n.dir) throw new V2Error(Ecode.NotFile, np, this.index);
    this.compare(n, prevValue, prevIndex);
    if (refresh) value = n.value;
    return this.rewrite(n, 'compareAndSwap', value, expireTime, refresh, now);
  }

  private rewrite(n: V2Node, action: V2Action, value: string, expireTime: number | undefined, refresh: boolean, now: number): V2Change {
    const next = this.index + 1;
    const prevNode = reprShallow(n, now);
    if (!n.dir) n.value = value;
    n.modifiedIndex = next;
    n.expireTime = expireTime;
    if (expireTime !== undefined) this.ttlNodes.add(n);
    else this.ttlNodes.delete(n);
    this.index = next;
    const event: V2Event = { action, key: n.path, index: next, etcdIndex: next, node: reprShallow(n, now), prevNode };
    if (refresh) event.refresh = true;
    return { event, puts: [n], dels: [] };
  }

  /** Both given conditions must hold; the cause names the ones that failed, as etcd does. */
  private compare(n: V2Node, prevValue: string, prevIndex: number): void {
    const indexMatch = prevIndex === 0 || n.modifiedIndex === prevIndex;
    const valueMatch = prevValue === '' || n.value === prevValue;
    if (indexMatch && valueMatch) return;
    let cause: string;
    if (indexMatch) cause = `[${prevValue} != ${n.value}]`;
    else if (valueMatch) cause = `[${prevIndex} != ${n.modifiedIndex}]`;
    else cause = `[${prevValue} != ${n.value}] [${prevIndex} != ${n.modifiedIndex}]`;
    throw new V2Error(Ecode.TestFailed, cause, this.index);
  }

  delete(p: string, dir: boolean, recursive: boolean, now: number): V2Change {
    const np = cleanPath(p);
    if (np === '/') throw new V2Error(Ecode.RootROnly, '/', this.index);
    if (recursive) dir = true;
    const n = this.internalGet(np);
    if (n.dir) {
      if (!dir) throw new V2Error(Ecode.NotFile, n.path, this.index);
      if (n.children!.size !== 0 && !recursive) throw new V2Error(Ecode.DirNotEmpty, n.path, this.index);
    }
    return this.remove(n, 'delete', now);
  }

  compareAndDelete(p: string, prevValue: string, prevIndex: number, now: number): V2Change {
    const n = this.internalGet(cleanPath(p));
    if (n.dir) throw new V2Error(Ecode.NotFile, n.path, this.index);
    this.compare(n, prevValue, prevIndex);
    return this.remove(n, 'compareAndDelete', now);
  }

  /** Every node whose TTL has run out by `now`, oldest deadline first, each its own change. */
  expire(now: number): V2Change[] {
    const due = [...this.ttlNodes].filter((n) => n.expireTime! <= now).sort((a, b) => a.expireTime! - b.expireTime!);
    const out: V2Change[] = [];
    for (const n of due) if (this.ttlNodes.has(n)) out.push(this.remove(n, 'expire', now));
    return out;
  }

  private remove(n: V2Node, action: V2Action, now: number): V2Change {
    const next = this.index + 1;
    const event: V2Event = {
      action,
      key: n.path,
      index: next,
      etcdIndex: next,
      node: extern({ key: n.path, dir: n.dir, now, modifiedIndex: next, createdIndex: n.createdIndex }),
      prevNode: reprShallow(n, now),
      prevDir: n.dir,
    };
    const dels: string[] = [];
    this.detach(n, dels);
    this.index = next;
    return { event, puts: [], dels };
  }

  /** Unlink a node and forget its subtree's TTLs; collects every removed path. */
  private detach(n: V2Node, dels: string[]): void {
    const walk = (x: V2Node) => {
      for (const c of x.children?.values() ?? []) walk(c);
      this.ttlNodes.delete(x);
      dels.push(x.path);
    };
    walk(n);
    n.parent?.children!.delete(baseName(n.path));
  }
}
