// Go duration strings (`1s`, `500ms`, `1m30s`) to milliseconds, as kube-proxy's flags take them.
const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDuration(text: string): number {
  const s = text.trim();
  if (s === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;
  let total = 0;
  let used = 0;
  for (const m of s.matchAll(re)) { total += Number(m[1]) * UNITS[m[2]]; used += m[0].length; }
  if (used === 0 || used !== s.length) throw new Error(`invalid duration "${text}" (want e.g. 1s, 500ms, 1m30s)`);
  return total;
}
