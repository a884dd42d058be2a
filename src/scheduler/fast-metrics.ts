// Histograms and counters for the scheduling hot path. prom-client validates and hashes the
// label object on every observe, which cost more than the filters being timed; here a
// child per label set is looked up once and then observes with a bucket scan and two adds.
// They register into a prom-client Registry like its own metrics and print the same text.
import type { Registry } from 'prom-client';

interface Value { labels: Record<string, string | number>; value: number; metricName?: string }

export class HistogramChild {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(private readonly bounds: number[], readonly labels: Record<string, string>) {
    this.counts = new Float64Array(bounds.length);
  }

  observe(v: number): void {
    const b = this.bounds;
    for (let i = 0; i < b.length; i++) {
      if (v <= b[i]) { this.counts[i]++; break; }
    }
    this.sum += v;
    this.count++;
  }
}

export class FastHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly children = new Map<string, HistogramChild>();

  constructor(readonly name: string, readonly help: string, readonly labelNames: string[], readonly buckets: number[], registry: Registry) {
    registry.registerMetric(this as any);
  }

  /** The series for these label values (in labelNames order); keep it for repeated use. */
  labels(...values: string[]): HistogramChild {
    const key = values.join('\u0000');
    let c = this.children.get(key);
    if (!c) this.children.set(key, c = new HistogramChild(this.buckets, Object.fromEntries(this.labelNames.map((n, i) => [n, values[i]]))));
    return c;
  }

  observe(v: number): void { this.labels().observe(v); }

  get(): { name: string; help: string; type: string; values: Value[]; aggregator: string } {
    const values: Value[] = [];
    for (const c of this.children.values()) {
      let acc = 0;
      this.buckets.forEach((le, i) => {
        acc += c.counts[i];
        values.push({ labels: { ...c.labels, le }, value: acc, metricName: `${this.name}_bucket` });
      });
      values.push({ labels: { ...c.labels, le: '+Inf' }, value: c.count, metricName: `${this.name}_bucket` });
      values.push({ labels: c.labels, value: c.sum, metricName: `${this.name}_sum` });
      values.push({ labels: c.labels, value: c.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}

export class CounterChild {
  value = 0;
  constructor(readonly labels: Record<string, string>) {}
  inc(n = 1): void { this.value += n; }
}

export class FastCounter {
  readonly type = 'counter';
  readonly aggregator = 'sum';
  private readonly children = new Map<string, CounterChild>();

  constructor(readonly name: string, readonly help: string, readonly labelNames: string[], registry: Registry) {
    registry.registerMetric(this as any);
  }

  labels(...values: string[]): CounterChild {
    const key = values.join('\u0000');
    let c = this.children.get(key);
    if (!c) this.children.set(key, c = new CounterChild(Object.fromEntries(this.labelNames.map((n, i) => [n, values[i]]))));
    return c;
  }

  get(): { name: string; help: string; type: string; values: Value[]; aggregator: string } {
    return { name: this.name, help: this.help, type: this.type, values: [...this.children.values()].map((c) => ({ labels: c.labels, value: c.value })), aggregator: this.aggregator };
  }
}
