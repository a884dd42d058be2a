// Why an image pull failed, in the words the kubelet puts in a container's waiting state:
// ErrImagePull for a failed pull (then ImagePullBackOff on retries), ErrImageNeverPull when
// the policy forbids pulling, InvalidImageName for a reference that cannot be parsed.
import { CriError } from './cri-client.js';

export type ImagePullReason = 'ErrImagePull' | 'ErrImageNeverPull' | 'InvalidImageName';

export class ImagePullError extends Error {
  constructor(readonly image: string, readonly reason: ImagePullReason, message: string) {
    super(message);
    this.name = 'ImagePullError';
  }
}

export function imagePullError(image: string, err: unknown): ImagePullError {
  const details = err instanceof CriError ? err.details : (err as Error).message;
  if (/invalid reference format|failed to parse image reference|repository name must/i.test(details)) {
    return new ImagePullError(image, 'InvalidImageName', `Failed to apply default image tag "${image}": ${details}`);
  }
  return new ImagePullError(image, 'ErrImagePull', `failed to pull and unpack image "${image}": ${details}`);
}
