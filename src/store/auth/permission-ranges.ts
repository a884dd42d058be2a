// Key-range permission checks with etcd's semantics: a role grants half-open byte intervals
// [key, rangeEnd); a single key is the interval [key, key+"\0"); a rangeEnd of "\0" (or, in
// a request, an empty end on a range) reaches the end of the keyspace. A range request is
// allowed when the union of the user's intervals covers it without a gap; a single-key
// request when some interval contains the key.

/** end === null means "to the end of the keyspace" */
export interface KeyInterval {
  begin: Buffer;
  end: Buffer | null;
}

const ZERO = Buffer.from([0]);

const isOpenEnd = (rangeEnd: Buffer) => rangeEnd.length === 1 && rangeEnd[0] === 0;

/** The interval a stored permission (key, rangeEnd) covers. */
export function permissionInterval(key: Buffer, rangeEnd: Buffer | undefined): KeyInterval {
  if (!rangeEnd || rangeEnd.length === 0) return { begin: key, end: Buffer.concat([key, ZERO]) };
  return { begin: key, end: isOpenEnd(rangeEnd) ? null : rangeEnd };
}

/** Compares two interval ends, where null is greater than every key. */
function compareEnd(a: Buffer | null, b: Buffer | null): number {
  if (a === null) return b === null ? 0 : 1;
  if (b === null) return -1;
  return Buffer.compare(a, b);
}

/** key < end, with null as +infinity */
const before = (key: Buffer, end: Buffer | null) => compareEnd(key, end) < 0;

/** True when some interval contains the single key. */
export function containsKey(intervals: KeyInterval[], key: Buffer): boolean {
  return intervals.some((i) => Buffer.compare(i.begin, key) <= 0 && before(key, i.end));
}

/**
 * True when the intervals that overlap the request join without a gap and reach from at or
 * before its begin to at or past its end (etcd's IntervalTree.Contains).
 */
export function coversRange(intervals: KeyInterval[], req: KeyInterval): boolean {
  const overlapping = intervals
    .filter((i) => before(i.begin, req.end) && before(req.begin, i.end))
    .sort((a, b) => Buffer.compare(a.begin, b.begin));
  if (overlapping.length === 0) return false;
  let reach = overlapping[0].end;
  for (const i of overlapping.slice(1)) {
    if (compareEnd(reach, i.begin) < 0) return false;
    if (compareEnd(i.end, reach) > 0) reach = i.end;
  }
  return Buffer.compare(overlapping[0].begin, req.begin) <= 0 && compareEnd(reach, req.end) >= 0;
}

/** The interval a request (key, rangeEnd) asks for; undefined for a single key. */
export function requestInterval(key: Buffer, rangeEnd: Buffer | undefined): KeyInterval | undefined {
  if (!rangeEnd || rangeEnd.length === 0) return undefined;
  return { begin: key, end: isOpenEnd(rangeEnd) ? null : rangeEnd };
}
