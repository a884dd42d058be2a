// Loads etcd's v3 protos once and hands out service definitions for grpc.Server.
// Each request deserializer remembers the request's wire size, so handlers can enforce
// --max-request-bytes with etcd's own error rather than gRPC's generic one.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServiceDefinition } from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const sizes = new WeakMap<object, number>();

/** the encoded size in bytes of a request this process deserialized (0 when unknown) */
export function requestSize(req: object): number {
  return sizes.get(req) ?? 0;
}

function protoDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'proto', 'etcd');
    if (existsSync(join(candidate, 'rpc.proto'))) return candidate;
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find proto/etcd/rpc.proto above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}

let cached: protoLoader.PackageDefinition | undefined;

export function etcdPackage(): protoLoader.PackageDefinition {
  cached ??= protoLoader.loadSync('rpc.proto', {
    includeDirs: [protoDir()],
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  return cached;
}

export type EtcdServiceName = 'KV' | 'Watch' | 'Lease' | 'Cluster' | 'Maintenance' | 'Auth';

export function serviceDefinition(name: EtcdServiceName): ServiceDefinition {
  const def = etcdPackage()[`etcdserverpb.${name}`] as unknown as ServiceDefinition;
  const out: Record<string, unknown> = {};
  for (const [method, m] of Object.entries(def)) {
    out[method] = {
      ...m,
      requestDeserialize: (buf: Buffer) => {
        const req = m.requestDeserialize(buf);
        if (req && typeof req === 'object') sizes.set(req, buf.length);
        return req;
      },
    };
  }
  return out as ServiceDefinition;
}

let watchSerialize: ((value: object) => Buffer) | undefined;

/** the encoded size of a WatchResponse */
export function watchResponseSize(resp: object): number {
  watchSerialize ??= (etcdPackage()['etcdserverpb.Watch'] as unknown as ServiceDefinition).Watch.responseSerialize as (value: object) => Buffer;
  return watchSerialize(resp).length;
}
