// Upstream's watch-cache triggers: a resource may name one field its watchers commonly pin
// with an exact field selector (pods: spec.nodeName, what every kubelet watches). The cache
// then hands an event only to the watchers pinned to the event's old or new value (plus the
// unpinned ones), so 5,000 kubelets' watches cost a map lookup per event, not 5,000 filters.
import type { KubeObject, ResourceDef } from '../../api/resources/resource-def.js';

export interface WatchTrigger {
  field: string;
  read: (obj: KubeObject) => string;
}

const TRIGGER_FIELDS: Record<string, string> = { '/pods': 'spec.nodeName' };

/** The field def's watch cache indexes its watchers by, if any. */
export function watchTrigger(def: ResourceDef): WatchTrigger | undefined {
  const field = TRIGGER_FIELDS[`${def.group}/${def.plural}`];
  const read = field ? def.fieldSelectors?.[field] : undefined;
  return field && read ? { field, read: (o) => read(o) ?? '' } : undefined;
}
