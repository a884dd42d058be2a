// etcd's Maintenance service: Status, alarms, defragment, hashes, snapshot stream.
import { status, type ServerWritableStream, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { EtcdError } from '../errors.js';
import { alarmText, type AlarmType } from './alarm-store.js';
import { codeName, streamLabels, unary } from './grpc-call.js';
import { toServiceError } from './grpc-errors.js';
import { SERVER_VERSION } from './metrics.js';
import type { ServerContext } from './server-context.js';
import { snapshotStream } from '../snapshot/snapshot.js';
import type { Wire } from './wire.js';

const SNAPSHOT_CHUNK = 32 * 1024;

export function maintenanceService(ctx: ServerContext): UntypedServiceImplementation {
  const { store, alarms, auth, member } = ctx;
  const snapLabels = streamLabels('Maintenance', 'Snapshot', 'server_stream');
  const wireAlarm = (a: { memberID: bigint; alarm: AlarmType }) => ({ memberID: a.memberID.toString(), alarm: a.alarm });

  return {
    Status: unary(ctx, 'Maintenance', 'Status', () => {
      const db = store.dbSize();
      return {
        header: ctx.header(),
        version: SERVER_VERSION,
        dbSize: String(db.size),
        dbSizeInUse: String(db.inUse),
        leader: member.memberId.toString(),
        raftIndex: String(ctx.raftIndex),
        raftTerm: String(member.raftTerm),
        raftAppliedIndex: String(ctx.raftIndex),
        errors: alarms.list().map(alarmText),
        isLearner: false,
      };
    }),

    Alarm: unary(ctx, 'Maintenance', 'Alarm', async (req, call) => {
      const action = req.action ?? 'GET';
      auth.authenticated(call.metadata);
      if (action === 'GET') return { header: ctx.header(), alarms: alarms.list().map(wireAlarm) };
      const type = req.alarm as AlarmType | 'NONE';
      if (type !== 'NOSPACE' && type !== 'CORRUPT') return { header: ctx.header(), alarms: [] };
      const memberID = BigInt(req.memberID ?? 0);
      ctx.applied();
      if (action === 'ACTIVATE') {
        const a = await alarms.activate(memberID, type);
        ctx.log.warn(`alarm ${type} raised by request for member ${memberID.toString(16)}`);
        return { header: ctx.header(), alarms: [wireAlarm(a)] };
      }
      const removed = await alarms.deactivate(memberID, type);
      if (removed) ctx.log.info(`alarm ${type} disarmed for member ${memberID.toString(16)}`);
      return { header: ctx.header(), alarms: removed ? [wireAlarm(removed)] : [] };
    }),

    Defragment: unary(ctx, 'Maintenance', 'Defragment', async (_req, call) => {
      auth.maintenanceAdmin(call.metadata);
      const before = store.dbSize();
      ctx.log.info(`defragmenting backend (size ${before.size} bytes, in use ${before.inUse} bytes)`);
      await store.defragment();
      const after = store.dbSize();
      ctx.log.info(`finished defragmenting backend (size ${after.size} bytes, in use ${after.inUse} bytes)`);
      return { header: ctx.header() };
    }),

    Hash: unary(ctx, 'Maintenance', 'Hash', (_req, call) => {
      auth.maintenanceAdmin(call.metadata);
      const h = store.hashAll();
      return { header: ctx.header(h.revision), hash: h.hash };
    }),

    HashKV: unary(ctx, 'Maintenance', 'HashKV', (req, call) => {
      auth.maintenanceAdmin(call.metadata);
      const h = store.hashKV(Number(req.revision ?? 0));
      return { header: ctx.header(h.revision), hash: h.hash >>> 0, compact_revision: String(h.compactRevision) };
    }),

    MoveLeader: unary(ctx, 'Maintenance', 'MoveLeader', (_req, call) => {
      auth.maintenanceAdmin(call.metadata);
      // the only member is already the leader; etcd refuses any other transferee this way
      throw new EtcdError(status.FAILED_PRECONDITION, 'etcdserver: bad leader transferee');
    }),

    Snapshot: (call: ServerWritableStream<Wire, Wire>) => {
      ctx.metrics.grpcStarted.inc(snapLabels);
      const fail = (err: unknown) => {
        const se = toServiceError(err);
        if (se.code === status.UNKNOWN) ctx.log.error(`snapshot failed: ${err instanceof Error ? err.stack : String(err)}`);
        ctx.metrics.grpcHandled.inc({ ...snapLabels, grpc_code: codeName(se.code) });
        call.emit('error', se);
      };
      void (async () => {
        auth.maintenanceAdmin(call.metadata);
        const snap = snapshotStream(store);
        ctx.log.info(`sending database snapshot to client (${snap.size} bytes)`);
        let remaining = snap.size;
        let cancelled = false;
        call.on('cancelled', () => (cancelled = true));
        for await (const chunk of snap.chunks) {
          for (let off = 0; off < chunk.length && !cancelled; off += SNAPSHOT_CHUNK) {
            const blob = chunk.subarray(off, off + SNAPSHOT_CHUNK);
            remaining = Math.max(0, remaining - blob.length);
            ctx.metrics.grpcMsgSent.inc(snapLabels);
            if (!call.write({ header: ctx.header(), remaining_bytes: String(remaining), blob })) {
              await new Promise((r) => call.once('drain', r));
            }
          }
          if (cancelled) break;
        }
        ctx.log.info('sent database snapshot to client');
        ctx.metrics.grpcHandled.inc({ ...snapLabels, grpc_code: 'OK' });
        call.end();
      })().catch(fail);
    },
  };
}
