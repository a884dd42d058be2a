// Makes sure a container's image is on the node before it is created, by its pull policy
// (upstream's images.imageManager): Always pulls, IfNotPresent pulls when the runtime lacks
// it, Never refuses (ErrImageNeverPull). A failed pull is ErrImagePull and starts a
// back-off per pod and image (10 s doubling to 5 min); while it lasts the container waits
// in ImagePullBackOff. Events carry upstream's reasons and words (Pulling, Pulled,
// BackOff, Failed, ErrImageNeverPull). Concurrent pulls of one image share one request.
import type { Container, Pod, Secret } from 'kubernetes-types/core/v1.js';
import type { EventType } from '../../client/index.js';
import { CrashBackoff } from '../pods/crash-backoff.js';
import type { AuthConfig, PodSandboxConfig, Runtime } from '../runtime/runtime-service.js';
import { applyDefaultTag, InvalidImageNameError } from './image-ref.js';
import { credentialsFor } from './pull-secrets.js';

export type ImageErrorReason = 'ErrImagePull' | 'ImagePullBackOff' | 'ErrImageNeverPull' | 'InvalidImageName' | 'ImageInspectError';

/** Why the container cannot start yet: its waiting reason and message. */
export class ImageError extends Error {
  constructor(readonly reason: ImageErrorReason, message: string, readonly retryInMs: number) {
    super(message);
    this.name = 'ImageError';
  }
}

export type EventSink = (type: EventType, reason: string, message: string) => void;

/** Go's time.Duration.String() for a millisecond count (890ms, 1.234s, 1m3.5s). */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  let rest = Math.round(ms);
  const h = Math.floor(rest / 3_600_000); rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000); rest -= m * 60_000;
  const s = (rest / 1000).toFixed(3).replace(/\.?0+$/, '');
  return `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${s}s`;
}

export interface ImageManagerOptions {
  runtime: Runtime;
  backoff?: CrashBackoff;
  /** Called whenever a container starts with an image (image garbage collection's "last used"). */
  onUsed?(imageRef: string): void;
}

export class ImageManager {
  readonly backoff: CrashBackoff;
  private readonly inflight = new Map<string, Promise<{ ref: string; ms: number }>>();
  private readonly lastError = new Map<string, string>();

  constructor(private readonly o: ImageManagerOptions) {
    this.backoff = o.backoff ?? new CrashBackoff();
  }

  /** Returns the imageRef to create the container with, or throws an ImageError. */
  async ensureImageExists(pod: Pod, c: Container, secrets: Secret[], sandbox: PodSandboxConfig | undefined, event: EventSink): Promise<string> {
    const given = c.image ?? '';
    let image: string;
    try {
      image = applyDefaultTag(given);
    } catch (err) {
      const msg = `Failed to apply default image tag ${JSON.stringify(given)}: ${err instanceof InvalidImageNameError ? err.message : String(err)}`;
      event('Warning', 'InspectFailed', msg);
      throw new ImageError('InvalidImageName', msg, 0);
    }
    const policy = c.imagePullPolicy ?? (/:latest$/.test(image) ? 'Always' : 'IfNotPresent');
    const { runtime } = this.o;
    if (policy !== 'Always') {
      let present;
      try {
        present = await runtime.imageStatus(image);
      } catch (err) {
        const msg = `Failed to inspect image "": ${(err as Error).message}`;
        event('Warning', 'InspectFailed', msg);
        throw new ImageError('ImageInspectError', msg, 10_000);
      }
      if (present) {
        event('Normal', 'Pulled', `Container image ${JSON.stringify(given)} already present on machine`);
        this.o.onUsed?.(present.id);
        return present.id;
      }
      if (policy === 'Never') {
        const msg = `Container image ${JSON.stringify(given)} is not present with pull policy of Never`;
        event('Warning', 'ErrImageNeverPull', msg);
        throw new ImageError('ErrImageNeverPull', msg, 10_000);
      }
    }
    const key = `${pod.metadata?.uid}_${given}`;
    if (this.backoff.inBackOffSinceUpdate(key)) {
      const msg = `Back-off pulling image ${JSON.stringify(given)}`;
      event('Normal', 'BackOff', msg);
      const last = this.lastError.get(key);
      throw new ImageError('ImagePullBackOff', last ? `${msg}: ErrImagePull: ${last}` : msg, this.backoff.remainingSinceUpdate(key) + 50);
    }
    event('Normal', 'Pulling', `Pulling image ${JSON.stringify(given)}`);
    const t0 = Date.now();
    let result: { ref: string; ms: number };
    try {
      result = await this.pull(image, credentialsFor(image, secrets), sandbox);
    } catch (err) {
      const detail = (err as Error).message;
      event('Warning', 'Failed', `Failed to pull image ${JSON.stringify(given)}: ${detail}`);
      this.backoff.next(key, Date.now());
      this.lastError.set(key, detail);
      // ErrImagePull until the next sync (upstream's ~10 s worker back-off; half the first image back-off
      // here), then ImagePullBackOff while the image back-off lasts
      throw new ImageError('ErrImagePull', detail, Math.min(5000, this.backoff.remainingSinceUpdate(key)));
    }
    this.lastError.delete(key);
    const size = (await runtime.imageStatus(image).catch(() => undefined))?.size ?? 0;
    event('Normal', 'Pulled', `Successfully pulled image ${JSON.stringify(given)} in ${goDuration(result.ms)} (${goDuration(Date.now() - t0)} including waiting). Image size: ${size} bytes.`);
    this.o.onUsed?.(result.ref);
    return result.ref;
  }

  /** Forgets a deleted pod's back-off entries. */
  forgetPod(uid: string): void {
    this.backoff.forget(`${uid}_`);
    for (const k of this.lastError.keys()) if (k.startsWith(`${uid}_`)) this.lastError.delete(k);
  }

  /** One pull per image at a time; matching credentials are tried in turn (none match: anonymous). */
  private pull(image: string, auths: AuthConfig[], sandbox: PodSandboxConfig | undefined): Promise<{ ref: string; ms: number }> {
    const key = `${image}\0${JSON.stringify(auths)}`;
    let p = this.inflight.get(key);
    if (!p) {
      p = (async () => {
        const t0 = Date.now();
        let lastErr: unknown;
        for (const auth of auths.length ? auths : [undefined]) {
          try {
            return { ref: await this.o.runtime.pullImage(image, auth, sandbox), ms: Date.now() - t0 };
          } catch (err) {
            lastErr = err;
          }
        }
        throw lastErr;
      })().finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
    }
    return p;
  }
}
