// events.k8s.io/v1 Event ↔ core/v1 Event: both are stored as the core form at
// /registry/events/NS/NAME, as upstream does. The renamed fields: regarding↔involvedObject,
// note↔message, reportingController↔reportingComponent, deprecatedSource↔source,
// deprecatedFirstTimestamp/LastTimestamp/Count↔firstTimestamp/lastTimestamp/count.
import type { KubeObject } from './resource-def.js';

const RENAMES: Array<[events: string, core: string]> = [
  ['regarding', 'involvedObject'], ['note', 'message'], ['reportingController', 'reportingComponent'],
  ['deprecatedSource', 'source'], ['deprecatedFirstTimestamp', 'firstTimestamp'], ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
];

function rename(obj: KubeObject, pairs: Array<[string, string]>, apiVersion: string): KubeObject {
  const out: KubeObject = { ...obj, apiVersion, kind: 'Event' };
  for (const [from, to] of pairs) {
    delete out[from];
    if (obj[from] !== undefined) out[to] = obj[from];
  }
  return out;
}

/** A core/v1 Event as events.k8s.io/v1 serves it (a new object; metadata is shared). */
export function eventToEventsV1(core: KubeObject): KubeObject {
  return rename(core, RENAMES.map(([e, c]) => [c, e]), 'events.k8s.io/v1');
}

/** An events.k8s.io/v1 Event in the stored core/v1 form. */
export function eventsV1ToCore(ev: KubeObject): KubeObject {
  return rename(ev, RENAMES, 'v1');
}
