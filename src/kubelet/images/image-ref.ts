// Container image references as the kubelet reads them (docker/distribution's grammar):
// [registry[:port]/]path[:tag][@digest]. A name without a registry is on docker.io; a
// name without tag or digest gets ":latest" (upstream's applyDefaultImageTag).

export interface ImageRef {
  /** Registry host[:port]; docker.io when the name has none. */
  registry: string;
  /** Repository path inside the registry (library/busybox for busybox on docker.io). */
  repository: string;
  tag?: string;
  digest?: string;
}

export const DOCKER_HUB = 'docker.io';

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::\d+)?$|^\[[0-9a-fA-F:.]+\](?::\d+)?$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;

export class InvalidImageNameError extends Error {
  constructor(readonly image: string) {
    super(`couldn't parse image name ${JSON.stringify(image)}: invalid reference format`);
    this.name = 'InvalidImageNameError';
  }
}

export function parseImageRef(image: string): ImageRef {
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw new InvalidImageNameError(image);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw new InvalidImageNameError(image);
  }
  const parts = rest.split('/');
  let registry = DOCKER_HUB;
  if (parts.length > 1 && (parts[0].includes('.') || parts[0].includes(':') || parts[0] === 'localhost' || /[A-Z]/.test(parts[0]))) {
    registry = parts.shift()!;
    if (!DOMAIN.test(registry)) throw new InvalidImageNameError(image);
  }
  if (!parts.length || parts.some((p) => !COMPONENT.test(p)) || rest.length > 255) throw new InvalidImageNameError(image);
  if (registry === DOCKER_HUB && parts.length === 1) parts.unshift('library');
  return { registry, repository: parts.join('/'), tag, digest };
}

/** The image as given plus ":latest" when it has neither tag nor digest; throws InvalidImageNameError. */
export function applyDefaultTag(image: string): string {
  const r = parseImageRef(image);
  return r.tag === undefined && r.digest === undefined ? `${image}:latest` : image;
}

/** The fully qualified name containerd lists (docker.io/library/busybox:latest). */
export function normalizedImageName(image: string): string {
  const r = parseImageRef(image);
  const suffix = r.digest ? `@${r.digest}` : `:${r.tag ?? 'latest'}`;
  return `${r.registry}/${r.repository}${r.tag && r.digest ? `:${r.tag}` : ''}${suffix}`;
}
