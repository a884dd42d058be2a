// Loads etcd's v3 protos once and hands out service definitions for grpc.Server, with the
// codecs of wire-codec.ts (proto-loader's object form without its per-field conversions).
// Each request deserializer remembers the request's wire size, so handlers can enforce
// --max-request-bytes with etcd's own error rather than gRPC's generic one.
// The definitions are built from the protobufjs Root itself, not by proto-loader: its
// package definition encodes every file's descriptor for reflection, which nothing here
// serves, and cost tskube etcd ~0.1 s of CPU at each start (bench/README.md, up-bench).
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import type protobuf from 'protobufjs';
import { etcdProtoRoot } from './etcd-descriptors.js';
import { wireCodecs, type Codec } from './wire-codec.js';

const sizes = new WeakMap<object, number>();

/** the encoded size in bytes of a request this process deserialized (0 when unknown) */
export function requestSize(req: object): number {
  return sizes.get(req) ?? 0;
}

let root: protobuf.Root | undefined;
let codecs: ((fullName: string) => Codec) | undefined;

function etcdRoot(): protobuf.Root {
  if (!root) {
    root = etcdProtoRoot();
    codecs = wireCodecs(root);
  }
  return root;
}

/** the codec of one etcd message type, e.g. "etcdserverpb.RangeRequest" */
export function etcdCodec(fullName: string): Codec {
  etcdRoot();
  return codecs!(fullName);
}

export type EtcdServiceName = 'KV' | 'Watch' | 'Lease' | 'Cluster' | 'Maintenance' | 'Auth';

export function serviceDefinition(name: EtcdServiceName): ServiceDefinition {
  const out: Record<string, MethodDefinition<object, object>> = {};
  const service = etcdRoot().lookupService(`etcdserverpb.${name}`);
  for (const [method, rpc] of Object.entries(service.methods)) {
    const request = etcdCodec(rpc.resolvedRequestType!.fullName.slice(1));
    const response = etcdCodec(rpc.resolvedResponseType!.fullName.slice(1));
    out[method] = {
      // what proto-loader's definition holds for a method, with our codecs
      path: `/etcdserverpb.${name}/${method}`,
      requestStream: !!rpc.requestStream,
      responseStream: !!rpc.responseStream,
      requestSerialize: (value: object) => request.encode(value),
      requestDeserialize: (buf: Buffer) => {
        const req = request.decode(buf);
        sizes.set(req, buf.length);
        return req;
      },
      responseSerialize: (value: object) => response.encode(value),
      responseDeserialize: (buf: Buffer) => response.decode(buf),
    };
  }
  return out as ServiceDefinition;
}

/** the encoded size of a WatchResponse */
export function watchResponseSize(resp: object): number {
  return etcdCodec('etcdserverpb.WatchResponse').encode(resp).length;
}
