// Kubernetes' application/vnd.kubernetes.protobuf wire format.
export { PROTOBUF_MEDIA_TYPE, MAGIC, unwrap, wrap, type Envelope } from './envelope.js';
export { decodeProtobuf, encodeProtobuf, decodeProtobufBody, ProtobufCodecError } from './codec.js';
export { typeForKind } from './schema.js';
