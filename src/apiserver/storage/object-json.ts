// Objects as JSON text, made once per write and reused: the value stored in etcd, the body
// of the write's response, every watcher's event and every list from the watch cache are the
// same text with metadata.resourceVersion spliced in, instead of a parse and a stringify each.
// Stored values are written with upstream's top-level order (kind, apiVersion, metadata, then
// the rest) and no resourceVersion (it is the key's revision), so the splice point is known.
import type { KubeObject } from '../../api/resources/resource-def.js';

/** The stored form: upstream's key order, without metadata.resourceVersion. */
export function encodeStored(obj: KubeObject): string {
  // One JSON.stringify of a shallow reordered copy (members stringify skips stay skipped):
  // a flat string at once, not a concatenation of one stringify per top-level member.
  const top: Record<string, unknown> = { kind: obj.kind, apiVersion: obj.apiVersion, metadata: obj.metadata ? { ...obj.metadata, resourceVersion: undefined } : undefined };
  for (const k in obj) {
    if (k === 'kind' || k === 'apiVersion' || k === 'metadata') continue;
    if (k === '__proto__') Object.defineProperty(top, k, { value: obj[k], enumerable: true });
    else top[k] = obj[k];
  }
  return JSON.stringify(top);
}

const META = '"metadata":{';
/** What may precede the top-level metadata in text encodeStored wrote. */
const HEAD = /^\{("kind":"[^"\\]*",)?("apiVersion":"[^"\\]*",)?$/;

/**
 * The stored text with metadata.resourceVersion set to rv, when the text has the layout
 * encodeStored writes (kind and apiVersion, then metadata); undefined for anything else
 * (values another writer stored), which the caller parses instead.
 */
export function spliceResourceVersion(stored: string, rv: number | string): string | undefined {
  const at = stored.indexOf(META);
  if (at < 0 || at > 200) return undefined;
  // Only kind and apiVersion may come before metadata, so `at` is the top level's metadata.
  const head = stored.slice(0, at);
  if (!HEAD.test(head)) return undefined;
  const after = at + META.length;
  if (stored.startsWith('"resourceVersion":', after)) return undefined;
  const sep = stored[after] === '}' ? '' : ',';
  return `${stored.slice(0, after)}"resourceVersion":"${rv}"${sep}${stored.slice(after)}`;
}

/** The stored text of served JSON that spliceResourceVersion made (undefined for other layouts). */
export function unspliceResourceVersion(json: string): string | undefined {
  const at = json.indexOf(META);
  if (at < 0 || at > 200 || !HEAD.test(json.slice(0, at))) return undefined;
  const p = at + META.length;
  const m = /^"resourceVersion":"\d*",?/.exec(json.slice(p, p + 40));
  return m ? json.slice(0, p) + json.slice(p + m[0].length) : undefined;
}

/** The served JSON of a stored text at revision rv (parsing only a foreign layout). */
export function servedJSON(stored: string, rv: number | string): string {
  const spliced = spliceResourceVersion(stored, rv);
  if (spliced !== undefined) return spliced;
  const obj = JSON.parse(stored) as KubeObject;
  obj.metadata = { ...(obj.metadata ?? {}), resourceVersion: String(rv) };
  return JSON.stringify(obj);
}

/**
 * An object as the watch cache and lists hold it: its served JSON, parsed only when someone
 * needs the object (selectors, tables, admission lookups). Readers must not modify `obj`.
 */
export class CachedObject {
  private parsed?: KubeObject;
  private encoded?: Buffer;
  constructor(readonly json: string, obj?: KubeObject) { this.parsed = obj; }

  /** The served JSON as UTF-8, encoded on the first list that sends it and reused by every later one. */
  get bytes(): Buffer {
    return this.encoded ??= Buffer.from(this.json);
  }

  get obj(): KubeObject {
    if (!this.parsed) {
      const o = JSON.parse(this.json) as KubeObject;
      o.metadata ??= {};
      this.parsed = o;
    }
    return this.parsed;
  }

  /** The same object at another revision (a deletion's last state). */
  atRevision(rv: number): CachedObject {
    const at = this.json.indexOf(META);
    const p = at + META.length;
    const m = at >= 0 && at <= 200 && HEAD.test(this.json.slice(0, at)) ? /^"resourceVersion":"\d*"/.exec(this.json.slice(p, p + 40)) : null;
    if (m) return new CachedObject(`${this.json.slice(0, p)}"resourceVersion":"${rv}"${this.json.slice(p + m[0].length)}`);
    const o = structuredClone(this.obj);
    o.metadata!.resourceVersion = String(rv);
    return new CachedObject(JSON.stringify(o), o);
  }
}

/** Remembers the served JSON of an object a write returned, so its response is not stringified again. */
const jsonOf = new WeakMap<object, string>();
export const rememberJSON = (obj: KubeObject, json: string): KubeObject => { jsonOf.set(obj, json); return obj; };
export const rememberedJSON = (obj: unknown): string | undefined => (obj && typeof obj === 'object' ? jsonOf.get(obj) : undefined);
