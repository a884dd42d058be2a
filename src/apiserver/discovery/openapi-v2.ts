// /openapi/v2: the Swagger 2.0 document as JSON, or in gnostic's protobuf form. client-go
// asks for the protobuf form only, for kubectl's client-side validation (used when the
// server cannot validate fields for a kind, such as a `kind: List` file). As kube-openapi
// does, the protobuf bytes are made from the JSON document on first request, cached with
// it, and carry the JSON form's ETag (the responses differ by Vary: Accept).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Catalogue } from '../../api/resources/catalogue.js';
import { swaggerDocument } from '../../api/openapi/spec-v2.js';
import { encodeSwaggerProto } from '../../api/openapi/spec-v2-proto.js';
import { versionInfo } from '../version.js';
import { type CachedDoc, cachedDoc, negotiate, sendNotAcceptable, serveDoc } from './openapi-http.js';
import { catalogueSignature } from './openapi-v3.js';

const JSON_TYPE = 'application/json';
/** What client-go sends (the "deprecated" spelling) and what kube-openapi answers with. */
const PROTOBUF_ASKED = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
export const PROTOBUF_TYPE = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

interface V2Cache { sig: string; swagger: ReturnType<typeof swaggerDocument>; json: CachedDoc; proto?: CachedDoc }
let cache: V2Cache | undefined;

function current(cat: Catalogue): V2Cache {
  const sig = catalogueSignature(cat);
  if (cache?.sig !== sig) {
    const swagger = swaggerDocument(cat.all, versionInfo().gitVersion);
    cache = { sig, swagger, json: cachedDoc(swagger, new Date()) };
  }
  return cache;
}

export function openapiV2(cat: Catalogue): CachedDoc {
  return current(cat).json;
}

export function openapiV2Proto(cat: Catalogue): CachedDoc {
  const c = current(cat);
  c.proto ??= { body: encodeSwaggerProto(c.swagger), etag: c.json.etag, lastModified: c.json.lastModified, contentType: PROTOBUF_TYPE };
  return c.proto;
}

export function serveOpenAPIV2(req: IncomingMessage, res: ServerResponse, cat: Catalogue): void {
  const type = negotiate(req.headers.accept, [JSON_TYPE, PROTOBUF_ASKED, PROTOBUF_TYPE]);
  if (!type) return sendNotAcceptable(res);
  serveDoc(req, res, type === JSON_TYPE ? openapiV2(cat) : openapiV2Proto(cat));
}
