// /openapi/v2: the Swagger 2.0 document as JSON. client-go asks for the protobuf form only
// (for kubectl's client-side validation fallback, which kubectl skips because the v3
// documents advertise server-side fieldValidation); that gets 406, as upstream answers a
// format it cannot produce.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Catalogue } from '../../api/resources/catalogue.js';
import { swaggerDocument } from '../../api/openapi/spec-v2.js';
import { versionInfo } from '../version.js';
import { type CachedDoc, acceptsJSON, cachedDoc, sendNotAcceptable, serveDoc } from './openapi-http.js';
import { catalogueSignature } from './openapi-v3.js';

let cache: { sig: string; doc: CachedDoc } | undefined;

export function openapiV2(cat: Catalogue): CachedDoc {
  const sig = catalogueSignature(cat);
  if (cache?.sig !== sig) cache = { sig, doc: cachedDoc(swaggerDocument(cat.all, versionInfo().gitVersion), new Date()) };
  return cache.doc;
}

export function serveOpenAPIV2(req: IncomingMessage, res: ServerResponse, cat: Catalogue): void {
  if (!acceptsJSON(req.headers.accept)) return sendNotAcceptable(res);
  serveDoc(req, res, openapiV2(cat));
}
