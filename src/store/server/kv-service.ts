// etcd's KV service: Range, Put, DeleteRange, Txn, Compact over the MVCC store.
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import { txnRanges } from './auth-gate.js';
import { checkSize, unary } from './grpc-call.js';
import { KV_OVERHEAD, checkQuota } from './quota.js';
import { checkDelete, checkPut, checkRange, checkTxn, txnWrites } from './request-checks.js';
import type { ServerContext } from './server-context.js';
import { deleteFromWire, putFromWire, rangeFromWire, rangeResultToWire, txnFromWire, txnResultToWire, wireKv } from './wire.js';

export function kvService(ctx: ServerContext): UntypedServiceImplementation {
  const { store, auth, metrics } = ctx;
  return {
    Range: unary(ctx, 'KV', 'Range', (req, call) => {
      checkRange(req);
      auth.check(call.metadata, [[req.key, req.range_end, 'read']]);
      ctx.alarms.checkWrite('read');
      const res = store.range(rangeFromWire(req));
      metrics.ops.range.inc();
      return rangeResultToWire(res, ctx.header(res.revision));
    }),

    Put: unary(ctx, 'KV', 'Put', async (req, call) => {
      checkPut(req);
      checkSize(ctx, req);
      // asking for the previous value needs read as well (etcd 3.4)
      auth.check(call.metadata, req.prev_kv ? [[req.key, undefined, 'write'], [req.key, undefined, 'read']] : [[req.key, undefined, 'write']]);
      await checkQuota(ctx, KV_OVERHEAD + req.key.length + (req.value?.length ?? 0));
      const res = await store.put(putFromWire(req));
      ctx.applied();
      metrics.ops.put.inc();
      return { header: ctx.header(res.revision), prev_kv: res.prevKv ? wireKv(res.prevKv) : null };
    }),

    DeleteRange: unary(ctx, 'KV', 'DeleteRange', async (req, call) => {
      checkDelete(req);
      checkSize(ctx, req);
      auth.check(
        call.metadata,
        req.prev_kv ? [[req.key, req.range_end, 'write'], [req.key, req.range_end, 'read']] : [[req.key, req.range_end, 'write']],
      );
      ctx.alarms.checkWrite('delete');
      const res = await store.deleteRange(deleteFromWire(req));
      ctx.applied();
      metrics.ops.delete.inc();
      return { header: ctx.header(res.revision), deleted: String(res.deleted), prev_kvs: res.prevKvs.map(wireKv) };
    }),

    Txn: unary(ctx, 'KV', 'Txn', async (req, call) => {
      checkTxn(req);
      const w = txnWrites(req);
      if (w.writes) checkSize(ctx, req);
      auth.check(call.metadata, txnRanges(req));
      if (w.puts) await checkQuota(ctx, KV_OVERHEAD + w.putBytes);
      else ctx.alarms.checkWrite(w.writes ? 'delete' : 'read');
      const res = await store.txn(txnFromWire(req));
      if (w.writes) ctx.applied();
      metrics.ops.txn.inc();
      return txnResultToWire(res, ctx.header(res.revision));
    }),

    Compact: unary(ctx, 'KV', 'Compact', async (req, call) => {
      checkSize(ctx, req);
      auth.authenticated(call.metadata); // any authenticated user may compact in etcd 3.4
      ctx.alarms.checkWrite('compact');
      const revision = Number(req.revision);
      await store.compact(revision);
      ctx.applied();
      ctx.log.info(`compacted keyspace at revision ${revision}`);
      return { header: ctx.header() };
    }),
  };
}
