// Loads etcd's v3 protos once and hands out service definitions for grpc.Server, with the
// codecs of wire-codec.ts (proto-loader's object form without its per-field conversions).
// Each request deserializer remembers the request's wire size, so handlers can enforce
// --max-request-bytes with etcd's own error rather than gRPC's generic one.
import type { ServiceDefinition } from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type protobuf from 'protobufjs';
import { etcdDescriptorJSON, etcdProtoRoot } from './etcd-descriptors.js';
import { wireCodecs, type Codec } from './wire-codec.js';

const sizes = new WeakMap<object, number>();

/** the encoded size in bytes of a request this process deserialized (0 when unknown) */
export function requestSize(req: object): number {
  return sizes.get(req) ?? 0;
}

let cached: protoLoader.PackageDefinition | undefined;

// both from the precompiled descriptor JSON (etcd-descriptors.ts): parsing the
// .proto files twice cost the store's start ~400 ms
export function etcdPackage(): protoLoader.PackageDefinition {
  cached ??= protoLoader.fromJSON(etcdDescriptorJSON(), {
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  return cached;
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
  const def = etcdPackage()[`etcdserverpb.${name}`] as unknown as ServiceDefinition;
  const out: Record<string, unknown> = {};
  const service = etcdRoot().lookupService(`etcdserverpb.${name}`);
  for (const [method, m] of Object.entries(def)) {
    const rpc = service.methods[method];
    const request = etcdCodec(rpc.resolvedRequestType!.fullName.slice(1));
    const response = etcdCodec(rpc.resolvedResponseType!.fullName.slice(1));
    out[method] = {
      ...m,
      requestDeserialize: (buf: Buffer) => {
        const req = request.decode(buf);
        sizes.set(req, buf.length);
        return req;
      },
      responseSerialize: (value: object) => response.encode(value),
    };
  }
  return out as ServiceDefinition;
}

/** the encoded size of a WatchResponse */
export function watchResponseSize(resp: object): number {
  return etcdCodec('etcdserverpb.WatchResponse').encode(resp).length;
}
