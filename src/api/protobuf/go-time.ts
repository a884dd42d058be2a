// The JSON forms of meta/v1 Time (RFC 3339, whole seconds), MicroTime (RFC 3339 with six
// fraction digits) and Duration (Go's time.Duration text, "1h2m3.5s"), both ways.

/** Go's zero time.Time travels as an empty Timestamp (seconds and nanos 0) and prints as
 * JSON null, so it is left out; 0001-01-01T00:00:00Z in seconds is treated the same. */
export const isZeroTime = (seconds: number, nanos: number) => nanos === 0 && (seconds === 0 || seconds === -62135596800);

function isoSeconds(seconds: number): string {
  const d = new Date(seconds * 1000);
  if (Number.isNaN(d.getTime())) throw new RangeError(`time out of range: ${seconds}s`);
  return d.toISOString().replace(/\.\d{3}Z$/, '');
}

export function formatTime(seconds: number): string {
  return `${isoSeconds(seconds)}Z`;
}

export function formatMicroTime(seconds: number, nanos: number): string {
  return `${isoSeconds(seconds)}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z`;
}

/** RFC 3339 text (any offset, any fraction) to Unix seconds and nanoseconds. */
export function parseTime(text: string): { seconds: number; nanos: number } {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/i.exec(text);
  const ms = m ? Date.parse(`${m[1]}${m[3].toUpperCase()}`) : NaN;
  if (!m || Number.isNaN(ms)) throw new SyntaxError(`parsing time "${text}" as RFC3339: invalid`);
  return { seconds: Math.floor(ms / 1000), nanos: m[2] ? Number(m[2].padEnd(9, '0')) : 0 };
}

const UNITS: Array<[string, bigint]> = [['h', 3_600_000_000_000n], ['m', 60_000_000_000n], ['s', 1_000_000_000n]];

function fraction(value: bigint, unit: bigint): string {
  const whole = value / unit;
  const rest = value % unit;
  if (rest === 0n) return String(whole);
  const digits = String(unit).length - 1;
  return `${whole}.${String(rest).padStart(digits, '0').replace(/0+$/, '')}`;
}

/** Nanoseconds to Go's Duration.String(). */
export function formatDuration(nanos: bigint): string {
  if (nanos === 0n) return '0s';
  const sign = nanos < 0n ? '-' : '';
  let n = nanos < 0n ? -nanos : nanos;
  if (n < 1000n) return `${sign}${n}ns`;
  if (n < 1_000_000n) return `${sign}${fraction(n, 1000n)}µs`;
  if (n < 1_000_000_000n) return `${sign}${fraction(n, 1_000_000n)}ms`;
  let out = '';
  for (const [unit, size] of UNITS.slice(0, 2)) {
    const count = n / size;
    if (count > 0n || out) out += `${count}${unit}`;
    n %= size;
  }
  return `${sign}${out}${fraction(n, 1_000_000_000n)}s`;
}

const PARSE_UNITS: Record<string, bigint> = {
  ns: 1n, us: 1000n, 'µs': 1000n, 'μs': 1000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n,
};

/** Go's time.ParseDuration: "1h30m", "-1.5s", "300ms"; a bare "0" is allowed. */
export function parseDuration(text: string): bigint {
  const m = /^([-+]?)(.*)$/.exec(text)!;
  if (m[2] === '0') return 0n;
  const re = /(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/gy;
  let total = 0n;
  let pos = 0;
  for (let part = re.exec(m[2]); part; part = re.exec(m[2])) {
    if (!part[1] && !part[2]) break;
    const unit = PARSE_UNITS[part[3]];
    const frac = part[2] ?? '';
    total += BigInt(part[1] || '0') * unit + (frac ? BigInt(frac) * unit / 10n ** BigInt(frac.length) : 0n);
    pos = re.lastIndex;
  }
  if (pos === 0 || pos !== m[2].length) throw new SyntaxError(`time: invalid duration "${text}"`);
  return m[1] === '-' ? -total : total;
}
