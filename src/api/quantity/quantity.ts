/**
 * resource.Quantity: fixed-point numbers with SI or binary suffixes ("100m", "1.5Gi",
 * "2e3"). Held exactly as a count of nano-units, rounded up (away from zero) like
 * upstream, and printed in upstream's canonical form ("1000m" -> "1", "1.5Gi" -> "1536Mi").
 */

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

const splitRE = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';
/** Upstream's error texts (ErrFormatWrong, ErrNumeric, ErrSuffix). */
export const QuantityErrors = {
  formatWrong: `quantities must match the regular expression '${splitRE}'`,
  numeric: "unable to parse quantity's numeric part",
  suffix: "unable to parse quantity's suffix",
} as const;

export class QuantityError extends Error {}

const decimalSuffixes: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const binarySuffixes: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const decimalByExp = new Map(Object.entries(decimalSuffixes).map(([s, e]) => [e, s]));
const binaryByPow = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

const NANO = 9;
const pow10 = (n: number): bigint => 10n ** BigInt(n);

/** Integer division rounding away from zero (upstream rounds up to its precision). */
function divUp(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b === 0n ? q : a < 0n ? q - 1n : q + 1n;
}

export class Quantity {
  /** Value in units of 10^-9. */
  readonly nanos: bigint;
  readonly format: QuantityFormat;

  constructor(nanos: bigint, format: QuantityFormat = 'DecimalSI') {
    this.nanos = nanos;
    this.format = format;
  }

  /** Parses a quantity string (a JSON number is accepted too); throws QuantityError with upstream's message. */
  static parse(input: string | number): Quantity {
    const str = typeof input === 'number' ? String(input) : input.trim();
    if (str.length === 0) throw new QuantityError(QuantityErrors.formatWrong);
    const m = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(.*)$/.exec(str);
    if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new QuantityError(QuantityErrors.formatWrong);
    const [, sign, whole, frac = '', suffix] = m;
    if (!/^[eEinumkKMGTP]*[-+]?[0-9]*$/.test(suffix)) throw new QuantityError(QuantityErrors.formatWrong);
    let exp10 = 0;
    let pow2 = 0;
    let format: QuantityFormat;
    if (suffix in decimalSuffixes) {
      exp10 = decimalSuffixes[suffix];
      format = 'DecimalSI';
    } else if (suffix in binarySuffixes) {
      pow2 = binarySuffixes[suffix];
      format = 'BinarySI';
    } else if (/^[eE][-+]?[0-9]+$/.test(suffix)) {
      exp10 = Number(suffix.slice(1));
      if (!Number.isSafeInteger(exp10) || Math.abs(exp10) > 1000) throw new QuantityError(QuantityErrors.numeric);
      format = 'DecimalExponent';
    } else {
      throw new QuantityError(QuantityErrors.suffix);
    }
    let mant = BigInt((whole || '0') + frac);
    if (sign === '-') mant = -mant;
    mant <<= BigInt(pow2);
    const shift = exp10 + NANO - frac.length;
    const nanos = shift >= 0 ? mant * pow10(shift) : divUp(mant, pow10(-shift));
    return new Quantity(nanos, format);
  }

  /** Builds from an integer count of units (`Quantity.fromValue(2)` is "2"). */
  static fromValue(v: number | bigint, format: QuantityFormat = 'DecimalSI'): Quantity {
    return new Quantity(BigInt(v) * pow10(NANO), format);
  }

  /** Builds from milli-units (`Quantity.fromMilli(1500)` is "1500m"). */
  static fromMilli(v: number | bigint, format: QuantityFormat = 'DecimalSI'): Quantity {
    return new Quantity(BigInt(v) * pow10(NANO - 3), format);
  }

  isZero(): boolean { return this.nanos === 0n; }

  /** -1, 0 or 1. */
  cmp(other: Quantity): number {
    return this.nanos < other.nanos ? -1 : this.nanos > other.nanos ? 1 : 0;
  }

  equals(other: Quantity): boolean { return this.nanos === other.nanos; }

  /** Sum; keeps this quantity's format unless this one is zero (as upstream's Add). */
  add(other: Quantity): Quantity {
    return new Quantity(this.nanos + other.nanos, this.isZero() ? other.format : this.format);
  }

  /** Difference; same format rule as add. */
  sub(other: Quantity): Quantity {
    return new Quantity(this.nanos - other.nanos, this.isZero() ? other.format : this.format);
  }

  neg(): Quantity { return new Quantity(-this.nanos, this.format); }

  /** Whole units, rounded up (away from zero). */
  value(): number { return Number(divUp(this.nanos, pow10(NANO))); }

  /** Milli-units, rounded up (away from zero): "100m" is 100, "1" is 1000. */
  milliValue(): number { return Number(divUp(this.nanos, pow10(NANO - 3))); }

  /** Value at scale 10^scale, rounded up: scaledValue(-9) is nanos. */
  scaledValue(scale: number): number { return Number(divUp(this.nanos, pow10(scale + NANO))) ; }

  /** Approximate float value, for ratios and sorting. */
  asNumber(): number { return Number(this.nanos) / 1e9; }

  /** Canonical text. */
  toString(): string {
    if (this.nanos === 0n) return '0';
    const neg = this.nanos < 0n;
    const abs = neg ? -this.nanos : this.nanos;
    let format = this.format;
    if (format === 'BinarySI' && (abs < 1024n * pow10(NANO) || abs % pow10(NANO) !== 0n)) format = 'DecimalSI';
    let text: string;
    if (format === 'BinarySI') {
      let n = abs / pow10(NANO);
      let p = 0;
      while (p < binaryByPow.length - 1 && n % 1024n === 0n) { n /= 1024n; p++; }
      text = n.toString() + binaryByPow[p];
    } else {
      // Largest exponent that is a multiple of 3 and leaves an integer mantissa.
      let n = abs;
      let e = -NANO;
      while (n % 1000n === 0n) { n /= 1000n; e += 3; }
      const suffix = format === 'DecimalSI' && decimalByExp.has(e) ? decimalByExp.get(e)! : e === 0 ? '' : `e${e}`;
      text = n.toString() + suffix;
    }
    return neg ? '-' + text : text;
  }

  /** JSON form is the canonical string, as upstream marshals it. */
  toJSON(): string { return this.toString(); }
}

/** Parses; throws QuantityError. */
export const parseQuantity = (s: string | number): Quantity => Quantity.parse(s);

/** Canonical form of a quantity string ("1000m" -> "1"); throws QuantityError. */
export const canonicalQuantity = (s: string | number): string => Quantity.parse(s).toString();

/** Compares two quantity strings: -1, 0 or 1. */
export const compareQuantities = (a: string | number, b: string | number): number => Quantity.parse(a).cmp(Quantity.parse(b));

/** Milli-value of a quantity string ("250m" -> 250, "2" -> 2000). */
export const milliValue = (s: string | number): number => Quantity.parse(s).milliValue();
