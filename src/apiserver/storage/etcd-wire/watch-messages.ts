// etcd's Watch stream messages (rpc.proto's WatchRequest and WatchResponse, kv.proto's Event),
// encoded and decoded by hand as the KV messages are: the watch caches receive every write of
// the cluster back through these, so no reflection and no object conversion per event. Shapes
// as proto-loader gave them (int64 as decimal strings, enums by name).
import { ProtoReader, ProtoWriter } from './protobuf.js';
import { decodeHeader, decodeKeyValue, type KeyValueMessage } from './kv-messages.js';

export interface WatchCreateMessage { key: Buffer; range_end?: Buffer; start_revision?: number; progress_notify?: boolean; prev_kv?: boolean }

export interface EventMessage { type: 'PUT' | 'DELETE'; kv: KeyValueMessage; prev_kv?: KeyValueMessage }

export interface WatchResponseMessage {
  header: { revision: string };
  watch_id: string;
  created: boolean;
  canceled: boolean;
  compact_revision: string;
  cancel_reason: string;
  events: EventMessage[];
}

/** WatchRequest{create_request}. */
export function encodeWatchCreate(c: WatchCreateMessage): Buffer {
  const inner = new ProtoWriter(32 + c.key.length + (c.range_end?.length ?? 0))
    .bytes(1, c.key, true).bytes(2, c.range_end).uint(3, c.start_revision).uint(4, c.progress_notify).uint(6, c.prev_kv).finish();
  return new ProtoWriter(inner.length + 8).bytes(1, inner, true).finish();
}

/** WatchRequest{progress_request: {}}: asks for the revision every watcher of the stream has reached. */
export const WATCH_PROGRESS_REQUEST: Buffer = new ProtoWriter(4).bytes(3, Buffer.alloc(0), true).finish();

const EVENT_TYPES = ['PUT', 'DELETE'] as const;

function decodeEvent(buf: Buffer, [s, e]: [number, number]): EventMessage {
  const r = new ProtoReader(buf, s, e);
  const out: EventMessage = { type: 'PUT', kv: undefined as unknown as KeyValueMessage };
  while (r.next()) {
    switch (r.field) {
      case 1: {
        const t = EVENT_TYPES[r.varint()];
        if (!t) throw new Error('etcd watch: unknown event type');
        out.type = t;
        break;
      }
      case 2: out.kv = decodeKeyValue(buf, r.span()); break;
      case 3: out.prev_kv = decodeKeyValue(buf, r.span()); break;
      default: r.skip();
    }
  }
  if (!out.kv) throw new Error('etcd watch: event without a key-value');
  return out;
}

export function decodeWatchResponse(buf: Buffer): WatchResponseMessage {
  const r = new ProtoReader(buf);
  const out: WatchResponseMessage = { header: { revision: '0' }, watch_id: '0', created: false, canceled: false, compact_revision: '0', cancel_reason: '', events: [] };
  while (r.next()) {
    switch (r.field) {
      case 1: out.header = decodeHeader(r, r.span()); break;
      case 2: out.watch_id = r.int64(); break;
      case 3: out.created = r.varint() !== 0; break;
      case 4: out.canceled = r.varint() !== 0; break;
      case 5: out.compact_revision = r.int64(); break;
      case 6: out.cancel_reason = r.bytes().toString('utf8'); break;
      case 11: out.events.push(decodeEvent(buf, r.span())); break;
      default: r.skip();
    }
  }
  return out;
}
