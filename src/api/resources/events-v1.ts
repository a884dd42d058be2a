// events.k8s.io/v1 events: the same objects as core/v1 events (same etcd keys, same TTL),
// served in the newer shape through a conversion.
import { type ResourceDef } from './resource-def.js';
import { eventToEventsV1, eventsV1ToCore } from './event-conversion.js';
import { eventTable } from '../tables/event-table.js';
import { validateEventsV1 } from '../validation/events-v1-validation.js';

export const eventsV1Events: ResourceDef = {
  group: 'events.k8s.io', version: 'v1', kind: 'Event', plural: 'events', singular: 'event', namespaced: true, shortNames: ['ev'],
  ttl: 'event', validate: validateEventsV1,
  convert: { fromStorage: eventToEventsV1, toStorage: eventsV1ToCore },
  table: { columns: eventTable.columns, cells: (o, now) => eventTable.cells(eventsV1ToCore(o), now) },
  fieldSelectors: {
    'regarding.kind': (o) => o.regarding?.kind ?? '',
    'regarding.namespace': (o) => o.regarding?.namespace ?? '',
    'regarding.name': (o) => o.regarding?.name ?? '',
    'regarding.uid': (o) => o.regarding?.uid ?? '',
    'regarding.apiVersion': (o) => o.regarding?.apiVersion ?? '',
    'regarding.resourceVersion': (o) => o.regarding?.resourceVersion ?? '',
    'regarding.fieldPath': (o) => o.regarding?.fieldPath ?? '',
    reason: (o) => o.reason ?? '',
    reportingController: (o) => o.reportingController ?? '',
    type: (o) => o.type ?? '',
  },
};

export const eventsV1: ResourceDef[] = [eventsV1Events];
