// /openapi/v2: the Swagger 2.0 document as JSON, or in gnostic's protobuf form. client-go
// asks for the protobuf form only, for kubectl's client-side validation (used when the
// server cannot validate fields for a kind, such as a `kind: List` file) and `kubectl
// explain --output plaintext-openapiv2`. As kube-openapi does, the protobuf bytes are made
// from the JSON document on first request, cached with it, and carry the JSON form's ETag
// (the responses differ by Vary: Accept). Aggregated API servers' documents (already cut
// down to their group version) are merged in after this server's own, in priority order.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Catalogue } from '../../api/resources/catalogue.js';
import { swaggerDocument } from '../../api/openapi/spec-v2.js';
import { encodeSwaggerProto } from '../../api/openapi/spec-v2-proto.js';
import { type Swagger, mergeSwagger } from '../../api/openapi/swagger-merge.js';
import { versionInfo } from '../version.js';
import { type CachedDoc, cachedDoc, negotiate, sendNotAcceptable, serveDoc } from './openapi-http.js';
import { catalogueSignature } from './openapi-v3.js';

const JSON_TYPE = 'application/json';
/** What client-go sends (the "deprecated" spelling) and what kube-openapi answers with. */
const PROTOBUF_ASKED = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
export const PROTOBUF_TYPE = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

/** An aggregated API server's document, by APIService name, with the ETag it was fetched with. */
export interface RemoteSwagger { name: string; etag: string; spec: Swagger }

interface V2Cache { key: string; swagger: Swagger; json: CachedDoc; proto?: CachedDoc }
let local: { sig: string; swagger: Swagger } | undefined;
let cache: V2Cache | undefined;

function localSwagger(cat: Catalogue): { sig: string; swagger: Swagger } {
  const sig = catalogueSignature(cat);
  if (local?.sig !== sig) local = { sig, swagger: swaggerDocument(cat.all, versionInfo().gitVersion) };
  return local;
}

function current(cat: Catalogue, remote: readonly RemoteSwagger[]): V2Cache {
  const own = localSwagger(cat);
  const key = [own.sig, ...remote.map((r) => `${r.name}=${r.etag}`)].join('\n');
  if (cache?.key !== key) {
    let swagger = own.swagger;
    if (remote.length) {
      // a shallow copy: merging only adds keys to these three maps
      swagger = { ...own.swagger, paths: { ...own.swagger.paths }, definitions: { ...own.swagger.definitions } };
      for (const r of remote) mergeSwagger(swagger, r.spec);
    }
    cache = { key, swagger, json: cachedDoc(swagger, new Date()) };
  }
  return cache;
}

export function openapiV2(cat: Catalogue, remote: readonly RemoteSwagger[] = []): CachedDoc {
  return current(cat, remote).json;
}

export function openapiV2Proto(cat: Catalogue, remote: readonly RemoteSwagger[] = []): CachedDoc {
  const c = current(cat, remote);
  c.proto ??= { body: encodeSwaggerProto(c.swagger), etag: c.json.etag, lastModified: c.json.lastModified, contentType: PROTOBUF_TYPE };
  return c.proto;
}

export function serveOpenAPIV2(req: IncomingMessage, res: ServerResponse, cat: Catalogue, remote: readonly RemoteSwagger[] = []): void {
  const type = negotiate(req.headers.accept, [JSON_TYPE, PROTOBUF_ASKED, PROTOBUF_TYPE]);
  if (!type) return sendNotAcceptable(res);
  serveDoc(req, res, type === JSON_TYPE ? openapiV2(cat, remote) : openapiV2Proto(cat, remote));
}
