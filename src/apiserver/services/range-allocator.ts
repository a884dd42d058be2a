// A bitmap of taken offsets kept in the store as a v1 RangeAllocation (upstream's
// /registry/ranges/serviceips and servicenodeports). Every change is a compare-and-swap on
// the key's revision, so two API servers (or two concurrent creates) never hand out the same offset.
import type { ObjectStore } from '../storage/object-store.js';

export class RangeFullError extends Error {}
export class AlreadyAllocatedError extends Error {}

export class RangeAllocator {
  constructor(private readonly store: ObjectStore, private readonly key: string, readonly size: number, private readonly rangeText: string) {}

  private async mutate(change: (bits: Buffer) => number): Promise<number> {
    for (;;) {
      const cur = await this.store.get(this.key);
      const bits = Buffer.alloc(Math.ceil(this.size / 8));
      if (cur?.obj.data) Buffer.from(cur.obj.data, 'base64').copy(bits);
      const result = change(bits);
      const obj = { kind: 'RangeAllocation', apiVersion: 'v1', metadata: { creationTimestamp: null }, range: this.rangeText, data: bits.toString('base64') };
      const rev = cur ? await this.store.update(this.key, obj, cur.modRevision) : await this.store.create(this.key, obj);
      if (rev !== undefined) return result;
    }
  }

  /** Takes a free offset (scanning from a random point) or the given one. */
  allocate(wanted?: number): Promise<number> {
    return this.mutate((bits) => {
      const taken = (i: number) => (bits[i >> 3] & (1 << (i & 7))) !== 0;
      let pick = -1;
      if (wanted !== undefined) {
        if (wanted < 0 || wanted >= this.size) throw new RangeError(`not in the range ${this.rangeText}`);
        if (taken(wanted)) throw new AlreadyAllocatedError('provided port is already allocated');
        pick = wanted;
      } else {
        const start = Math.floor(Math.random() * this.size);
        for (let n = 0; n < this.size; n++) { const i = (start + n) % this.size; if (!taken(i)) { pick = i; break; } }
        if (pick < 0) throw new RangeFullError(`range is full`);
      }
      bits[pick >> 3] |= 1 << (pick & 7);
      return pick;
    });
  }

  async release(offset: number): Promise<void> {
    if (offset < 0 || offset >= this.size) return;
    await this.mutate((bits) => { bits[offset >> 3] &= ~(1 << (offset & 7)); return offset; });
  }
}
