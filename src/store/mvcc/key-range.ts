// etcd's key range conventions, on latin1 key strings: an empty range_end means the single
// key, range_end "\0" means every key >= key, and key "\0" with range_end "\0" means all.

export interface KeyRange {
  start: string;
  /** undefined: single key; '': to the end of the keyspace; otherwise exclusive end */
  end: string | undefined;
}

export function toKeyRange(key: Buffer, rangeEnd?: Buffer): KeyRange {
  const start = key.toString('latin1');
  if (!rangeEnd || rangeEnd.length === 0) return { start, end: undefined };
  if (rangeEnd.length === 1 && rangeEnd[0] === 0) return { start, end: '' };
  return { start, end: rangeEnd.toString('latin1') };
}

export function inRange(r: KeyRange, key: string): boolean {
  if (r.end === undefined) return key === r.start;
  if (key < r.start) return false;
  return r.end === '' || key < r.end;
}
