// metadata the server owns: uid, timestamps, generated names, generation.
import { randomFillSync, randomUUID } from 'node:crypto';
import type { KubeObject } from '../../api/resources/resource-def.js';

/** RFC 3339 with second precision, as metav1.Time marshals (made once per second: every write stamps one or two). */
let lastSecond = NaN;
let lastText = '';
export function nowTimestamp(d?: Date): string {
  const second = Math.floor((d ? d.getTime() : Date.now()) / 1000);
  if (second !== lastSecond) {
    lastText = new Date(second * 1000).toISOString().replace(/\.000Z$/, 'Z');
    lastSecond = second;
  }
  return lastText;
}

const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** Random bytes drawn in blocks: one system call per 800 names instead of one per name. */
const pool = Buffer.alloc(4000);
let used = pool.length;

/** upstream's SimpleNameGenerator: prefix (cut to fit 63) + 5 random characters. */
export function generateName(base: string): string {
  const prefix = base.length > 58 ? base.slice(0, 58) : base;
  if (used + 5 > pool.length) { randomFillSync(pool); used = 0; }
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += ALPHABET[pool[used++] % ALPHABET.length];
  return prefix + suffix;
}

export function fillCreateMeta(obj: KubeObject, tracksGeneration: boolean): void {
  const m = (obj.metadata ??= {});
  m.uid = randomUUID();
  m.creationTimestamp = nowTimestamp();
  delete m.deletionTimestamp;
  delete m.deletionGracePeriodSeconds;
  delete m.selfLink;
  if (tracksGeneration) m.generation = 1;
  else delete m.generation;
}

/** Fields a client may not change on update: taken from the stored object. */
export function keepServerMeta(next: KubeObject, old: KubeObject): void {
  const m = (next.metadata ??= {});
  const o = old.metadata ?? {};
  m.uid = o.uid;
  m.creationTimestamp = o.creationTimestamp;
  m.name = o.name;
  if (o.namespace) m.namespace = o.namespace;
  if (o.deletionTimestamp) m.deletionTimestamp = o.deletionTimestamp; else delete m.deletionTimestamp;
  if (o.deletionGracePeriodSeconds !== undefined) m.deletionGracePeriodSeconds = o.deletionGracePeriodSeconds; else delete m.deletionGracePeriodSeconds;
  if (o.generation !== undefined) m.generation = o.generation; else delete m.generation;
  if (!m.managedFields && o.managedFields) m.managedFields = o.managedFields;
}
