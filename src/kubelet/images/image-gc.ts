// Image garbage collection (upstream's realImageGCManager): every period the kubelet looks
// at the image filesystem (CRI ImageFsInfo names it; statfs measures it). When usage is at
// or above the high threshold it removes unused images, least recently used first, until
// usage would be back at the low threshold. Images any container (running or not) was
// created from are in use; images younger than the minimum age, pinned images and the
// sandbox (pause) image are never removed.
import fs from 'node:fs';
import type { Logger } from '../../client/index.js';
import type { Image, Runtime } from '../runtime/runtime-service.js';
import { normalizedImageName } from './image-ref.js';

export interface ImageGCOptions {
  runtime: Runtime;
  highThresholdPercent: number;
  lowThresholdPercent: number;
  minAgeMs: number;
  periodMs: number;
  /** Never removed, pinned or not (containerd 1.6 does not pin its sandbox image). */
  sandboxImage?: string;
  log: Logger;
  /** A Warning event on the Node (upstream: FreeDiskSpaceFailed / ImageGCFailed). */
  warn(reason: string, message: string): void;
  now?: () => number;
}

interface ImageRecord { firstDetected: number; lastUsed: number; size: number }

export interface FsStats { mountpoint: string; capacity: number; available: number; inodes: number; inodesFree: number }

/** statfs of a mount point as capacity/available bytes and inodes. */
export function fsStats(mountpoint: string): FsStats | undefined {
  try {
    const s = fs.statfsSync(mountpoint);
    return { mountpoint, capacity: s.blocks * s.bsize, available: s.bavail * s.bsize, inodes: s.files, inodesFree: s.ffree };
  } catch {
    return undefined;
  }
}

function names(img: Image): Set<string> {
  const out = new Set<string>([img.id, ...img.repoTags, ...(img.repoDigests ?? [])]);
  for (const t of img.repoTags) {
    try { out.add(normalizedImageName(t)); } catch { /* keep as is */ }
  }
  return out;
}

export class ImageGC {
  private readonly records = new Map<string, ImageRecord>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;
  private lastReport = 0;
  private readonly now: () => number;

  constructor(private readonly o: ImageGCOptions) {
    this.now = o.now ?? (() => Date.now());
  }

  /** The runtime's sandbox image, when the kubelet learns it from the runtime. */
  setSandboxImage(image: string): void {
    this.o.sandboxImage = image;
  }

  start(): void {
    if (!this.o.runtime.imageFsInfo) return; // nothing to measure (hollow, host-process)
    this.timer = setInterval(() => void this.garbageCollect().catch((err) => this.o.log(`kubelet: image garbage collection failed: ${(err as Error).message}`)), this.o.periodMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** A container just started from this image (upstream updates lastUsed from running containers). */
  markUsed(imageRef: string): void {
    const r = this.records.get(imageRef);
    if (r) r.lastUsed = this.now();
  }

  /** The image filesystem as CRI names it, measured with statfs. */
  async imageFs(): Promise<FsStats | undefined> {
    const info = await this.o.runtime.imageFsInfo?.();
    const mp = info?.[0]?.mountpoint;
    return mp ? fsStats(mp) : undefined;
  }

  /** Lists images and containers; returns the images in use (by any container) and refreshes the records. */
  private async detect(): Promise<{ images: Image[]; inUse: Set<string> }> {
    const [images, containers] = await Promise.all([this.o.runtime.listImages(), this.o.runtime.listContainers()]);
    const now = this.now();
    const used = new Set<string>();
    for (const c of containers) {
      if (c.imageRef) used.add(c.imageRef);
      if (c.image) { used.add(c.image); try { used.add(normalizedImageName(c.image)); } catch { /* an id */ } }
    }
    const inUse = new Set<string>();
    const seen = new Set<string>();
    for (const img of images) {
      seen.add(img.id);
      let rec = this.records.get(img.id);
      if (!rec) this.records.set(img.id, (rec = { firstDetected: now, lastUsed: 0, size: img.size }));
      rec.size = img.size;
      if ([...names(img)].some((n) => used.has(n))) {
        inUse.add(img.id);
        rec.lastUsed = now;
      }
    }
    for (const id of this.records.keys()) if (!seen.has(id)) this.records.delete(id);
    return { images, inUse };
  }

  /** One round: measure, and free down to the low threshold when at or over the high one. Returns bytes freed. */
  garbageCollect(): Promise<number> {
    this.running ??= this.collect().finally(() => { this.running = undefined; });
    return this.running;
  }

  private async collect(): Promise<number> {
    const st = await this.imageFs();
    if (!st || st.capacity <= 0) return 0;
    const usagePercent = Math.floor(((st.capacity - st.available) * 100) / st.capacity);
    if (usagePercent < this.o.highThresholdPercent) {
      await this.detect(); // keep first-seen and last-used times current
      return 0;
    }
    const amountToFree = Math.floor((st.capacity * (100 - this.o.lowThresholdPercent)) / 100) - st.available;
    const report = this.now() - this.lastReport >= 60_000; // the disk stays full between rounds: say so once a minute
    if (report) {
      this.lastReport = this.now();
      this.o.log(`kubelet: image filesystem ${st.mountpoint} is ${usagePercent}% used, over the high threshold ${this.o.highThresholdPercent}%: freeing ${amountToFree} bytes down to ${this.o.lowThresholdPercent}%`);
    }
    const freed = await this.freeSpace(amountToFree);
    if (freed < amountToFree && (report || freed > 0)) {
      this.o.warn('FreeDiskSpaceFailed', `Failed to garbage collect required amount of images. Attempted to free ${amountToFree} bytes, but only found ${freed} bytes eligible to free.`);
    }
    return freed;
  }

  /** Removes unused images, least recently used first, until `bytes` are freed (Infinity: all of them). */
  async freeSpace(bytes: number): Promise<number> {
    const { images, inUse } = await this.detect();
    const now = this.now();
    const sandbox = this.o.sandboxImage ? new Set([this.o.sandboxImage, normalizedImageName(this.o.sandboxImage)]) : new Set<string>();
    const candidates = images
      .filter((img) => !inUse.has(img.id) && !img.pinned && ![...names(img)].some((n) => sandbox.has(n)))
      .map((img) => ({ img, rec: this.records.get(img.id)! }))
      .filter(({ rec }) => now - rec.firstDetected >= this.o.minAgeMs)
      .sort((a, b) => a.rec.lastUsed - b.rec.lastUsed || a.rec.firstDetected - b.rec.firstDetected);
    let freed = 0;
    for (const { img } of candidates) {
      if (freed >= bytes) break;
      try {
        await this.o.runtime.removeImage(img.id);
        this.o.log(`kubelet: image garbage collection removed ${img.repoTags.join(',') || img.id} (${img.size} bytes)`);
        this.records.delete(img.id);
        freed += img.size;
      } catch (err) {
        this.o.log(`kubelet: removing image ${img.id}: ${(err as Error).message}`);
      }
    }
    return freed;
  }
}
