// Template hashes for pod-template-hash and controller-revision-hash labels: FNV-1a (32 bit)
// over the object's canonical JSON plus the collision count, spelled with upstream's
// SafeEncodeString alphabet (no vowels, no look-alike characters).
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().filter((k) => (v as any)[k] !== undefined && (v as any)[k] !== null).map((k) => `${JSON.stringify(k)}:${canonical((v as any)[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

export function fnv32a(s: string): number {
  let h = 0x811c9dc5;
  const bytes = Buffer.from(s, 'utf8');
  for (const b of bytes) { h ^= b; h = Math.imul(h, 0x01000193) >>> 0; }
  return h >>> 0;
}

export function safeEncode(s: string): string {
  return [...Buffer.from(s)].map((b) => ALPHANUMS[b % ALPHANUMS.length]).join('');
}

export function computeHash(obj: unknown, collisionCount?: number): string {
  let s = canonical(obj);
  if (collisionCount) s += `#${collisionCount}`;
  return safeEncode(String(fnv32a(s)));
}

const present = (o: object): string[] => Object.keys(o).filter((k) => (o as any)[k] !== undefined && (o as any)[k] !== null);

/**
 * Whether two JSON values are equal as their canonical forms are (key order does not count,
 * keys holding null or undefined are as absent), compared in place: a deployment sync
 * compares its template with every ReplicaSet's several times, and encoding both each time
 * was most of the controller's own CPU.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = present(a);
    if (ka.length !== present(b).length) return false;
    for (const k of ka) if (!deepEqual((a as any)[k], (b as any)[k])) return false;
    return true;
  }
  return JSON.stringify(a) === JSON.stringify(b);
}
