// A list's or a watch's selector check, built once per request and run on every object (a
// watch runs it twice per event: before and after): reads only the fields its field selector
// names, not every field the resource offers (ten for pods).
import type { KubeObject, ResourceDef } from '../../api/resources/resource-def.js';
import type { FieldSelector, LabelSelector } from '../../api/selectors/index.js';
import { objectFieldSet } from '../../api/selectors/field-selector.js';

export function selectorMatcher(def: ResourceDef, opts: { labelSelector?: LabelSelector; fieldSelector?: FieldSelector }): (o: KubeObject | undefined) => o is KubeObject {
  const labels = opts.labelSelector && !opts.labelSelector.isEmpty() ? opts.labelSelector : undefined;
  const terms = (opts.fieldSelector?.terms ?? []).map((t) => {
    const read = def.fieldSelectors?.[t.field];
    const value = read ? (o: KubeObject) => read(o) ?? ''
      : t.field === 'metadata.name' || t.field === 'metadata.namespace' ? (o: KubeObject) => objectFieldSet(o, [t.field])[t.field]
        : () => '';
    return { value, want: t.value, equal: t.operator === '=' };
  });
  return (o): o is KubeObject => {
    if (!o) return false;
    if (labels && !labels.matches(o.metadata?.labels ?? {})) return false;
    for (const t of terms) if ((t.value(o) === t.want) !== t.equal) return false;
    return true;
  };
}
