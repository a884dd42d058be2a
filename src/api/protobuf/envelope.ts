// The wire envelope of application/vnd.kubernetes.protobuf: the 4 bytes "k8s\0", then a
// runtime.Unknown {typeMeta{apiVersion, kind}, raw, contentEncoding, contentType}.
import { lookupType } from './schema.js';

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';
export const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

export interface Envelope {
  apiVersion: string;
  kind: string;
  /** The object's own bytes, encoded with its generated.proto field numbers. */
  raw: Buffer;
  contentEncoding: string;
  contentType: string;
}

export class EnvelopeError extends Error {}

const unknownType = () => lookupType('k8s.io.apimachinery.pkg.runtime.Unknown')!;

export function hasMagic(body: Uint8Array): boolean {
  return body.length >= MAGIC.length && MAGIC.equals(body.subarray(0, MAGIC.length));
}

export function unwrap(body: Uint8Array): Envelope {
  if (!hasMagic(body)) throw new EnvelopeError('provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]');
  let msg: any;
  try {
    msg = unknownType().decode(body.subarray(MAGIC.length));
  } catch (err) {
    throw new EnvelopeError(`unable to decode protobuf envelope: ${(err as Error).message}`);
  }
  return {
    apiVersion: msg.typeMeta?.apiVersion ?? '',
    kind: msg.typeMeta?.kind ?? '',
    raw: Buffer.from(msg.raw ?? []),
    contentEncoding: msg.contentEncoding ?? '',
    contentType: msg.contentType ?? '',
  };
}

export function wrap(apiVersion: string, kind: string, raw: Uint8Array): Buffer {
  const bytes = unknownType().encode({ typeMeta: { apiVersion, kind }, raw, contentEncoding: '', contentType: '' }).finish();
  return Buffer.concat([MAGIC, bytes]);
}
