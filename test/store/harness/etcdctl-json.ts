// Parsing `etcdctl -w json` output: keys and values are base64, ids are numbers that may
// exceed 2^53 (so they are only checked for shape, never compared).
export interface JsonKv {
  key: string;
  value?: string;
  create_revision: number;
  mod_revision: number;
  version: number;
  lease?: number;
}

export interface JsonHeader {
  cluster_id: number;
  member_id: number;
  revision: number;
  raft_term: number;
}

export interface JsonRange {
  header: JsonHeader;
  kvs?: JsonKv[];
  more?: boolean;
  count?: number;
}

const b64 = (s: string): string => Buffer.from(s, 'base64').toString('utf8');

/** Parses one JSON document from etcdctl and decodes base64 key/value fields in kvs. */
export function parseJson<T = JsonRange>(stdout: string): T {
  const doc = JSON.parse(stdout) as Record<string, unknown>;
  decodeKvs(doc);
  return doc as T;
}

function decodeKvs(node: unknown): void {
  if (Array.isArray(node)) {
    node.forEach(decodeKvs);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const obj = node as Record<string, unknown>;
  for (const [k, v] of Object.entries(obj)) {
    if ((k === 'kvs' || k === 'prev_kvs') && Array.isArray(v)) {
      for (const kv of v as Record<string, unknown>[]) {
        if (typeof kv.key === 'string') kv.key = b64(kv.key);
        if (typeof kv.value === 'string') kv.value = b64(kv.value);
      }
    } else if ((k === 'kv' || k === 'prev_kv') && v && typeof v === 'object') {
      const kv = v as Record<string, unknown>;
      if (typeof kv.key === 'string') kv.key = b64(kv.key);
      if (typeof kv.value === 'string') kv.value = b64(kv.value);
    } else {
      decodeKvs(v);
    }
  }
}

/** Lines of etcdctl's simple output with the trailing newline dropped. */
export function lines(stdout: string): string[] {
  const out = stdout.split('\n');
  if (out.at(-1) === '') out.pop();
  return out;
}

/** Simple `get` output ("key\nvalue\n" pairs) as [key, value] tuples. */
export function pairs(stdout: string): [string, string][] {
  const l = lines(stdout);
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < l.length; i += 2) out.push([l[i]!, l[i + 1]!]);
  return out;
}

/** Asserts a header has the shape etcd gives it (ids are positive, revision a number). */
export function isHeader(h: unknown): h is JsonHeader {
  if (!h || typeof h !== 'object') return false;
  const x = h as Record<string, unknown>;
  return (
    typeof x.cluster_id === 'number' && x.cluster_id > 0 &&
    typeof x.member_id === 'number' && x.member_id > 0 &&
    typeof x.revision === 'number' && x.revision >= 1 &&
    typeof x.raft_term === 'number' && x.raft_term >= 1
  );
}
