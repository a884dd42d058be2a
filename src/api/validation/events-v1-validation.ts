// events.k8s.io/v1 creates: the fields upstream requires of new-style events
// (ValidateEventCreate for v1), checked on the stored core form, reported with the
// events.k8s.io field names.
import type { KubeObject } from '../resources/resource-def.js';
import { type FieldError, invalid, notSupported, required, tooLong } from '../status/index.js';

const NOTE_MAX = 1024;

export function validateEventsV1(core: KubeObject, old?: KubeObject): FieldError[] {
  if (old) return [];
  const errs: FieldError[] = [];
  if (!core.eventTime) errs.push(required('eventTime'));
  if (core.series && !(core.series.count >= 2)) errs.push(invalid('series.count', core.series.count ?? 0, 'should be at least 2'));
  if (!core.reportingComponent) errs.push(required('reportingController'));
  if (!core.reportingInstance) errs.push(required('reportingInstance'));
  if (!core.action) errs.push(required('action'));
  if (!core.reason) errs.push(required('reason'));
  if (core.type !== 'Normal' && core.type !== 'Warning') errs.push(notSupported('type', core.type ?? '', ['Normal', 'Warning']));
  if (typeof core.message === 'string' && Buffer.byteLength(core.message) > NOTE_MAX) errs.push(tooLong('note', NOTE_MAX));
  for (const f of ['count', 'firstTimestamp', 'lastTimestamp']) {
    if (core[f]) errs.push(invalid(`deprecated${f[0].toUpperCase()}${f.slice(1)}`, core[f], 'needs to be unset'));
  }
  if (core.source && (core.source.component || core.source.host)) errs.push(invalid('deprecatedSource', core.source, 'needs to be unset'));
  return errs;
}
