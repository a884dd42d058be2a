// kubectl get events: LAST SEEN TYPE REASON OBJECT MESSAGE (+ subobject, source, first seen, count, name).
import type { TableDef } from './table-def.js';
import { col } from './columns.js';
import { humanDuration } from './human-duration.js';

const since = (ts: string | undefined, now: Date) => ts ? humanDuration(now.getTime() - Date.parse(ts)) : '<unknown>';

export const eventTable: TableDef = {
  columns: [
    col('Last Seen', 'string', 0, 'The time at which the most recent occurrence of this event was recorded.'),
    col('Type', 'string', 0, 'Type of this event (Normal, Warning), new types could be added in the future.'),
    col('Reason', 'string', 0, 'This should be a short, machine understandable string that gives the reason for the transition into the object\'s current status.'),
    col('Object', 'string', 0, 'The object that this event is about.'),
    col('Subobject', 'string', 1, 'The field path of the object.'),
    col('Source', 'string', 1, 'The component reporting this event.'),
    col('Message', 'string', 0, 'A human-readable description of the status of this operation.'),
    col('First Seen', 'string', 1, 'The time at which the event was first recorded.'),
    col('Count', 'string', 1, 'The number of times this event has occurred.'),
    col('Name', 'string', 1, 'Name must be unique within a namespace.'),
  ],
  cells: (o, now) => {
    const last = o.series?.lastObservedTime ?? o.lastTimestamp ?? o.eventTime ?? o.metadata?.creationTimestamp;
    const first = o.firstTimestamp ?? o.eventTime ?? o.metadata?.creationTimestamp;
    const io = o.involvedObject ?? {};
    const source = o.source?.component ? [o.source.component, o.source.host].filter(Boolean).join(', ') : (o.reportingComponent ?? '');
    return [since(last, now), o.type ?? '', o.reason ?? '', `${String(io.kind ?? '').toLowerCase()}/${io.name ?? ''}`,
      io.fieldPath ?? '', source, String(o.message ?? '').trim(), since(first, now), String(o.count ?? 1), o.metadata?.name];
  },
};
