// A small durable name → bytes map for other subsystems (alarms, member identity, auth,
// v2 keys), kept in the store's backend so it survives restarts and rides in snapshots.
import type { Backend } from '../backend/backend.js';

const PREFIX = 'm/';

export class MetaMap {
  constructor(private readonly backend: Backend) {}

  get(name: string): Buffer | undefined {
    return this.backend.get('meta', Buffer.from(PREFIX + name));
  }

  /** resolves once the value is on disk */
  async put(name: string, value: Buffer): Promise<void> {
    this.backend.put('meta', Buffer.from(PREFIX + name), value);
    await this.backend.commit();
  }

  async delete(name: string): Promise<void> {
    this.backend.delete('meta', Buffer.from(PREFIX + name));
    await this.backend.commit();
  }

  /** every entry whose name starts with `prefix`, sorted by name */
  list(prefix: string): [string, Buffer][] {
    const from = Buffer.from(PREFIX + prefix);
    const out: [string, Buffer][] = [];
    for (const { key, value } of this.backend.scan('meta', from)) {
      if (!key.subarray(0, from.length).equals(from)) break;
      out.push([key.subarray(PREFIX.length).toString(), value]);
    }
    return out;
  }
}
