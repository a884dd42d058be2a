// etcd's v3 protos (proto/etcd/*.proto) as one protobufjs JSON descriptor, proto/etcd/rpc.json.
// `tskube etcd` loads these protos at start (twice: grpc-js service definitions and the wire
// codecs), on `tskube up`'s critical path: building them from the JSON takes ~40 ms where
// parsing the .proto files takes ~200 ms (bench/README.md, up-bench). The JSON is made from the
// .proto files by `node dist/src/store/server/etcd-proto-json.js`; a test keeps the two equal.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

export const ETCD_DESCRIPTOR_FILE = 'rpc.json';

/** proto/etcd, found by walking up from this module (works from src/ under tsx, dist/ and the bundle). */
export function etcdProtoDir(): string {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'proto', 'etcd');
    if (fs.existsSync(path.join(candidate, 'rpc.proto'))) return candidate;
    if (path.dirname(dir) === dir) throw new Error('proto/etcd/rpc.proto not found above ' + fileURLToPath(import.meta.url));
  }
}

/** The .proto files parsed (field names as written, as every tskube etcd codec expects). */
export function parseEtcdProtos(dir = etcdProtoDir()): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => path.join(dir, target);
  root.loadSync('rpc.proto', { keepCase: true });
  root.resolveAll();
  return root;
}

let json: protobuf.INamespace | undefined;

/** The descriptor JSON: from rpc.json, or parsed from the .proto files when the JSON is missing. */
export function etcdDescriptorJSON(): protobuf.INamespace {
  if (json) return json;
  const dir = etcdProtoDir();
  const file = path.join(dir, ETCD_DESCRIPTOR_FILE);
  json = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) as protobuf.INamespace : parseEtcdProtos(dir).toJSON();
  return json;
}

/** A resolved Root of etcd's messages and services. */
export function etcdProtoRoot(): protobuf.Root {
  const root = protobuf.Root.fromJSON(etcdDescriptorJSON());
  root.resolveAll();
  return root;
}
