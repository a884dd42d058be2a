// `tskube images`: put images into a node's containerd without the internet (like
// `kind load`), and build the busybox and pause images from Debian's busybox-static.
import fs from 'node:fs';
import { Command, Option } from 'commander';
import { importImageArchive } from '../images/image-import.js';
import { busyboxImage, BUSYBOX_IMAGE, DEFAULT_BUSYBOX } from '../images/busybox-image.js';
import { pauseImage, PAUSE_IMAGE } from '../images/pause-image.js';
import { writeOciArchive, writeOciLayout } from '../images/oci-image.js';
import { clusterLayout } from '../admin/up/cluster-layout.js';
import { readState } from '../admin/up/cluster-state.js';
import { nodeContainerdDir } from '../admin/up/node-runtime.js';
import { containerdLayout } from '../kubelet/runtime/cri/containerd-config.js';

const DEFAULT_ENDPOINT = 'unix:///run/containerd/containerd.sock';

interface Target { node?: string; address: string; snapshotter?: string }

/** The containerd of every node of a `tskube up --runtime containerd` cluster that is running. */
function clusterTargets(name: string, dataDir: string | undefined, only?: string[]): Target[] {
  const l = clusterLayout(name, dataDir);
  let nodes: string[] = [];
  try { nodes = (readState(l)?.nodes ?? []).map((n) => n.name); } catch { return []; }
  const out: Target[] = [];
  for (const node of nodes) {
    if (only && !only.includes(node)) continue;
    const layout = containerdLayout(nodeContainerdDir(l, node));
    if (!fs.existsSync(layout.socket)) continue;
    let snapshotter: string | undefined;
    try { snapshotter = /^\s*snapshotter = "([^"]+)"/m.exec(fs.readFileSync(layout.config, 'utf8'))?.[1]; } catch { /* default */ }
    out.push({ node, address: layout.socket, snapshotter });
  }
  return out;
}

function fail(err: unknown): never {
  process.stderr.write(`error: ${(err as Error).message}\n`);
  process.exit(1);
}

export function imagesCommand(): Command {
  const images = new Command('images').description('load and build container images without a registry');

  images.command('load')
    .description('import an image archive (OCI layout tar or docker archive) into the node\'s containerd')
    .argument('<file...>', 'image archive(s)')
    .option('--container-runtime-endpoint <url>', `containerd socket (default: every node of the running \`tskube up\` cluster --name, else ${DEFAULT_ENDPOINT})`)
    .option('--snapshotter <name>', 'unpack for this snapshotter (the CRI plugin\'s; default containerd\'s default)')
    .option('--name <cluster>', 'the `tskube up --runtime containerd` cluster whose nodes get the image', 'tskube')
    .option('--data-dir <dir>', 'that cluster\'s data dir (default ~/.tskube/NAME, or /var/lib/tskube/NAME as root)')
    .option('--nodes <names>', 'only these nodes of the cluster (comma-separated)')
    .action(async (files: string[], o) => {
      try {
        let targets: Target[] = o.containerRuntimeEndpoint ? [{ address: o.containerRuntimeEndpoint, snapshotter: o.snapshotter }] : [];
        if (!targets.length) {
          const only = o.nodes ? String(o.nodes).split(',').map((s: string) => s.trim()).filter(Boolean) : undefined;
          targets = clusterTargets(o.name, o.dataDir, only);
          if (only && targets.length < only.length) throw new Error(`--nodes ${o.nodes}: not every node has a running containerd in cluster "${o.name}"`);
          if (o.snapshotter) targets = targets.map((t) => ({ ...t, snapshotter: o.snapshotter }));
        }
        if (!targets.length) targets = [{ address: DEFAULT_ENDPOINT, snapshotter: o.snapshotter }];
        for (const f of files) {
          for (const t of targets) {
            const names = await importImageArchive(f, { address: t.address, snapshotter: t.snapshotter });
            for (const n of names) process.stdout.write(t.node ? `loaded ${n} on ${t.node}\n` : `loaded ${n}\n`);
          }
        }
      } catch (err) {
        fail(err);
      }
    });

  images.command('build')
    .description('build the busybox or pause image from busybox-static as an OCI archive (or layout directory)')
    .addOption(new Option('--image <kind>', 'which image').choices(['busybox', 'pause']).default('busybox'))
    .option('--name <ref>', `image reference (default ${BUSYBOX_IMAGE} or ${PAUSE_IMAGE})`)
    .option('--busybox <path>', 'the static busybox binary', DEFAULT_BUSYBOX)
    .option('--layout', 'write an OCI layout directory (for skopeo copy oci:DIR) instead of a tar')
    .requiredOption('-o, --output <path>', 'archive file or layout directory to write')
    .action((o) => {
      try {
        const img = o.image === 'pause' ? pauseImage(o.name ?? PAUSE_IMAGE, o.busybox) : busyboxImage(o.name ?? BUSYBOX_IMAGE, o.busybox);
        if (o.layout) writeOciLayout(o.output, [img]);
        else writeOciArchive(o.output, [img]);
        process.stdout.write(`${img.name} ${img.manifest.digest} → ${o.output}\n`);
      } catch (err) {
        fail(err);
      }
    });

  return images;
}
