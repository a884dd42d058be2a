// Status comparison that ignores omitted zero fields (the server drops them on the wire).
export function replicaStatusEqual(a: any, b: any): boolean {
  const norm = (s: any) => {
    const o: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(s ?? {})) if (v !== 0 && v !== undefined && !(Array.isArray(v) && v.length === 0)) o[k] = v;
    return JSON.stringify(Object.keys(o).sort().map((k) => [k, o[k]]));
  };
  return norm(a) === norm(b);
}
