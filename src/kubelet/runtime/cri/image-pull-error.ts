// Why an image pull failed, in the words the kubelet puts in a container's waiting state:
// ErrImagePull for a failed pull (then ImagePullBackOff on retries), ErrImageNeverPull when
// the policy forbids pulling, InvalidImageName for a reference that cannot be parsed. The
// message is the gRPC error as Go prints it ("rpc error: code = NotFound desc = …"), which
// is what upstream's kubelet shows.
import * as grpc from '@grpc/grpc-js';
import { CriError } from './cri-client.js';

export type ImagePullReason = 'ErrImagePull' | 'ErrImageNeverPull' | 'InvalidImageName';

export class ImagePullError extends Error {
  constructor(readonly image: string, readonly reason: ImagePullReason, message: string) {
    super(message);
    this.name = 'ImagePullError';
  }
}

/** NOT_FOUND → NotFound, as Go's codes.Code.String() spells it. */
export function goCodeName(code: grpc.status): string {
  return (grpc.status[code] ?? 'Unknown').toLowerCase().replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase());
}

export function imagePullError(image: string, err: unknown): ImagePullError {
  const details = err instanceof CriError ? err.details : (err as Error).message;
  const message = err instanceof CriError ? `rpc error: code = ${goCodeName(err.code)} desc = ${details}` : details;
  if (/invalid reference format|failed to parse image reference|repository name must/i.test(details)) {
    return new ImagePullError(image, 'InvalidImageName', `Failed to apply default image tag "${image}": ${details}`);
  }
  return new ImagePullError(image, 'ErrImagePull', message);
}
