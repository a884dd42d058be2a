// Compares two status objects the way the server would store them: zero numbers, empty
// lists and absent fields are all "not there".
function norm(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? v.map(norm) : undefined;
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = norm((v as any)[k]);
      if (x !== undefined && x !== 0 && x !== null && x !== '') o[k] = x;
    }
    return Object.keys(o).length ? o : undefined;
  }
  return v;
}

export const statusEqual = (a: unknown, b: unknown): boolean => JSON.stringify(norm(a)) === JSON.stringify(norm(b));
