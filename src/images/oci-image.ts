// Builds OCI images in memory (gzip layers, config, manifest) and writes them as an OCI
// image layout directory (for skopeo) or as one archive that is both an OCI layout and a
// docker archive (manifest.json), so `ctr images import` and `docker load` both take it.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { tarBuffer, type TarEntry } from './tar-writer.js';

export const MEDIA_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const MEDIA_INDEX = 'application/vnd.oci.image.index.v1+json';
export const MEDIA_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const MEDIA_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';

export interface Blob { digest: string; data: Buffer; mediaType: string }

export interface Layer extends Blob {
  /** sha256 of the uncompressed tar: the config's rootfs.diff_ids entry. */
  diffId: string;
}

export interface ImageSpecInput {
  /** Full reference, e.g. docker.io/library/busybox:latest. */
  name: string;
  layers: Layer[];
  entrypoint?: string[];
  cmd?: string[];
  env?: string[];
  workingDir?: string;
}

export interface BuiltImage {
  name: string;
  config: Blob;
  manifest: Blob;
  layers: Layer[];
}

export function sha256(data: Buffer): string {
  return 'sha256:' + crypto.createHash('sha256').update(data).digest('hex');
}

/** The OCI name for the running machine's architecture. */
export function ociArch(arch: string = process.arch): string {
  const map: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' };
  return map[arch] ?? arch;
}

export function makeLayer(entries: TarEntry[]): Layer {
  const tar = tarBuffer(entries);
  const gz = zlib.gzipSync(tar, { level: 6 });
  return { digest: sha256(gz), data: gz, mediaType: MEDIA_LAYER_GZIP, diffId: sha256(tar) };
}

const CREATED = '1970-01-01T00:00:00Z';

export function buildImage(spec: ImageSpecInput): BuiltImage {
  const config = {
    created: CREATED,
    architecture: ociArch(),
    os: 'linux',
    config: {
      Env: spec.env ?? ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      ...(spec.entrypoint ? { Entrypoint: spec.entrypoint } : {}),
      ...(spec.cmd ? { Cmd: spec.cmd } : {}),
      WorkingDir: spec.workingDir ?? '/',
    },
    rootfs: { type: 'layers', diff_ids: spec.layers.map((l) => l.diffId) },
    history: spec.layers.map(() => ({ created: CREATED, created_by: 'tskube images' })),
  };
  const configData = Buffer.from(JSON.stringify(config));
  const configBlob: Blob = { digest: sha256(configData), data: configData, mediaType: MEDIA_CONFIG };
  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA_MANIFEST,
    config: { mediaType: MEDIA_CONFIG, digest: configBlob.digest, size: configData.length },
    layers: spec.layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.data.length })),
  };
  const manifestData = Buffer.from(JSON.stringify(manifest));
  return {
    name: spec.name,
    config: configBlob,
    manifest: { digest: sha256(manifestData), data: manifestData, mediaType: MEDIA_MANIFEST },
    layers: spec.layers,
  };
}

/** The tag part of a reference ("latest" for docker.io/library/busybox:latest). */
export function refTag(name: string): string {
  const last = name.slice(name.lastIndexOf('/') + 1);
  const i = last.indexOf(':');
  return i >= 0 ? last.slice(i + 1) : 'latest';
}

function blobPath(digest: string): string {
  return 'blobs/sha256/' + digest.slice('sha256:'.length);
}

/** Every file of the layout, by relative path (blobs are shared between images). */
function layoutFiles(images: BuiltImage[]): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  files.set('oci-layout', Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })));
  const index = {
    schemaVersion: 2,
    mediaType: MEDIA_INDEX,
    manifests: images.map((img) => ({
      mediaType: MEDIA_MANIFEST,
      digest: img.manifest.digest,
      size: img.manifest.data.length,
      annotations: { 'io.containerd.image.name': img.name, 'org.opencontainers.image.ref.name': refTag(img.name) },
      platform: { architecture: ociArch(), os: 'linux' },
    })),
  };
  files.set('index.json', Buffer.from(JSON.stringify(index)));
  // docker archive view of the same blobs
  const dockerManifest = images.map((img) => ({
    Config: blobPath(img.config.digest),
    RepoTags: [img.name],
    Layers: img.layers.map((l) => blobPath(l.digest)),
  }));
  files.set('manifest.json', Buffer.from(JSON.stringify(dockerManifest)));
  for (const img of images) {
    for (const b of [img.manifest, img.config, ...img.layers]) files.set(blobPath(b.digest), b.data);
  }
  return files;
}

/** Writes an OCI image layout directory (what `skopeo copy oci:DIR …` reads). */
export function writeOciLayout(dir: string, images: BuiltImage[]): void {
  for (const [rel, data] of layoutFiles(images)) {
    const file = path.join(dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, data);
  }
}

/** Writes the layout as one tar archive (what `tskube images load` and `ctr images import` read). */
export function writeOciArchive(file: string, images: BuiltImage[]): void {
  const entries: TarEntry[] = [{ name: 'blobs/', type: 'dir' }, { name: 'blobs/sha256/', type: 'dir' }];
  for (const [rel, data] of layoutFiles(images)) entries.push({ name: rel, type: 'file', data });
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, tarBuffer(entries));
}
