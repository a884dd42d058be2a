// Registers the CRI client for unix:// endpoints (--container-runtime-endpoint
// unix:///run/containerd/containerd.sock); import once beside all-runtimes.ts.
import { registerRuntime } from '../runtime-registry.js';
import { CriRuntime } from './cri-runtime.js';

registerRuntime('unix:', (url, ctx) => new CriRuntime(url.href, { log: ctx.log }));
