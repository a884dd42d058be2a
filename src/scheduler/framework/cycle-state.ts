// Per-pod, per-cycle scratch space: a plugin computes data once (PreFilter, PreScore) and
// reads it back in Filter and Score. Preemption clones it to simulate removing victims.

export interface StateData {
  /** Deep enough copy for preemption's what-if runs. */
  clone(): StateData;
}

export class CycleState {
  private readonly data = new Map<string, StateData>();
  /** Plugins that returned Skip at PreFilter / PreScore: their Filter / Score are not run. */
  readonly skipFilter = new Set<string>();
  readonly skipScore = new Set<string>();
  /** Whether this cycle's plugin executions are timed (a sample of cycles, as upstream). */
  recordPluginMetrics = false;
  /** The Filter plugins this cycle runs (the framework's, less skipFilter), worked out on the first Filter call. */
  filterPlugins?: readonly unknown[];

  read<T extends StateData>(key: string): T | undefined { return this.data.get(key) as T | undefined; }
  write(key: string, value: StateData): void { this.data.set(key, value); }

  clone(): CycleState {
    const c = new CycleState();
    for (const [k, v] of this.data) c.data.set(k, v.clone());
    for (const s of this.skipFilter) c.skipFilter.add(s);
    for (const s of this.skipScore) c.skipScore.add(s);
    c.recordPluginMetrics = this.recordPluginMetrics;
    return c;
  }
}
