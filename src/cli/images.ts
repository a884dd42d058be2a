// `tskube images`: put images into a node's containerd without the internet (like
// `kind load`), and build the busybox and pause images from Debian's busybox-static.
import { Command, Option } from 'commander';
import { importImageArchive } from '../images/image-import.js';
import { busyboxImage, BUSYBOX_IMAGE, DEFAULT_BUSYBOX } from '../images/busybox-image.js';
import { pauseImage, PAUSE_IMAGE } from '../images/pause-image.js';
import { writeOciArchive, writeOciLayout } from '../images/oci-image.js';

const DEFAULT_ENDPOINT = 'unix:///run/containerd/containerd.sock';

function fail(err: unknown): never {
  process.stderr.write(`error: ${(err as Error).message}\n`);
  process.exit(1);
}

export function imagesCommand(): Command {
  const images = new Command('images').description('load and build container images without a registry');

  images.command('load')
    .description('import an image archive (OCI layout tar or docker archive) into the node\'s containerd')
    .argument('<file...>', 'image archive(s)')
    .option('--container-runtime-endpoint <url>', 'containerd socket', DEFAULT_ENDPOINT)
    .option('--snapshotter <name>', 'unpack for this snapshotter (the CRI plugin\'s; default containerd\'s default)')
    .action(async (files: string[], o) => {
      try {
        for (const f of files) {
          const names = await importImageArchive(f, { address: o.containerRuntimeEndpoint, snapshotter: o.snapshotter });
          for (const n of names) process.stdout.write(`loaded ${n}\n`);
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
