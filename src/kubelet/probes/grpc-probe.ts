// grpc: grpc.health.v1.Health/Check on the port; SERVING (1) is success. The two messages
// are one string and one enum field, so they are encoded by hand. grpc-js loads on the first
// gRPC probe: most kubelets never run one, and it is ~0.7 MB of modules to load at start.
import type * as Grpc from '@grpc/grpc-js';
import type { ProbeHandler } from './probe-handler.js';

let loading: Promise<typeof Grpc> | undefined;
const loadGrpc = (): Promise<typeof Grpc> => {
  // a CommonJS package: its exports are the default export of a bundle's dynamic import
  loading ??= import('@grpc/grpc-js').then((m) => (m.default ?? m) as typeof Grpc);
  return loading;
};

const encodeRequest = (service: string): Buffer => {
  const s = Buffer.from(service);
  return s.length ? Buffer.concat([Buffer.from([0x0a, s.length]), s]) : Buffer.alloc(0);
};

/** HealthCheckResponse.status (field 1, varint). */
const decodeStatus = (b: Buffer): number => (b.length >= 2 && b[0] === 0x08 ? b[1] : 0);

const STATUS = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];

/** Upstream's probe output for a failed call (pkg/probe/grpc). */
function failure(grpc: typeof Grpc, err: Grpc.ServiceError, addr: string, timeoutMs: number): string {
  if (err.code === grpc.status.UNIMPLEMENTED) return `error: this server does not implement the grpc health protocol (grpc.health.v1.Health): ${err.details}`;
  if (err.code === grpc.status.DEADLINE_EXCEEDED) return `timeout: health rpc did not complete within ${timeoutMs / 1000}s`;
  if (err.code === grpc.status.UNAVAILABLE) return `error: failed to connect service at "${addr}": ${err.details}`;
  return `error: health rpc probe failed: ${err.message}`;
}

export const grpcProbe = {
  kind: 'grpc',
  async run(probe, target, timeoutMs) {
    const grpc = await loadGrpc();
    const port = probe.grpc!.port;
    const client = new grpc.Client(`${target.host}:${port}`, grpc.credentials.createInsecure());
    return new Promise((resolve) => {
      client.makeUnaryRequest('/grpc.health.v1.Health/Check', encodeRequest, (b: Buffer) => b, probe.grpc!.service ?? '',
        { deadline: Date.now() + timeoutMs }, (err, res) => {
          client.close();
          if (err) return resolve({ ok: false, output: failure(grpc, err as Grpc.ServiceError, `${target.host}:${port}`, timeoutMs) });
          const st = decodeStatus(res as Buffer);
          resolve({ ok: st === 1, output: st === 1 ? '' : `service unhealthy (responded with "${STATUS[st] ?? st}")` });
        });
    });
  },
} satisfies ProbeHandler;
