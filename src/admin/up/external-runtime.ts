// `tskube up --runtime containerd --container-runtime-endpoint unix://…`: the node's runtime
// is someone else's, but the cluster still must not need the internet. So, as for the
// containerds tskube runs, the add-on image (kube-proxy, kube-dns) and — under the name that
// runtime's own config gives its sandbox image — tskube's pause image are built here and
// imported into it (CRI namespace k8s.io, the runtime's snapshotter), each only when the
// runtime does not have it already. Importing speaks containerd (ctr); another CRI runtime
// (cri-o) gets a message saying what to load with its own tools.
import fs from 'node:fs';
import path from 'node:path';
import { ADDON_IMAGE } from '../addons/addon-input.js';
import { busyboxImage } from '../../images/busybox-image.js';
import { importImageArchive } from '../../images/image-import.js';
import { type BuiltImage, writeOciArchive } from '../../images/oci-image.js';
import { pauseImage, PAUSE_IMAGE } from '../../images/pause-image.js';
import { CriClient } from '../../kubelet/runtime/cri/cri-client.js';

interface CriConfigInfo { sandboxImage?: string; containerd?: { snapshotter?: string } }

/** Imports what the runtime lacks; returns the names imported. */
export async function importImagesToExternalRuntime(endpoint: string, dir: string, log: (m: string) => void): Promise<string[]> {
  const client = new CriClient(endpoint, { timeoutMs: 30_000 });
  try {
    const version = await client.version().catch((err: Error) => {
      throw new Error(`--container-runtime-endpoint ${endpoint}: no CRI runtime answers there (${err.message})`);
    });
    const status = await client.status(true);
    let cfg: CriConfigInfo = {};
    try { cfg = JSON.parse(status.info?.config ?? '{}') as CriConfigInfo; } catch { /* not containerd's config */ }
    const sandboxImage = cfg.sandboxImage || PAUSE_IMAGE;
    const wanted: [string, () => BuiltImage][] = [[sandboxImage, () => pauseImage(sandboxImage)], [ADDON_IMAGE, () => busyboxImage(ADDON_IMAGE)]];
    const missing: typeof wanted = [];
    for (const w of wanted) if (!(await client.imageStatus(w[0]))) missing.push(w);
    if (!missing.length) return [];
    if (version.runtimeName !== 'containerd') {
      log(`${version.runtimeName} at ${endpoint} lacks ${missing.map(([n]) => n).join(' and ')}: tskube imports only into containerd; build them with \`tskube images build\` and load them with the runtime's own tools`);
      return [];
    }
    fs.mkdirSync(dir, { recursive: true });
    const imported: string[] = [];
    for (const [name, build] of missing) {
      const archive = path.join(dir, `${name.replace(/[^A-Za-z0-9.-]+/g, '_')}.tar`);
      writeOciArchive(archive, [build()]);
      await importImageArchive(archive, { address: endpoint, snapshotter: cfg.containerd?.snapshotter || undefined });
      imported.push(name);
    }
    return imported;
  } finally {
    client.close();
  }
}
