// Request bodies: read whole, refused past upstream's 3 MiB limit with 413.
import type { IncomingMessage } from 'node:http';
import YAML from 'yaml';
import { newBadRequest, newRequestEntityTooLarge, newUnsupportedMediaType } from '../../api/status/index.js';
import { PROTOBUF_MEDIA_TYPE, decodeProtobufBody } from '../../api/protobuf/index.js';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** Bodies read before the handler (the audit log's at level Request), handed to readBody. */
const readEarly = new WeakMap<IncomingMessage, Buffer>();

/** Reads the body now and keeps it for the handler's readBody (audit records it before the handler runs). */
export async function readBodyEarly(req: IncomingMessage): Promise<Buffer> {
  const body = await readBody(req, Infinity);
  readEarly.set(req, body);
  return body;
}

/** The whole body (by stream events: an async iterator over the request costs more CPU than the JSON parse of a pod). */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) { req.resume(); return Promise.reject(newRequestEntityTooLarge(`limit is ${limit}`)); }
  const early = readEarly.get(req);
  if (early) return early.length > limit ? Promise.reject(newRequestEntityTooLarge(`limit is ${limit}`)) : Promise.resolve(early);
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (err?: unknown) => {
      req.off('data', onData); req.off('end', onEnd); req.off('error', done); req.off('close', onClose);
      if (err) { req.resume(); reject(err); } else resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) done(newRequestEntityTooLarge(`limit is ${limit}`));
      else chunks.push(chunk);
    };
    const onEnd = () => done();
    const onClose = () => { if (!req.readableEnded) done(new Error('the request was aborted before its body was read')); };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', done);
    req.on('close', onClose);
  });
}

export function mediaType(req: IncomingMessage): string {
  return String(req.headers['content-type'] ?? 'application/json').split(';')[0].trim().toLowerCase();
}

/** Decodes a JSON or YAML object body; anything else is 400 with the decoder's reason. */
export function decodeObject(body: Buffer, type: string): Record<string, any> {
  if (type === PROTOBUF_MEDIA_TYPE) return decodeProtobufBody(body);
  if (type !== 'application/json' && type !== 'application/yaml' && type !== '*/*') throw newUnsupportedMediaType(['application/json', 'application/yaml', PROTOBUF_MEDIA_TYPE]);
  let value: unknown;
  try {
    value = type.includes('yaml') ? YAML.parse(body.toString('utf8'), { version: '1.1' }) : JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw newBadRequest(`error decoding body: ${(err as Error).message}`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw newBadRequest('Object \'Kind\' is missing in \'' + body.toString('utf8').slice(0, 200) + '\'');
  return value as Record<string, any>;
}
