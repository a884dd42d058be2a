// Whether a write changes anything (upstream skips a write whose object is semantically the
// same): the two objects as JSON would show them — key order and undefined members aside —
// apart from metadata.resourceVersion and managedFields times. Walks both at once and stops at
// the first difference: no copies and no encoding (the two structured clones and two
// stringifies this replaced were the largest single cost of an update).
import type { KubeObject } from '../../api/resources/resource-def.js';

type Members = Record<string, unknown>;

export function sameContent(a: KubeObject, b: KubeObject): boolean {
  return sameMembers(a as Members, b as Members, 'top');
}

/** What a level leaves out: the top level's metadata.resourceVersion, a managedFields entry's time. */
type Level = 'top' | 'metadata' | 'inner';

function skipped(o: Members, k: string, level: Level): boolean {
  if (o[k] === undefined) return true;
  if (level === 'metadata') return k === 'resourceVersion';
  return k === 'time' && !!o.fieldsType;
}

function sameMembers(x: Members, y: Members, level: Level): boolean {
  let n = 0;
  for (const k in x) {
    if (skipped(x, k, level)) continue;
    n++;
    if (!(k in y) || skipped(y, k, level)) return false;
    if (!sameValue(x[k], y[k], level === 'top' && k === 'metadata' ? 'metadata' : 'inner')) return false;
  }
  for (const k in y) if (!skipped(y, k, level)) n--;
  return n === 0;
}

function sameValue(x: unknown, y: unknown, level: Level): boolean {
  if (x === y) return true;
  if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
  const xa = Array.isArray(x);
  if (xa !== Array.isArray(y)) return false;
  if (!xa) return sameMembers(x as Members, y as Members, level);
  const xs = x as unknown[]; const ys = y as unknown[];
  if (xs.length !== ys.length) return false;
  // JSON writes an undefined element as null.
  for (let i = 0; i < xs.length; i++) if (!sameValue(xs[i] ?? null, ys[i] ?? null, 'inner')) return false;
  return true;
}
