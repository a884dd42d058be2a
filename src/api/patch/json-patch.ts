/**
 * RFC 6902 JSON patch (application/json-patch+json), with upstream's error mapping:
 * undecodable patch 400, more than 10000 operations 413, any failing operation 422.
 */
import { applyPatch as apply6902, type Operation } from 'rfc6902';
import { newBadRequest, newGenericUnprocessable, newRequestEntityTooLarge } from '../status/index.js';
import { parseJsonBody } from './json-body.js';

/** Upstream's cap on operations in one JSON patch. */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

const ops = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/** Returns a patched copy of `original`; `original` is never modified unless `owned` (the caller gives it up). */
export function applyJsonPatch(original: unknown, patch: string | Buffer, owned = false): unknown {
  const parsed = parseJsonBody(patch);
  if (!Array.isArray(parsed)) {
    throw newBadRequest(`json: cannot unmarshal ${goJsonType(parsed)} into Go value of type jsonpatch.Patch`);
  }
  if (parsed.length > MAX_JSON_PATCH_OPERATIONS) {
    throw newRequestEntityTooLarge(`The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${parsed.length}`);
  }
  const doc = owned ? original : structuredClone(original);
  for (const op of parsed) {
    // Malformed operations fail at apply time upstream, hence 422 like any other failure.
    if (op === null || typeof op !== 'object' || !ops.has(op.op) || typeof op.path !== 'string') throw newGenericUnprocessable();
    if ((op.op === 'move' || op.op === 'copy') && typeof op.from !== 'string') throw newGenericUnprocessable();
    if ((op.op === 'add' || op.op === 'replace' || op.op === 'test') && !('value' in op)) throw newGenericUnprocessable();
  }
  // rfc6902 applies in place and reports one result per operation.
  const wrapper = { doc };
  const results = apply6902(wrapper, (parsed as Operation[]).map((o) => prefix(o)));
  if (results.some((r) => r !== null)) throw newGenericUnprocessable();
  return wrapper.doc;
}

/** Operations address the document under a wrapper so a patch of "" (the whole doc) works too. */
function prefix(o: Operation): Operation {
  const p = { ...o, path: '/doc' + o.path } as Operation & { from?: string };
  if ('from' in o && typeof o.from === 'string') p.from = '/doc' + o.from;
  return p;
}

function goJsonType(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object') return 'object';
  return typeof v;
}
