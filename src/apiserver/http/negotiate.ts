// Reads the Accept header's parameterised media types: Table output and aggregated discovery.
export interface MediaRange { type: string; params: Record<string, string> }

export function parseAccept(header: string | undefined): MediaRange[] {
  if (!header) return [];
  return header.split(',').map((part) => {
    const [type, ...rest] = part.split(';').map((s) => s.trim());
    const params: Record<string, string> = {};
    for (const p of rest) { const i = p.indexOf('='); if (i > 0) params[p.slice(0, i).trim()] = p.slice(i + 1).trim(); }
    return { type: type.toLowerCase(), params };
  });
}

/** The client asked for meta.k8s.io Table (v1 or v1beta1) before plain JSON. */
export function wantsTable(accept: string | undefined): 'v1' | 'v1beta1' | undefined {
  for (const r of parseAccept(accept)) {
    if (r.type === 'application/json' && r.params.as === 'Table' && r.params.g === 'meta.k8s.io' && (r.params.v === 'v1' || r.params.v === 'v1beta1')) return r.params.v;
    if (!r.params.as && (r.type === 'application/json' || r.type === '*/*')) return undefined;
  }
  return undefined;
}

/** The client accepts apidiscovery.k8s.io/v2 APIGroupDiscoveryList (kubectl 1.32 does). */
export function wantsAggregatedDiscovery(accept: string | undefined): boolean {
  for (const r of parseAccept(accept)) {
    if (r.params.as === 'APIGroupDiscoveryList' && r.params.g === 'apidiscovery.k8s.io' && r.params.v === 'v2') return true;
    if (!r.params.as) return false;
  }
  return false;
}
