// Pod resource usage from the resource metrics API, metrics.k8s.io/v1beta1 PodMetrics —
// the API metrics-server serves upstream; the HPA reads it the same way here, through the
// API server, and a cluster without it gets upstream's FailedGetResourceMetric condition.
import type { RestClient } from '../../client/index.js';
import { Quantity } from '../../api/quantity/index.js';

export interface PodMetric { timestamp: number; windowMs: number; /** summed over containers, in milli-units (cpu: millicores, memory: milli-bytes) */ milli: number }

interface PodMetricsList { items?: { metadata?: { name?: string }; timestamp?: string; window?: string; containers?: { name: string; usage?: Record<string, string> }[] }[] }

export async function podMetrics(client: RestClient, ns: string, selector: string, resource: string): Promise<Map<string, PodMetric>> {
  const list = await client.request<PodMetricsList>({ method: 'GET', path: `/apis/metrics.k8s.io/v1beta1/namespaces/${encodeURIComponent(ns)}/pods`, query: { labelSelector: selector } });
  const out = new Map<string, PodMetric>();
  for (const m of list.items ?? []) {
    let milli = 0; let seen = false;
    for (const c of m.containers ?? []) {
      const v = c.usage?.[resource];
      if (v === undefined) continue;
      milli += Quantity.parse(v).milliValue();
      seen = true;
    }
    // upstream drops a pod whose containers report nothing for the resource
    if (!seen || !m.metadata?.name) continue;
    const w = /^(\d+(?:\.\d+)?)s$/.exec(m.window ?? '');
    out.set(m.metadata.name, { timestamp: Date.parse(m.timestamp ?? '') || Date.now(), windowMs: w ? Number(w[1]) * 1000 : 30_000, milli });
  }
  return out;
}
