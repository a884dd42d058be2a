// A bitmap of taken offsets kept in the store as a v1 RangeAllocation (upstream's
// /registry/ranges/serviceips and servicenodeports). Every change is a compare-and-swap on
// the key's revision, so two API servers (or two concurrent creates) never hand out the same offset.
import type { ObjectStore } from '../storage/object-store.js';

export class RangeFullError extends Error {}
export class AlreadyAllocatedError extends Error {}

const isTaken = (bits: Buffer, i: number) => (bits[i >> 3] & (1 << (i & 7))) !== 0;

export class RangeAllocator {
  constructor(private readonly store: ObjectStore, private readonly key: string, readonly size: number, private readonly rangeText: string) {}

  private async read() {
    const cur = await this.store.get(this.key);
    const bits = Buffer.alloc(Math.ceil(this.size / 8));
    if (cur?.obj.data) Buffer.from(cur.obj.data, 'base64').copy(bits);
    return { cur, bits };
  }

  /** A free offset (from a random point), not counting `also`; throws RangeFullError. */
  private pick(bits: Buffer, also: Set<number> = new Set()): number {
    const start = Math.floor(Math.random() * this.size);
    for (let n = 0; n < this.size; n++) { const i = (start + n) % this.size; if (!isTaken(bits, i) && !also.has(i)) return i; }
    throw new RangeFullError('range is full');
  }

  private async mutate(change: (bits: Buffer) => number): Promise<number> {
    for (;;) {
      const { cur, bits } = await this.read();
      const result = change(bits);
      const obj = { kind: 'RangeAllocation', apiVersion: 'v1', metadata: { creationTimestamp: null }, range: this.rangeText, data: bits.toString('base64') };
      const rev = cur ? await this.store.update(this.key, obj, cur.modRevision) : await this.store.create(this.key, obj);
      if (rev !== undefined) return result;
    }
  }

  /** Takes a free offset (scanning from a random point) or the given one. */
  allocate(wanted?: number): Promise<number> {
    return this.mutate((bits) => {
      if (wanted !== undefined) this.checkFree(bits, wanted);
      const pick = wanted ?? this.pick(bits);
      bits[pick >> 3] |= 1 << (pick & 7);
      return pick;
    });
  }

  private checkFree(bits: Buffer, wanted: number): void {
    if (wanted < 0 || wanted >= this.size) throw new RangeError(`not in the range ${this.rangeText}`);
    if (isTaken(bits, wanted)) throw new AlreadyAllocatedError('provided port is already allocated');
  }

  /** What allocate() would hand out, without taking it (dry run). */
  async peek(also?: Set<number>): Promise<number> {
    return this.pick((await this.read()).bits, also);
  }

  /** Throws as allocate(wanted) would, without taking it (dry run). */
  async check(wanted: number): Promise<void> {
    this.checkFree((await this.read()).bits, wanted);
  }

  async release(offset: number): Promise<void> {
    if (offset < 0 || offset >= this.size) return;
    await this.mutate((bits) => { bits[offset >> 3] &= ~(1 << (offset & 7)); return offset; });
  }
}
