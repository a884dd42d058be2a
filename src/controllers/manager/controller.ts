// The shape every controller has: a name the --controllers flag uses, and a run loop that
// reads shared informers, processes keys from its own work queue and stops on abort.
import type { RestClient, SharedInformerFactory, EventRecorder } from '../../client/index.js';
import type { ManagerOptions } from './options.js';
import type { ControllerMetrics } from './metrics.js';

export interface ControllerContext {
  client: RestClient;
  /** Informers shared by every controller in this process. */
  informers: SharedInformerFactory;
  options: ManagerOptions;
  /** An event recorder reporting as `component` (upstream's per-controller source names). */
  recorder(component: string): EventRecorder;
  log(msg: string): void;
  metrics: ControllerMetrics;
}

export interface Controller {
  readonly name: string;
  /** Registers handlers now; runs workers until `signal` aborts (after the caches synced). */
  run(signal: AbortSignal): Promise<void>;
}

export type ControllerFactory = (ctx: ControllerContext) => Controller;
