// Request bodies: read whole, refused past upstream's 3 MiB limit with 413.
import type { IncomingMessage } from 'node:http';
import YAML from 'yaml';
import { newBadRequest, newRequestEntityTooLarge, newUnsupportedMediaType } from '../../api/status/index.js';
import { PROTOBUF_MEDIA_TYPE, decodeProtobufBody } from '../../api/protobuf/index.js';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) { req.resume(); throw newRequestEntityTooLarge(`limit is ${limit}`); }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > limit) { req.resume(); throw newRequestEntityTooLarge(`limit is ${limit}`); }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
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
