// proto/etcd/rpc.json, which tskube etcd loads at start instead of
// parsing proto/etcd/*.proto, must say exactly what the .proto files say.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import * as protoLoader from '@grpc/proto-loader';
import { ETCD_DESCRIPTOR_FILE, etcdDescriptorJSON, etcdProtoDir, etcdProtoRoot, parseEtcdProtos } from '../../../src/store/server/etcd-descriptors.js';

test('rpc.json is the descriptor of proto/etcd/*.proto (regenerate with dist/src/store/server/etcd-proto-json.js)', () => {
  const file = path.join(etcdProtoDir(), ETCD_DESCRIPTOR_FILE);
  assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), JSON.parse(JSON.stringify(parseEtcdProtos().toJSON())));
});

test('messages from the JSON encode byte for byte as from the .proto, with etcd field names', () => {
  const fromJson = etcdProtoRoot().lookupType('etcdserverpb.RangeRequest');
  const parsed = parseEtcdProtos().lookupType('etcdserverpb.RangeRequest');
  const msg = { key: Buffer.from('/registry/pods/'), range_end: Buffer.from('/registry/pods0'), limit: 500, revision: 7, count_only: true };
  assert.deepEqual(Buffer.from(fromJson.encode(fromJson.fromObject(msg)).finish()), Buffer.from(parsed.encode(parsed.fromObject(msg)).finish()));
  assert.ok(fromJson.fields.range_end, 'snake_case field names, as tskube codecs read them');
});

test('the gRPC package from the JSON has every etcd service method of the parsed one', () => {
  const opts = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true };
  const fromJson = protoLoader.fromJSON(etcdDescriptorJSON(), opts);
  const parsed = protoLoader.loadSync(path.join(etcdProtoDir(), 'rpc.proto'), { ...opts, includeDirs: [etcdProtoDir()] });
  const methods = (d: protoLoader.PackageDefinition) => Object.entries(d)
    .filter(([, v]) => !('format' in v))
    .flatMap(([svc, v]) => Object.values(v as protoLoader.ServiceDefinition).map((m) => `${svc} ${m.path} ${m.requestStream} ${m.responseStream}`)).sort();
  assert.deepEqual(methods(fromJson), methods(parsed));
  assert.ok(methods(fromJson).includes('etcdserverpb.Watch /etcdserverpb.Watch/Watch true true'));
});
