// The busybox image, built from Debian's busybox-static: one layer with /bin/busybox, a
// symlink per applet (sh, sleep, httpd, wget, hostname, cat, nslookup, …) and the few
// files a container expects (/etc/passwd, /etc/group, /tmp).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { buildImage, makeLayer, type BuiltImage, type Layer } from './oci-image.js';
import type { TarEntry } from './tar-writer.js';

export const DEFAULT_BUSYBOX = '/bin/busybox';
export const BUSYBOX_IMAGE = 'docker.io/library/busybox:latest';

function applets(busybox: string): string[] {
  let out: string;
  try {
    out = execFileSync(busybox, ['--list'], { encoding: 'utf8' });
  } catch (err) {
    throw new Error(`cannot run ${busybox} (install Debian's busybox-static): ${(err as Error).message}`);
  }
  return out.split('\n').map((s) => s.trim()).filter((s) => s && s !== 'busybox' && !s.includes('/'));
}

const PASSWD = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n';
const GROUP = 'root:x:0:\nnogroup:x:65534:\n';

/** The busybox root filesystem as one layer; cached per binary since it is a few MiB of gzip. */
const layerCache = new Map<string, Layer>();
export function busyboxLayer(busybox = DEFAULT_BUSYBOX): Layer {
  const cached = layerCache.get(busybox);
  if (cached) return cached;
  const binary = fs.readFileSync(busybox);
  const entries: TarEntry[] = [];
  for (const d of ['bin', 'dev', 'etc', 'proc', 'root', 'sys', 'usr', 'usr/bin', 'var', 'var/www']) {
    entries.push({ name: d, type: 'dir', mode: d === 'root' ? 0o700 : 0o755 });
  }
  entries.push({ name: 'tmp', type: 'dir', mode: 0o1777 });
  entries.push({ name: 'bin/busybox', type: 'file', mode: 0o755, data: binary });
  for (const a of applets(busybox)) entries.push({ name: `bin/${a}`, type: 'symlink', linkname: 'busybox' });
  entries.push({ name: 'etc/passwd', type: 'file', data: Buffer.from(PASSWD) });
  entries.push({ name: 'etc/group', type: 'file', data: Buffer.from(GROUP) });
  const layer = makeLayer(entries);
  layerCache.set(busybox, layer);
  return layer;
}

export function busyboxImage(name = BUSYBOX_IMAGE, busybox = DEFAULT_BUSYBOX): BuiltImage {
  return buildImage({ name, layers: [busyboxLayer(busybox)], cmd: ['sh'] });
}
