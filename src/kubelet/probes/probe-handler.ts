// One probe handler per probe kind (exec, httpGet, tcpSocket, grpc), each in its own file,
// found by the field set on the Probe — the registry shape the scheduler's plugins use.
import type { ProbeLabels } from './probe-metrics.js';
import type { Probe } from 'kubernetes-types/core/v1.js';
import type { Runtime } from '../runtime/runtime-service.js';

export type ProbeResult = { ok: boolean; output?: string };

export interface ProbeTarget {
  runtime: Runtime;
  containerId: string;
  /** Address for network probes when the probe names no host. */
  host: string;
  /** Container ports by name, for named probe ports. */
  ports: Record<string, number>;
  /** Who is probed, for /metrics/probes. */
  labels?: ProbeLabels;
}

export interface ProbeHandler {
  readonly kind: 'exec' | 'httpGet' | 'tcpSocket' | 'grpc';
  run(probe: Probe, target: ProbeTarget, timeoutMs: number): Promise<ProbeResult>;
}

export function resolvePort(port: number | string | undefined, target: ProbeTarget): number {
  if (typeof port === 'number') return port;
  if (port === undefined) throw new Error('probe has no port');
  if (/^\d+$/.test(port)) return Number(port);
  const p = target.ports[port];
  if (p === undefined) throw new Error(`unable to find port ${JSON.stringify(port)} among the container's ports`);
  return p;
}
