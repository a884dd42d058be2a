// The gRPC wire of unary KV calls, seen by a raw HTTP/2 client: a success carries the
// message and grpc-status 0 in trailers, an etcd error is a trailers-only status with
// etcd's message. On tskube etcd the hot unary calls are served off node:http2 directly
// (src/store/server/direct-unary.ts) while a compressed request still goes through
// grpc-js: both paths must answer with the same headers, trailers and bytes.
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { test } from 'node:test';
import { etcdCodec } from '../../src/store/server/proto.js';
import { forEachTarget } from './harness/suite.js';

interface Reply {
  headers: Record<string, unknown>;
  trailers: Record<string, unknown>;
  body: Buffer;
}

function frame(message: Buffer, declaredSize = message.length): Buffer {
  const out = Buffer.alloc(5 + message.length);
  out.writeUInt32BE(declaredSize, 1);
  message.copy(out, 5);
  return out;
}

function call(endpoint: string, path: string, body: Buffer, extra: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(endpoint);
    session.on('error', reject);
    const req = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers', ...extra });
    const chunks: Buffer[] = [];
    let headers: Record<string, unknown> = {};
    let trailers: Record<string, unknown> = {};
    req.on('response', (h) => (headers = { ...h }));
    req.on('trailers', (t) => (trailers = { ...t }));
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', reject);
    req.on('close', () => {
      session.close();
      delete headers.date;
      resolve({ headers, trailers, body: Buffer.concat(chunks) });
    });
    req.end(body);
  });
}

const put = (key: string, value: string) => frame(etcdCodec('etcdserverpb.PutRequest').encode({ key: Buffer.from(key), value: Buffer.from(value) }));
const dupTxn = () => {
  const op = { request_put: { key: Buffer.from('wire/dup'), value: Buffer.from('x') } };
  return frame(etcdCodec('etcdserverpb.TxnRequest').encode({ success: [op, op] }));
};

forEachTarget((ctx) => {
  test('a unary Put answers with one message and grpc-status 0 in trailers', async () => {
    const r = await call(ctx.store.endpoint, '/etcdserverpb.KV/Put', put('wire/a', 'v'));
    assert.equal(r.headers[':status'], 200);
    assert.match(String(r.headers['content-type']), /^application\/grpc/);
    assert.equal(r.trailers['grpc-status'], '0');
    assert.equal(r.body.readUInt32BE(1), r.body.length - 5);
    const resp = etcdCodec('etcdserverpb.PutResponse').decode(r.body.subarray(5));
    assert.ok(Number(resp.header.revision) > 1);
  });

  test('an etcd error is a trailers-only gRPC status with etcd message', async () => {
    const r = await call(ctx.store.endpoint, '/etcdserverpb.KV/Txn', dupTxn());
    assert.equal(r.headers['grpc-status'], '3');
    assert.equal(decodeURIComponent(String(r.headers['grpc-message'])), 'etcdserver: duplicate key given in txn request');
    assert.equal(r.body.length, 0);
  });

  if (ctx.target === 'tskube') {
    // grpc-encoding other than identity routes the call to grpc-js; with the compressed
    // flag clear the message is read as it is, so both paths get the same request
    const viaGrpcJs = { 'grpc-encoding': 'gzip' };

    test('the direct path and grpc-js answer a Put, a Range and an error alike', async () => {
      const a = await call(ctx.store.endpoint, '/etcdserverpb.KV/Put', put('wire/b', 'v'));
      const b = await call(ctx.store.endpoint, '/etcdserverpb.KV/Put', put('wire/b', 'v'), viaGrpcJs);
      assert.deepEqual(a.headers, b.headers);
      assert.deepEqual(a.trailers, b.trailers);
      const range = frame(etcdCodec('etcdserverpb.RangeRequest').encode({ key: Buffer.from('wire/b') }));
      const c = await call(ctx.store.endpoint, '/etcdserverpb.KV/Range', range);
      const d = await call(ctx.store.endpoint, '/etcdserverpb.KV/Range', range, viaGrpcJs);
      assert.deepEqual(c, d);
      const e = await call(ctx.store.endpoint, '/etcdserverpb.KV/Txn', dupTxn());
      const f = await call(ctx.store.endpoint, '/etcdserverpb.KV/Txn', dupTxn(), viaGrpcJs);
      assert.deepEqual(e, f);
    });

    test('the direct path refuses malformed calls as grpc-js does', async () => {
      // a declared size above the receive limit (--max-request-bytes + 512 KiB)
      const huge = frame(Buffer.alloc(0), 64 * 1024 * 1024);
      const g = await call(ctx.store.endpoint, '/etcdserverpb.KV/Put', huge);
      const h = await call(ctx.store.endpoint, '/etcdserverpb.KV/Put', huge, viaGrpcJs);
      assert.equal(g.headers['grpc-status'], '8');
      assert.match(decodeURIComponent(String(g.headers['grpc-message'])), /^Received message larger than max \(67108864 vs \d+\)$/);
      assert.deepEqual(g, h);
      // no message at all
      const i = await call(ctx.store.endpoint, '/etcdserverpb.KV/Range', Buffer.alloc(0));
      const j = await call(ctx.store.endpoint, '/etcdserverpb.KV/Range', Buffer.alloc(0), viaGrpcJs);
      assert.equal(i.headers['grpc-status'], '12');
      assert.deepEqual(i, j);
    });
  }
});
