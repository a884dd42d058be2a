// Counts keyed by topology pair (topologyKey -> value -> n), with cheap copies for
// preemption's what-if runs.

export class TopologyCounts {
  readonly byKey = new Map<string, Map<string, number>>();

  add(key: string, value: string, n: number): void {
    let m = this.byKey.get(key);
    if (!m) this.byKey.set(key, m = new Map());
    const v = (m.get(value) ?? 0) + n;
    if (v === 0) m.delete(value); else m.set(value, v);
  }

  get(key: string, value: string | undefined): number {
    return value === undefined ? 0 : this.byKey.get(key)?.get(value) ?? 0;
  }

  /** Any count > 0 at one of the node's own topology pairs. */
  hitsNode(labels: Record<string, string>): boolean {
    for (const [key, m] of this.byKey) {
      const v = labels[key];
      if (v !== undefined && (m.get(v) ?? 0) > 0) return true;
    }
    return false;
  }

  isEmpty(): boolean {
    for (const m of this.byKey.values()) if (m.size) return false;
    return true;
  }

  clone(): TopologyCounts {
    const c = new TopologyCounts();
    for (const [k, m] of this.byKey) c.byKey.set(k, new Map(m));
    return c;
  }
}
