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
  // label lookups cost more than the increments: bind the children once per method
  const started = ctx.metrics.grpcStarted.labels(labels);
  const received = ctx.metrics.grpcMsgReceived.labels(labels);
  const sent = ctx.metrics.grpcMsgSent.labels(labels);
  const handled = new Map<status, { inc(): void }>();
  const done = (code: status) => {
    let c = handled.get(code);
    if (!c) handled.set(code, (c = ctx.metrics.grpcHandled.labels({ ...labels, grpc_code: codeName(code) })));
    c.inc();
  };
  return (call, callback) => {
    started.inc();
    received.inc();
    Promise.resolve()
      .then(() => fn(call.request, call))
      .then(
        (resp) => {
          done(status.OK);
          sent.inc();
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
