// Upstream controllers that have nothing to do in a tskube cluster (no cloud provider, no
// attachable volume plugins, …). Their names are accepted by --controllers, as upstream
// accepts them, and starting one logs why it does nothing — what kube-controller-manager
// itself logs when such a controller finds nothing to run ("Skipping …").
import type { Controller, ControllerFactory } from './controller.js';

export function skipped(name: string, why: string): ControllerFactory {
  return (ctx): Controller => ({
    name,
    async run() { ctx.log(`skipping ${name}: ${why}`); },
  });
}
