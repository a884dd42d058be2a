// Go duration strings as the upstream flags take them ("40s", "5m0s", "1h30m", "250ms").
const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDuration(s: string): number {
  if (s === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/y;
  let total = 0; let pos = 0;
  const neg = s.startsWith('-');
  if (neg || s.startsWith('+')) pos = 1;
  if (pos >= s.length) throw new Error(`invalid duration "${s}"`);
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) throw new Error(`invalid duration "${s}"`);
    total += Number(m[1]) * UNITS[m[2]];
    pos = re.lastIndex;
  }
  return neg ? -total : total;
}
