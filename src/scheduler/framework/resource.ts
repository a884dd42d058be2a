// Amounts of the resources the scheduler counts: cpu in millicores, memory and
// ephemeral-storage in bytes, a pod count, and extended ("scalar") resources by name.
import { Quantity } from '../../api/quantity/index.js';

export const CPU = 'cpu';
export const MEMORY = 'memory';
export const EPHEMERAL_STORAGE = 'ephemeral-storage';
export const PODS = 'pods';

export class Resource {
  milliCPU = 0;
  memory = 0;
  ephemeralStorage = 0;
  allowedPodNumber = 0;
  readonly scalar = new Map<string, number>();

  /** From a ResourceList ({cpu: "500m", memory: "1Gi", ...}). */
  static fromList(list: Record<string, string | number> | undefined): Resource {
    const r = new Resource();
    for (const [name, q] of Object.entries(list ?? {})) r.set(name, amount(name, q));
    return r;
  }

  get(name: string): number {
    switch (name) {
      case CPU: return this.milliCPU;
      case MEMORY: return this.memory;
      case EPHEMERAL_STORAGE: return this.ephemeralStorage;
      case PODS: return this.allowedPodNumber;
      default: return this.scalar.get(name) ?? 0;
    }
  }

  set(name: string, v: number): void {
    switch (name) {
      case CPU: this.milliCPU = v; break;
      case MEMORY: this.memory = v; break;
      case EPHEMERAL_STORAGE: this.ephemeralStorage = v; break;
      case PODS: this.allowedPodNumber = v; break;
      default: this.scalar.set(name, v);
    }
  }

  add(o: Resource, sign = 1): void {
    this.milliCPU += sign * o.milliCPU;
    this.memory += sign * o.memory;
    this.ephemeralStorage += sign * o.ephemeralStorage;
    this.allowedPodNumber += sign * o.allowedPodNumber;
    for (const [k, v] of o.scalar) this.scalar.set(k, (this.scalar.get(k) ?? 0) + sign * v);
  }

  /** Per-resource maximum, in place. */
  setMax(o: Resource): void {
    this.milliCPU = Math.max(this.milliCPU, o.milliCPU);
    this.memory = Math.max(this.memory, o.memory);
    this.ephemeralStorage = Math.max(this.ephemeralStorage, o.ephemeralStorage);
    for (const [k, v] of o.scalar) this.scalar.set(k, Math.max(this.scalar.get(k) ?? 0, v));
  }

  clone(): Resource {
    const r = new Resource();
    r.add(this);
    return r;
  }

  isZero(): boolean {
    return this.milliCPU === 0 && this.memory === 0 && this.ephemeralStorage === 0 && [...this.scalar.values()].every((v) => v === 0);
  }

  names(): string[] {
    return [CPU, MEMORY, EPHEMERAL_STORAGE, ...this.scalar.keys()];
  }
}

/** cpu in millicores, everything else in whole units. Unparseable quantities count as 0 (the API server validated them). */
export function amount(name: string, q: string | number): number {
  try {
    const parsed = Quantity.parse(q);
    return name === CPU ? parsed.milliValue() : parsed.value();
  } catch {
    return 0;
  }
}
