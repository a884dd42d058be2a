// A change (or read) in the v2 store, as etcd reports it. The node forms are captured when
// the event happens, so a watcher reading it from history later sees the TTL of that moment.
import type { NodeExtern } from './v2-node.js';

export type V2Action = 'get' | 'create' | 'set' | 'update' | 'delete' | 'compareAndSwap' | 'compareAndDelete' | 'expire';

export interface V2Event {
  action: V2Action;
  node: NodeExtern;
  prevNode?: NodeExtern;
  /** the store index after this event (X-Etcd-Index) */
  etcdIndex: number;
  /** a TTL refresh: recorded in history but not pushed to live watchers */
  refresh?: boolean;
  /** the full key of the event's node, e.g. "/a/b" (node.key omits the root) */
  key: string;
  /** the modified index of the event's node: the index the event happened at */
  index: number;
  /** the previous node was a directory (delete/expire of a directory reaches watchers below it) */
  prevDir?: boolean;
}

/** The wire body: {"action","node","prevNode"} in that order. */
export function eventBody(e: V2Event, noValue = false): Record<string, unknown> {
  const o: Record<string, unknown> = { action: e.action };
  if (noValue && (e.action === 'set' || e.action === 'compareAndSwap' || e.action === 'create' || e.action === 'update')) return o;
  o.node = e.node;
  if (e.prevNode) o.prevNode = e.prevNode;
  return o;
}

/** etcd answers 201 Created for a create, and for a set that made a new key. */
export const isCreated = (e: V2Event) => e.action === 'create' || (e.action === 'set' && !e.prevNode);
