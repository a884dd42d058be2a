// The store's protobuf codecs against protobufjs (what proto-loader and so grpc-js use):
// for every message type of etcd's protos, random messages must decode to exactly the
// object proto-loader gives, and what we encode must decode (by protobufjs) to the same.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import protobuf from 'protobufjs';
import { etcdCodec } from '../../../src/store/server/proto.js';

const OPTS = { longs: String, enums: String, defaults: true, oneofs: true } as const;

// the same Root the server loads, reached through a codec's type lookup
function allTypes(): protobuf.Type[] {
  const root = new protobuf.Root();
  const dir = new URL('../../../../proto/etcd/', import.meta.url).pathname;
  root.resolvePath = (_o, t) => dir + t;
  root.loadSync('rpc.proto', { keepCase: true });
  root.resolveAll();
  const out: protobuf.Type[] = [];
  const walk = (ns: protobuf.NamespaceBase) => {
    for (const n of ns.nestedArray) {
      if (n instanceof protobuf.Type) out.push(n);
      if (n instanceof protobuf.Namespace || n instanceof protobuf.Type) walk(n);
    }
  };
  walk(root);
  return out;
}

// deterministic pseudo-random numbers
let seed = 12345;
const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;

function randomInt64(unsigned: boolean): string {
  return pick([
    '0',
    '1',
    '127',
    '128',
    '300',
    String(Math.floor(rnd() * 2 ** 31)),
    String(2 ** 49 + 3),
    '9007199254740993',
    '18446744073709551615',
    '7587862073519211780',
    ...(unsigned ? [] : ['-1', '-9223372036854775808', '-42']),
  ]).replace(/^18446744073709551615$/, unsigned ? '18446744073709551615' : '-1');
}

function randomValue(f: protobuf.Field, depth: number): unknown {
  if (f.resolvedType instanceof protobuf.Enum) return pick(Object.keys(f.resolvedType.values));
  if (f.resolvedType instanceof protobuf.Type) return depth > 3 ? {} : randomMessage(f.resolvedType, depth + 1);
  switch (f.type) {
    case 'int64':
      return randomInt64(false);
    case 'uint64':
      return randomInt64(true);
    case 'int32':
      return pick([0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 1000]);
    case 'uint32':
      return pick([0, 1, 2 ** 32 - 1, 123456789]);
    case 'bool':
      return rnd() < 0.5;
    case 'string':
      return pick(['', 'a', 'héllo ✓', 'x'.repeat(200)]);
    case 'bytes':
      return pick([Buffer.alloc(0), Buffer.from([0, 255, 7]), Buffer.alloc(300, 'v')]);
    default:
      throw new Error(`no generator for ${f.type}`);
  }
}

function randomMessage(t: protobuf.Type, depth = 0): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const oneofChosen = new Set<string>();
  for (const f of t.fieldsArray) {
    if (rnd() < 0.3) continue;
    if (f.partOf) {
      if (oneofChosen.has(f.partOf.name)) continue;
      oneofChosen.add(f.partOf.name);
    }
    o[f.name] = f.repeated ? Array.from({ length: Math.floor(rnd() * 4) }, () => randomValue(f, depth)) : randomValue(f, depth);
  }
  return o;
}

describe('wire codec', () => {
  const types = allTypes();

  it('covers every message type of the etcd protos', () => {
    assert.ok(types.length > 80, `found ${types.length} types`);
    for (const t of types) assert.ok(etcdCodec(t.fullName.slice(1)));
  });

  it('decodes exactly as proto-loader does, and encodes what protobufjs decodes alike', () => {
    for (const t of types) {
      const codec = etcdCodec(t.fullName.slice(1));
      for (let i = 0; i < 40; i++) {
        const obj = randomMessage(t);
        const theirs = Buffer.from(t.encode(t.fromObject(obj)).finish());
        const expected = t.toObject(t.decode(theirs), OPTS);
        assert.deepStrictEqual(codec.decode(theirs), expected, `${t.name} decode of ${JSON.stringify(obj)}`);
        const ours = codec.encode(obj);
        assert.deepStrictEqual(t.toObject(t.decode(ours), OPTS), expected, `${t.name} encode of ${JSON.stringify(obj)}`);
      }
    }
  });

  it('encodes numbers and bigints for int64 fields, and long bodies with multi-byte lengths', () => {
    const value = Buffer.alloc(70_000, 'z');
    const buf = etcdCodec('etcdserverpb.RangeResponse').encode({
      header: { cluster_id: 14841639068965178418n, member_id: 10276657743932975437n, revision: 7, raft_term: 2 },
      kvs: [{ key: Buffer.from('k'), create_revision: 5, mod_revision: 7, version: 2, value, lease: 7587862073519211780n }],
      more: false,
      count: 1,
    });
    const back = etcdCodec('etcdserverpb.RangeResponse').decode(buf);
    assert.equal(back.header.cluster_id, '14841639068965178418');
    assert.equal(back.header.revision, '7');
    assert.equal(back.kvs[0].lease, '7587862073519211780');
    assert.equal(back.kvs[0].value.length, 70_000);
    assert.equal(back.count, '1');
  });

  it('refuses truncated input', () => {
    const buf = etcdCodec('etcdserverpb.PutRequest').encode({ key: Buffer.from('abc'), value: Buffer.alloc(50) });
    assert.throws(() => etcdCodec('etcdserverpb.PutRequest').decode(buf.subarray(0, buf.length - 1)), /truncated/);
  });
});
