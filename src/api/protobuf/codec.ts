// Kubernetes protobuf bodies ↔ the JSON objects the API server works with.
import protobuf from 'protobufjs';
import { newBadRequest } from '../status/index.js';
import { EnvelopeError, hasMagic, unwrap, wrap } from './envelope.js';
import { messageFromJSON } from './from-json.js';
import { typeForKind } from './schema.js';
import { messageToJSON } from './to-json.js';

export class ProtobufCodecError extends Error {}

function typeOf(apiVersion: string, kind: string): protobuf.Type {
  if (!kind) throw new ProtobufCodecError(`Object 'Kind' is missing in protobuf envelope`);
  const type = typeForKind(apiVersion, kind);
  if (!type) throw new ProtobufCodecError(`no kind "${kind}" is registered for version "${apiVersion}"`);
  return type;
}

/** Embedded objects (RawExtension, FieldsV1): a nested envelope or JSON text. */
function decodeNested(raw: Buffer): unknown {
  if (hasMagic(raw)) return decodeProtobuf(raw);
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ProtobufCodecError('embedded object is neither JSON nor a protobuf envelope');
  }
}

/** An envelope ("k8s\0" + runtime.Unknown) to a JSON object with apiVersion and kind first. */
export function decodeProtobuf(body: Uint8Array): Record<string, any> {
  const env = unwrap(body);
  if (env.contentEncoding) throw new ProtobufCodecError(`unsupported content encoding "${env.contentEncoding}"`);
  const type = typeOf(env.apiVersion, env.kind);
  let msg: protobuf.Message;
  try {
    msg = type.decode(env.raw);
  } catch (err) {
    throw new ProtobufCodecError(`unable to decode ${env.kind}: ${(err as Error).message}`);
  }
  return { apiVersion: env.apiVersion, kind: env.kind, ...messageToJSON(type, msg, decodeNested) };
}

/** A JSON object (apiVersion and kind set) to an envelope. */
export function encodeProtobuf(obj: Record<string, any>): Buffer {
  const apiVersion = String(obj.apiVersion ?? '');
  const kind = String(obj.kind ?? '');
  const type = typeOf(apiVersion, kind);
  let raw: Uint8Array;
  try {
    raw = type.encode(messageFromJSON(type, obj)).finish();
  } catch (err) {
    throw new ProtobufCodecError(`unable to encode ${kind}: ${(err as Error).message}`);
  }
  return wrap(apiVersion, kind, raw);
}

/** For request bodies: codec failures become 400 BadRequest Status errors. */
export function decodeProtobufBody(body: Uint8Array): Record<string, any> {
  try {
    return decodeProtobuf(body);
  } catch (err) {
    if (err instanceof ProtobufCodecError || err instanceof EnvelopeError || err instanceof RangeError || err instanceof TypeError) {
      throw newBadRequest(`error decoding protobuf body: ${err.message}`);
    }
    throw err;
  }
}
