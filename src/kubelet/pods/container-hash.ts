// The container hash the kubelet stores with each container (annotation
// io.kubernetes.container.hash) and compares with the spec on every sync: when they differ the
// container is killed and started again. As upstream since 1.31 it covers only the name and the
// image, the one container field besides resources that a pod update may change.
import type { Container } from 'kubernetes-types/core/v1.js';

export const HASH_ANNOTATION = 'io.kubernetes.container.hash';

/** FNV-1a (32 bit) of the JSON of {image, name}, in hex. */
export function containerHash(c: Container): string {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(JSON.stringify({ image: c.image ?? '', name: c.name }))) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16);
}
