// Whether a write changes anything (upstream skips a write whose object is semantically the
// same): the two objects as JSON would show them — key order and undefined members aside —
// apart from the top-level metadata.resourceVersion and managedFields times. One walk of both,
// stopping at the first difference (the two structured clones and two stringifies this
// replaced were the largest single cost of an update).
import type { KubeObject } from '../../api/resources/resource-def.js';
import { jsonEqual } from '../../api/json/json-equal.js';

export function sameContent(a: KubeObject, b: KubeObject): boolean {
  const am = a.metadata; const bm = b.metadata;
  return jsonEqual(a, b, (holder, k) => (k === 'time' && !!holder.fieldsType) || (k === 'resourceVersion' && (holder === am || holder === bm)));
}
