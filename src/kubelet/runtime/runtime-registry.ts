// --container-runtime-endpoint → a runtime, by URL scheme (kine's drivers, for runtimes):
// hollow:// simulates containers, host-process:// runs them as host processes, and unix://
// is the CRI gRPC client, whose module registers it when loadRuntimes imports it.
import type { Runtime } from './runtime-service.js';

export interface RuntimeContext {
  /** --root-dir: where pod logs and volumes live. */
  rootDir: string;
  /** The node's IP (host-process pods use it as their pod IP). */
  nodeIP: string;
  log: (message: string) => void;
}

export type RuntimeFactory = (endpoint: URL, ctx: RuntimeContext) => Runtime;

const factories = new Map<string, RuntimeFactory>();
/** Runtimes whose modules load on first use: a kubelet without CRI never loads gRPC. */
const loaders = new Map<string, () => Promise<unknown>>();

/** Registers a runtime for a scheme, e.g. `registerRuntime('hollow:', …)`. */
export function registerRuntime(scheme: string, factory: RuntimeFactory): void {
  factories.set(scheme, factory);
}

/** Registers a module that, once imported, registers the runtime for a scheme (see loadRuntimes). */
export function registerRuntimeModule(scheme: string, load: () => Promise<unknown>): void {
  loaders.set(scheme, load);
}

/** Imports the modules of the runtimes these endpoints name, before newRuntime() builds them. */
export async function loadRuntimes(endpoints: string[]): Promise<void> {
  for (const endpoint of endpoints) {
    const scheme = URL.canParse(endpoint) ? new URL(endpoint).protocol : undefined;
    const load = scheme && !factories.has(scheme) ? loaders.get(scheme) : undefined;
    if (load) await load();
  }
}

export function registeredSchemes(): string[] {
  return [...new Set([...factories.keys(), ...loaders.keys()])].map((s) => `${s}//`);
}

export function newRuntime(endpoint: string, ctx: RuntimeContext): Runtime {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new Error(`--container-runtime-endpoint ${JSON.stringify(endpoint)} is not a URL (want one of ${registeredSchemes().join(', ')})`);
  }
  const factory = factories.get(url.protocol);
  if (!factory) {
    const hint = loaders.has(url.protocol) ? ' (its module is not loaded: loadRuntimes first)' : '';
    throw new Error(`no container runtime for ${url.protocol}//${hint}; known: ${registeredSchemes().join(', ')}`);
  }
  return factory(url, ctx);
}
