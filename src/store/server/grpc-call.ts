// Wraps service handlers: EtcdError → gRPC status, the request size limit, and the
// grpc_server_* metrics etcd exposes through go-grpc-prometheus.
import { status, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { Errors } from '../errors.js';
import { toServiceError } from './grpc-errors.js';
import { requestSize } from './proto.js';
import type { ServerContext } from './server-context.js';
import type { Wire } from './wire.js';

export const codeName = (code: status): string =>
  (status[code] ?? 'Unknown')
    .toLowerCase()
    .split('_')
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('')
    .replace(/^Ok$/, 'OK')
    .replace(/^Cancelled$/, 'Canceled'); // as Go's codes.Code.String() spells it

export type UnaryHandler = (call: ServerUnaryCall<Wire, Wire>, callback: sendUnaryData<Wire>) => void;

export function unary(
  ctx: ServerContext,
  service: string,
  method: string,
  fn: (req: Wire, call: ServerUnaryCall<Wire, Wire>) => Promise<Wire> | Wire,
): UnaryHandler {
  const labels = { grpc_type: 'unary', grpc_service: `etcdserverpb.${service}`, grpc_method: method };
  return (call, callback) => {
    ctx.metrics.grpcStarted.inc(labels);
    ctx.metrics.grpcMsgReceived.inc(labels);
    const done = (code: status) => ctx.metrics.grpcHandled.inc({ ...labels, grpc_code: codeName(code) });
    Promise.resolve()
      .then(() => fn(call.request, call))
      .then(
        (resp) => {
          done(status.OK);
          ctx.metrics.grpcMsgSent.inc(labels);
          callback(null, resp);
        },
        (err: unknown) => {
          const se = toServiceError(err);
          if (se.code === status.UNKNOWN) ctx.log.error(`${service}.${method} failed: ${err instanceof Error ? err.stack : String(err)}`);
          else ctx.log.debug(`${service}.${method}: ${se.details}`);
          done(se.code);
          callback(se, null);
        },
      );
  };
}

/** etcd refuses raft requests bigger than --max-request-bytes with its own message */
export function checkSize(ctx: ServerContext, req: Wire): void {
  if (requestSize(req) > ctx.config.maxRequestBytes) throw Errors.requestTooLarge();
}

export function streamLabels(service: string, method: string, type: 'bidi_stream' | 'server_stream') {
  return { grpc_type: type, grpc_service: `etcdserverpb.${service}`, grpc_method: method };
}
