// etcd's Lease service over the lease keeper.
import { status, type ServerDuplexStream, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { EtcdError, Errors } from '../errors.js';
import { codeName, checkSize, streamLabels, unary } from './grpc-call.js';
import { LEASE_OVERHEAD, checkQuota } from './quota.js';
import type { ServerContext } from './server-context.js';
import type { Wire } from './wire.js';

export function leaseService(ctx: ServerContext): UntypedServiceImplementation {
  const { lessor } = ctx;
  const keepAliveLabels = streamLabels('Lease', 'LeaseKeepAlive', 'bidi_stream');
  return {
    LeaseGrant: unary(ctx, 'Lease', 'LeaseGrant', async (req, call) => {
      checkSize(ctx, req);
      ctx.auth.authenticated(call.metadata);
      await checkQuota(ctx, LEASE_OVERHEAD);
      // ID 0 lets the lease keeper pick a fresh one
      const res = await lessor.grant(BigInt(req.ID ?? 0), Number(req.TTL ?? 0));
      ctx.applied();
      return { header: ctx.header(), ID: res.id.toString(), TTL: String(res.ttl), error: '' };
    }),

    LeaseRevoke: unary(ctx, 'Lease', 'LeaseRevoke', async (req, call) => {
      checkSize(ctx, req);
      const id = BigInt(req.ID ?? 0);
      if (ctx.auth.enabled) {
        // etcd lets a caller revoke a lease only when it may write every attached key
        const info = lessor.timeToLive(id);
        ctx.auth.check(call.metadata, (info?.keys ?? []).map((k) => [k, undefined, 'write']));
      }
      ctx.alarms.checkWrite('lease-revoke');
      const res = await lessor.revoke(id);
      ctx.applied();
      return { header: ctx.header(res.revision) };
    }),

    LeaseKeepAlive: (call: ServerDuplexStream<Wire, Wire>) => {
      ctx.metrics.grpcStarted.inc(keepAliveLabels);
      let closed = false;
      const finish = (code: status) => {
        if (closed) return;
        closed = true;
        ctx.metrics.grpcHandled.inc({ ...keepAliveLabels, grpc_code: codeName(code) });
      };
      call.on('data', (req: Wire) => {
        if (closed) return;
        ctx.metrics.grpcMsgReceived.inc(keepAliveLabels);
        const id = BigInt(req.ID ?? 0);
        let ttl: number;
        try {
          ttl = lessor.keepAlive(id);
        } catch (err) {
          if (err instanceof EtcdError && err.message === Errors.leaseNotFound().message) {
            ttl = 0; // etcd answers an unknown lease with TTL 0
          } else {
            const e = err instanceof EtcdError ? err : new EtcdError(status.UNKNOWN, String(err));
            finish(e.code);
            call.emit('error', { code: e.code, details: e.message });
            return;
          }
        }
        ctx.metrics.grpcMsgSent.inc(keepAliveLabels);
        call.write({ header: ctx.header(), ID: id.toString(), TTL: String(ttl) });
      });
      call.on('end', () => {
        finish(status.OK);
        call.end();
      });
      call.on('cancelled', () => finish(status.CANCELLED));
      call.on('error', () => finish(status.CANCELLED));
    },

    LeaseTimeToLive: unary(ctx, 'Lease', 'LeaseTimeToLive', (req, call) => {
      ctx.auth.authenticated(call.metadata);
      const id = BigInt(req.ID ?? 0);
      const info = lessor.timeToLive(id);
      if (!info) return { header: ctx.header(), ID: id.toString(), TTL: '-1', grantedTTL: '0', keys: [] };
      return {
        header: ctx.header(),
        ID: id.toString(),
        TTL: String(info.ttl),
        grantedTTL: String(info.grantedTTL),
        keys: req.keys ? info.keys : [],
      };
    }),

    LeaseLeases: unary(ctx, 'Lease', 'LeaseLeases', (_req, call) => {
      ctx.auth.authenticated(call.metadata);
      return { header: ctx.header(), leases: lessor.leases().map((id) => ({ ID: id.toString() })) };
    }),
  };
}
