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

export function deepEqual(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}
