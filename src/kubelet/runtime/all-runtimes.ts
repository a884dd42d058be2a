// Registers every built-in runtime; import this once before newRuntime().
import { registerRuntime, registerRuntimeModule } from './runtime-registry.js';
import { HollowRuntime } from './hollow-runtime.js';
import { HostProcessRuntime } from './host-process-runtime.js';

registerRuntime('hollow:', () => new HollowRuntime());
registerRuntime('host-process:', (_url, ctx) => new HostProcessRuntime(ctx));
// unix:// → the CRI client (containerd, cri-o): gRPC and protobufjs load only for it
// (runtime-registry.ts loadRuntimes), not in every hollow or host-process kubelet
registerRuntimeModule('unix:', () => import('./cri/register.js'));
