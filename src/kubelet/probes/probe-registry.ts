// Probe → handler, by the one handler field a probe (or lifecycle hook) sets.
import type { Probe } from 'kubernetes-types/core/v1.js';
import { execProbe } from './exec-probe.js';
import { grpcProbe } from './grpc-probe.js';
import { httpGetProbe } from './http-get-probe.js';
import type { ProbeHandler, ProbeResult, ProbeTarget } from './probe-handler.js';
import { tcpSocketProbe } from './tcp-socket-probe.js';

const handlers: ProbeHandler[] = [execProbe, httpGetProbe, tcpSocketProbe, grpcProbe];

export function handlerFor(probe: Probe): ProbeHandler | undefined {
  return handlers.find((h) => (probe as Record<string, unknown>)[h.kind] !== undefined);
}

/** Runs one probe (real or, for simulated runtimes, answered by the runtime). */
export async function runProbe(probe: Probe, target: ProbeTarget): Promise<ProbeResult> {
  const simulated = target.runtime.simulateProbe?.(target.containerId, probe);
  if (simulated !== undefined) return { ok: simulated };
  const h = handlerFor(probe);
  if (!h) return { ok: false, output: 'probe has no handler' };
  try {
    return await h.run(probe, target, (probe.timeoutSeconds ?? 1) * 1000);
  } catch (err) {
    return { ok: false, output: (err as Error).message };
  }
}
