// Equality of two values as JSON would show them: key order and undefined members aside,
// an undefined array element read as null (as JSON.stringify writes it). Walks both at once
// and stops at the first difference, with no copies and no encoding. `skip(holder, key)`
// leaves a member out on either side (the registry's no-op check ignores some).
type Members = Record<string, unknown>;
export type SkipMember = (holder: Members, key: string) => boolean;

const left = (o: Members, k: string, skip: SkipMember | undefined) => o[k] === undefined || (skip !== undefined && skip(o, k));

export function jsonEqual(x: unknown, y: unknown, skip?: SkipMember): boolean {
  if (x === y) return true;
  if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
  const xa = Array.isArray(x);
  if (xa !== Array.isArray(y)) return false;
  if (xa) {
    const xs = x as unknown[]; const ys = y as unknown[];
    if (xs.length !== ys.length) return false;
    for (let i = 0; i < xs.length; i++) if (!jsonEqual(xs[i] ?? null, ys[i] ?? null, skip)) return false;
    return true;
  }
  const xm = x as Members; const ym = y as Members;
  let n = 0;
  for (const k in xm) {
    if (left(xm, k, skip)) continue;
    n++;
    if (!(k in ym) || left(ym, k, skip) || !jsonEqual(xm[k], ym[k], skip)) return false;
  }
  for (const k in ym) if (!left(ym, k, skip)) n--;
  return n === 0;
}
