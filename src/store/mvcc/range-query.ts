// A Range request evaluated the way etcd's apply layer does it: fetch from the index
// (one extra for the `more` flag when no sort or filter needs everything), drop by the
// min/max revision filters, sort, cut to the limit. `count` is the number of keys in the
// range before the filters, as etcd reports it.
import type { RangeOptions } from '../kv-store.js';
import type { KeyValue } from './key-value.js';
import { liveAt } from './key-history.js';
import { toKeyRange } from './key-range.js';
import type { TreeIndex } from './tree-index.js';

export type RecordReader = (main: number, sub: number) => KeyValue;

export function rangeQuery(
  index: TreeIndex,
  read: RecordReader,
  opts: RangeOptions,
  atRev: number,
): { kvs: KeyValue[]; count: number; more: boolean } {
  const { start, end } = toKeyRange(opts.key, opts.rangeEnd);
  const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
  const sortOrder = opts.sortOrder ?? 'NONE';
  const sortTarget = opts.sortTarget ?? 'KEY';
  const filtered = !!(opts.minModRevision || opts.maxModRevision || opts.minCreateRevision || opts.maxCreateRevision);
  const needsAll = sortOrder !== 'NONE' || filtered || (sortTarget !== 'KEY' && sortOrder === 'NONE');
  const fetchLimit = needsAll || limit === 0 ? 0 : limit + 1;

  let count = 0;
  const revs: Array<{ main: number; sub: number }> = [];
  index.forRange(start, end, (_key, h) => {
    const r = liveAt(h, atRev);
    if (!r) return;
    count++;
    if (opts.countOnly) return;
    if (fetchLimit === 0 || revs.length < fetchLimit) revs.push(r);
  });
  if (opts.countOnly) return { kvs: [], count, more: false };

  let kvs = revs.map((r) => read(r.main, r.sub));
  if (filtered) {
    kvs = kvs.filter(
      (kv) =>
        (!opts.minModRevision || kv.mod_revision >= opts.minModRevision) &&
        (!opts.maxModRevision || kv.mod_revision <= opts.maxModRevision) &&
        (!opts.minCreateRevision || kv.create_revision >= opts.minCreateRevision) &&
        (!opts.maxCreateRevision || kv.create_revision <= opts.maxCreateRevision),
    );
  }
  // etcd sorts ascending by default when the target is not the key (already key order).
  const order = sortTarget !== 'KEY' && sortOrder === 'NONE' ? 'ASCEND' : sortOrder;
  if (order !== 'NONE') {
    const cmp = comparator(sortTarget);
    kvs.sort(order === 'ASCEND' ? cmp : (a, b) => cmp(b, a));
  }
  let more = false;
  if (limit > 0 && kvs.length > limit) {
    kvs = kvs.slice(0, limit);
    more = true;
  }
  if (opts.keysOnly) kvs = kvs.map((kv) => ({ ...kv, value: Buffer.alloc(0) }));
  return { kvs, count, more };
}

function comparator(target: NonNullable<RangeOptions['sortTarget']>): (a: KeyValue, b: KeyValue) => number {
  switch (target) {
    case 'VERSION':
      return (a, b) => a.version - b.version;
    case 'CREATE':
      return (a, b) => a.create_revision - b.create_revision;
    case 'MOD':
      return (a, b) => a.mod_revision - b.mod_revision;
    case 'VALUE':
      return (a, b) => Buffer.compare(a.value, b.value);
    default:
      return (a, b) => Buffer.compare(a.key, b.key);
  }
}
