// Registers every built-in runtime; import this once before newRuntime().
import { registerRuntime } from './runtime-registry.js';
import { HollowRuntime } from './hollow-runtime.js';
import { HostProcessRuntime } from './host-process-runtime.js';

registerRuntime('hollow:', () => new HollowRuntime());
registerRuntime('host-process:', (_url, ctx) => new HostProcessRuntime(ctx));
import './cri/register.js'; // unix:// → the CRI client (containerd, cri-o)
