// The sandbox ("pause") image, built by tskube so nothing is pulled from the internet: the
// busybox layer plus /pause, a shell loop that sleeps until SIGTERM/SIGINT. As PID 1 of the
// pod it only has to hold the namespaces open and exit cleanly when asked.
import { busyboxLayer, DEFAULT_BUSYBOX } from './busybox-image.js';
import { buildImage, makeLayer, type BuiltImage } from './oci-image.js';

export const PAUSE_IMAGE = 'localhost/tskube/pause:1.0';

// `wait` returns as soon as a trapped signal arrives, so shutdown is immediate.
const PAUSE_SCRIPT = `#!/bin/sh
trap 'exit 0' TERM INT
while :; do sleep 3600 & wait $!; done
`;

export function pauseImage(name = PAUSE_IMAGE, busybox = DEFAULT_BUSYBOX): BuiltImage {
  const pauseLayer = makeLayer([{ name: 'pause', type: 'file', mode: 0o755, data: Buffer.from(PAUSE_SCRIPT) }]);
  return buildImage({ name, layers: [busyboxLayer(busybox), pauseLayer], entrypoint: ['/pause'] });
}
